"""A blocked event loop is noticed and logged with how long it was blocked."""

import asyncio
import logging
import re
import time

from workshop import loop_watchdog


async def wait_for_record(caplog, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = [r for r in caplog.records if r.name == "workshop.loop_watchdog"]
        if records:
            return records
        await asyncio.sleep(0.02)
    return []


async def test_a_blocked_loop_is_logged_with_the_length_of_the_stall(caplog):
    task = loop_watchdog.start(threshold=0.3)
    try:
        await asyncio.sleep(0.15)  # the watchdog is asleep, waiting for its next tick
        time.sleep(0.8)  # the point: work that holds the event loop
        records = await wait_for_record(caplog)
    finally:
        task.cancel()
    assert len(records) == 1
    message = records[0].getMessage()
    seconds = float(re.search(r"stalled for ([\d.]+) s", message).group(1))
    assert 0.6 <= seconds <= 1.5
    assert records[0].levelno == logging.WARNING


async def test_a_loop_that_keeps_turning_logs_nothing_and_is_watched_once(caplog):
    task = loop_watchdog.start(threshold=0.3)
    try:
        assert loop_watchdog.start(threshold=0.3) is task
        for _ in range(5):
            time.sleep(0.05)  # short work, well under the threshold
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
    assert not [r for r in caplog.records if r.name == "workshop.loop_watchdog"]


async def test_a_threshold_of_zero_turns_the_watchdog_off():
    assert loop_watchdog.start(threshold=0) is None
