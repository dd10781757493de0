"""Server CPU per operation, from the servers' own CPU time, not from wall time.

Each part of a deployment (a Daphne process, PostgreSQL's backends for our database,
redis-server) is read from /proc/<pid>/stat: utime + stime, every thread of the process, in
clock ticks (10 ms). A figure is the CPU spent from before a batch of operations until the
servers are quiet again after it, divided by the operations; batches are sized to spend a
few hundred milliseconds each, so a tick is a small error, and the median of several batches
is reported, so a noisy neighbour on a shared machine moves it little.
"""

import asyncio
import math
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

TICK = 1 / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """Seconds of CPU the process has used, all its threads together; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) * TICK


class Meter:
    """Cumulative CPU seconds per part; a part is a function giving its current process ids.

    A process that appears is counted from zero (a new PostgreSQL backend is our cost); one that
    ends keeps the last value read.
    """

    def __init__(self, parts: dict[str, Callable[[], list[int]]]):
        self.parts = parts
        self.seen: dict[str, dict[int, float]] = {name: {} for name in parts}

    def read(self) -> dict[str, float]:
        totals = {}
        for name, pids in self.parts.items():
            seen = self.seen[name]
            for pid in pids():
                value = process_cpu(pid)
                if value is not None:
                    seen[pid] = value
            totals[name] = sum(seen.values())
        return totals

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        return {name: after[name] - before[name] for name in after}


async def quiet(meter: Meter, window: float = 0.2, limit: float = 30.0) -> float:
    """Waits until the servers spend at most one tick in a window (work an operation left
    behind, such as sending to a thousand sockets, is done); returns the seconds waited."""
    started = time.monotonic()
    last = sum(meter.read().values())
    while time.monotonic() - started < limit:
        await asyncio.sleep(window)
        now = sum(meter.read().values())
        if now - last <= TICK * 1.01:
            break
        last = now
    return time.monotonic() - started


async def cost(
    meter: Meter,
    operation: Callable[[int], Awaitable[bool]],
    *,
    batches: int = 5,
    batch_cpu: float = 0.4,
    max_batch: int = 200,
    warmup: int = 1,
    time_limit: float = 60.0,
) -> dict:
    """CPU per operation: the median over batches of (CPU of the batch) / (operations in it).

    `operation(i)` does the i-th operation and says whether it succeeded. Batches are sized from
    the warm-up to spend about `batch_cpu` seconds; after `time_limit` no new batch starts (at
    least one always runs). Operations run one after another: a light load, as the figure is a
    cost, not a capacity.
    """
    counter = 0
    failures = 0

    async def run(count: int) -> int:
        nonlocal counter, failures
        ok = 0
        for _ in range(count):
            try:
                success = await operation(counter)
            except (OSError, ConnectionError, ValueError, AttributeError) as error:
                print(f"    operation {counter} failed: {error!r}", flush=True)
                success = False
            counter += 1
            ok += bool(success)
            failures += not success
        return ok

    started = time.monotonic()
    await quiet(meter)
    before = meter.read()
    await run(max(1, warmup))
    await quiet(meter)
    first = sum(Meter.spent(before, meter.read()).values()) / max(1, warmup)
    per_op, per_part, measured, sizes = [], defaultdict(float), 0, []
    for _ in range(batches):
        if per_op and time.monotonic() - started > time_limit:
            break
        # Sized from what the operations cost so far (the warm-up's first requests, cold, cost
        # more than the rest), to spend about batch_cpu.
        estimate = statistics.median(per_op) / 1000 if per_op else first
        size = max(1, min(max_batch, math.ceil(batch_cpu / max(estimate, 0.0005))))
        sizes.append(size)
        before = meter.read()
        await run(size)
        await quiet(meter)
        spent = Meter.spent(before, meter.read())
        per_op.append(sum(spent.values()) / size * 1000)
        measured += size
        for name, seconds in spent.items():
            per_part[name] += seconds
    return {
        "ms": statistics.median(per_op),
        "batches_ms": per_op,
        "batch_sizes": sizes,
        "operations": counter,
        "failures": failures,
        # Each part's mean over every batch: a small part spends less than a tick per batch.
        "parts_ms": {name: per_part[name] / measured * 1000 for name in meter.parts},
        "warmup_ms": first * 1000,
    }
