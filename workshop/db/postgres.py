"""psycopg's pool, testing a connection before lending it only when it sat idle.

Testing every connection as it is lent cost a round trip to PostgreSQL on every request. A
connection that was in use a moment ago is alive; one that sat idle may have died with a
restart of PostgreSQL, and is tested, so that no request meets a dead one.
"""

import time
import weakref

from psycopg_pool import ConnectionPool

IDLE_SECONDS = 5.0

_returned_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def note_return(connection) -> None:
    """The pool's `reset` callback: when the connection came back."""
    _returned_at[connection] = time.monotonic()


def check_if_idle(connection) -> None:
    """The pool's `check` callback: a round trip only for a connection that sat idle."""
    returned = _returned_at.get(connection)
    if returned is None or time.monotonic() - returned > IDLE_SECONDS:
        ConnectionPool.check_connection(connection)
