"""Screens of a room for the scale-out fault tests: WebSocket clients that keep live.js's rules.

Each screen starts from a snapshot (what its page shows), connects its socket with
?after=<revision held>, applies a message that follows what it holds, skips old news, catches up
over HTTP at once after a gap and after a grace behind a heartbeat, and reconnects with backoff
and jitter when its socket closes, as live.js and hx-ws do. Its document is applied as htmx
swaps fragments (tests/live_dom.py), so it can be compared, element for element, with a fresh
snapshot from the server.
"""

import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import websockets

from tests.live_dom import Document
from tests.server_process import FACILITATOR_EMAIL, FACILITATOR_PASSWORD, ROOT

# As live.js: a catch-up behind a heartbeat waits this long (times 0.5 to 1.5) for a late message.
HEARTBEAT_GRACE = 1.5
# As live.js's hx-ws settings: reconnect after 1 s, doubling up to 15 s, ± 50 %.
RECONNECT_DELAY, RECONNECT_MAX_DELAY, RECONNECT_JITTER = 1.0, 15.0, 0.5
# Close codes hx-ws reconnects on (live.js's reconnectCodes); 4000-4999 are refusals.
RECONNECT_CODES = {1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014}

ROOM = """
from workshop import agenda_templates, services
from workshop.models import User
facilitator = User.objects.get(email={email!r})
agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
workshop = services.create_workshop(facilitator, {title!r}, 2, agenda=agenda)
discussion = workshop.activities.get(kind="discussion")
services.go_to_activity(facilitator, workshop, discussion, workshop.current_activity_id)
print(workshop.pk, workshop.code, workshop.projector_key)
"""


def create_room(env: dict, title: str) -> tuple[int, str, str]:
    """A workshop in its table discussion: (id, join code, projector key)."""
    script = ROOM.format(email=FACILITATOR_EMAIL, title=title)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},  # as the servers
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    workshop_id, code, key = result.stdout.split()[-3:]
    return int(workshop_id), code, key


