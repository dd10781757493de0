"""The servers the benchmark measures, started and stopped by it, and what clients send them.

- `AppServer`: the app as `manage.py runworkshop` serves it. Embedded: one process, SQLite and
  the in-memory channel layer. Scale-out: several processes sharing a throwaway PostgreSQL
  database and Redis (with a prefix of its own), static files collected as in production.
- `BaselineServer`: bench/baseline.py, the least a server can do for the same work.

Each starts with a fresh data folder (and database), so every group of scenarios begins from
the same room; `stop` ends every process it started, whatever happened.
"""

import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from cpu import Meter
from wire import Connection, cookie_header, cookies_from, http, ws_connect

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CSRF = "b" * 32  # a CSRF secret sent as cookie and header alike, as a browser would
POSTGRES = {"host": HOST, "port": 5432, "user": "postgres", "dbname": "postgres"}
REDIS_URL = f"redis://{HOST}:6379/0"
LOAD_TIMEOUT = 10.0  # a request or handshake slower than this, under load, is an error


def pinned(core: int | None) -> list[str]:
    if core is None or not shutil.which("taskset") or os.cpu_count() < 2:
        return []
    return ["taskset", "-c", str(core)]


class Unexpected(ConnectionError):
    """The server answered, but not what the step of a phone's path needs."""


def expect(status: int, wanted: int, what: str):
    if status != wanted:
        raise Unexpected(f"{what} answered {status}")


# --- Processes ---------------------------------------------------------------------------------


# Every server started in this run, so that the run's last word can stop what is still going.
STARTED: list = []


def stop_everything():
    for server in STARTED:
        server.stop()


class Processes:
    """Server processes we started: each on its core, each stopped in `stop`, killed if need be."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.running: list[subprocess.Popen] = []
        self.logs = []

    def start(self, command: list[str], env: dict, core: int | None, name: str, quiet: bool):
        log = open(self.data_dir / f"{name}.log", "w")  # noqa: SIM115 - held while it runs
        self.logs.append(log)
        process = subprocess.Popen(
            [*pinned(core), *command],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL if quiet else log,
            stderr=log,
        )
        self.running.append(process)
        return process

    def stop(self):
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        self.running = []
        for log in self.logs:
            log.close()
        self.logs = []


async def wait_until_up(port: int, process: subprocess.Popen, log: Path, limit: float = 60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            await http(HOST, port, "GET", "/livez", timeout=2)
            return
        except (OSError, ConnectionError):
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the server on {port} did not start: {log.read_text()[-3000:]}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- PostgreSQL and Redis -------------------------------------------------------------------


class Postgres:
    """A throwaway database on the local PostgreSQL, and its backends' process ids."""

    def __init__(self):
        import psycopg

        self.name = f"bench_{uuid.uuid4().hex[:12]}"
        self.admin = psycopg.connect(**POSTGRES, autocommit=True)
        self.admin.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def url(self) -> str:
        return f"postgres://{POSTGRES['user']}@{HOST}:{POSTGRES['port']}/{self.name}"

    def backends(self) -> list[int]:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
        ).fetchall()
        return [pid for (pid,) in rows]

    def drop(self):
        try:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            self.admin.close()


