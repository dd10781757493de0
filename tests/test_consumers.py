"""Sockets against the real ASGI application: live pushes, catching up, who may listen."""

import ipaddress
import json
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from workshop import services
from workshop.access import DEVICE_COOKIE
from workshop.asgi import application
from workshop.consumers import CLOSE_FORBIDDEN_ORIGIN, CLOSE_NOT_ALLOWED
from workshop.models import Workshop
from workshop.proxy import TrustedProxies

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")
HOST = (b"host", b"localhost")


@sync_to_async
def session_cookie(fill) -> tuple[bytes, bytes]:
    session = SessionStore()
    fill(session)
    session.save()
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode())


async def participant_cookie(participant):
    return (b"cookie", f"{DEVICE_COOKIE}={participant.device}".encode())


def facilitator_cookie(user):
    def fill(session):
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()

    return session_cookie(fill)


async def connect(path, *headers, origin=ORIGIN, app=application):
    all_headers = [HOST, *headers] + ([origin] if origin else [])
    communicator = WebsocketCommunicator(app, path, headers=all_headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive(communicator):
    # An upper bound for a busy machine: it returns as soon as the message is there.
    return json.loads(await communicator.receive_from(timeout=10))


def targets(message) -> list[str]:
    """The elements a message replaces or removes, in order."""
    return re.findall(r'hx-target="([^"]+)" hx-swap="([^"]+)"', message["content"])


# A snapshot replaces everything a screen shows that can change.
SNAPSHOT = [("#workshop-status", "outerHTML"), ("#board", "outerHTML")]


def projector_path(workshop):
    return f"/ws/p/{workshop.projector_key}/"


async def test_a_post_is_pushed_live_to_the_projector(workshop, anna):
    projector = await connect(projector_path(workshop))
    snapshot = await receive(projector)
    assert targets(snapshot) == SNAPSHOT

    takeaway = await sync_to_async(services.post_takeaway)(anna, "Ask, don't tell", uuid.uuid4())
    pushed = await receive(projector)
    assert pushed["revision"] == takeaway.revision
    assert "Ask, don&#x27;t tell" in pushed["content"]
    assert (f"#table-{anna.table_id}-list", "upsert key:data-order sort:desc") in targets(pushed)
    await projector.disconnect()


async def test_phones_hear_only_their_own_tables_takeaways(workshop, anna, ben):
    anna_phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(anna))
    ben_phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(ben))
    await receive(anna_phone)
    await receive(ben_phone)

    await sync_to_async(services.post_takeaway)(anna, "For table one", uuid.uuid4())
    assert "For table one" in (await receive(anna_phone))["content"]
    # Messages arrive in order: Ben's next one is his own table's post, not Anna's.
    await sync_to_async(services.post_takeaway)(ben, "For table two", uuid.uuid4())
    assert "For table two" in (await receive(ben_phone))["content"]
    await anna_phone.disconnect()
    await ben_phone.disconnect()


async def test_a_hidden_takeaway_is_removed_from_projector_and_phones_but_not_the_console(
    workshop, anna, facilitator
):
    takeaway = await sync_to_async(services.post_takeaway)(anna, "Hide me", uuid.uuid4())
    projector = await connect(projector_path(workshop))
    phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(anna))
    console = await connect(f"/ws/f/w/{workshop.pk}/", await facilitator_cookie(facilitator))
    for communicator in (projector, phone, console):
        await receive(communicator)

    await sync_to_async(services.set_takeaway_hidden)(facilitator, takeaway, True)
    for communicator in (projector, phone):
        assert targets(await receive(communicator)) == [(f"#takeaway-{takeaway.pk}", "delete")]
    on_console = await receive(console)
    assert "takeaway--hidden" in on_console["content"]
    for communicator in (projector, phone, console):
        await communicator.disconnect()


