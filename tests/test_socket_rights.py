"""Sockets follow the rules for as long as they are open: a socket whose person loses the right
to it is closed, a phone or session holds only a few, and a flood of handshakes from one
address is told to come back later. Against the real ASGI application and fan-out."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client, override_settings

from tests.test_consumers import (
    HOST,
    ORIGIN,
    connect,
    facilitator_cookie,
    participant_cookie,
    projector_path,
    receive,
)
from workshop import services
from workshop.asgi import application
from workshop.handshakes import CLOSE_BUSY
from workshop.live.revoke import CLOSE_REPLACED, CLOSE_REVOKED

pytestmark = pytest.mark.django_db(transaction=True)


async def close_code(communicator, timeout=3) -> int:
    """The code the server closes the socket with, past whatever it sent before."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


async def hears(communicator, text: str, timeout=3) -> bool:
    """The socket stays open and receives a message containing `text`."""
    while True:
        output = await communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", output
        if text in output["text"]:
            return True


def phone_path(workshop):
    return f"/ws/w/{workshop.code}/"


def console_path(workshop):
    return f"/ws/f/w/{workshop.pk}/"


async def open_phone(workshop, participant):
    phone = await connect(phone_path(workshop), await participant_cookie(participant))
    await receive(phone)  # its first screen
    return phone


async def open_console(workshop, cookie):
    console = await connect(console_path(workshop), cookie)
    await receive(console)
    return console


def session_key(cookie) -> str:
    return cookie[1].decode().split("=", 1)[1]


post = sync_to_async(services.post_takeaway)


async def test_a_forgotten_participants_socket_is_closed_while_another_phone_keeps_listening(
    workshop, anna, ben, tables
):
    anna_phone = await open_phone(workshop, anna)
    ben_phone = await open_phone(workshop, ben)

    await sync_to_async(services.forget_participant)(anna)
    assert await close_code(anna_phone) == CLOSE_REVOKED

    await post(ben, "Still here", uuid.uuid4())
    assert await hears(ben_phone, "Still here")
    await anna_phone.disconnect()
    await ben_phone.disconnect()


async def test_signing_out_closes_that_sessions_console_and_no_other(workshop, facilitator):
    signed_out = await facilitator_cookie(facilitator)
    laptop = await open_console(workshop, signed_out)
    other_laptop = await open_console(workshop, await facilitator_cookie(facilitator))

    def sign_out():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key(signed_out)
        assert client.post("/f/logout/").status_code == 302

    await sync_to_async(sign_out)()
    assert await close_code(laptop) == CLOSE_REVOKED
    await sync_to_async(services.set_workshop_open)(facilitator, workshop, False)
    assert await hears(other_laptop, "workshop-status")
    await laptop.disconnect()
    await other_laptop.disconnect()


async def test_a_new_password_closes_every_console_of_the_account(workshop, facilitator):
    consoles = [
        await open_console(workshop, await facilitator_cookie(facilitator)) for _ in range(2)
    ]

    def change_password():
        facilitator.set_password("a brand new passphrase")
        facilitator.save()

    await sync_to_async(change_password)()
    for console in consoles:
        assert await close_code(console) == CLOSE_REVOKED
        await console.disconnect()


async def test_deleting_the_workshop_closes_all_its_sockets(workshop, anna, facilitator):
    projector = await connect(projector_path(workshop))
    await receive(projector)
    console = await open_console(workshop, await facilitator_cookie(facilitator))
    phone = await open_phone(workshop, anna)

    await sync_to_async(services.delete_workshop)(facilitator, workshop)
    for communicator in (projector, console, phone):
        assert await close_code(communicator) == CLOSE_REVOKED
        await communicator.disconnect()


async def test_a_removed_participants_socket_is_closed_and_their_phone_cannot_rejoin(
    workshop, anna, ben, tables, facilitator
):
    anna_phone = await open_phone(workshop, anna)
    ben_phone = await open_phone(workshop, ben)
    device = anna.device

    await sync_to_async(services.remove_participant)(facilitator, anna)
    assert await close_code(anna_phone) == CLOSE_REVOKED
    with pytest.raises(services.Refused, match="removed you"):
        await sync_to_async(services.join)(workshop, tables[0], "Anna again", device=device)

    await post(ben, "Ben carries on", uuid.uuid4())
    assert await hears(ben_phone, "Ben carries on")
    await anna_phone.disconnect()
    await ben_phone.disconnect()


async def test_a_fifth_socket_from_one_phone_closes_its_oldest(workshop, anna):
    assert settings.SOCKETS_PER_DEVICE == 4
    phones = [await open_phone(workshop, anna) for _ in range(4)]
    assert await phones[0].receive_nothing(timeout=0.2)

    phones.append(await open_phone(workshop, anna))
    assert await close_code(phones[0]) == CLOSE_REPLACED
    await post(anna, "Heard by the newest four", uuid.uuid4())
    for phone in phones[1:]:
        assert await hears(phone, "Heard by the newest four")
    for phone in phones:
        await phone.disconnect()


async def test_a_sixth_console_of_one_session_closes_its_oldest(workshop, facilitator):
    cookie = await facilitator_cookie(facilitator)
    consoles = [await open_console(workshop, cookie) for _ in range(5)]
    assert await close_code(consoles[0]) == CLOSE_REPLACED
    assert await consoles[1].receive_nothing(timeout=0.2)
    for console in consoles:
        await console.disconnect()


async def knock(path, address, *headers):
    """A handshake from `address`: the first thing the server answers after accepting."""
    communicator = WebsocketCommunicator(application, path, headers=[HOST, ORIGIN, *headers])
    communicator.scope["client"] = (address, 40000)
    connected, _ = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_output(3)


@override_settings(SOCKET_HANDSHAKE_BURST=3, SOCKET_HANDSHAKE_RATE=0.01)
async def test_a_handshake_flood_from_one_address_is_told_to_come_back_while_another_connects(
    workshop,
):
    flooder, neighbour = f"flood-{uuid.uuid4()}", f"phone-{uuid.uuid4()}"
    answers = []
    for _ in range(5):
        communicator, first = await knock(projector_path(workshop), flooder)
        answers.append(first.get("code") if first["type"] == "websocket.close" else "live")
        await communicator.disconnect()
    assert answers == ["live", "live", "live", CLOSE_BUSY, CLOSE_BUSY]

    communicator, first = await knock(projector_path(workshop), neighbour)
    assert first["type"] == "websocket.send"  # its first screen
    await communicator.disconnect()
