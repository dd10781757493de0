"""Screens that cannot drift: each message carries its own write's revision, a socket that
joins late is still told where its audience stands, and a broadcast that fails is followed at
once by the heartbeat of this process's screens.

tests/scaleout/test_faults.py proves the same across two server processes, with faults.
"""

import json
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer

from tests.live_dom import Document, Screen
from tests.test_consumers import connect, participant_cookie, projector_path, receive
from workshop import live, services
from workshop.live import envelope, fanout
from workshop.models import Workshop


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory layer, keeping what each broadcast sent; `failing` makes it refuse, as a
    Redis that times out does."""

    sent: list = []
    failing = False

    async def group_send(self, group, message):
        if RecordingLayer.failing:
            raise TimeoutError("Timeout reading from Redis")
        RecordingLayer.sent.append(message)
        await super().group_send(group, message)


@pytest.fixture
def recording_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.test_live_drift.RecordingLayer"}}
    RecordingLayer.sent, RecordingLayer.failing = [], False
    yield RecordingLayer
    RecordingLayer.sent, RecordingLayer.failing = [], False


def stamps(message) -> dict[str, list[int]]:
    """What a broadcast says to each audience: its key -> [follows, revision]."""
    return {key: pair for part in message["parts"] for key, pair in part["to"].items()}


def content_for(message, key: str) -> str:
    return json.loads(next(p["content"] for p in message["parts"] if key in p["to"]))


def timer_of(html: str) -> tuple[str, str]:
    found = re.search(r'data-ends-at="([^"]*)" data-paused="([^"]*)"', html)
    return found.group(1), found.group(2)


def test_a_timer_change_broadcast_after_a_later_write_keeps_its_own_revision_and_state(
    facilitator, workshop, recording_layer, django_capture_on_commit_callbacks
):
    projector = live.Audience.projector()
    screen = Screen(lambda after: live.catch_up(projector, workshop.pk, after))
    # Two requests, each with its own copy of the workshop: the first one's broadcast is late,
    # and goes out only after the second write committed and broadcast.
    with django_capture_on_commit_callbacks() as late:
        started = services.start_timer(facilitator, Workshop.objects.get(pk=workshop.pk), 5)
    with django_capture_on_commit_callbacks(execute=True):
        paused = services.pause_timer(facilitator, Workshop.objects.get(pk=workshop.pk))
    for callback in late:
        callback()

    second, first = recording_layer.sent
    assert paused.revision == started.revision + 1
    assert stamps(first)[projector.key] == [started.revision - 1, started.revision]
    assert stamps(second)[projector.key] == [started.revision, paused.revision]
    # Each message shows its own write's timer, not what the database held when it was sent.
    ends_at, paused_seconds = timer_of(content_for(first, projector.key))
    assert ends_at and not paused_seconds
    ends_at, paused_seconds = timer_of(content_for(second, projector.key))
    assert paused_seconds and not ends_at
    # Every table's phones hear of the timer: their feeds follow one another as well.
    table_stamps = {k: v for k, v in stamps(first).items() if k.startswith("t")}
    assert table_stamps and all(v[1] == started.revision for v in table_stamps.values())
    assert all(v == [started.revision, paused.revision] for k, v in stamps(second).items())

    # A screen handed them in the order they arrived sees the gap, catches up, skips the late one.
    for message in (second, first):
        for _key, _revision, text in fanout.texts_for(message, {projector.key}):
            screen.receive(text)
    assert screen.catch_ups == 1
    fresh = json.loads(live.catch_up(projector, workshop.pk, None))["content"]
    assert screen.document.html() == Document(fresh).html()
    assert screen.held == paused.revision


class Socket:
    """A socket the fan-out hands texts to (as it does to any consumer not served by Daphne)."""

    def __init__(self):
        self.texts = []

    async def send(self, text_data):
        self.texts.append(json.loads(text_data))


@pytest.mark.django_db(transaction=True)
async def test_a_socket_that_joins_after_its_table_was_told_more_still_hears_the_heartbeat(
    workshop, anna
):
    phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(anna))
    await receive(phone)
    key = live.Audience.table(anna.table_id).key
    caught_up_at = await sync_to_async(
        lambda: live.Position.load(live.Audience.table(anna.table_id), workshop.pk).revision
    )()
    # A second phone of the table read its catch-up here; before it joined the fan-out, a post
    # reached the first phone only.
    takeaway = await sync_to_async(services.post_takeaway)(anna, "Between", uuid.uuid4())
    assert (await receive(phone))["revision"] == takeaway.revision
    late = Socket()
    await fanout.here().join(late, workshop.pk, key, caught_up_at)
    try:
        await fanout.here().beat(workshop.pk)
        assert late.texts == [{"revision": takeaway.revision, "now": late.texts[0]["now"]}]
    finally:
        await fanout.here().leave(late, workshop.pk, key)
        await phone.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_broadcast_that_fails_tells_this_processs_screens_at_once(
    workshop, anna, recording_layer
):
    projector = await connect(projector_path(workshop))
    phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(anna))
    for socket in (projector, phone):
        await receive(socket)

    recording_layer.failing = True
    takeaway = await sync_to_async(services.post_takeaway)(anna, "Not sent", uuid.uuid4())
    # Long before the next heartbeat (fanout.HEARTBEAT_SECONDS): each screen is told the
    # revision it should hold, sees it is behind, and catches up.
    for socket in (projector, phone):
        told = json.loads(await socket.receive_from(timeout=fanout.HEARTBEAT_SECONDS / 2))
        assert told == json.loads(envelope.heartbeat(takeaway.revision)) | {"now": told["now"]}
    for socket in (projector, phone):
        await socket.disconnect()
