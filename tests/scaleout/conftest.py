"""Scale-out as a deployment runs it: PostgreSQL, Redis, several Daphne processes, a proxy.

The tests that need PostgreSQL and Redis run in `make test`'s second pass (tests/with_services.py),
which points DATABASE_URL and REDIS_URL at them; otherwise they are skipped. Each session gets a
database of its own, created, migrated and dropped here, and a Redis key prefix of its own. Tests
that restart Redis start a redis-server of their own; the shared one is never touched.
"""

import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from psycopg import sql

from tests.server_process import ServerProcess, free_port

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
CI = os.environ.get("CI", "").lower() == "true"

needs_services = pytest.mark.skipif(
    not (
        DATABASE_URL.startswith(("postgres://", "postgresql://"))
        and REDIS_URL.startswith(("redis://", "rediss://"))
    ),
    reason="needs PostgreSQL and Redis: make test's second pass runs it with both",
)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def scaleout_env(tmp_path_factory):
    """What every server process of the session shares: a fresh database, Redis, one secret."""
    name = f"workshop_scaleout_{uuid.uuid4().hex[:12]}"
    admin = with_database(DATABASE_URL, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {
        "DATABASE_URL": with_database(DATABASE_URL, name),
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"{name}.",
        "SECRET_KEY": uuid.uuid4().hex * 2,
    }
    try:
        ServerProcess(tmp_path_factory.mktemp("migrate"), **env).prepare()
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def start_server(tmp_path):
    """Starts server processes (`manage.py runworkshop`) with the given environment."""
    started = []

    def start(**env) -> ServerProcess:
        server = ServerProcess(tmp_path / f"server{len(started)}", **env)
        server.data_dir.mkdir()
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()
            if "Traceback" in server.log_tail(20_000):
                print(f"Log of the server on port {server.port}:\n{server.log_tail()}")


class RedisServer:
    """A redis-server of the test's own, on a free port, that can be stopped and started again."""

    def __init__(self, directory: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            message = "redis-server is not installed (apt-get install redis-server)"
            if CI:
                raise RuntimeError(message)
            pytest.skip(message)
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "RedisServer":
        # Like the machine's own: on 127.0.0.1 only, keeping nothing on disk.
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), *options, "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_it_answers(within=10)
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise
        return self

    def _wait_until_it_answers(self, within: float) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                pass
            try:
                self.process.wait(timeout=0.05)  # between tries, and ends early if it exits
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"redis-server exited at once (port {self.port} taken?)")
        raise RuntimeError(f"redis-server did not answer within {within} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, as in tests/browser, launched only if a test here needs it."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # an upper bound for a busy machine, as in tests/browser
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if CI:
            raise RuntimeError("Chromium is missing: .ci/run installs Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_context(browser):
    contexts = []

    def open_(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)  # an upper bound for a busy machine
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()
