"""Text as it is stored, whoever typed it and on whatever keyboard (workshop/text.py)."""

import unicodedata
import uuid

import pytest

from workshop import services
from workshop.models import Takeaway
from workshop.text import MAX_LINE_BREAKS, MAX_MARKS, clean_line, clean_text, normalise

pytestmark = pytest.mark.django_db


def test_the_same_words_are_stored_the_same_whichever_keyboard_typed_them():
    composed, decomposed = "Chloé", unicodedata.normalize("NFD", "Chloé")
    assert composed != decomposed
    assert normalise(decomposed) == composed


def test_a_letter_keeps_a_few_combining_marks_not_hundreds():
    zalgo = "a" + "\u0301" * 200 + "b"
    # NFC makes the first mark part of "á"; a few more stay on it.
    assert normalise(zalgo) == "á" + "\u0301" * MAX_MARKS + "b"
    assert normalise("ệ") == "ệ"  # Vietnamese: two marks on one letter, kept


def test_line_breaks_are_capped_and_blank_runs_collapse():
    assert normalise("one\n\n\n\n\ntwo") == "one\n\ntwo"
    many = "\n".join(str(n) for n in range(60))
    assert normalise(many).count("\n") == MAX_LINE_BREAKS


def test_control_characters_and_direction_overrides_go_joiners_stay():
    assert normalise("a\x00b\x07c\u202ed\u2066e") == "abcde"
    family = "👩\u200d👩\u200d👧"  # one emoji made of three, joined
    assert normalise(family) == family
    assert normalise("שלום\u200f!") == "שלום\u200f!"  # a direction mark a writer put in


def test_a_one_line_text_has_no_line_breaks():
    assert clean_line("Table\nof\r\nfriends", max_length=60, what="The name") == "Table of friends"


def test_nothing_left_or_too_long_says_what_is_wrong():
    with pytest.raises(ValueError, match="Please write something first"):
        clean_text("\x00\u202e  \n", max_length=10, what="The takeaway")
    with pytest.raises(ValueError, match="The takeaway is 11 characters long; the limit is 10"):
        clean_text("x" * 11, max_length=10, what="The takeaway")


def test_every_write_stores_normalised_text(facilitator, tables, anna):
    services.rename_table(facilitator, tables[0], "Table" + "\u0301" * 50 + "\x00")
    tables[0].refresh_from_db()
    assert tables[0].name == "Tablé" + "\u0301" * MAX_MARKS
    posted = services.post_takeaway(anna, "Cafe\u0301\x00\n\n\n\nlater", uuid.uuid4())
    assert Takeaway.objects.get(pk=posted.pk).text == "Café\n\nlater"
