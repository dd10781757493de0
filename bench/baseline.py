"""The baseline: the least a server can do for the same work, with the `websockets` library.

No Django, no database, no templates: it keeps the sockets in sets and forwards what it is
given. It answers the same kinds of request as the app (a join page, a join, a post, a change
of activity, sockets for phones and projectors), with the same listen backlog, and one more:
/send, a small message to every phone (what a vote costs at the least). The websockets
library only reads GET requests, so its join and post are GETs with a query string.

Run: python bench/baseline.py PORT
"""

import asyncio
import json
import sys
import uuid
from collections import defaultdict
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import broadcast, serve
from websockets.datastructures import Headers
from websockets.http11 import Response

LISTEN_BACKLOG = 1024  # as the app's runworkshop command

projectors = set()
phones_by_table = defaultdict(set)
revision = 0


def _response(status, body=b"", content_type="text/html; charset=utf-8", extra=()):
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body)))])
    for name, value in extra:
        headers[name] = value
    return Response(status.value, status.phrase, headers, body)


def _message(content: str) -> str:
    global revision
    revision += 1
    return json.dumps({"revision": revision, "content": content})


JOIN_PAGE = (
    b"<!doctype html><title>Join</title><form method=get action=/join>"
    b"<input name=name><input name=table><button>Join</button></form>"
)


def _everyone() -> set:
    """Every phone connected."""
    phones = set()
    for members in phones_by_table.values():
        phones |= members
    return phones


def process_request(connection, request):
    url = urlsplit(request.path)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    if url.path.startswith("/ws/"):
        return None  # a WebSocket: handled by `handler`
    if url.path == "/j/":
        return _response(HTTPStatus.OK, JOIN_PAGE, extra=[("Set-Cookie", "csrftoken=x")])
    if url.path == "/join":
        session = uuid.uuid4().hex
        return _response(
            HTTPStatus.FOUND,
            extra=[("Location", "/w/"), ("Set-Cookie", f"sessionid={session}")],
        )
    if url.path == "/post":
        text = query.get("text", "")
        table = query.get("table", "1")
        message = _message(f'<li id="t{revision}">{text}</li>')
        broadcast(projectors | phones_by_table[table], message)
        return _response(HTTPStatus.OK, b'{"ok": true}', "application/json")
    if url.path == "/send":
        # A small change every phone shows (a vote count, say): one short message to each.
        message = _message('<hx-partial hx-target="#count-1" hx-swap="innerHTML">3</hx-partial>')
        broadcast(_everyone(), message)
        return _response(HTTPStatus.OK, b'{"ok": true}', "application/json")
    if url.path == "/step":
        board = f'<div id="board">{query.get("title", "")}</div>'
        message = _message(
            f'<hx-partial hx-target="#board" hx-swap="outerHTML">{board}</hx-partial>'
        )
        broadcast(_everyone() | projectors, message)
        return _response(HTTPStatus.OK, b'{"ok": true}', "application/json")
    return _response(HTTPStatus.NOT_FOUND, b"not found")


async def handler(websocket):
    path = urlsplit(websocket.request.path).path
    if path.startswith("/ws/projector"):
        members = projectors
    else:
        members = phones_by_table[path.rstrip("/").rsplit("/", 1)[-1]]
    members.add(websocket)
    try:
        await websocket.send(_message(""))  # as the app's catch-up on connect
        async for _ in websocket:
            pass  # browsers never change state through a socket
    finally:
        members.discard(websocket)


async def main(port: int):
    async with serve(
        handler, "127.0.0.1", port, process_request=process_request, backlog=LISTEN_BACKLOG
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
