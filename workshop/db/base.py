"""SQLite whose connections outlive a request: Django's own backend, with a small pool.

Under ASGI every request runs in a thread of its own, and Django's connections are per thread,
so each request used to open the database file and close it again. Closing the last connection
to a WAL database checkpoints it (four fsyncs per post, measured), which alone capped one file
at about fifty writes a second. Like Django's PostgreSQL pool, a closed connection goes back to
the pool here instead, and the next request takes it: the file is opened a handful of times in
a process's life.

Use it as ENGINE "workshop.db" with the sqlite3 backend's settings.
"""

import threading

from django.db.backends.sqlite3 import base

# Connections kept open per database file: as many as requests that run at once, typically.
POOL_SIZE = 8

_pools: dict[str, list] = {}
_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        with _lock:
            idle = _pools.setdefault(self._pool_key(), [])
            if idle:
                return idle.pop()
        return super().get_new_connection(conn_params)

    def _close(self):
        connection = self.connection
        if connection is None:
            return
        if self.is_in_memory_db():
            return super()._close()
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()  # a pooled connection starts clean, as a new one would
        with _lock:
            idle = _pools.setdefault(self._pool_key(), [])
            if len(idle) < POOL_SIZE:
                idle.append(connection)
                return None
        return super()._close()

    def _pool_key(self) -> str:
        return str(self.settings_dict["NAME"])


def close_pooled_connections() -> None:
    """Closes every idle connection (tests that replace the database file use it)."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for idle in pools:
        for connection in idle:
            connection.close()
