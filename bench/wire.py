"""Just enough HTTP and WebSocket, on raw asyncio streams, for cheap load-generating clients.

The harness opens a thousand sockets from one core: a full client library per socket would
measure itself. These clients do the handshake, answer pings, reconnect as browsers do
(Screen), and (for timing clients only) look into text frames.
"""

import asyncio
import base64
import os
import random
import re
import struct
from urllib.parse import parse_qsl, urlencode, urlsplit

PING, PONG, CLOSE, TEXT = 0x9, 0xA, 0x8, 0x1


class HandshakeRefused(ConnectionError):
    """The server answered the upgrade with something else than 101: its status and headers."""

    def __init__(self, status_line: str, status: int = 0, headers: dict | None = None):
        super().__init__(status_line)
        self.status, self.headers = status, headers or {}


def parse_head(head: bytes) -> tuple[int, dict]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        if name:
            parsed.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), parsed


async def http(host, port, method, path, headers=None, body=b"", timeout=10.0):
    """One request on a fresh connection: (status, headers, body), all within `timeout`."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
            for name, value in (headers or {}).items():
                lines.append(f"{name}: {value}")
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionError("closed without an answer")
    status, parsed = parse_head(head)
    return status, parsed, content


class Connection:
    """One HTTP/1.1 connection kept alive across requests, as a browser keeps one to a host: a
    page and what it loads, a form and the page it is sent to, travel on it. A connection the
    server closed meanwhile is replaced once, as browsers do."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.opened = 0

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, headers=None, body=b"", timeout=10.0):
        async with asyncio.timeout(timeout):
            for attempt in range(2):
                reused = self.writer is not None
                if not reused:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                    self.opened += 1
                try:
                    return await self._exchange(method, path, headers or {}, body)
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.close()
                    if not reused or attempt:
                        raise ConnectionError("closed without an answer") from None
                except BaseException:
                    self.close()  # cut off halfway (a timeout): useless for the next request
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, method, path, headers, body):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, parsed = parse_head(head[:-4])
        if "content-length" in parsed:
            content = await self.reader.readexactly(int(parsed["content-length"][0]))
        elif "chunked" in ",".join(parsed.get("transfer-encoding", [])).lower():
            content = await self._chunks()
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:
            content = await self.reader.read()
            self.close()
        if "close" in ",".join(parsed.get("connection", [])).lower():
            self.close()
        return status, parsed, content

    async def _chunks(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def cookies_from(headers) -> dict:
    jar = {}
    for value in headers.get("set-cookie", []):
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


async def ws_connect(host, port, path, headers=None, timeout=10.0):
    """Opens a WebSocket; returns (reader, writer) positioned after the handshake."""
    async with asyncio.timeout(timeout):
        return await _ws_connect(host, port, path, headers)


async def _ws_connect(host, port, path, headers):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://{host}:{port}",
    ]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        writer.close()
        raise ConnectionError("closed during the handshake") from error
    except BaseException:
        writer.close()
        raise
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        writer.close()
        status, parsed = parse_head(head.rstrip(b"\r\n"))
        raise HandshakeRefused(head.split(b"\r\n", 1)[0].decode("latin-1"), status, parsed)
    return reader, writer


async def first_text(reader, writer, timeout=10.0) -> bytes:
    """The next text frame on an open socket (answering pings meanwhile)."""

    async def read():
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == TEXT:
                return payload
            if opcode == PING:
                writer.write(frame(PONG, payload))
            elif opcode == CLOSE:
                raise ConnectionError("closed before its first message")

    try:
        return await asyncio.wait_for(read(), timeout)
    except asyncio.IncompleteReadError as error:
        raise ConnectionError("closed before its first message") from error


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """A masked client frame (clients must mask; the mask may be zero)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return header + b"\x00\x00\x00\x00" + payload


async def read_frame(reader) -> tuple[int, bytes]:
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(length)


REVISION = re.compile(rb'"revision": ?(\d+)')
# As static/js/live.js sets htmx's WebSocket extension: the close codes after which a browser
# reconnects, and how long it waits (growing, with jitter). Codes 4000-4999 say "never".
RECONNECT_CODES = {1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014}
RECONNECT_DELAY, RECONNECT_MAX_DELAY, RECONNECT_JITTER = 1.0, 15.0, 0.5


def with_after(path: str, revision: int | None) -> str:
    if revision is None:
        return path
    url = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(url.query) if k != "after"] + [("after", revision)]
    return url._replace(query=urlencode(query)).geturl()


class Screen:
    """A socket kept open as a browser keeps it: it answers pings, remembers the last revision
    a message carried, and when the server closes it (or the connection drops) it reconnects
    after a growing, jittered delay, asking for what came after that revision."""

    def __init__(self, host, port, path, headers=None, on_text=None):
        self.host, self.port, self.path, self.headers = host, port, path, headers or {}
        self.on_text = on_text
        after = dict(parse_qsl(urlsplit(path).query)).get("after")
        self.revision = int(after) if after and after.isdigit() else None
        self.reconnects = 0
        self.refused = None  # the close code that ended it for good

    async def run(self, stop: asyncio.Event, connection=None):
        delay = RECONNECT_DELAY
        while not stop.is_set():
            if connection is None:
                try:
                    path = with_after(self.path, self.revision)
                    connection = await ws_connect(self.host, self.port, path, self.headers)
                except (TimeoutError, OSError):
                    await self._pause(delay)
                    delay = min(2 * delay, RECONNECT_MAX_DELAY)
                    continue
                self.reconnects += 1
                delay = RECONNECT_DELAY
            code = await self._read(*connection)
            connection = None
            if code not in RECONNECT_CODES:
                self.refused = code
                return
            await self._pause(delay)

    @staticmethod
    async def _pause(delay):
        jitter = 1 + random.uniform(-RECONNECT_JITTER, RECONNECT_JITTER)
        await asyncio.sleep(delay * jitter)

    async def _read(self, reader, writer) -> int:
        try:
            while True:
                opcode, payload = await read_frame(reader)
                if opcode == TEXT:
                    if match := REVISION.search(payload, 0, 80):
                        self.revision = max(self.revision or 0, int(match.group(1)))
                    if self.on_text:
                        self.on_text(payload)
                elif opcode == PING:
                    writer.write(frame(PONG, payload))
                elif opcode == CLOSE:
                    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        except (asyncio.IncompleteReadError, ConnectionError):
            return 1006
        finally:
            writer.close()