def redis_pid() -> int:
    """redis-server's process id, as it reports it (INFO server)."""
    with socket.create_connection((HOST, 6379), timeout=5) as connection:
        connection.sendall(b"INFO server\r\n")
        reply = b""
        while b"process_id:" not in reply or not reply.endswith(b"\r\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            reply += chunk
    return int(re.search(rb"process_id:(\d+)", reply).group(1))


# --- The app --------------------------------------------------------------------------------


class AppServer:
    kind = "app"

    def __init__(self, ports: list[int], phones: int, per_table: int, scaleout: bool = False):
        self.ports, self.phones, self.per_table, self.scaleout = ports, phones, per_table, scaleout
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-app-"))
        self.processes = Processes(self.data_dir)
        self.pids: list[int] = []
        self.database = None
        self.setup: dict = {}
        self.revision = 0
        self.secret = secrets.token_urlsafe(50)
        self.prefix = f"bench-{uuid.uuid4().hex[:12]}"

    @property
    def port(self) -> int:
        return self.ports[0]

    @property
    def env(self) -> dict:
        env = {
            **os.environ,
            "DATA_DIR": str(self.data_dir),
            "PUBLIC_URL": f"http://{HOST}:{self.ports[0]}",
            "DJANGO_SETTINGS_MODULE": "workshop.settings",
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "SECRET_KEY": self.secret,
            # The bench's thousand phones all come from 127.0.0.1: a budget per address
            # (workshop/handshakes.py) would measure one address, not a room.
            "SOCKET_HANDSHAKE_BURST": "1000000",
            # The bench measures what a process can serve, not the per-phone budgets that keep
            # one eager phone from slowing the room (its closed loops post as fast as answered).
            "POST_BUDGET": "0",
            "VOTE_BUDGET": "0",
            "JOIN_BUDGET": "0",
            "COOKIELESS_JOIN_BUDGET": "0",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "STATIC_ROOT"):
            env.pop(name, None)
        if self.scaleout:
            env |= {
                "DATABASE_URL": self.database.url,
                "REDIS_URL": REDIS_URL,
                "REDIS_PREFIX": self.prefix,
                "STATIC_ROOT": str(self.data_dir / "static"),
            }
        return env

    def cores(self) -> list[int | None]:
        """Embedded: the server alone on core 0. Scale-out: one process on each core."""
        count = os.cpu_count() or 1
        return [n % count for n in range(len(self.ports))]

    async def start(self):
        STARTED.append(self)
        if self.scaleout:
            self.database = Postgres()
        manage = [sys.executable, str(ROOT / "manage.py")]
        env = self.env
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        if self.scaleout:
            subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        prepared = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "prepare.py"),
                *(str(self.phones), str(self.per_table)),
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        self.setup = json.loads(prepared.stdout.strip().splitlines()[-1])
        for port, core in zip(self.ports, self.cores(), strict=True):
            # The README's run command (as each systemd unit runs it), without its access log.
            command = [*manage, "runworkshop", "--host", HOST, "--port", str(port)]
            process = self.processes.start(command, env, core, f"server-{port}", quiet=True)
            self.pids.append(process.pid)
            await wait_until_up(port, process, self.data_dir / f"server-{port}.log")
        return self

    def stop(self):
        try:
            self.processes.stop()
        finally:
            database, self.database = self.database, None
            if database is not None:
                database.drop()
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def meter(self) -> Meter:
        parts = {
            f"daphne:{port}": (lambda pid=pid: [pid])
            for port, pid in zip(self.ports, self.pids, strict=True)
        }
        if self.scaleout:
            parts["postgres"] = self.database.backends
            pid = redis_pid()
            parts["redis"] = lambda: [pid]
        return Meter(parts)

    def rss_mb(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids)

    # Who is who. A phone's index decides its table (prepare.py) and, in scale-out, its port.

    def port_for(self, n: int) -> int:
        return self.ports[n % len(self.ports)]

    def cookie(self, n: int) -> str:
        return self.setup["phones"][n]["cookie"]

    def posting_headers(self, cookie: str, **extra) -> dict:
        return {
            "Cookie": f"{cookie}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
            **extra,
        }

    @property
    def code(self) -> str:
        return self.setup["code"]

    def activity(self, kind: str) -> dict:
        return next(a for a in self.setup["activities"] if a["kind"] == kind)

    # Sockets.

    async def note_revision(self):
        """Phones that were in the room reconnect saying what they saw: the current revision."""
        path = f"/p/{self.setup['projector_key']}/updates/?after=0"
        _, _, body = await http(HOST, self.port, "GET", path)
        self.revision = json.loads(body)["revision"]

    def phone_socket(self, n: int):
        path = f"/ws/w/{self.code}/?after={self.revision}"
        return self.port_for(n), path, {"Cookie": self.cookie(n)}

    def projector_socket(self, n: int = 0):
        return self.port_for(n), f"/ws/p/{self.setup['projector_key']}/", {}

    def console_socket(self, n: int = 0):
        path = f"/ws/f/w/{self.setup['workshop_id']}/"
        return self.port_for(n), path, {"Cookie": self.setup["facilitator_cookie"]}

    # Requests.

    def livez(self, port=None):
        return http(HOST, port or self.port, "GET", "/livez")

    def post(self, n: int, text: str, token: str | None = None, timeout=LOAD_TIMEOUT):
        body = urlencode({"text": text, "token": token or str(uuid.uuid4())}).encode()
        headers = self.posting_headers(self.cookie(n), Accept="application/json")
        path = f"/w/{self.code}/post/"
        return http(HOST, self.port_for(n), "POST", path, headers, body, timeout=timeout)

    def edit(self, n: int, takeaway: int, text: str):
        body = urlencode({"text": text}).encode()
        headers = self.posting_headers(self.cookie(n), **{"HX-Request": "true"})
        path = f"/w/{self.code}/t/{takeaway}/edit/"
        return http(HOST, self.port_for(n), "POST", path, headers, body)

    def vote(self, n: int, takeaway: int, timeout=LOAD_TIMEOUT):
        headers = self.posting_headers(self.cookie(n), **{"HX-Request": "true"})
        path = f"/w/{self.code}/vote/{takeaway}/"
        return http(HOST, self.port_for(n), "POST", path, headers, b"", timeout=timeout)

    def poll_answer(self, n: int, question: int, choice: str, timeout=LOAD_TIMEOUT):
        """A phone's tap on one option of the running poll, as its form sends it (htmx)."""
        body = urlencode({"choices": choice}).encode()
        headers = self.posting_headers(self.cookie(n), **{"HX-Request": "true"})
        path = f"/w/{self.code}/poll/{question}/"
        return http(HOST, self.port_for(n), "POST", path, headers, body, timeout=timeout)

    def next_activity(self, seen: int, target: int, wrap: bool):
        """The facilitator's Next; with `wrap`, a go straight to `target` (from the last
        activity back to the first, say)."""
        workshop = self.setup["workshop_id"]
        headers = self.posting_headers(self.setup["facilitator_cookie"], **{"HX-Request": "true"})
        if wrap:
            path, fields = f"/f/w/{workshop}/go/{target}/", {"seen": seen}
        else:
            path, fields = f"/f/w/{workshop}/step/", {"seen": seen, "direction": "next"}
        body = urlencode(fields).encode()
        return http(HOST, self.port, "POST", path, headers, body, timeout=60)

    def console_updates(self, after: int, timeout=LOAD_TIMEOUT):
        path = f"/f/w/{self.setup['workshop_id']}/updates/?after={after}"
        headers = {"Cookie": self.setup["facilitator_cookie"]}
        return http(HOST, self.port, "GET", path, headers, timeout=timeout)

    def get_as_phone(self, n: int, path: str, **headers):
        headers = {"Cookie": self.cookie(n), **headers}
        return http(HOST, self.port_for(n), "GET", path, headers)

    async def join(self, n: int, call=None):
        """A new phone: the join page, the form, the board it is sent to, its socket (opened
        with the revision the page showed). `call` sends each request (it may retry); returns
        the socket's (reader, writer)."""
        call = call or Once()
        try:
            return await self._join(n, call)
        finally:
            call.close()  # its socket is open: the page's connection has done its work

    async def _join(self, n: int, call):
        port, code = self.port_for(n), self.code
        status, headers, page = await call.http(port, "GET", f"/j/{code}/")
        expect(status, 200, "the join page")
        jar = cookies_from(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        tables = re.findall(rb'name="table" value="(\d+)"', page)
        fields = {
            "name": f"J{n}",
            "table": tables[n % len(tables)].decode(),
            "csrfmiddlewaretoken": token.decode(),
        }
        form = {"Cookie": cookie_header(jar), "Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode(fields).encode()
        status, headers, board = await call.http(port, "POST", f"/j/{code}/", form, body)
        jar |= cookies_from(headers)
        if status in (302, 303):
            # As a browser does: follow the redirect to the board, whose socket asks for what
            # came after the revision the page showed.
            location = urlsplit(headers["location"][0])
            target = location.path + (f"?{location.query}" if location.query else "")
            status, _, board = await call.http(port, "GET", target, {"Cookie": cookie_header(jar)})
            expect(status, 200, "the board")
        elif status != 200 or b"data-revision" not in board:  # or the board straight away
            raise Unexpected(f"the join form answered {status}")
        after = re.search(rb'data-revision="(\d+)"', board).group(1).decode()
        path = f"/ws/w/{code}/?after={after}"
        return await call.ws(port, path, {"Cookie": cookie_header(jar)})


class Once:
    """Each request once, on the phone's kept-alive connection (as a browser sends a page's
    requests): anything but an answer is an error (for measuring costs)."""

    def __init__(self):
        self.connections = {}

    def connection(self, port) -> Connection:
        return self.connections.setdefault(port, Connection(HOST, port))

    def close(self):
        for connection in self.connections.values():
            connection.close()

    async def http(self, port, method, path, headers=None, body=b""):
        return await self.connection(port).request(method, path, headers, body)

    async def ws(self, port, path, headers):
        return await ws_connect(HOST, port, path, headers)


# --- The baseline -----------------------------------------------------------------------------


class BaselineServer:
    kind = "baseline"

    def __init__(self, port: int, phones: int):
        self.ports = [port]
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
        self.processes = Processes(self.data_dir)
        self.setup = {"phones": [{"table": n % 60} for n in range(phones)]}
        self.pids = []

    @property
    def port(self) -> int:
        return self.ports[0]

    async def start(self):
        STARTED.append(self)
        command = [sys.executable, str(ROOT / "bench" / "baseline.py"), str(self.port)]
        process = self.processes.start(command, dict(os.environ), 0, "baseline", quiet=False)
        self.pids.append(process.pid)
        await wait_until_up(self.port, process, self.data_dir / "baseline.log")
        return self

    def stop(self):
        try:
            self.processes.stop()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def meter(self) -> Meter:
        pid = self.pids[0]
        return Meter({"baseline": lambda: [pid]})

    def rss_mb(self) -> float:
        return rss_mb(self.pids[0])

    def port_for(self, n: int) -> int:
        return self.port

    async def note_revision(self):
        pass

    def phone_socket(self, n: int):
        return self.port, f"/ws/phone/{self.setup['phones'][n]['table']}/", {}

    def projector_socket(self, n: int = 0):
        return self.port, "/ws/projector/", {}

    def post(self, n: int, text: str, token=None, timeout=LOAD_TIMEOUT):
        query = urlencode({"text": text, "table": self.setup["phones"][n]["table"]})
        return http(HOST, self.port, "GET", f"/post?{query}", timeout=timeout)

    def change(self, title: str):
        return http(HOST, self.port, "GET", "/step?" + urlencode({"title": title}), timeout=60)

    def send_small(self):
        """One small message (a vote count, say) to every phone connected."""
        return http(HOST, self.port, "GET", "/send")

    async def join(self, n: int, call=None):
        call = call or Once()
        try:
            return await self._join(n, call)
        finally:
            call.close()

    async def _join(self, n: int, call):
        status, _, _ = await call.http(self.port, "GET", "/j/")
        expect(status, 200, "the join page")
        status, headers, _ = await call.http(self.port, "GET", f"/join?name=J{n}&table=1")
        expect(status, 302, "the join")
        status, _, _ = await call.http(self.port, "GET", "/j/")  # the board a browser is sent to
        expect(status, 200, "the board")
        path = f"/ws/phone/{n % 60}/"
        return await call.ws(self.port, path, {"Cookie": cookie_header(cookies_from(headers))})
