"""Graceful overload: a bound on the requests one server process works on at once.

When phones arrive faster than the server can serve them — a thousand people scanning the QR
code in the same minute — the excess is answered at once, "busy, retrying" (503 with a
Retry-After), instead of waiting in line until it times out. Phones retry with jitter
(static/js/live.js) and nothing they typed is lost. The facilitator's screens (console,
projector, remote, results) have room of their own: whatever the phones do, the people
running the room are served.

An ASGI middleware in front of Django: a refusal costs a fraction of a request through it.
"""

import json
import random
from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

# The facilitator's and organizer's screens, and the projector: never queued behind phones.
STAFF_PREFIXES = ("/f/", "/p/", "/o/", "/r/", "/admin/")
# Liveness and readiness answer whatever the load: that is what they are asked for.
ALWAYS = ("/livez", "/healthz")
RETRY_AFTER = (1, 4)  # seconds, drawn for each refusal: phones come back spread out


class Admission:
    def __init__(self, app, *, phones: int | None = None, staff: int | None = None):
        self.app = app
        self.limits = {
            "phones": phones or settings.MAX_PHONE_REQUESTS,
            "staff": staff or settings.MAX_FACILITATOR_REQUESTS,
        }
        self.in_flight = {"phones": 0, "staff": 0}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in ALWAYS:
            return await self.app(scope, receive, send)
        kind = "staff" if scope["path"].startswith(STAFF_PREFIXES) else "phones"
        if self.in_flight[kind] >= self.limits[kind]:
            return await refuse(scope, send)
        self.in_flight[kind] += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.in_flight[kind] -= 1


async def refuse(scope, send) -> None:
    headers = dict(scope.get("headers", []))
    retry_after = random.randint(*RETRY_AFTER)  # noqa: S311 - spreading retries, not a secret
    language = _language(headers.get(b"accept-language", b"").decode("latin-1"))
    if b"application/json" in headers.get(b"accept", b""):
        body, content_type = _json_body(language), b"application/json"
    else:
        body = _html_body(language, retry_after if scope.get("method") == "GET" else None)
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


@lru_cache(maxsize=256)
def _html_body(language: str, refresh: int | None) -> bytes:
    """A page of its own, not a template: it must cost nothing to send. A page that was asked
    for (GET) loads itself again after Retry-After; a form sent without JavaScript says to
    send it again."""
    with translation.override(language):
        title = _("The room is busy, retrying…")
        if refresh is not None:
            lead = _("Many people are joining at once. This page tries again by itself.")
        else:
            lead = _("Many people are joining at once. Go back and send it again in a moment.")
        head = (
            format_html('<meta http-equiv="refresh" content="{}">', refresh)
            if refresh is not None
            else ""
        )
        html = format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">{}'
            '<title>{}</title><link rel="stylesheet" href="{}"></head>'
            '<body class="phone"><main id="main" class="phone-main phone-main--narrow">'
            '<h1 class="page-title" role="status">{}</h1><p class="lead">{}</p>'
            "</main></body></html>",
            language,
            head,
            title,
            static("css/app.css"),
            title,
            lead,
        )
    return html.encode()
