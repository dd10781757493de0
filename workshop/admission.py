"""Graceful overload: a bound on the requests one server process works on at once.

When phones arrive faster than the server can serve them — a thousand people scanning the QR
code in the same minute — the excess is answered at once, "busy, retrying" (503 with a
Retry-After), instead of waiting in line until it times out. Phones retry with jitter
(static/js/live.js) and nothing they typed is lost. The facilitator's screens (console,
projector, remote, results) have room of their own: whatever the phones do, the people
running the room are served.

An ASGI middleware in front of Django: a refusal costs a fraction of a request through it.
"""

import asyncio
import json
import random
from collections import deque
from functools import lru_cache
from urllib.parse import parse_qsl

from django.conf import settings
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

# The facilitator's and organizer's screens, and the projector: never queued behind phones.
STAFF_PREFIXES = ("/f/", "/p/", "/o/", "/r/", "/admin/")
# Liveness and readiness answer whatever the load: that is what they are asked for.
ALWAYS = ("/livez", "/healthz")
RETRY_AFTER = (1, 4)  # seconds, drawn for each refusal: phones come back spread out
FORM_LIMIT = 64 * 1024  # a form this big is not a phone's: refused without its fields


class Places:
    """Room for `size` requests at once, and a short line for as many more, each waiting at
    most `patience` seconds: a burst is smoothed out, an overload refused at once."""

    def __init__(self, size: int, patience: float):
        self.size, self.patience = size, patience
        self.taken = 0
        self.line: deque[asyncio.Future] = deque()

    async def take(self) -> bool:
        if self.taken < self.size:
            self.taken += 1
            return True
        if len(self.line) >= self.size or self.patience <= 0:
            return False
        turn = asyncio.get_running_loop().create_future()
        self.line.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.patience)
        except TimeoutError:
            if turn.done():  # handed a place as it gave up: give it on
                self.give_back()
            else:
                self.line.remove(turn)
                turn.cancel()
            return False
        return True

    def give_back(self) -> None:
        while self.line:
            turn = self.line.popleft()
            if not turn.done():
                turn.set_result(None)  # the place goes straight to the next in line
                return
        self.taken -= 1


class Admission:
    def __init__(self, app, *, phones: int | None = None, staff: int | None = None):
        self.app = app
        patience = settings.ADMISSION_PATIENCE
        self.places = {
            "phones": Places(phones or settings.MAX_PHONE_REQUESTS, patience),
            "staff": Places(staff or settings.MAX_FACILITATOR_REQUESTS, patience),
        }

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in ALWAYS:
            return await self.app(scope, receive, send)
        kind = "staff" if scope["path"].startswith(STAFF_PREFIXES) else "phones"
        places = self.places[kind]
        if not await places.take():
            return await refuse(scope, receive, send)
        try:
            return await self.app(scope, receive, send)
        finally:
            places.give_back()


async def refuse(scope, receive, send) -> None:
    headers = dict(scope.get("headers", []))
    retry_after = random.randint(*RETRY_AFTER)  # noqa: S311 - spreading retries, not a secret
    language = _language(headers.get(b"accept-language", b"").decode("latin-1"))
    if b"application/json" in headers.get(b"accept", b""):
        body, content_type = _json_body(language), b"application/json"
    elif scope.get("method") == "GET":
        body, content_type = _page_body(language, retry_after), b"text/html; charset=utf-8"
    else:
        fields = await _form_fields(headers, receive)
        joining = scope["path"].startswith("/j/")
        body = _form_body(language, retry_after, _path(scope), fields, joining=joining)
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _language(accept_language: str) -> str:
    for code, _quality in translation.trans_real.parse_accept_lang_header(accept_language):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


@lru_cache(maxsize=64)
def _json_body(language: str) -> bytes:
    with translation.override(language):
        message = _("The room is busy for a moment. Nothing was lost: trying again…")
    return json.dumps({"error": message, "retry": True, "busy": True}).encode()


def _path(scope) -> str:
    query = scope.get("query_string", b"").decode("latin-1")
    return scope["path"] + (f"?{query}" if query else "")


async def _form_fields(headers, receive) -> list[tuple[str, str]]:
    """What a plain form post sent (a join, a takeaway typed without JavaScript), so that the
    busy page can send it again: nothing typed is lost."""
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
    body, more = b"", True
    while more and len(body) <= FORM_LIMIT:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if content_type != b"application/x-www-form-urlencoded" or len(body) > FORM_LIMIT:
        return []
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)


def _shell(language: str, head, main) -> bytes:
    html = format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">{}'
        '<link rel="stylesheet" href="{}"></head>'
        '<body class="phone"><main id="main" class="phone-main phone-main--narrow">{}</main>'
        "</body></html>",
        language,
        head,
        static("css/app.css"),
        main,
    )
    return html.encode()


@lru_cache(maxsize=64)
def _page_body(language: str, refresh: int) -> bytes:
    """A page that was asked for loads itself again after Retry-After."""
    with translation.override(language):
        title = _("The room is busy, retrying…")
        lead = _("Many people are joining at once. This page tries again by itself.")
        head = format_html(
            '<meta http-equiv="refresh" content="{}"><title>{}</title>', refresh, title
        )
        main = format_html(
            '<h1 class="page-title" role="status">{}</h1><p class="lead">{}</p>', title, lead
        )
    return _shell(language, head, main)


def _form_body(language: str, retry_after: int, path: str, fields, *, joining: bool) -> bytes:
    """A form that was sent comes back ready to go again: by itself after Retry-After
    (static/js/busy.js), or at a tap."""
    with translation.override(language):
        if joining:
            title = _("The room is busy, joining…")
        else:
            title = _("The room is busy, sending again in a moment…")
        lead = _("Many people are here at once. What you sent is kept, and goes again by itself.")
        again = _("Try again now")
    hidden = format_html_join(
        "", '<input type="hidden" name="{}" value="{}">', ((name, value) for name, value in fields)
    )
    head = format_html(
        '<title>{}</title><script src="{}" defer></script>', title, static("js/busy.js")
    )
    main = format_html(
        '<h1 class="page-title" role="status">{}</h1><p class="lead">{}</p>'
        '<form method="post" action="{}" data-retry-after="{}">{}'
        '<button class="button button--primary button--block" type="submit">{}</button></form>',
        title,
        lead,
        path,
        retry_after,
        hidden,
        again,
    )
    return _shell(language, head, main)
