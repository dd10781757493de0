"""A budget of socket handshakes per client address, so that a flood cannot starve a room.

Each address has a token bucket: SOCKET_HANDSHAKE_BURST handshakes at once, refilled at
SOCKET_HANDSHAKE_RATE a second. A whole room behind one venue NAT reconnecting after a Wi-Fi
blip fits in the burst; a script opening sockets in a loop from one address is told "try again
later" before any session, database or catch-up work, and the room's real joins go on at full
speed. The buckets live in each server process: with several processes an address gets the
budget in each, which is what each process can afford.

Behind a proxy the address is the browser's, as workshop/proxy.py (in front of this) takes it
from X-Forwarded-For when a trusted proxy sends it (TRUSTED_PROXIES).
"""

import time

from django.conf import settings

# "Try again later". Daphne lets an application close with 1000 or 3000-4999 only, so 1013,
# its standard code, cannot be sent; live.js reconnects on this one, backing off with jitter.
CLOSE_BUSY = 4013

# Buckets that have filled up again are forgotten once there are this many.
PRUNE_AT = 10_000


class Buckets:
    """Token buckets by key: `take` spends one token if there is one."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.levels: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self.prune_at = PRUNE_AT

    def take(self, key: str, burst: int, rate: float) -> bool:
        now = self.clock()
        tokens, then = self.levels.get(key, (burst, now))
        tokens = min(burst, tokens + (now - then) * rate)
        taken = tokens >= 1
        self.levels[key] = (tokens - 1 if taken else tokens, now)
        if len(self.levels) >= self.prune_at:
            self._prune(now, burst, rate)
        return taken

    def _prune(self, now: float, burst: int, rate: float) -> None:
        """A full bucket is the same as none: drop those, so the table cannot grow forever."""
        self.levels = {
            key: (tokens, then)
            for key, (tokens, then) in self.levels.items()
            if tokens + (now - then) * rate < burst
        }
        self.prune_at = max(PRUNE_AT, 2 * len(self.levels))


class HandshakeBudget:
    """ASGI middleware for sockets, in front of everything else they go through."""

    def __init__(self, app):
        self.app = app
        self.buckets = Buckets()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not self.admits(scope):
            return await refuse_busy(receive, send)
        return await self.app(scope, receive, send)

    def admits(self, scope) -> bool:
        client = scope.get("client")
        if not client:
            return True  # no address to count by (a Unix socket, a test's communicator)
        burst, rate = settings.SOCKET_HANDSHAKE_BURST, settings.SOCKET_HANDSHAKE_RATE
        return self.buckets.take(str(client[0]), burst, rate)


async def refuse_busy(receive, send) -> None:
    """Accepted only to be closed with a code: a refused handshake tells a browser nothing."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_BUSY})
