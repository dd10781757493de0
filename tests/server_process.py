"""The app as `make run` serves it, in a process of its own that a test can kill and restart.

Every server started here is stopped, whatever happens: one that fails to become ready is
stopped before start() raises, each runs in a process group of its own that is killed whole,
any still running when the test process exits are killed then, and the kernel kills them if
the test process itself is killed.
"""

import atexit
import contextlib
import ctypes
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACILITATOR_EMAIL = "host@example.com"
FACILITATOR_PASSWORD = "a long and private passphrase"
# Starting takes a second or two; a busy 2-core machine running two suites can take ten times that.
READY_WITHIN = 60

_running: set[subprocess.Popen] = set()


_PR_SET_PDEATHSIG = 1


def _die_with_the_tests() -> None:
    """In the server, before it runs: killed by the kernel when the test process dies, even by
    SIGKILL (a CI job's time limit), as a server in the test process's own group would be."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL to the process and anything it started, then reaped."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _running.discard(process)


@atexit.register
def _kill_what_is_still_running() -> None:
    for process in list(_running):
        kill_group(process)


def wait_until_gone(pid: int, timeout: float) -> bool:
    """Whether the process `pid` ended within `timeout` seconds (waiting on it, not polling)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([handle], [], [], timeout)[0])
    finally:
        os.close(handle)


_prepared: list[Path] = []


def _prepared_database() -> Path:
    if not _prepared:
        folder = Path(tempfile.mkdtemp(prefix="workshop-prepared-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _prepared.append(ServerProcess(folder)._migrate().database)
    return _prepared[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """One embedded-mode server (SQLite, in-memory layer) with its own data folder."""

    def __init__(self, data_dir: Path, **environment: str):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            "PUBLIC_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "tests.settings",  # the fast password hasher
            **environment,
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            if name not in environment:
                self.env.pop(name, None)
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir / "server.log"

    @property
    def database(self) -> Path:
        return self.data_dir / "workshop.sqlite3"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )

    def shell(self, code: str) -> str:
        """Runs `code` in a Django shell on this server's settings and database; what it printed."""
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def prepare(self) -> "ServerProcess":
        """Migrated, with the facilitator's account. An embedded database is prepared once per
        test process and copied: migrating costs seconds of CPU each time on a busy machine."""
        if "DATABASE_URL" in self.env:
            return self._migrate()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        prepared, copy = sqlite3.connect(_prepared_database()), sqlite3.connect(self.database)
        try:
            prepared.backup(copy)
        finally:
            prepared.close()
            copy.close()
        return self

    def _migrate(self) -> "ServerProcess":
        self.manage("migrate", "-v0")
        self.manage("createfacilitator", FACILITATOR_EMAIL, "--password", FACILITATOR_PASSWORD)
        return self

    @property
    def command(self) -> list[str]:
        manage = [sys.executable, str(ROOT / "manage.py")]
        return [*manage, "runworkshop", "--host", "127.0.0.1", "--port", str(self.port)]

    def start(self, ready_within: float = READY_WITHIN) -> "ServerProcess":
        """Starts the server and waits until it listens; if it does not, it is stopped."""
        log = open(self.log_path, "a")  # noqa: SIM115 - the server writes to it while it runs
        try:
            # A session of its own: stopping it stops whatever it started, and a Ctrl-C meant
            # for pytest reaches pytest, which then stops it.
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_the_tests,  # fixtures start servers from the main thread
            )
        finally:
            log.close()
        _running.add(self.process)
        try:
            self._wait_until_listening(ready_within)
        except BaseException:
            self.kill()
            raise
        return self

    def kill(self) -> None:
        """Without warning, as a crash or a pulled plug would."""
        kill_group(self.process)

    def stop(self) -> None:
        """Asks the server to stop, as systemd would, and kills it if it does not."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.kill()  # what is left of its group, if anything

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text()[-size:] if self.log_path.exists() else ""

    def _wait_until_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                pass
            try:
                self.process.wait(timeout=0.1)  # between tries, and ends early if it exits
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"The server exited early:\n{self.log_tail()}")
        raise RuntimeError(
            f"The server did not listen on port {self.port} within {timeout} s:\n{self.log_tail()}"
        )
