"""Test faults: a server process misbehaving between a commit and its broadcast, on purpose.

Off unless the LIVE_TEST_FAULT setting names one (tests/scaleout sets it for the processes it
starts; nothing else should). It applies only to a change carrying a takeaway whose text
contains the marker, so that a test chooses which write fails:

- "kill:MARKER": the process dies (SIGKILL) after the write committed, before it broadcast,
  as a crash or a pulled plug would;
- "delay:MARKER": the broadcast goes out DELAY_SECONDS late, after later changes' own.
"""

import os
import signal
import time

from django.conf import settings

DELAY_SECONDS = 3.0


def before_broadcast(change) -> None:
    fault = settings.LIVE_TEST_FAULT
    if not fault:
        return
    kind, _, marker = fault.partition(":")
    if not any(marker in takeaway.text for takeaway in change.takeaways.values()):
        return
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif kind == "delay":
        time.sleep(DELAY_SECONDS)
