"""Faults at the HTTP level, against a real server process: retries, races, a locked database."""

import contextlib
import json
import re
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from tests.server_process import ServerProcess

CREATE_WORKSHOP = """
from workshop import services
from workshop.models import User
workshop = services.create_workshop(User.objects.get(), "Reliability", 2)
print(workshop.code)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # A lock timeout short enough that a test can outlast it, long enough that a post queued
    # behind a short lock succeeds on a busy machine.
    process = ServerProcess(tmp_path_factory.mktemp("data"), DB_LOCK_TIMEOUT="3")
    process.prepare().start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def workshop_code(server):
    # One for the module: each test posts words of its own, and a Django process to create a
    # workshop costs seconds of CPU on a busy machine.
    output = server.shell(CREATE_WORKSHOP)
    return output.strip().splitlines()[-1]


class Phone:
    """A participant's browser without the browser: cookies, CSRF token, form posts."""

    def __init__(self, server, code, name="Anna"):
        self.server, self.code = server, code
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        page = self.get(f"/j/{code}/")
        table = re.search(r'name="table" value="(\d+)"', page).group(1)
        self.form_post(f"/j/{code}/", {"name": name, "table": table})

    @property
    def csrf(self):
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def get(self, path):
        with self.opener.open(self.server.url + path, timeout=30) as response:
            return response.read().decode()

    def form_post(self, path, data, accept="text/html"):
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        headers = {"Accept": accept, "X-CSRFToken": self.csrf, "Referer": self.server.url}
        request = Request(self.server.url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def post_takeaway(self, text, token):
        status, body = self.form_post(
            f"/w/{self.code}/post/", {"text": text, "token": str(token)}, "application/json"
        )
        return status, json.loads(body)


def stored(server, text):
    with sqlite3.connect(server.database) as db:
        return db.execute(
            "SELECT COUNT(*) FROM workshop_takeaway WHERE text = ?", (text,)
        ).fetchone()[0]


@contextlib.contextmanager
def write_lock_held(server):
    """Another writer holding SQLite's write lock until the block ends, as a long transaction
    would."""
    db = sqlite3.connect(server.database, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


def test_the_same_post_sent_five_times_at_once_is_stored_once(server, workshop_code):
    phone = Phone(server, workshop_code)
    token = uuid.uuid4()
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda _: phone.post_takeaway("Five taps", token), range(5)))
    assert [status for status, _ in results] == [200] * 5
    assert len({answer["revision"] for _, answer in results}) == 1
    assert stored(server, "Five taps") == 1


def test_the_same_token_with_other_words_is_refused(server, workshop_code):
    phone = Phone(server, workshop_code)
    token = uuid.uuid4()
    assert phone.post_takeaway("The first words", token)[0] == 200
    status, answer = phone.post_takeaway("Other words", token)
    assert status == 422
    assert "different words" in answer["error"]
    assert stored(server, "The first words") == 1
    assert stored(server, "Other words") == 0


def test_a_post_waits_for_a_short_write_lock_and_succeeds(server, workshop_code):
    phone = Phone(server, workshop_code)
    with ThreadPoolExecutor(max_workers=1) as pool:
        with write_lock_held(server):
            answer = pool.submit(phone.post_takeaway, "Waited for the lock", uuid.uuid4())
            # Still waiting while the lock is held (well within the server's lock timeout).
            assert wait([answer], timeout=0.5).not_done
        status, _ = answer.result(timeout=30)
    assert status == 200
    assert stored(server, "Waited for the lock") == 1


def test_a_long_write_lock_gets_a_retryable_answer_and_the_retry_succeeds(server, workshop_code):
    phone = Phone(server, workshop_code)
    token = uuid.uuid4()
    with write_lock_held(server):  # until the server gives up waiting for it
        status, answer = phone.post_takeaway("Retried after the lock", token)
    assert status == 503
    assert answer["retry"] is True
    assert "try again" in answer["error"]
    assert stored(server, "Retried after the lock") == 0

    status, _ = phone.post_takeaway("Retried after the lock", token)
    assert status == 200
    assert stored(server, "Retried after the lock") == 1


def test_a_plain_form_post_during_a_long_lock_gets_a_page_not_a_500(server, workshop_code):
    phone = Phone(server, workshop_code)
    with write_lock_held(server):
        status, page = phone.form_post(
            f"/w/{workshop_code}/post/", {"text": "No JavaScript", "token": str(uuid.uuid4())}
        )
    assert status == 503
    assert "Nothing was lost" in page
