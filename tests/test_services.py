"""The service layer: the only code that changes state, and the rules it keeps."""

import uuid

import pytest

from tests.conftest import post
from workshop import services
from workshop.codes import ALPHABET
from workshop.models import Participant, Takeaway, Workshop

pytestmark = pytest.mark.django_db


def revision(workshop):
    return Workshop.objects.values_list("revision", flat=True).get(pk=workshop.pk)


def test_a_new_workshop_has_numbered_tables_and_a_code_without_look_alikes(facilitator):
    workshop = services.create_workshop(facilitator, "Kick-off", 4)
    assert [t.name for t in workshop.tables.all()] == ["Table 1", "Table 2", "Table 3", "Table 4"]
    assert len(workshop.code) == 6
    assert set(workshop.code) <= set(ALPHABET)
    assert not set(workshop.code) & set("01OIL")


def test_a_workshop_needs_a_sensible_number_of_tables(facilitator):
    with pytest.raises(services.Refused):
        services.create_workshop(facilitator, "Kick-off", 0)
    with pytest.raises(services.Refused):
        services.create_workshop(facilitator, "Kick-off", services.MAX_TABLES + 1)


def test_a_repeated_token_stores_one_takeaway(anna):
    token = uuid.uuid4()
    first = post(anna, "Coach, don't close", token)
    second = post(anna, "Coach, don't close", token)
    assert first.pk == second.pk
    assert Takeaway.objects.count() == 1


def test_the_same_token_with_other_words_is_refused_and_the_first_words_kept(anna):
    token = uuid.uuid4()
    post(anna, "First words", token)
    with pytest.raises(services.Refused):
        post(anna, "Other words", token)
    assert list(Takeaway.objects.values_list("text", flat=True)) == ["First words"]


def test_every_change_raises_the_revision_and_stamps_the_rows(workshop, tables, facilitator):
    before = revision(workshop)
    participant = services.join(workshop, tables[0], "Anna")
    assert participant.revision == revision(workshop) > before

    takeaway = post(participant, "One")
    assert takeaway.revision == revision(workshop) > participant.revision

    for change in (
        lambda: services.edit_takeaway(participant, takeaway, "One, edited"),
        lambda: services.set_takeaway_hidden(facilitator, takeaway, True),
        lambda: services.set_takeaway_hidden(facilitator, takeaway, False),
        lambda: services.delete_takeaway(participant, takeaway),
    ):
        before = revision(workshop)
        change()
        takeaway.refresh_from_db()
        assert takeaway.revision == revision(workshop) == before + 1

    before = revision(workshop)
    table = services.rename_table(facilitator, tables[1], "The Optimists")
    assert table.revision == revision(workshop) == before + 1


def test_deleting_keeps_a_tombstone_so_catching_up_clients_learn_of_it(anna):
    takeaway = post(anna, "Gone soon")
    services.delete_takeaway(anna, takeaway)
    takeaway.refresh_from_db()
    assert takeaway.deleted


def test_only_the_author_edits_or_deletes_a_takeaway(anna, workshop, tables):
    chloe = services.join(workshop, tables[0], "Chloé")
    takeaway = post(anna, "Mine")
    with pytest.raises(services.NotAllowed):
        services.edit_takeaway(chloe, takeaway, "Hijacked")
    with pytest.raises(services.NotAllowed):
        services.delete_takeaway(chloe, takeaway)
    takeaway.refresh_from_db()
    assert (takeaway.text, takeaway.deleted) == ("Mine", False)


def test_only_the_workshops_facilitator_hides_or_renames(anna, other_facilitator, tables):
    takeaway = post(anna, "Visible")
    with pytest.raises(services.NotAllowed):
        services.set_takeaway_hidden(other_facilitator, takeaway, True)
    with pytest.raises(services.NotAllowed):
        services.rename_table(other_facilitator, tables[0], "Mine now")
    with pytest.raises(services.NotAllowed):
        services.set_workshop_open(other_facilitator, anna.workshop, False)
    takeaway.refresh_from_db()
    assert not takeaway.hidden


def test_joining_another_workshops_table_is_refused(workshop, facilitator):
    elsewhere = services.create_workshop(facilitator, "Another day", 2)
    with pytest.raises(services.NotAllowed):
        services.join(workshop, elsewhere.tables.first(), "Mallory")
    assert not Participant.objects.exists()


def test_a_takeaway_goes_to_the_authors_own_table(anna, tables):
    assert post(anna, "Where does it go?").table_id == tables[0].pk


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\x00\x01"])
def test_an_empty_takeaway_is_refused(anna, text):
    with pytest.raises(services.Refused, match="write something"):
        post(anna, text)
    assert not Takeaway.objects.exists()


def test_a_takeaway_over_the_limit_is_refused_with_its_length(anna):
    with pytest.raises(services.Refused, match="501 characters"):
        post(anna, "x" * 501)
    assert post(anna, "x" * 500).text == "x" * 500


def test_a_name_over_the_limit_is_refused(workshop, tables):
    with pytest.raises(services.Refused):
        services.join(workshop, tables[0], "A" * 1000)
    assert not Participant.objects.exists()


def test_markup_is_stored_as_typed_and_escaped_when_shown(anna):
    text = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    assert post(anna, text).text == text


def test_a_closed_workshop_takes_no_new_people_or_posts(workshop, tables, anna, facilitator):
    services.set_workshop_open(facilitator, workshop, False)
    anna.workshop.refresh_from_db()
    with pytest.raises(services.Refused, match="closed"):
        services.join(workshop, tables[0], "Late")
    with pytest.raises(services.Refused, match="closed"):
        post(anna, "Too late")


def test_a_hidden_takeaway_that_was_deleted_cannot_be_shown_again(anna, facilitator):
    takeaway = post(anna, "Oops")
    services.delete_takeaway(anna, takeaway)
    with pytest.raises(services.Refused):
        services.set_takeaway_hidden(facilitator, takeaway, False)
