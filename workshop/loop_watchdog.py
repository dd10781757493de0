"""Notices when the server's event loop was blocked, and says for how long.

Every socket and every request of a process waits on its one event loop: work that holds it (a
big export built in place, a slow query run on the loop by mistake) stalls the whole room, and
nothing else would say so. A small task asks to be woken every TICK seconds; woken late by more
than LOOP_STALL_WARNING seconds, it logs how late.
"""

import asyncio
import logging
import weakref

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.1

_watched: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def watch(threshold: float, tick: float = TICK_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + tick
        await asyncio.sleep(tick)
        late = loop.time() - due
        if late >= threshold:
            logger.warning("The event loop stalled for %.1f s: every screen waited.", late)


def start(threshold: float) -> asyncio.Task | None:
    """Once per event loop (one per server process); a threshold of 0 turns it off."""
    loop = asyncio.get_running_loop()
    if threshold <= 0 or loop in _watched:
        return _watched.get(loop)
    task = _watched[loop] = loop.create_task(watch(threshold))
    return task
