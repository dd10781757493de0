"""A bare WebSocket client (RFC 6455) for tests that must control every frame a browser sends.

Browsers send a message as one frame; an attacker may split it into many small ones. Neither
Channels' test communicator (no server in between) nor a browser can show what the server does
with each, so this speaks the protocol over a plain socket.
"""

import base64
import os
import socket
import struct

TEXT, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x0, 0x8, 0x9, 0xA


class WebSocket:
    def __init__(self, host: str, port: int, path: str, origin: str, timeout: float = 10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.decode("latin-1"))

    def send_frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        """One frame, masked as a client's must be."""
        first = (0x80 if fin else 0) | opcode
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", first, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", first, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", first, 0x80 | 127, length)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text: str, *, frames: int = 1) -> None:
        """A text message, split into `frames` frames."""
        data = text.encode()
        size = -(-len(data) // frames)
        parts = [data[i : i + size] for i in range(0, len(data), size)]
        for index, part in enumerate(parts):
            opcode = TEXT if index == 0 else CONTINUATION
            self.send_frame(opcode, part, fin=index == len(parts) - 1)

    def receive_frame(self) -> tuple[int, bytes]:
        """(opcode, payload) of the next frame from the server (servers do not mask)."""
        first, second = self._read(2)
        self._last_fin = bool(first & 0x80)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read(8))
        return first & 0x0F, self._read(length)

    def receive_message(self) -> str:
        """The next text message, whole, whatever frames it came in."""
        opcode, payload = self.receive_frame()
        assert opcode == TEXT, (opcode, payload)
        while not self._last_fin:
            _continuation, more = self.receive_frame()
            payload += more
        return payload.decode()

    def close_code(self) -> int | None:
        """Reads on until the server closes: its close frame's status code, or None when it
        dropped the connection without one."""
        while True:
            try:
                opcode, payload = self.receive_frame()
            except ConnectionError:
                return None
            if opcode == CLOSE:
                return struct.unpack("!H", payload[:2])[0]

    def close(self) -> None:
        self.sock.close()

    _last_fin = True  # whether the last frame received ended its message

    def _read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(marker)
        return head