async def test_reconnecting_with_a_revision_receives_exactly_what_was_missed(
    workshop, anna, ben, facilitator
):
    post = sync_to_async(services.post_takeaway)
    seen = await post(anna, "Seen before the drop", uuid.uuid4())
    after = seen.revision

    missed_post = await post(ben, "Posted while away", uuid.uuid4())
    edited = await post(anna, "Edited while away", uuid.uuid4())
    await sync_to_async(services.edit_takeaway)(anna, edited, "Edited while away, twice")
    hidden = await post(ben, "Hidden while away", uuid.uuid4())
    await sync_to_async(services.set_takeaway_hidden)(facilitator, hidden, True)
    deleted = await post(anna, "Deleted while away", uuid.uuid4())
    await sync_to_async(services.delete_takeaway)(anna, deleted)
    latecomer = await sync_to_async(services.join)(workshop, ben.table, "Late Lou")

    projector = await connect(f"{projector_path(workshop)}?after={after}")
    caught_up = await receive(projector)
    current = await sync_to_async(lambda: Workshop.objects.get(pk=workshop.pk).revision)()
    assert caught_up["revision"] == current

    got = targets(caught_up)
    assert got.count((f"#table-{latecomer.table_id}-head", "outerHTML")) == 1
    assert got.count((f"#takeaway-{hidden.pk}", "delete")) == 1
    assert got.count((f"#takeaway-{deleted.pk}", "delete")) == 1
    upserts = [t for t in got if t[1].startswith("upsert")]
    assert len(upserts) == 2  # the missed post and the edited one, once each
    assert "Posted while away" in caught_up["content"]
    assert "Edited while away, twice" in caught_up["content"]
    assert "Seen before the drop" not in caught_up["content"]
    assert f"takeaway-{missed_post.pk}" in caught_up["content"]
    await projector.disconnect()


async def test_a_revision_from_the_future_gets_a_full_snapshot(workshop, anna):
    await sync_to_async(services.post_takeaway)(anna, "Present", uuid.uuid4())
    projector = await connect(f"{projector_path(workshop)}?after=999999")
    message = await receive(projector)
    assert targets(message) == SNAPSHOT
    assert "Present" in message["content"]
    await projector.disconnect()


@pytest.mark.parametrize(
    "origin", [(b"origin", b"http://evil.example"), (b"origin", b"http://localhost:9999"), None]
)
async def test_a_socket_from_a_foreign_or_missing_origin_is_closed_with_a_code(workshop, origin):
    communicator = await connect(projector_path(workshop), origin=origin)
    assert (await communicator.receive_output(timeout=10))["code"] == CLOSE_FORBIDDEN_ORIGIN


def served_to(peer):
    """The application as Daphne serves it to a client at `peer`, with nginx on 127.0.0.1."""
    behind_nginx = TrustedProxies(application.app, trusted=[ipaddress.ip_network("127.0.0.1")])

    async def app(scope, receive, send):
        return await behind_nginx({**scope, "client": (peer, 50000)}, receive, send)

    return app


HTTPS_PAGE = (b"origin", b"https://localhost")
SAID_HTTPS = (b"x-forwarded-proto", b"https")


@pytest.mark.parametrize(
    "origin", [HTTPS_PAGE, (b"origin", b"https://localhost:443"), (b"origin", b"HTTPS://LOCALHOST")]
)
async def test_a_page_served_over_https_listens_over_https(workshop, origin):
    app = served_to("127.0.0.1")
    projector = await connect(projector_path(workshop), SAID_HTTPS, origin=origin, app=app)
    assert targets(await receive(projector)) == SNAPSHOT
    await projector.disconnect()


async def test_a_plain_http_page_may_not_listen_to_a_site_served_over_https(workshop):
    app = served_to("127.0.0.1")
    projector = await connect(projector_path(workshop), SAID_HTTPS, app=app)  # http://localhost
    assert (await projector.receive_output(timeout=3))["code"] == CLOSE_FORBIDDEN_ORIGIN


@pytest.mark.parametrize("peer", ["127.0.0.1", "192.168.1.50"])
async def test_an_https_page_may_not_listen_over_plain_http(workshop, peer):
    # From nginx saying nothing, or from a phone claiming https itself: the socket is plain ws.
    headers = [] if peer == "127.0.0.1" else [SAID_HTTPS]
    app = served_to(peer)
    projector = await connect(projector_path(workshop), *headers, origin=HTTPS_PAGE, app=app)
    assert (await projector.receive_output(timeout=3))["code"] == CLOSE_FORBIDDEN_ORIGIN


async def test_the_default_port_of_the_pages_scheme_is_its_port(workshop):
    explicit = (b"origin", b"http://localhost:80")
    projector = await connect(projector_path(workshop), origin=explicit)
    assert targets(await receive(projector)) == SNAPSHOT
    await projector.disconnect()
    elsewhere = (b"origin", b"http://localhost:443")
    projector = await connect(projector_path(workshop), origin=elsewhere)
    assert (await projector.receive_output(timeout=3))["code"] == CLOSE_FORBIDDEN_ORIGIN


