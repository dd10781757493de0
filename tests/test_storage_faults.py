"""A database that cannot save (disk full, read-only): pages are still served, writes are
refused with a message that says so, and the operator is told once, not once per request."""

import logging
import uuid

import pytest
from django.db import connection

from tests.conftest import as_phone
from workshop.db.faults import alarm
from workshop.models import Takeaway

# The faults are made with SQLite's own switches (PRAGMA query_only, max_page_count); the first
# pass of `make test` runs these on SQLite; PostgreSQL's refusal is tested in test_database.
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="faults made with SQLite's PRAGMAs"
)

STORAGE_LOGGER = "workshop.storage"


@pytest.fixture(autouse=True)
def _alarm_quiet():
    alarm.failing = None
    yield
    alarm.failing = None


def pragma(statement):
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {statement}")
        return cursor.fetchone()


@pytest.fixture
def read_only(db):
    """The database as a read-only mount or file leaves it: reading works, writing fails."""
    pragma("query_only = ON")
    yield
    pragma("query_only = OFF")


@pytest.fixture
def nearly_full(db):
    """The disk full: the database may not grow by a single page."""
    pages = pragma("page_count")[0]
    pragma(f"max_page_count = {pages}")
    yield
    pragma("max_page_count = 1073741823")


@pytest.fixture
def phone(client, anna):
    return as_phone(client, anna)


def post_json(phone, workshop, text):
    return phone.post(
        f"/w/{workshop.code}/post/",
        {"text": text, "token": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )


def storage_messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == STORAGE_LOGGER]


def test_a_read_only_database_still_serves_pages_and_catch_up(phone, workshop, read_only):
    board = phone.get(f"/w/{workshop.code}/")
    assert board.status_code == 200
    # What the phone's outbox says of a post that waits for the server to save again.
    assert b"data-msg-cannot-save=" in board.content
    assert phone.get(f"/w/{workshop.code}/updates/?after=0").status_code == 200
    assert phone.get("/j/").status_code == 200


def test_a_post_to_a_read_only_database_says_it_cannot_save(phone, workshop, read_only):
    response = post_json(phone, workshop, "Kept on the phone")
    assert response.status_code == 503
    answer = response.json()
    assert "cannot save right now" in answer["error"]
    assert answer["retry"] is True
    assert answer["saving"] is False
    assert int(response["Retry-After"]) >= 10  # not a moment's lock: ask again less often


def test_a_plain_form_post_gets_a_page_that_says_it_cannot_save(phone, workshop, read_only):
    response = phone.post(f"/w/{workshop.code}/post/", {"text": "No JS", "token": uuid.uuid4()})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"cannot save right now" in response.content
    assert b"busy" not in response.content


def test_a_read_only_database_is_logged_once_with_its_error_then_once_when_it_recovers(
    phone, workshop, read_only, caplog
):
    caplog.set_level(logging.INFO)
    for n in range(3):
        assert post_json(phone, workshop, f"Try {n}").status_code == 503
    messages = storage_messages(caplog)
    assert len(messages) == 1
    assert "database is read-only" in messages[0]
    assert "attempt to write a readonly database" in messages[0]
    # Nor does Django log each refusal as a server error.
    assert not [r for r in caplog.records if r.name == "django.request"]

    pragma("query_only = OFF")
    assert post_json(phone, workshop, "Saved again").status_code == 200
    assert post_json(phone, workshop, "And again").status_code == 200
    assert storage_messages(caplog)[1:] == ["Saving works again."]


def test_a_full_disk_refuses_posts_as_it_fills_and_is_logged_once(
    phone, workshop, nearly_full, caplog
):
    answers = []
    for n in range(200):  # the posts fill the last free room in the database's pages
        response = post_json(phone, workshop, f"Filling the disk {n} " + "x" * 400)
        answers.append(response.status_code)
        if response.status_code != 200:
            break
    assert answers[-1] == 503, "the database never filled"
    assert "cannot save right now" in response.json()["error"]
    assert post_json(phone, workshop, "Still full").status_code == 503
    assert phone.get(f"/w/{workshop.code}/").status_code == 200
    messages = storage_messages(caplog)
    assert len(messages) == 1
    assert "disk full" in messages[0]
    assert Takeaway.objects.filter(text="Still full").count() == 0
