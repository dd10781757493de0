"""The servers the tests start: stopped whatever happens, and as cheap to sign in to as can be."""

import os
import signal
import sqlite3
import subprocess
import sys
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from tests.server_process import (
    FACILITATOR_EMAIL,
    FACILITATOR_PASSWORD,
    ROOT,
    ServerProcess,
    wait_until_gone,
)


class NeverReady(ServerProcess):
    """A "server" that starts a child of its own and never listens."""

    def __init__(self, data_dir, pid_file):
        super().__init__(data_dir)
        self.pid_file = pid_file

    @property
    def command(self):
        return ["sh", "-c", f"sleep 600 & echo $! > {self.pid_file}; wait"]


def test_a_server_that_never_listens_is_stopped_with_what_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    server = NeverReady(tmp_path, pid_file)
    with pytest.raises(RuntimeError, match="did not listen"):
        server.start(ready_within=5)
    child = int(pid_file.read_text())
    assert server.process.returncode is not None
    assert wait_until_gone(server.process.pid, timeout=10)
    assert wait_until_gone(child, timeout=10), "the server's child was left running"


class NeverReadyAlone(ServerProcess):
    """A "server" that says its process id through a named pipe, and never listens."""

    def __init__(self, data_dir, pipe):
        super().__init__(data_dir)
        self.pipe = pipe

    @property
    def command(self):
        return ["sh", "-c", f"echo $$ > {self.pipe}; exec sleep 600"]


START_AND_WAIT = """
from pathlib import Path
from tests.test_server_process import NeverReadyAlone
NeverReadyAlone(Path({folder!r}), Path({pipe!r})).start(ready_within=600)
"""


def test_a_server_dies_with_a_test_process_that_is_killed(tmp_path):
    pipe = tmp_path / "pid"
    os.mkfifo(pipe)
    script = START_AND_WAIT.format(folder=str(tmp_path), pipe=str(pipe))
    tests = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        with open(pipe) as said:  # opens once the server has started, without polling
            server = int(said.read())
    finally:
        tests.send_signal(signal.SIGKILL)  # no teardown, no atexit
        tests.wait()
    assert wait_until_gone(server, timeout=10), "the server outlived the killed test process"


def test_a_server_that_exits_at_once_says_why(tmp_path):
    server = ServerProcess(tmp_path, DATABASE_URL="not-a-database://")
    with pytest.raises(RuntimeError, match="exited early"):
        server.start()


def test_servers_the_tests_start_use_the_fast_password_hasher(tmp_path):
    server = ServerProcess(tmp_path).prepare()
    with sqlite3.connect(server.database) as db:
        (stored,) = db.execute("SELECT password FROM workshop_user").fetchone()
    assert stored.startswith("md5$")

    # And the running server checks it with the same hasher: signing in works.
    server.start()
    try:
        cookies = CookieJar()
        browser = build_opener(HTTPCookieProcessor(cookies))
        login = f"{server.url}/f/login/"
        browser.open(login, timeout=30).close()
        csrf = next(cookie.value for cookie in cookies if cookie.name == "csrftoken")
        form = {"username": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD}
        body = urlencode({**form, "csrfmiddlewaretoken": csrf}).encode()
        with browser.open(Request(login, body, {"Referer": server.url}), timeout=30) as answer:
            assert not answer.url.startswith(login), "signing in failed"
    finally:
        server.stop()


def test_the_test_process_uses_the_fast_password_hasher_too():
    from django.contrib.auth.hashers import get_hasher

    assert get_hasher().algorithm == "md5"
