"""Budgets that keep one phone, or one guesser, from crowding out a room.

Each budget is a token bucket: a burst, then one more every so many seconds. A phone's budgets
are keyed on its device cookie, never on its address: a room of 300 behind one venue NAT shares
an address, and one eager phone must not hold up the others. Only wrong join codes are counted
per address, because a guesser has no identity to key on.

The buckets live in the "throttle" cache (workshop/settings.py): in-process memory in the
embedded default, Redis when REDIS_URL is set, so that every process spends from the same
buckets. Reading and writing a bucket is not one atomic step in Redis: two requests of the same
phone served at the same instant by two processes may both get the last token. That bounds an
overshoot by what one phone sends at once, which is harmless; in one process a lock makes it
exact.
"""

import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

CACHE = "throttle"
_lock = threading.Lock()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    """`burst` at once, then one more every `every` seconds; a burst of 0 is no limit."""

    name: str
    burst: int
    every: float

    @classmethod
    def from_setting(cls, name: str, setting: str) -> "Budget":
        burst, every = getattr(settings, setting)
        return cls(name, burst, every)

    def key(self, who: str) -> str:
        return f"throttle:{self.name}:{who}"


def posts() -> Budget:
    return Budget.from_setting("post", "POST_BUDGET")


def votes() -> Budget:
    return Budget.from_setting("vote", "VOTE_BUDGET")


def joins() -> Budget:
    return Budget.from_setting("join", "JOIN_BUDGET")


def cookieless_joins() -> Budget:
    return Budget.from_setting("join-cookieless", "COOKIELESS_JOIN_BUDGET")


def wrong_codes() -> Budget:
    return Budget.from_setting("wrong-code", "WRONG_CODE_BUDGET")


def spend(budget: Budget, who: str) -> int:
    """Takes one from `who`'s bucket: 0 if there was one, otherwise the whole seconds until
    there is (and nothing is taken)."""
    return _use(budget, who, take=True)


def wait(budget: Budget, who: str) -> int:
    """The whole seconds until `who` has one to spend, 0 if now; nothing is taken."""
    return _use(budget, who, take=False)


def _use(budget: Budget, who: str, *, take: bool) -> int:
    if budget.burst <= 0:
        return 0
    try:
        waiting = _count(budget, who, take=take)
    except Exception as error:  # Redis gone or stalled: the room goes on, unthrottled meanwhile
        _unavailable.say(error)
        return 0
    _unavailable.over()
    return waiting


class _Outage:
    """A throttle that cannot count is said once when it starts and once when it ends, not on
    every request of a room."""

    def __init__(self):
        self.failing = False

    def say(self, error: Exception) -> None:
        if not self.failing:
            self.failing = True
            logger.warning(
                "Budgets are not counted (their cache failed: %s); requests pass.", error
            )

    def over(self) -> None:
        if self.failing:
            self.failing = False
            logger.warning("Budgets are counted again.")


_unavailable = _Outage()


def _count(budget: Budget, who: str, *, take: bool) -> int:
    cache = caches[CACHE]
    key = budget.key(who)
    with _lock:
        # Wall-clock time: the processes of a deployment share the buckets, not a monotonic clock.
        now = time.time()
        tokens, stamp = cache.get(key) or (budget.burst, now)
        tokens = min(budget.burst, tokens + max(0.0, now - stamp) / budget.every)
        if tokens < 1:
            return max(1, math.ceil((1 - tokens) * budget.every))
        if take:
            # Kept until it would have filled up again: a full bucket and no entry are the same.
            refill = math.ceil(budget.burst * budget.every) + 1
            cache.set(key, (tokens - 1, now), timeout=refill)
    return 0


def client_address(request) -> str | None:
    """The address to count a guesser's attempts by: REMOTE_ADDR, which the server sets from the
    connection (or from a configured proxy's header). An IPv6 client is its /64 network, the
    block one subscriber gets: otherwise it could use a fresh address for every guess. None
    for a request without one (a sign-in made by a test client or the shell)."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped:  # an IPv4 client on a dual-stack socket
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)