class Browser:
    """Cookies, a CSRF token and form posts against one address (a proxy's door)."""

    def __init__(self, url: str):
        self.url = url
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    def request(self, path, data=None, accept="application/json", url=None, timeout=30):
        """(status, body); a server that went away mid-request answers (None, "")."""
        base = url or self.url
        headers = {"Accept": accept, "Referer": base}
        body = None
        if data is not None:
            csrf = next(c.value for c in self.cookies if c.name == "csrftoken")
            body = urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
            headers["X-CSRFToken"] = csrf
        try:
            with self.opener.open(
                Request(base + path, data=body, headers=headers), timeout=timeout
            ) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()
        except (URLError, ConnectionError, TimeoutError):
            return None, ""

    def sign_in(self) -> None:
        self.request("/f/login/", accept="text/html")
        form = {"username": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
        status, _ = self.request("/f/login/", form, accept="text/html")
        assert status == 200 and any(c.name == "sessionid" for c in self.cookies)

    def join(self, code: str, name: str, table_number: int) -> None:
        page = self.request(f"/j/{code}/", accept="text/html")[1]
        tables = re.findall(r'name="table" value="(\d+)"', page)
        form = {"name": name, "table": tables[table_number - 1]}
        status, _ = self.request(f"/j/{code}/", form, accept="text/html")
        assert status == 200, status


class LiveScreen:
    """One screen: its socket through `door`, its catch-ups over HTTP through the same door."""

    def __init__(self, name: str, browser: Browser, ws_path: str, updates_path: str):
        self.name, self.browser = name, browser
        self.ws_path, self.updates_path = ws_path, updates_path
        self.document: Document | None = None
        self.held = 0
        self.catch_ups = 0
        self.old_news = 0
        self.connections = 0
        self._socket = None
        self._task = None
        self._catch_up_timer = None
        self._catching_up = False
        self._again = False

    # --- Life -----------------------------------------------------------------------------

    async def open(self) -> "LiveScreen":
        """As a page loads: a snapshot, then the socket."""
        first = await self.fetch(None)
        self.document, self.held = Document(first["content"]), first["revision"]
        self._task = asyncio.create_task(self._keep_connected())
        await until(lambda: self._socket is not None, what=f"{self.name} connected")
        return self

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._catch_up_timer:
            self._catch_up_timer.cancel()

    def drop(self) -> None:
        """The socket's connection is cut, as Wi-Fi drops it (closed without a handshake)."""
        if self._socket is not None:
            self._socket.transport.abort()

    async def _keep_connected(self) -> None:
        attempt = 0
        while True:
            url = self.browser.url.replace("http", "ws", 1) + f"{self.ws_path}?after={self.held}"
            code = 1006
            try:
                async with websockets.connect(
                    url,
                    origin=self.browser.url,
                    additional_headers={"Cookie": self.browser.cookie_header()},
                    open_timeout=5,
                    max_size=None,
                ) as socket:
                    self._socket, attempt = socket, 0
                    self.connections += 1
                    async for text in socket:
                        self.receive(json.loads(text))
                    code = socket.close_code or 1005
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
                code = getattr(getattr(error, "rcvd", None), "code", 1006)
            finally:
                self._socket = None
            if code not in RECONNECT_CODES:
                return  # refused: live.js says "Please reload this page"
            attempt += 1
            delay = min(RECONNECT_DELAY * 2 ** (attempt - 1), RECONNECT_MAX_DELAY)
            await asyncio.sleep(delay * (1 + RECONNECT_JITTER * (2 * random.random() - 1)))

    # --- live.js's rule ----------------------------------------------------------------------

    def receive(self, message: dict) -> None:
        revision = message["revision"]
        if "content" not in message:  # a heartbeat: "the latest for you is R"
            if revision > self.held:
                self.catch_up(grace=HEARTBEAT_GRACE)
        elif revision <= self.held:
            self.old_news += 1
        elif message.get("follows", 0) <= self.held:
            self.document.swap(message["content"])
            self.held = revision
        else:
            self.catch_up(grace=0)  # a gap: something was missed

    def catch_up(self, grace: float) -> None:
        if self._catching_up:
            self._again = True
            return
        if self._catch_up_timer is not None:
            if grace:
                return  # one is due already
            self._catch_up_timer.cancel()
        delay = grace * (0.5 + random.random()) if grace else random.random() * 0.25
        loop = asyncio.get_running_loop()
        self._catch_up_timer = loop.call_later(delay, lambda: asyncio.create_task(self._run()))

    async def _run(self) -> None:
        self._catch_up_timer, self._catching_up = None, True
        message = None
        try:
            message = await self.fetch(self.held)
            if message is not None:
                self.catch_ups += 1
                self._apply_caught_up(message)
        finally:
            self._catching_up = False
        if self._again or message is None:
            # Asked again meanwhile, or the server did not answer: once more, later if down.
            self._again = False
            self.catch_up(grace=0 if message is not None else HEARTBEAT_GRACE * 2)

    def _apply_caught_up(self, message: dict) -> None:
        """As live.js applies an HTTP answer: content that follows what the screen holds."""
        revision = message["revision"]
        if "content" in message and message.get("follows", 0) <= self.held < revision:
            self.document.swap(message["content"])
            self.held = revision

    # --- HTTP --------------------------------------------------------------------------------

    async def fetch(self, after: int | None) -> dict | None:
        query = "" if after is None else f"?after={after}"
        status, body = await asyncio.to_thread(
            self.browser.request, self.updates_path + query, timeout=10
        )
        return json.loads(body) if status == 200 else None

    async def differs_from_the_database(self) -> str | None:
        """None when this screen shows exactly what a fresh snapshot shows, at its revision."""
        fresh = await self.fetch(None)
        if fresh is None:
            return f"{self.name}: no snapshot"
        if fresh["revision"] != self.held:
            return f"{self.name}: holds {self.held}, the database is at {fresh['revision']}"
        if Document(fresh["content"]).html() != self.document.html():
            return f"{self.name}: shows something else than the database"
        return None


async def until(condition, *, timeout: float = 10, what: str = "the condition"):
    """Waits for `condition()` (sync or async) to hold, checking often; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def every_screen_equals_the_database(screens, *, timeout: float = 10) -> None:
    """Within `timeout` seconds, without a reload, every screen equals a fresh snapshot."""
    last: list = []

    async def all_equal() -> bool:
        last[:] = [
            d for d in await asyncio.gather(*(s.differs_from_the_database() for s in screens)) if d
        ]
        return not last

    deadline = time.monotonic() + timeout
    while not await all_equal():
        if time.monotonic() > deadline:
            raise AssertionError(f"Screens still differ after {timeout} s: {last}")
        await asyncio.sleep(0.2)
