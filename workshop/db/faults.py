"""A database that cannot save — the disk is full, or the database is read-only — told apart
from one that is busy for a moment.

Both come to Django as a DatabaseError, like a lock held too long, but they do not pass by
themselves: the operator must be told, once, and people that their words wait on their phone.
"""

import logging
import threading

logger = logging.getLogger("workshop.storage")

DISK_FULL = "disk full"
READ_ONLY = "database is read-only"

# SQLite's result codes (Python's sqlite3 names them) and PostgreSQL's SQLSTATEs.
_SQLITE = {"SQLITE_FULL": DISK_FULL, "SQLITE_READONLY": READ_ONLY}
_POSTGRES = {"53100": DISK_FULL, "25006": READ_ONLY}


def storage_failure(error: BaseException) -> str | None:
    """DISK_FULL or READ_ONLY when the database refused to save for lack of space or of the
    right to write; None for anything else (a busy lock, a lost connection)."""
    cause = error.__cause__ or error
    name = getattr(cause, "sqlite_errorname", "") or ""
    for prefix, kind in _SQLITE.items():
        if name.startswith(prefix):  # SQLITE_READONLY_DBMOVED and the like too
            return kind
    return _POSTGRES.get(getattr(cause, "sqlstate", None) or "")


class StorageAlarm:
    """Says once that saving fails, and once that it works again: not once per request."""

    def __init__(self):
        self._lock = threading.Lock()
        self.failing: str | None = None

    def failed(self, kind: str, error: BaseException) -> None:
        with self._lock:
            if self.failing == kind:
                return
            self.failing = kind
        logger.error("Cannot save: %s (%s). Pages are still served; posts wait on phones.",
                     kind, error)  # fmt: skip

    def worked(self) -> None:
        if self.failing is None:  # the common case, without taking the lock
            return
        with self._lock:
            if self.failing is None:
                return
            self.failing = None
        logger.warning("Saving works again.")


alarm = StorageAlarm()
