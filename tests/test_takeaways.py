"""Posting, editing and deleting takeaways from a phone, with and without JavaScript."""

import uuid

import pytest

from tests.conftest import as_phone
from workshop import services
from workshop.models import Takeaway

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(client, anna):
    as_phone(client, anna)
    return client


def post_path(workshop):
    return f"/w/{workshop.code}/post/"


def send(phone, workshop, text, token=None, **extra):
    data = {"text": text, "token": str(token or uuid.uuid4())}
    return phone.post(post_path(workshop), data, **extra)


def test_a_plain_form_post_stores_the_takeaway_and_returns_to_the_board(phone, workshop, anna):
    response = send(phone, workshop, "Step back in team meetings")
    assert response.status_code == 302
    takeaway = Takeaway.objects.get()
    assert (takeaway.text, takeaway.author, takeaway.table) == (
        "Step back in team meetings",
        anna,
        anna.table,
    )


JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_phones_outbox_gets_the_new_card_back(phone, workshop, anna):
    response = send(phone, workshop, "Ask first", **JSON)
    assert response.status_code == 200
    answer = response.json()
    takeaway = Takeaway.objects.get()
    assert answer["revision"] == takeaway.revision
    assert f'hx-target="#table-{anna.table_id}-list"' in answer["content"]
    assert "Ask first" in answer["content"]


def test_the_same_form_sent_twice_stores_one_takeaway(phone, workshop):
    token = uuid.uuid4()
    send(phone, workshop, "Double tap", token)
    send(phone, workshop, "Double tap", token)
    assert Takeaway.objects.count() == 1


@pytest.mark.parametrize("text", ["", "    ", "\n\n"])
def test_an_empty_takeaway_gets_a_clear_message(phone, workshop, text):
    response = send(phone, workshop, text, **JSON)
    assert response.status_code == 422
    assert response.json()["error"] == "Please write something first."
    page = send(phone, workshop, text).content.decode()
    assert "Please write something first." in page
    assert not Takeaway.objects.exists()


def test_a_long_paste_is_refused_and_kept_in_the_form(phone, workshop):
    long_text = "word " * 2000
    response = send(phone, workshop, long_text)
    page = response.content.decode()
    assert response.status_code == 400
    assert "the limit is 500" in page
    assert long_text.strip() in page
    assert not Takeaway.objects.exists()


def test_posting_needs_a_participant_of_this_workshop(client, workshop, anna, facilitator):
    elsewhere = services.create_workshop(facilitator, "Elsewhere", 2)
    as_phone(client, anna)
    response = client.post(post_path(elsewhere), {"text": "Wrong room", "token": uuid.uuid4()})
    assert response["Location"] == f"/j/{elsewhere.code}/"
    data = {"text": "Wrong room", "token": uuid.uuid4()}
    response = client.post(post_path(elsewhere), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["reload"] is True
    assert not Takeaway.objects.exists()


def test_markup_in_a_takeaway_is_escaped_on_every_screen(phone, client, workshop, facilitator):
    send(phone, workshop, '<script>alert("x")</script>')
    board = phone.get(f"/w/{workshop.code}/").content.decode()
    projector = client.get(f"/p/{workshop.projector_key}/").content.decode()
    client.force_login(facilitator)
    console = client.get(f"/f/w/{workshop.pk}/").content.decode()
    for page in (board, projector, console):
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
        assert '<script>alert("x")' not in page


def test_the_author_edits_their_takeaway(phone, workshop, anna):
    takeaway = services.post_takeaway(anna, "Draft", uuid.uuid4())
    response = phone.post(
        f"/w/{workshop.code}/t/{takeaway.pk}/edit/", {"text": "Final"}, HTTP_HX_REQUEST="true"
    )
    assert "Final" in response.content.decode()
    takeaway.refresh_from_db()
    assert takeaway.text == "Final"
    assert takeaway.edited_at is not None


def test_the_author_deletes_their_takeaway(phone, workshop, anna):
    takeaway = services.post_takeaway(anna, "Regret", uuid.uuid4())
    response = phone.post(f"/w/{workshop.code}/t/{takeaway.pk}/delete/")
    assert response.status_code == 302
    takeaway.refresh_from_db()
    assert takeaway.deleted


def test_nobody_else_edits_or_deletes_it(client, workshop, anna, tables):
    chloe = services.join(workshop, tables[0], "Chloé")
    takeaway = services.post_takeaway(anna, "Anna's", uuid.uuid4())
    as_phone(client, chloe)
    edit = client.post(f"/w/{workshop.code}/t/{takeaway.pk}/edit/", {"text": "Chloé's now"})
    delete = client.post(f"/w/{workshop.code}/t/{takeaway.pk}/delete/")
    assert (edit.status_code, delete.status_code) == (404, 404)
    takeaway.refresh_from_db()
    assert (takeaway.text, takeaway.deleted) == ("Anna's", False)


def test_posting_to_a_closed_workshop_says_it_is_closed(phone, workshop, facilitator):
    services.set_workshop_open(facilitator, workshop, False)
    response = send(phone, workshop, "After hours", **JSON)
    assert response.status_code == 422
    assert response.json()["error"] == "This workshop is closed."
    assert not Takeaway.objects.exists()


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_refused_delete_answers_with_the_card_as_it_is_and_says_why(
    phone, workshop, facilitator, anna
):
    takeaway = services.post_takeaway(anna, "Still here", uuid.uuid4())
    services.set_workshop_open(facilitator, workshop, False)
    response = phone.post(f"/w/{workshop.code}/t/{takeaway.pk}/delete/", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap="delete"' not in body and "Still here" in body
    assert "This workshop is closed." in body
    assert not Takeaway.objects.get().deleted


def test_a_closed_board_offers_no_edit_or_delete(phone, workshop, facilitator, anna):
    services.post_takeaway(anna, "Mine", uuid.uuid4())
    services.set_workshop_open(facilitator, workshop, False)
    page = phone.get(f"/w/{workshop.code}/").content.decode()
    # The cards are the same for every phone; the page's own rule hides the actions.
    assert ".phone-main:has(.banner--closed)" in page and "banner--closed" in page
