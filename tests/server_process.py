"""The app as `make run` serves it, in a process of its own that a test can kill and restart."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACILITATOR_EMAIL = "host@example.com"
FACILITATOR_PASSWORD = "a long and private passphrase"


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
            "DJANGO_SETTINGS_MODULE": "workshop.settings",
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

    def prepare(self) -> "ServerProcess":
        self.manage("migrate", "-v0")
        self.manage("createfacilitator", FACILITATOR_EMAIL, "--password", FACILITATOR_PASSWORD)
        return self

    def start(self) -> "ServerProcess":
        log = open(self.log_path, "a")  # noqa: SIM115 - the server writes to it while it runs
        command = [sys.executable, str(ROOT / "manage.py"), "runworkshop"]
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_until_listening()
        return self

    def kill(self) -> None:
        """Without warning, as a crash or a pulled plug would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text()[-size:] if self.log_path.exists() else ""

    def _wait_until_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited early:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"The server did not listen on port {self.port} within {timeout} s.")
