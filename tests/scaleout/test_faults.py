"""Screens that cannot drift: two Daphne processes, PostgreSQL, Redis, and a fault in each test.

A projector, a console and two phones of each of two tables are connected through two proxy
doors, half of them to each process (tests/scaleout/screens.py: WebSocket clients that keep
live.js's rules). Each test injects one fault — a process killed between a commit and its
broadcast, Redis stalled and then restarted, a broadcast overtaken by the next one with a
socket dropped in between, a post's retry landing on the other process — and then every screen
must equal a fresh snapshot from the database within 10 s, without a reload.

The faults between commit and broadcast are workshop/live/faults.py's, switched on for the
first process only through LIVE_TEST_FAULT.
"""

import asyncio
import signal
import uuid
from dataclasses import dataclass, field

import pytest

from tests.scaleout.conftest import needs_services
from tests.scaleout.proxy import FailoverProxy
from tests.scaleout.screens import (
    Browser,
    LiveScreen,
    create_room,
    every_screen_equals_the_database,
    until,
)

pytestmark = [needs_services, pytest.mark.timeout(180)]


@dataclass
class Room:
    first: object
    second: object
    doors: list
    workshop_id: int
    code: str
    phones: dict = field(default_factory=dict)
    screens: list = field(default_factory=list)
    console: Browser | None = None

    def post(self, phone: str, text: str, token=None, *, url=None):
        """(status, body) of the phone's post, as live.js's outbox sends it."""
        form = {"text": text, "token": str(token or uuid.uuid4())}
        return self.phones[phone].request(f"/w/{self.code}/post/", form, url=url)

    def start_timer(self, minutes: int):
        path = f"/f/w/{self.workshop_id}/timer/"
        return self.console.request(path, {"action": "start", "minutes": minutes}, "text/html")

    def screen(self, name: str) -> LiveScreen:
        return next(screen for screen in self.screens if screen.name == name)

    async def settled(self) -> None:
        await every_screen_equals_the_database(self.screens)

    async def committed(self, text: str) -> None:
        """Waits until the database holds a takeaway with this text (its request may still be
        waiting for its broadcast)."""

        async def stored():
            fresh = await self.screen("console").fetch(None)
            return fresh is not None and text in fresh["content"]

        await until(stored, what=f"{text!r} committed")


@pytest.fixture
async def open_room(scaleout_env, start_server):
    """A room served by two processes: `first_env` is the first one's own environment."""
    rooms = []

    async def open_(title, *, first_env=None, env=None):
        shared = {**scaleout_env, **(env or {})}
        first = start_server(**shared, **(first_env or {}))
        second = start_server(**shared)
        # Each door prefers one process and fails over to the other, as an nginx upstream.
        door_1 = FailoverProxy(first.port, second.port).start()
        door_2 = FailoverProxy(second.port, first.port).start()
        workshop_id, code, key = create_room(shared, title)
        room = Room(first, second, [door_1, door_2], workshop_id, code)
        rooms.append(room)
        room.console = Browser(door_2.url)
        await asyncio.to_thread(room.console.sign_in)
        room.screens += [
            LiveScreen("projector", Browser(door_1.url), f"/ws/p/{key}/", f"/p/{key}/updates/"),
            LiveScreen(
                "console",
                room.console,
                f"/ws/f/w/{workshop_id}/",
                f"/f/w/{workshop_id}/updates/",
            ),
        ]
        for name, table, door in [
            ("ana", 1, door_1),
            ("ben", 1, door_2),
            ("cy", 2, door_1),
            ("dee", 2, door_2),
        ]:
            phone = room.phones[name] = Browser(door.url)
            await asyncio.to_thread(phone.join, code, name.title(), table)
            room.screens.append(LiveScreen(name, phone, f"/ws/w/{code}/", f"/w/{code}/updates/"))
        for screen in room.screens:
            await screen.open()
        # Both processes serve screens of the room.
        assert door_1.connections[first.port] and door_2.connections[second.port]
        await asyncio.to_thread(room.post, "ana", "Before the fault")
        await room.settled()
        return room

    yield open_
    for room in rooms:
        for screen in room.screens:
            await screen.close()
        for door in room.doors:
            door.stop()


def shown(room: Room, text: str) -> dict[str, int]:
    """How many times each screen that may show table 1's cards shows this text."""
    names = ("projector", "console", "ana", "ben")
    return {name: room.screen(name).document.html().count(text) for name in names}


