"""A browser's WebSocket message is capped at a few KiB; what the server sends is not."""

import pytest

from tests.server_process import ServerProcess
from tests.ws_client import PING, PONG, WebSocket
from workshop.consumers import CLOSE_MESSAGE_TOO_BIG, MAX_CLIENT_MESSAGE

# A wall of long takeaways: the projector's first message (its snapshot) is tens of KiB.
CREATE_A_FULL_WALL = """
import uuid
from workshop import services
from workshop.models import User
workshop = services.create_workshop(User.objects.get(), "Limits", 2)
anna = services.join(workshop, workshop.tables.order_by("number").first(), "Anna")
for number in range(60):
    services.post_takeaway(anna, f"Takeaway {number} " + "long words " * 40, uuid.uuid4())
print(workshop.projector_key)
"""
DROPPED = None  # what Daphne does with a frame over the cap: drops the connection at its header


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("limits")).prepare()
    output = process.shell(CREATE_A_FULL_WALL)
    process.projector_key = output.strip().splitlines()[-1]
    process.start()
    yield process
    process.stop()


def projector_socket(server) -> WebSocket:
    path = f"/ws/p/{server.projector_key}/"
    return WebSocket("127.0.0.1", server.port, path, origin=server.url)


def test_the_server_sends_a_message_far_over_the_cap(server):
    socket = projector_socket(server)
    try:
        snapshot = socket.receive_message()
        assert len(snapshot.encode()) > 8 * MAX_CLIENT_MESSAGE
        assert "Takeaway 59" in snapshot
    finally:
        socket.close()


def test_a_small_message_from_a_browser_is_ignored_and_the_socket_stays_open(server):
    socket = projector_socket(server)
    try:
        socket.receive_message()
        socket.send_text("x" * 100)
        socket.send_frame(PING, b"still there?")
        assert socket.receive_frame() == (PONG, b"still there?")
    finally:
        socket.close()


def test_a_big_message_from_a_browser_drops_its_connection_before_it_is_read(server):
    socket = projector_socket(server)
    try:
        socket.receive_message()
        socket.send_text("x" * (MAX_CLIENT_MESSAGE + 1))
        assert socket.close_code() is DROPPED
    finally:
        socket.close()


def test_a_big_message_in_small_frames_closes_its_socket_too(server):
    socket = projector_socket(server)
    try:
        socket.receive_message()
        socket.send_text("x" * (3 * MAX_CLIENT_MESSAGE), frames=4)  # each frame under the cap
        assert socket.close_code() == CLOSE_MESSAGE_TOO_BIG
    finally:
        socket.close()


def test_a_big_message_closes_only_its_own_socket(server):
    quiet, loud = projector_socket(server), projector_socket(server)
    try:
        quiet.receive_message()
        loud.receive_message()
        loud.send_text("x" * (MAX_CLIENT_MESSAGE + 1))
        assert loud.close_code() is DROPPED
        quiet.send_frame(PING, b"")
        assert quiet.receive_frame() == (PONG, b"")
    finally:
        quiet.close()
        loud.close()
