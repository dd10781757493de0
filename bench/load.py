"""The load generator's side: rooms of connected phones, timing clients, and patient phones.

Everything here runs on the load generator's core. Bulk phones only stay connected (they read
and drop every frame); the timing clients (projectors, probe phones) run in a process of their
own and note when each watched marker arrives.
"""

import asyncio
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from servers import HOST, LOAD_TIMEOUT, STARTED, pinned
from wire import Connection, HandshakeRefused, Screen, ws_connect

BENCH = Path(__file__).resolve().parent
CLIENT_CORE = 1
CONNECT_CONCURRENCY = 50


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class TimingClients:
    """Projectors and probe phones in their own process, on the load generator's core."""

    def __init__(self):
        STARTED.append(self)
        self.process = subprocess.Popen(
            [*pinned(CLIENT_CORE), sys.executable, "timing.py"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=BENCH,
        )

    def ask(self, command: dict) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def connect(self, port, path, headers):
        spec = {"port": port, "path": path, "headers": headers}
        return self.ask({"connect": spec})["connected"]

    def watch(self, pattern: str):
        self.ask({"watch": pattern})

    def count(self) -> int:
        return self.ask({"count": True})["count"]

    def arrivals(self, since=0):
        return self.ask({"arrivals": since})["arrivals"]

    def stop(self):
        try:
            if self.process.poll() is None:
                self.ask({"stop": True})
                self.process.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class Room:
    """A room: phones connected and idle, some of them probes that time what they receive,
    projectors that do too, and the facilitator's console. Each screen reconnects as a browser
    does when the server closes it (wire.Screen)."""

    server: object
    phones: int
    probes: int = 0
    projectors: int = 0
    console: bool = False
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list = field(default_factory=list)
    errors: int = 0
    timing: TimingClients | None = None
    probe_phones: list = field(default_factory=list)  # phone index of each probe, by its index
    screens: list = field(default_factory=list)
    projector_indexes: list = field(default_factory=list)

    async def open(self):
        server = self.server
        await server.note_revision()
        self.timing = TimingClients()
        for n in range(self.projectors):
            index = self.timing.connect(*server.projector_socket(n))
            if index is None:
                self.errors += 1
            else:
                self.projector_indexes.append(index)
        step = max(1, self.phones // max(1, self.probes))
        probes = set(range(step // 2, self.phones, step)[: self.probes]) if self.probes else set()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(where):
            async with limit:
                try:
                    connection = await ws_connect(HOST, *where)
                except (TimeoutError, OSError, HandshakeRefused):
                    self.errors += 1
                    return
                screen = Screen(HOST, *where)
                self.screens.append(screen)
                self.tasks.append(asyncio.create_task(screen.run(self.stop_event, connection)))

        batch = []
        for n in range(self.phones):
            if n in probes:
                await asyncio.gather(*batch)
                batch = []
                index = self.timing.connect(*server.phone_socket(n))
                if index is None:
                    self.errors += 1
                else:
                    self.probe_phones.append((index, n))
            else:
                batch.append(one(server.phone_socket(n)))
        if self.console:
            batch.append(one(server.console_socket()))
        await asyncio.gather(*batch)
        return self

    def reconnects(self) -> int:
        """How many times the server closed a socket and its phone or projector came back."""
        timing = self.timing.ask({"reconnects": True})["reconnects"] if self.timing else 0
        return timing + sum(screen.reconnects for screen in self.screens)

    async def __aenter__(self):
        try:
            return await self.open()
        except BaseException:
            await self.close()
            raise

    async def __aexit__(self, *exc):
        await self.close()

    async def close(self):
        self.stop_event.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.timing is not None:
            self.timing.stop()


class LoadGeneratorClock:
    """The load generator's own CPU: a run where it saturates its core measured itself."""

    def __init__(self):
        self.started = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = usage.ru_utime + usage.ru_stime

    def share_of_a_core(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (usage.ru_utime + usage.ru_stime - self.cpu) / (time.monotonic() - self.started)


class GaveUp(ConnectionError):
    pass


def retry_after(headers: dict) -> float:
    try:
        return max(0.0, float(headers.get("retry-after", ["1"])[0]))
    except ValueError:
        return 1.0


@dataclass
class Patient:
    """What a real phone does when the server is busy: it waits as long as the 503's
    Retry-After says, plus jitter, and tries again; after a timeout or a refused connection
    it tries again a little later. Counts every attempt; gives up at `deadline`."""

    deadline: float
    timeout: float = LOAD_TIMEOUT
    requests: int = 0
    busy: int = 0  # 503 answers (retries, not errors)
    timeouts: int = 0
    errors: int = 0  # refused or reset connections, closed without an answer

    async def _wait(self, seconds: float):
        # Honour the server's wait, and spread the phones that got the same answer.
        seconds = seconds * random.uniform(1.0, 1.5)
        if time.monotonic() + seconds > self.deadline:
            raise GaveUp("deadline")
        await asyncio.sleep(seconds)

    async def _attempt(self, send):
        while True:
            if time.monotonic() > self.deadline:
                raise GaveUp("deadline")
            self.requests += 1
            timeout = min(self.timeout, max(0.1, self.deadline - time.monotonic()))
            try:
                return await send(timeout)
            except HandshakeRefused as refusal:
                if refusal.status != 503:
                    # A socket refused otherwise (Daphne answers 403 to a handshake the app did
                    # not accept within its connect timeout): a browser's socket tries again.
                    self.errors += 1
                    await self._wait(1.0)
                    continue
                self.busy += 1
                await self._wait(retry_after(refusal.headers))
            except TimeoutError:
                if timeout < self.timeout:
                    raise GaveUp("deadline") from None  # cut short by the deadline, not slow
                self.timeouts += 1
                await self._wait(1.0)
            except OSError:
                self.errors += 1
                await self._wait(1.0)

    connections: dict = field(default_factory=dict)

    def close(self):
        for connection in self.connections.values():
            connection.close()

    async def http(self, port, method, path, headers=None, body=b""):
        """On the phone's kept-alive connection, as a browser sends a page's requests. Other
        answers than 503 are the caller's to judge (a person would start again)."""
        connection = self.connections.setdefault(port, Connection(HOST, port))

        async def send(timeout):
            answer = await connection.request(method, path, headers, body, timeout=timeout)
            if answer[0] == 503:
                raise HandshakeRefused("503", 503, answer[1])
            return answer

        return await self._attempt(send)

    async def ws(self, port, path, headers):
        return await self._attempt(lambda timeout: ws_connect(HOST, port, path, headers, timeout))
