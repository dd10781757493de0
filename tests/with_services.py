"""`make test`'s second pass: pytest against PostgreSQL and Redis, when they are reachable.

    .venv/bin/python tests/with_services.py [pytest arguments]

PostgreSQL at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and Redis
at TEST_REDIS_URL (default redis://127.0.0.1:6379/0). When either does not answer, the pass is
skipped with a note; under CI=true that is a failure instead, so CI can never pass without them.

Each run uses names of its own, so two runs on one machine do not meet: pytest-django creates
and drops the database test_workshop_<pid>, and channel-layer keys start with test<pid>.
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis

DATABASE = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unreachable() -> list[str]:
    problems = []
    try:
        with psycopg.connect(DATABASE, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        problems.append(f"PostgreSQL at {DATABASE}: {error}".strip())
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {REDIS}: {error}")
    return problems


def main() -> None:
    if problems := unreachable():
        print("\n".join(["", "Not reachable:", *(f"  {problem}" for problem in problems)]))
        if os.environ.get("CI", "").lower() == "true":
            sys.exit("Under CI=true the PostgreSQL and Redis pass must run: failing.")
        print("Skipping the PostgreSQL and Redis pass (.ci/run starts both).\n")
        return
    name = f"workshop_{os.getpid()}"
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(DATABASE)._replace(path=f"/{name}"))
    os.environ["REDIS_URL"] = REDIS
    os.environ["REDIS_PREFIX"] = f"test{os.getpid()}."
    print(f"\nThe suite against PostgreSQL ({name}) and Redis ({REDIS}):", flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[1:]])  # noqa: S606


if __name__ == "__main__":
    main()
