"""/healthz: is this process ready to serve a room? For load balancers, nginx and systemd.

200 only when what every request needs answers: the database, and Redis when live updates go
through it (REDIS_URL). Otherwise 503, with one line per dependency saying which one failed, so
that a proxy stops sending phones here until it is back. /livez (workshop/urls.py) is the other
probe: the process is alive, whatever its dependencies say — restart it only when that fails.

Cheap, as a probe asked every few seconds must be: no session, no template, one query. The
admission control lets it through whatever the load (workshop/admission.py, ALWAYS).
"""

import logging
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# A probe must answer before the load balancer gives up on it (often 5 s).
REDIS_TIMEOUT = 2


def healthz(request):
    results = {"database": _failure("database", _check_database)}
    if settings.REDIS_URL:
        results["redis"] = _failure("redis", _check_redis)
    lines = [f"{name}: {failure or 'ok'}" for name, failure in results.items()]
    healthy = not any(results.values())
    response = HttpResponse(
        "\n".join(lines) + "\n",
        status=200 if healthy else 503,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def _failure(name: str, check) -> str | None:
    """None when the check passes; else a short word for the probe, the details in the log
    (an error's text may name hosts and users, and /healthz may be public)."""
    try:
        check()
    except Exception as error:
        logger.warning("Health check: the %s failed: %s", name, error)
        return f"failed ({type(error).__name__})"
    return None


def _check_database() -> None:
    # Through Django's connection, as a request's: the pool, its timeout, its replaced
    # connections after a restart (DB_POOL_TIMEOUT bounds how long this may take).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    _redis_client(settings.REDIS_URL).ping()


@lru_cache(maxsize=1)
def _redis_client(url: str) -> redis.Redis:
    # One client, and so one small connection pool, per process: redis-py's is thread-safe.
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
