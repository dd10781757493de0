"""Joining from a phone: the code, the table, the name, and coming back as the same person."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import as_phone
from workshop import services
from workshop.access import DEVICE_COOKIE
from workshop.models import Participant

pytestmark = pytest.mark.django_db


def join(client, workshop, name="Anna", table=None, path=None):
    table = table or workshop.tables.first()
    return client.post(path or f"/j/{workshop.code}/", {"name": name, "table": table.pk})


def test_joining_puts_a_participant_at_their_table_and_on_the_board(client, workshop, tables):
    response = join(client, workshop, table=tables[1])
    # The board straight away, not a redirect to it: a request fewer for every phone.
    assert response.status_code == 200
    participant = Participant.objects.get()
    assert (participant.name, participant.table) == ("Anna", tables[1])
    for page in (response.content.decode(), client.get(f"/w/{workshop.code}/").content.decode()):
        assert "Post a takeaway for your table" in page
        assert re.search(r'class="phone-board__title">\s*<bdi>Table 2</bdi>', page)
        assert f'data-here="/w/{workshop.code}/"' in page  # the address bar is set to it


def test_sending_the_join_form_again_joins_nobody_new(client, workshop, tables):
    join(client, workshop, table=tables[1])
    again = join(client, workshop, name="Anna, again", table=tables[2])  # a reload of the answer
    assert again.status_code == 302
    assert again["Location"] == f"/w/{workshop.code}/"
    assert Participant.objects.get().name == "Anna"


def test_a_reload_or_a_later_visit_is_the_same_participant(client, workshop):
    join(client, workshop)
    again = client.get(f"/j/{workshop.code}/")
    assert again.status_code == 302
    assert again["Location"] == f"/w/{workshop.code}/"
    assert Participant.objects.count() == 1


def test_a_table_card_link_picks_the_table(client, workshop, tables):
    page = client.get(f"/j/{workshop.code}/3/").content.decode()
    assert "You are joining <strong><bdi>Table 3</bdi></strong>" in page
    assert 'type="radio"' not in page
    join(client, workshop, table=tables[2], path=f"/j/{workshop.code}/3/")
    assert Participant.objects.get().table == tables[2]


def test_a_code_typed_in_lower_case_with_spaces_still_finds_the_workshop(client, workshop):
    typed = f" {workshop.code[:3].lower()} {workshop.code[3:].lower()} "
    response = client.get("/j/", {"code": typed})
    assert response["Location"] == f"/j/{workshop.code}/"
    assert client.get(f"/j/{workshop.code.lower()}/")["Location"] == f"/j/{workshop.code}/"


def test_an_unknown_code_gets_a_plain_language_page(client, db):
    response = client.get("/j/ZZZZZZ/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that workshop" in page
    assert 'name="code"' in page


def test_a_closed_workshop_says_so(client, workshop, facilitator):
    services.set_workshop_open(facilitator, workshop, False)
    page = client.get(f"/j/{workshop.code}/").content.decode()
    assert "This workshop is closed" in page


def test_a_missing_name_or_table_is_explained_and_nothing_stored(client, workshop):
    response = client.post(f"/j/{workshop.code}/", {"name": "  "})
    page = response.content.decode()
    assert "This field is required." in page
    assert "Please pick the table you are sitting at." in page
    assert not Participant.objects.exists()


def test_a_thousand_character_name_is_refused(client, workshop):
    page = join(client, workshop, name="N" * 1000).content.decode()
    assert "The name is 1000 characters long; the limit is 40." in page  # the service's words
    assert not Participant.objects.exists()


def test_a_table_of_another_workshop_is_refused(client, workshop, facilitator):
    elsewhere = services.create_workshop(facilitator, "Elsewhere", 2)
    response = join(client, workshop, table=elsewhere.tables.first())
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Participant.objects.exists()


def test_markup_in_a_name_is_shown_as_text(client, workshop):
    join(client, workshop, name="<img src=x onerror=alert(1)>")
    page = client.get(f"/w/{workshop.code}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_the_board_without_joining_sends_you_to_join(client, workshop):
    response = client.get(f"/w/{workshop.code}/")
    assert response["Location"] == f"/j/{workshop.code}/"


def test_a_phone_is_known_by_a_long_lived_device_cookie_not_a_session(client, workshop):
    response = join(client, workshop)
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60
    assert "sessionid" not in response.cookies
    assert Participant.objects.get().device == cookie.value


def test_a_phones_requests_read_and_write_no_session(client, workshop, anna):
    as_phone(client, anna)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/w/{workshop.code}/").status_code == 200
        client.post(f"/w/{workshop.code}/post/", {"text": "Coach", "token": uuid.uuid4()})
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_joining_again_from_the_same_phone_is_the_same_participant(client, workshop, tables):
    join(client, workshop, table=tables[0])
    client.get(f"/j/{workshop.code}/")  # nothing to do: the board
    device = client.cookies[DEVICE_COOKIE].value
    # The same phone posting the form again, from a tab left open, changes nobody.
    again = services.join(workshop, tables[1], "Anna again", device=device)
    assert Participant.objects.count() == 1
    assert (again.name, again.table) == ("Anna", tables[0])


def test_a_phone_whose_participant_deleted_their_data_joins_anew(client, workshop):
    join(client, workshop)
    participant = Participant.objects.get()
    services.forget_participant(participant)
    assert client.get(f"/w/{workshop.code}/")["Location"] == f"/j/{workshop.code}/"
    join(client, workshop, name="Anna")
    assert Participant.objects.count() == 2


def test_a_forged_device_cookie_is_nobody(client, workshop, anna):
    client.cookies[DEVICE_COOKIE] = anna.device[:-1] + ("A" if anna.device[-1] != "A" else "B")
    assert client.get(f"/w/{workshop.code}/")["Location"] == f"/j/{workshop.code}/"
    client.cookies[DEVICE_COOKIE] = "' OR 1=1 --"
    assert client.get(f"/w/{workshop.code}/")["Location"] == f"/j/{workshop.code}/"
