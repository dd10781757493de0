"""SQLite's connections outlive a request: each request's thread takes one from a small pool."""

import threading

import pytest
from django.db.utils import ConnectionHandler

from workshop.db.base import POOL_SIZE, close_pooled_connections


@pytest.fixture(autouse=True)
def own_database_files(django_db_blocker):
    """These tests open SQLite files of their own, not the test database."""
    with django_db_blocker.unblock():
        yield
    close_pooled_connections()


def handler(path):
    return ConnectionHandler(
        {
            "default": {
                "ENGINE": "workshop.db",
                "NAME": str(path),
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
            }
        }
    )


def in_a_thread_of_its_own(path, work):
    """As each ASGI request runs: a new thread, its own Django connection, closed at the end."""
    result = {}

    def request():
        connection = handler(path)["default"]
        try:
            result["value"] = work(connection)
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()  # as long as it takes on a busy machine; the suite's timeout bounds it
    return result["value"]


def test_requests_in_new_threads_reuse_one_open_sqlite_connection(tmp_path):
    def raw_connection(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return connection.connection

    first = in_a_thread_of_its_own(tmp_path / "db.sqlite3", raw_connection)
    for _ in range(5):
        assert in_a_thread_of_its_own(tmp_path / "db.sqlite3", raw_connection) is first


def test_a_pooled_connection_starts_without_the_last_requests_transaction(tmp_path):
    path = tmp_path / "db.sqlite3"

    def create(connection):
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE note (text TEXT)")

    def abandon_a_write(connection):
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES ('never committed')")
        # The request ends without a commit, as one that failed halfway would.

    def count(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note")
            return cursor.fetchone()[0]

    in_a_thread_of_its_own(path, create)
    in_a_thread_of_its_own(path, abandon_a_write)
    assert in_a_thread_of_its_own(path, count) == 0


def test_the_pool_keeps_a_bounded_number_of_connections(tmp_path):
    path = tmp_path / "db.sqlite3"

    def at_once(count):
        """`count` requests holding a connection at the same time; their raw connections."""
        barrier = threading.Barrier(count)
        seen = []

        def hold(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            barrier.wait()  # until all of them hold one, however slowly they start
            seen.append(connection.connection)

        threads = [
            threading.Thread(target=in_a_thread_of_its_own, args=(path, hold)) for _ in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return seen

    # Both lists stay alive, so that no id() is reused by a later object.
    first, second = at_once(POOL_SIZE + 3), at_once(POOL_SIZE + 3)
    first_ids, second_ids = {id(c) for c in first}, {id(c) for c in second}
    assert len(first_ids) == len(second_ids) == POOL_SIZE + 3
    # The pool kept POOL_SIZE of the first burst open; the others were closed.
    assert len(first_ids & second_ids) == POOL_SIZE


@pytest.mark.django_db(transaction=True)
def test_a_database_that_refuses_to_write_is_told_apart_from_a_busy_one():
    """PostgreSQL's read-only refusal as it really comes (SQLite's: tests/test_storage_faults)."""
    from django.db import DatabaseError, connection, transaction

    from workshop.db.faults import READ_ONLY, storage_failure
    from workshop.models import User

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's refusal; make test's second pass runs it")
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        User.objects.create_user("nobody@example.com", "x")
    assert storage_failure(refused.value) == READ_ONLY