@pytest.mark.parametrize("who", ["stranger", "other_facilitator", "wrong_key"])
async def test_sockets_are_refused_to_whoever_may_not_listen(workshop, other_facilitator, who):
    path, headers = {
        "stranger": (f"/ws/w/{workshop.code}/", []),
        "other_facilitator": (
            f"/ws/f/w/{workshop.pk}/",
            [await facilitator_cookie(other_facilitator)],
        ),
        "wrong_key": ("/ws/p/not-the-key/", []),
    }[who]
    communicator = await connect(path, *headers)
    assert (await communicator.receive_output(timeout=10))["code"] == CLOSE_NOT_ALLOWED


async def test_a_participant_of_another_workshop_cannot_listen(workshop, facilitator, anna):
    elsewhere = await sync_to_async(services.create_workshop)(facilitator, "Elsewhere", 2)
    communicator = await connect(f"/ws/w/{elsewhere.code}/", await participant_cookie(anna))
    assert (await communicator.receive_output(timeout=10))["code"] == CLOSE_NOT_ALLOWED


async def test_messages_from_a_browser_change_nothing(workshop, anna):
    phone = await connect(f"/ws/w/{workshop.code}/", await participant_cookie(anna))
    await receive(phone)
    before = await sync_to_async(lambda: Workshop.objects.get(pk=workshop.pk).revision)()
    await phone.send_to(text_data=json.dumps({"text": "sneaky post"}))
    # A socket handles what reaches it in order: once the next post's message is through, the
    # browser's message was handled, and it neither raised the revision nor sent anything.
    real = await sync_to_async(services.post_takeaway)(anna, "A real post", uuid.uuid4())
    assert real.revision == before + 1
    pushed = await receive(phone)
    assert "A real post" in pushed["content"] and "sneaky post" not in pushed["content"]
    after = await sync_to_async(lambda: Workshop.objects.get(pk=workshop.pk).revision)()
    assert after == before + 1
    await phone.disconnect()


async def test_moving_to_another_activity_sends_every_screen_the_new_one(
    workshop, anna, facilitator
):
    from workshop import agenda_templates

    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    day = await sync_to_async(services.create_workshop)(facilitator, "Day", 2, agenda=agenda)
    projector = await connect(projector_path(day))
    await receive(projector)
    seen = day.revision

    activities = await sync_to_async(lambda: list(day.activities.all()))()
    await sync_to_async(services.go_to_activity)(
        facilitator, day, activities[1], day.current_activity_id
    )
    pushed = await receive(projector)
    assert targets(pushed) == SNAPSHOT
    assert "Where do I step in?" in pushed["content"]
    await projector.disconnect()

    # A screen that was away during the change catches up with the new activity at once.
    late = await connect(f"{projector_path(day)}?after={seen}")
    caught_up = await receive(late)
    assert targets(caught_up) == SNAPSHOT
    assert "Where do I step in?" in caught_up["content"]
    await late.disconnect()


async def spotlit(workshop, facilitator, author):
    """The table discussion, with one of `author`'s takeaways on the big screen."""
    from workshop import agenda_templates

    agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
    day = await sync_to_async(services.create_workshop)(facilitator, "Day", 2, agenda=agenda)
    discussion = await sync_to_async(lambda: day.activities.get(kind="discussion"))()
    day = await sync_to_async(services.go_to_activity)(
        facilitator, day, discussion, day.current_activity_id
    )
    table = await sync_to_async(lambda: day.tables.order_by("number").first())()
    person = await sync_to_async(services.join)(day, table, author)
    takeaway = await sync_to_async(services.post_takeaway)(person, "Coach", uuid.uuid4())
    await sync_to_async(services.set_spotlight)(facilitator, day, takeaway)
    return day, table, person, takeaway


def spotlight_of(message) -> str:
    return re.search(r'<div id="spotlight".*?</div>', message["content"], re.S).group(0)


async def test_the_spotlight_follows_an_edit_a_rename_and_a_hide_of_what_it_shows(
    workshop, facilitator
):
    day, table, person, takeaway = await spotlit(workshop, facilitator, "Dee")
    projector = await connect(projector_path(day))
    await receive(projector)

    await sync_to_async(services.edit_takeaway)(person, takeaway, "Coach, don't sell")
    assert "Coach, don&#x27;t sell" in spotlight_of(await receive(projector))
    await sync_to_async(services.rename_table)(facilitator, table, "Window")
    assert "<bdi>Dee</bdi> · <bdi>Window</bdi>" in spotlight_of(await receive(projector))
    await sync_to_async(services.set_takeaway_hidden)(facilitator, takeaway, True)
    assert "Coach" not in spotlight_of(await receive(projector))
    await projector.disconnect()
