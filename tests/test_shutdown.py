"""A server told to stop (SIGTERM, as systemd does on every deploy) lets the room down gently.

The real server, with room for two phone requests at a time and no line, so that a third is
refused at once: that is how the test knows its two posts are inside the server. A test holds
SQLite's write lock so that those posts cannot finish before the signal.
"""

import contextlib
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.server_process import ServerProcess
from tests.test_reliability import Phone, stored

IN_FLIGHT = 2
# systemd's TimeoutStopSec in the README's unit is 10 s: the server must be gone well before.
EXIT_WITHIN = 8

CREATE_WORKSHOP = """
from workshop import services
from workshop.models import User
workshop = services.create_workshop(User.objects.get(), "Stopping", 2)
print(workshop.code, workshop.projector_key)
"""


def start_server(tmp_path, **environment):
    server = ServerProcess(
        tmp_path,
        MAX_PHONE_REQUESTS=str(IN_FLIGHT),
        ADMISSION_PATIENCE="0",
        LOG_LEVEL="INFO",
        **environment,
    )
    server.prepare().start()
    output = server.shell(CREATE_WORKSHOP)
    code, projector_key = output.split()[-2:]
    return server, code, projector_key


@contextlib.contextmanager
def projector_socket(server, key):
    with connect(f"ws://127.0.0.1:{server.port}/ws/p/{key}/", origin=server.url) as socket:
        socket.recv(timeout=10)  # the snapshot: the socket is in the room
        yield socket


def close_code(socket, timeout=EXIT_WITHIN) -> int | None:
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            socket.recv(timeout=deadline - time.monotonic())
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None
    return None


class WriteLock:
    """Another writer holding SQLite's write lock until released."""

    def __init__(self, database):
        self.db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        self.db.execute("BEGIN IMMEDIATE")

    def release(self):
        self.db.execute("ROLLBACK")
        self.db.close()


def post_until_admitted(phone, text):
    """As a phone does: a post told "busy" is sent again, with the same token."""
    token = uuid.uuid4()
    while True:
        status, answer = phone.post_takeaway(text, token)
        if status != 503:
            return status, answer


def post_cut_off(phone, text):
    """A post the stopping server drops: its phone would send it again elsewhere."""
    with contextlib.suppress(OSError):
        post_until_admitted(phone, text)


def wait_until_busy(server, timeout=10):
    """Until a phone's page is refused "busy": every phone place is taken by a post (the only
    other requests), so the posts are inside the server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urlopen(f"{server.url}/j/", timeout=10):
                pass
        except HTTPError as error:
            if error.code == 503:
                return
            raise
        time.sleep(0.02)
    raise AssertionError("The posts never reached the server.")


def exited_within(server, seconds) -> float:
    started = time.monotonic()
    try:
        server.process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        pytest.fail(f"The server was still running {seconds} s after SIGTERM:\n{server.log_tail()}")
    return time.monotonic() - started


def test_sigterm_finishes_posts_in_flight_closes_sockets_for_a_restart_and_exits(tmp_path):
    server, code, key = start_server(tmp_path)
    phones = [Phone(server, code, name=f"Phone {n}") for n in range(IN_FLIGHT)]
    lock = WriteLock(server.database)
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        sockets = [stack.enter_context(projector_socket(server, key)) for _ in range(3)]
        posts = [
            pool.submit(post_until_admitted, phone, f"In flight {n}")
            for n, phone in enumerate(phones)
        ]
        wait_until_busy(server)

        server.process.send_signal(signal.SIGTERM)
        codes = [close_code(socket) for socket in sockets]
        with pytest.raises(OSError), projector_socket(server, key):
            pass  # no longer listening: new screens go to the other processes
        lock.release()
        answers = [post.result(timeout=EXIT_WITHIN) for post in posts]
    took = exited_within(server, EXIT_WITHIN)

    assert codes == [1012] * len(sockets)
    assert [status for status, _ in answers] == [200] * IN_FLIGHT
    assert [stored(server, f"In flight {n}") for n in range(IN_FLIGHT)] == [1] * IN_FLIGHT
    assert server.process.returncode == 0
    assert took < EXIT_WITHIN
    assert "Stopping: closed 3 live sockets, finishing 2 requests" in server.log_tail()


def test_a_request_stuck_beyond_the_grace_does_not_keep_the_server_running(tmp_path):
    server, code, _key = start_server(tmp_path, SHUTDOWN_GRACE="1", DB_LOCK_TIMEOUT="60")
    phones = [Phone(server, code, name=f"Phone {n}") for n in range(IN_FLIGHT)]
    lock = WriteLock(server.database)
    for phone in phones:
        threading.Thread(target=post_cut_off, args=(phone, "Never committed"), daemon=True).start()
    wait_until_busy(server)

    server.process.send_signal(signal.SIGTERM)
    took = exited_within(server, EXIT_WITHIN)
    lock.release()

    assert took < 3  # the grace, then out: the stuck threads do not hold the process
    assert stored(server, "Never committed") == 0
    assert "Stopping with 2 requests unfinished after 1 s" in server.log_tail()
