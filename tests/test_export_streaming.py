"""A big workshop's downloads stream: read in chunks, sent a batch at a time, never held whole,
and their cost in queries does not grow with their rows."""

import asyncio
import csv
import io
import json

import openpyxl
import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workshop import exports, services
from workshop.handler import STREAM_BATCH_BYTES, OneHopASGIHandler
from workshop.models import Takeaway

BIG = 2000  # rows of ~150 bytes: several batches


def add_takeaways(workshop, count):
    """As many takeaways as a long day of a big room posts, written at once."""
    participant = services.join(workshop, workshop.tables.first(), "Anna")
    activity = workshop.current_activity
    Takeaway.objects.bulk_create(
        Takeaway(
            workshop=workshop,
            activity=activity,
            table=participant.table,
            author=participant,
            text=f"Takeaway number {n}, long enough to be a real sentence about coaching.",
        )
        for n in range(count)
    )


def csv_rows(body: bytes):
    return list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))


def sign_in(client, facilitator, workshop, who):
    if who == "organizer":
        facilitator = services.grant_access(facilitator, workshop, "buyer@example.com").user
    client.force_login(facilitator)
    return f"/{who[0]}/w/{workshop.pk}/takeaways.csv"


@pytest.mark.parametrize("who", ["facilitator", "organizer"])
def test_the_csv_download_streams(client, facilitator, workshop, who):
    add_takeaways(workshop, 30)
    response = client.get(sign_in(client, facilitator, workshop, who))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    hidden_too = who == "facilitator"
    assert body == exports.takeaways_csv(workshop, include_hidden=hidden_too).encode()
    rows = csv_rows(body)
    assert len(rows) == 31
    assert rows[1][5].startswith("Takeaway number 0,")


PARTS = {
    "csv": exports.takeaways_csv_lines,
    "xlsx": exports.takeaways_xlsx_parts,
    "json": exports.workshop_json_parts,
}


def queries_to_stream(workshop, kind):
    with CaptureQueriesContext(connection) as queries:
        for _part in PARTS[kind](workshop):
            pass
    return len(queries)


@pytest.mark.parametrize("kind", PARTS)
def test_the_queries_of_a_download_do_not_grow_with_its_rows(workshop, kind):
    add_takeaways(workshop, 5)
    few = queries_to_stream(workshop, kind)
    add_takeaways(workshop, 1200)  # more than one chunk of the iterator
    assert queries_to_stream(workshop, kind) == few


@pytest.mark.parametrize("who", ["facilitator", "organizer"])
def test_the_json_and_excel_downloads_stream_and_read_back_whole(
    client, facilitator, workshop, who
):
    add_takeaways(workshop, 1200)
    csv_path = sign_in(client, facilitator, workshop, who)
    for name in ("workshop.json", "takeaways.xlsx"):
        response = client.get(csv_path.replace("takeaways.csv", name))
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Disposition"].startswith("attachment")
        body = b"".join(response.streaming_content)
        if name.endswith(".json"):
            data = json.loads(body)
            # Written a value at a time, and still exactly what json.dumps makes of the whole.
            assert body.decode() == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            texts = [t["text"] for t in data["takeaways"]]
        else:
            book = openpyxl.load_workbook(io.BytesIO(body))
            texts = [row[2] for row in book[book.sheetnames[1]].iter_rows(values_only=True)][1:]
        assert len(texts) == 1200
        assert texts[0].startswith("Takeaway number 0,")


async def fetch_in_batches(app, path, cookie):
    """The response's body messages, and for each how often the event loop turned before it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    turns = 0

    async def count_turns():
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    async def noting_turns(scope, receive, send):
        async def send_noting(message):
            await send({**message, "turns": turns})

        await app(scope, receive, send_noting)

    counter = asyncio.ensure_future(count_turns())
    communicator = ApplicationCommunicator(noting_turns, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=30)
    bodies = []
    while True:
        message = await communicator.receive_output(timeout=30)
        bodies.append((message.get("body", b""), message["turns"]))
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=30)
    counter.cancel()
    return start, bodies


@pytest.mark.django_db(transaction=True)
async def test_a_big_csv_is_sent_in_batches_with_the_event_loop_turning_between_them(
    client, facilitator, workshop
):
    await sync_to_async(add_takeaways)(workshop, BIG)
    path = await sync_to_async(sign_in)(client, facilitator, workshop, "facilitator")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    expected = await sync_to_async(exports.takeaways_csv)(workshop)

    start, bodies = await fetch_in_batches(OneHopASGIHandler(), path, cookie)

    assert start["status"] == 200
    body = b"".join(chunk for chunk, _turns in bodies)
    assert body == expected.encode()
    sent = [(chunk, turns) for chunk, turns in bodies if chunk]
    batches = len(body) // STREAM_BATCH_BYTES
    assert batches >= 3
    assert len(sent) >= batches  # never all at once
    # Each batch was made while the loop was free to do other work: it turned between them.
    assert len({turns for _chunk, turns in sent}) >= batches


def test_an_empty_workshops_json_is_still_what_json_dumps_makes(workshop):
    body = exports.workshop_json(workshop)
    data = json.loads(body)
    assert (data["takeaways"], data["votes"]) == ([], [])
    assert body == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
