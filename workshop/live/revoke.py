"""Rights that end while a socket is open: its socket is closed, in whatever process holds it.

Each socket is opened as one or more principals — who it was authorised as: a participant, a
facilitator's session and account. A write that takes a right away (a participant forgotten or
removed, a facilitator signing out or changing their password, a workshop deleted) says so with
`on_commit`: once it commits, one message goes to the workshop's group on the channel layer,
the group each process with a screen of the workshop has joined once (workshop.live.fanout),
and every process closes its sockets held by that principal with CLOSE_REVOKED.

A message lost with Redis costs nothing lasting: the layer then closes every socket that may
have missed something (workshop.channel_layer), and a socket that reconnects is authorised
afresh.
"""

import hashlib
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from workshop.live.fanout import REVOKE, group

logger = logging.getLogger(__name__)

# Application close codes (4000-4999), which the browser does not retry (static/js/live.js).
CLOSE_REVOKED = 4403  # the person lost the right to this screen: final
CLOSE_REPLACED = 4409  # the same phone or session opened a newer socket: this one makes way


def participant(participant_id: int) -> str:
    return f"participant:{participant_id}"


def user(user_id: int) -> str:
    return f"user:{user_id}"


def session(session_key: str) -> str:
    """A session, by a digest of its key: the key signs someone in, so it never travels."""
    return "session:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def on_commit(workshop_ids: Iterable[int], principal: str | None = None) -> None:
    """Once the current transaction commits, the sockets of `principal` in these workshops are
    closed (every socket of the workshops when `principal` is None)."""
    workshop_ids = list(workshop_ids)
    if workshop_ids:
        transaction.on_commit(lambda: _send(workshop_ids, principal), robust=True)


def _send(workshop_ids: list[int], principal: str | None) -> None:
    layer = get_channel_layer()
    for workshop_id in workshop_ids:
        message = {
            "type": REVOKE,
            "workshop": workshop_id,
            "principal": principal,
            "code": CLOSE_REVOKED,
        }
        try:
            async_to_sync(layer.group_send)(group(workshop_id), message)
        except Exception as error:  # the layer is down: it closes its sockets itself
            logger.warning("Could not close the sockets of %s (%s).", principal, error)
