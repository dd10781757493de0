"""A room arriving faster than the server can serve it: busy answers at once, then everyone in.

The real server with room for two phone requests at a time. A test holds SQLite's write lock,
so that the two admitted joins cannot finish; every other phone must be told "busy, retry"
while those two still wait — refused at once, not queued — the console must still answer,
and once the lock goes every phone joins and posts, each exactly once.
"""

import contextlib
import json
import re
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from tests.server_process import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, ServerProcess

PHONES = 16
ADMITTED = 2

CREATE_WORKSHOP = """
from workshop import services
from workshop.models import User
workshop = services.create_workshop(User.objects.get(), "A full room", 4)
print(workshop.pk, workshop.code)
"""


class Browser:
    """Cookies, a CSRF token and form posts: a phone or a laptop without the browser."""

    def __init__(self, server):
        self.server = server
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))

    @property
    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def request(self, path, data=None, accept="text/html"):
        """(status, headers, body); never raises for an HTTP status. Times out after 30 s."""
        headers = {"Accept": accept, "Referer": self.server.url}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
            headers["X-CSRFToken"] = self.csrf
        try:
            with self.opener.open(
                Request(self.server.url + path, data=body, headers=headers), timeout=30
            ) as response:
                return response.status, response.headers, response.read().decode()
        except HTTPError as error:
            return error.code, error.headers, error.read().decode()


class Joiner(Browser):
    def __init__(self, server, code, name):
        super().__init__(server)
        self.code, self.name = code, name
        page = self.request(f"/j/{code}/")[2]
        self.table = re.search(r'name="table" value="(\d+)"', page).group(1)

    def join(self):
        form = {"name": self.name, "table": self.table}
        return self.request(f"/j/{self.code}/", form, accept="application/json")

    def post(self, text, token):
        form = {"text": text, "token": str(token)}
        return self.request(f"/w/{self.code}/post/", form, accept="application/json")


def until_accepted(attempt, tries=60):
    """Sends again after each busy answer, as a phone does (live.js), until it goes through."""
    for _ in range(tries):
        status, headers, body = attempt()
        if status != 503:
            return status, body
        assert 1 <= int(headers["Retry-After"]) <= 4
        threading.Event().wait(0.05 * int(headers["Retry-After"]))  # a short Retry-After
    raise AssertionError("never accepted")


@contextlib.contextmanager
def write_lock_held(server):
    """Another writer holding SQLite's write lock until the block ends."""
    db = sqlite3.connect(server.database, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        db.execute("ROLLBACK")
        db.close()


@pytest.fixture
def server(tmp_path):
    process = ServerProcess(tmp_path, MAX_PHONE_REQUESTS=str(ADMITTED), DB_LOCK_TIMEOUT="60")
    try:
        yield process.prepare().start()
    finally:
        process.stop()


def workshop_of(server) -> tuple[str, str]:
    output = server.shell(CREATE_WORKSHOP)
    workshop_id, code = output.strip().splitlines()[-1].split()
    return workshop_id, code


def facilitator(server) -> Browser:
    laptop = Browser(server)
    laptop.request("/f/login/")
    status, _, _ = laptop.request(
        "/f/login/", {"username": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
    )
    assert status == 200
    return laptop


def stored(server, sql, *params):
    with sqlite3.connect(server.database) as db:
        return db.execute(sql, params).fetchall()


def test_a_room_faster_than_the_server_is_told_busy_at_once_then_all_join_once(server):
    workshop_id, code = workshop_of(server)
    laptop = facilitator(server)
    phones = [Joiner(server, code, f"Phone {n}") for n in range(PHONES)]

    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        with write_lock_held(server):
            tries = [pool.submit(phone.join) for phone in phones]
            # Everyone but the two the server took on is answered while those two still wait
            # for the lock: refused at once, not kept waiting.
            done, waiting = wait(tries, timeout=30, return_when="FIRST_COMPLETED")
            while len(done) < PHONES - ADMITTED:
                more, waiting = wait(waiting, timeout=30, return_when="FIRST_COMPLETED")
                assert more, "a phone was kept waiting instead of being told the room is busy"
                done |= more
            assert len(waiting) == ADMITTED
            for refused in done:
                status, headers, body = refused.result()
                assert status == 503
                assert 1 <= int(headers["Retry-After"]) <= 4
                assert json.loads(body)["busy"] is True
            # The people running the room are served whatever the phones do.
            status, _, _ = laptop.request(f"/f/w/{workshop_id}/updates/?after=0", accept="*/*")
            assert status == 200
        wait(waiting, timeout=30)
        assert [t.result()[0] for t in waiting] == [200] * ADMITTED

        joined = list(pool.map(lambda phone: until_accepted(phone.join), phones))
        assert all(status == 200 for status, _ in joined)
        # Everyone posts at once, each retrying with the same token until it is taken.
        tokens = {phone.name: uuid.uuid4() for phone in phones}
        posted = list(
            pool.map(
                lambda phone: until_accepted(
                    lambda: phone.post(f"From {phone.name}", tokens[phone.name])
                ),
                phones,
            )
        )
        assert all(status == 200 for status, _ in posted)

    names = [name for (name,) in stored(server, "SELECT name FROM workshop_participant")]
    assert sorted(names) == sorted(phone.name for phone in phones)  # each joined once
    texts = [text for (text,) in stored(server, "SELECT text FROM workshop_takeaway")]
    assert sorted(texts) == sorted(f"From {phone.name}" for phone in phones)  # each posted once


def hold_every_place(server, code, count):
    """Phones whose joins wait for the write lock, holding all `count` places of the server;
    returns them once a probe is refused three times running, a tenth of a second apart (a
    single refusal may be the probe's own last request, still finishing)."""
    blockers = [Joiner(server, code, f"Blocker {n}") for n in range(count)]
    probe = Joiner(server, code, "Probe")
    threads = [threading.Thread(target=until_accepted, args=(b.join,)) for b in blockers]
    for thread in threads:
        thread.start()
    refusals = 0
    while refusals < 3:
        refusals = refusals + 1 if probe.request(f"/j/{code}/")[0] == 503 else 0
        threading.Event().wait(0.1)
    return threads


def test_a_form_sent_while_the_room_is_busy_comes_back_ready_to_go_again(server):
    _, code = workshop_of(server)
    late = Joiner(server, code, "Late")
    typed = 'What I typed <script>alert("x")</script> & more'
    with write_lock_held(server):
        blockers = hold_every_place(server, code, ADMITTED)
        status, headers, page = late.request(f"/j/{code}/", {"name": typed, "table": late.table})
    for blocker in blockers:
        blocker.join(timeout=30)
    assert status == 503
    assert "The room is busy, joining…" in page
    # The same form, to the same address, with every field as it was sent (escaped), which
    # the page sends again by itself after Retry-After.
    form = re.search(r'<form method="post" action="([^"]+)" data-retry-after="(\d)">', page)
    assert form.group(1) == f"/j/{code}/" and form.group(2) == headers["Retry-After"]
    assert 'name="name" value="What I typed &lt;script&gt;' in page
    assert "<script>alert" not in page
    assert f'name="table" value="{late.table}"' in page
    assert re.search(r'<script src="/static/js/busy\.[0-9a-f]+\.js" defer>', page)
