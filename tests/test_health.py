"""/healthz: 200 only when the database (and Redis, when configured) answers; else 503 naming it."""

import asyncio
import socket
import subprocess
import sys

import pytest
from django.conf import settings

from tests.server_process import ROOT
from workshop.admission import Admission
from workshop.asgi import django_asgi_app

# The whole ASGI application, in a process of its own with the settings given, asked once.
ASK_HEALTHZ = """
import asyncio
import django

django.setup()
from workshop.asgi import application


async def main():
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/healthz", "query_string": b"",
             "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 50000)}
    await application(scope, receive, send)
    print(sent[0]["status"])
    print(sent[1]["body"].decode(), end="")


asyncio.run(main())
"""


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz_in_a_process(tmp_path, **environment):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "workshop.settings",
        "DATA_DIR": str(tmp_path),
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", ASK_HEALTHZ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, *lines = result.stdout.splitlines()
    return int(status), lines


@pytest.mark.django_db
def test_healthz_answers_200_when_what_the_app_needs_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines == ["database: ok", *(["redis: ok"] if settings.REDIS_URL else [])]
    assert "Set-Cookie" not in response.headers  # no session
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_503_naming_the_database_when_it_does_not_answer(tmp_path):
    status, lines = healthz_in_a_process(
        tmp_path,
        DATABASE_URL=f"postgres://workshop@127.0.0.1:{closed_port()}/workshop",
        DB_POOL_TIMEOUT="1",
    )
    assert status == 503
    assert lines == ["database: failed (OperationalError)"]


def test_healthz_answers_503_naming_redis_when_it_does_not_answer(tmp_path):
    status, lines = healthz_in_a_process(tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert status == 503
    assert lines == ["database: ok", "redis: failed (ConnectionError)"]


@pytest.mark.django_db(transaction=True)
async def test_healthz_is_answered_when_every_place_for_requests_is_taken():
    admission = Admission(django_asgi_app, phones=1, staff=1)
    for places in admission.places.values():
        places.patience = 0
        assert await places.take()  # every request from now on would be told "busy"
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    def scope(path):
        return {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": [(b"host", b"localhost")],
            "client": ("127.0.0.1", 50000),
        }

    await admission(scope("/j/"), receive, send)
    assert sent[0]["status"] == 503
    sent.clear()
    await asyncio.wait_for(admission(scope("/healthz"), receive, send), 10)
    assert sent[0]["status"] == 200