async def test_a_process_killed_between_commit_and_broadcast_leaves_no_screen_behind(open_room):
    room = await open_room("Killed", first_env={"LIVE_TEST_FAULT": "kill:[kill]"})

    status, _ = await asyncio.to_thread(room.post, "ana", "[kill] Committed, never announced")
    assert status is None  # the process died before it answered
    assert room.first.process.wait(timeout=10) == -signal.SIGKILL

    # Its screens reconnect through their door to the other process and catch up; the other
    # process's screens hear of it from its heartbeat.
    await room.settled()
    assert shown(room, "[kill] Committed, never announced") == dict.fromkeys(
        ("projector", "console", "ana", "ben"), 1
    )
    await asyncio.to_thread(room.post, "cy", "After the kill")
    await room.settled()


async def test_a_retry_of_a_post_on_the_other_process_is_stored_once_and_shown_everywhere(
    open_room,
):
    room = await open_room("Retried", first_env={"LIVE_TEST_FAULT": "kill:[kill]"})
    token = uuid.uuid4()
    text = "[kill] Sent again by the phone"
    status, _ = await asyncio.to_thread(room.post, "ana", text, token)
    assert status is None
    room.first.process.wait(timeout=10)

    # The phone's outbox sends it again, at once; this time the second process answers.
    status, body = await asyncio.to_thread(room.post, "ana", text, token, url=room.doors[1].url)
    assert status == 200, body
    await room.settled()
    assert shown(room, text) == dict.fromkeys(("projector", "console", "ana", "ben"), 1)


async def test_a_broadcast_overtaken_by_the_next_with_a_socket_dropped_between_ends_exact(
    open_room,
):
    room = await open_room("Overtaken", first_env={"LIVE_TEST_FAULT": "delay:[late]"})
    # Its broadcast waits (faults.DELAY_SECONDS) after the commit…
    late = asyncio.create_task(asyncio.to_thread(room.post, "ana", "[late] Announced last"))
    await room.committed("[late] Announced last")
    # …while the next change is announced at once, by the other process: a gap for everyone.
    status, _ = await asyncio.to_thread(room.start_timer, 5)
    assert status == 200
    await until(lambda: room.screen("projector").catch_ups, what="the projector caught up")
    for name in ("projector", "ana"):
        room.screen(name).drop()
    status, _ = await late
    assert status == 200
    await room.settled()
    # The late message did reach screens that had moved past it: they skipped it.
    assert sum(screen.old_news for screen in room.screens) >= 1
    assert all(screen.connections >= 2 for screen in map(room.screen, ("projector", "ana")))


@pytest.fixture
def redis_env(redis_server):
    return {"REDIS_URL": redis_server.url}


async def test_redis_stalled_then_resumed_leaves_no_screen_behind(
    open_room, redis_server, redis_env
):
    room = await open_room("Redis stalls", env=redis_env)
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        # Each write commits; its broadcast waits for Redis (socket_timeout) and fails.
        post = asyncio.create_task(asyncio.to_thread(room.post, "ana", "While Redis stalls"))
        timer = asyncio.create_task(asyncio.to_thread(room.start_timer, 3))
        await room.committed("While Redis stalls")
        # The heartbeat reads the database, not Redis: every screen is told, and catches up.
        await room.settled()
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    await post
    await timer
    # Messages published during the stall may arrive late: old news, skipped.
    await asyncio.to_thread(room.post, "ben", "After Redis resumed")
    await room.settled()


async def test_redis_restarted_leaves_no_screen_behind(open_room, redis_server, redis_env):
    room = await open_room("Redis restarts", env=redis_env)
    redis_server.stop()
    status, _ = await asyncio.to_thread(room.post, "ana", "While Redis is down")
    assert status == 200  # the write does not need Redis
    await asyncio.to_thread(room.start_timer, 4)
    await room.settled()

    redis_server.start()
    await asyncio.to_thread(room.post, "dee", "After Redis restarted")
    await room.settled()
    # Live again through Redis: a post reaches the other process's screens without a catch-up.
    before = {screen.name: screen.catch_ups for screen in room.screens}
    await asyncio.to_thread(room.post, "ben", "Through Redis again")
    await room.settled()
    assert room.screen("ana").catch_ups == before["ana"]
