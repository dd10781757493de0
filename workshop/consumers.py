"""WebSocket consumers: thin. They check who is asking, catch the screen up, and join this
process's fan-out (workshop.live.fanout), which hands them what they must show.

State never changes through a socket: a message from a browser is ignored.
"""

from urllib.parse import parse_qs, urlsplit

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import translation

from workshop import access, languages, live
from workshop.live import fanout, revoke
from workshop.models import Workshop
from workshop.queries import unique_or_none

# Close codes in the application range: the browser's client does not retry them.
CLOSE_FORBIDDEN_ORIGIN = 4003
CLOSE_NOT_ALLOWED = 4004
# A message from a browser longer than MAX_CLIENT_MESSAGE: 1009's twin in the application range,
# which is all an application may send through Daphne (autobahn refuses 1009 from us). A message
# in one frame, as browsers send, never gets here: Daphne drops the connection at the frame's
# header (runworkshop's --websocket-max-frame-size).
CLOSE_MESSAGE_TOO_BIG = 4009
# The app reads nothing from browsers; a few KiB is more than any legitimate message.
MAX_CLIENT_MESSAGE = 4 * 1024


DEFAULT_PORTS = {"http": 80, "https": 443}
# The scheme of the page that may open a socket served over each WebSocket scheme.
PAGE_SCHEMES = {"ws": "http", "wss": "https"}


def same_origin(scope) -> bool:
    """The page that opened the socket was served by this site: same scheme, host and port (a
    CSRF check for sockets). An http:// page must not listen to a site served over https, nor
    the other way round. The socket's scheme is the browser's, from the trusted proxy
    (workshop/proxy.py)."""
    from django.conf import settings

    headers = dict(scope.get("headers", []))
    origin = headers.get(b"origin", b"").decode("latin-1")
    host = headers.get(b"host", b"").decode("latin-1")
    if not origin or not host:
        return False
    domain, _port = split_domain_port(host)
    if not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    site = _origin_of(PAGE_SCHEMES.get(scope.get("scheme", "ws"), ""), host)
    return site is not None and _origin_of(*_scheme_and_netloc(origin)) == site


def _scheme_and_netloc(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _origin_of(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in; None if not a web origin."""
    if scheme not in DEFAULT_PORTS or not netloc or "@" in netloc:
        return None
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:  # not a port number
        return None
    return scheme, parts.hostname or "", port


def scope_cookies(scope) -> dict[str, str]:
    headers = dict(scope.get("headers", []))
    return parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))


def requested_revision(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", [None])
    return live.parse_revision(values[0])


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel of its own on the channel layer: the process's fan-out delivers to it.
    channel_layer_alias = None

    joined = None  # (workshop id, audience key) once in the fan-out
    # Who the socket was authorised as (workshop.live.revoke), set by `position`: a socket is
    # closed when one of them loses the right to it. The first is the phone or session, which
    # keeps only its newest SOCKETS_PER_DEVICE sockets.
    principals: tuple[str, ...] = ()

    async def dispatch(self, message):
        # As channels' own, without closing stale database connections before every event:
        # the only database work here goes through database_sync_to_async, which does that.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        # Accept first: a socket refused during the handshake makes browsers retry forever,
        # while a close code after accepting says why and stops them.
        await self.accept()
        if not same_origin(self.scope):
            await self.close(code=CLOSE_FORBIDDEN_ORIGIN)
            return
        found = await database_sync_to_async(self.catch_up)(requested_revision(self.scope))
        if found is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        workshop_id, feed, revision, text = found
        self.joined = (workshop_id, feed)
        here = fanout.here()
        await here.join(self, workshop_id, feed, revision, self.principals)
        if self.principals:
            # A phone or a session holds a few screens, not fifty that all hear every post.
            device, keep = self.principals[0], settings.SOCKETS_PER_DEVICE
            await here.keep_newest(workshop_id, device, keep, revoke.CLOSE_REPLACED)
        await self.send(text_data=text)

    def catch_up(self, after: int | None):
        """(workshop id, its feed, the revision it reaches, first message) for the person
        asking, or None to refuse: finding them says where their screen stands, so an
        up-to-date screen costs one query. In the language of its page, which the workshop's
        changes are rendered in from now on (workshop.languages)."""
        position = self.position()  # outside any transaction: reads never wait for a writer
        if position is None:
            return None
        workshop, audience = position.stage.workshop, position.audience
        language = self.language(workshop)
        if audience.kind != live.PROJECTOR:  # the projector's is the workshop's own
            languages.record(workshop, audience.kind, language)
        with translation.override(language):
            text = live.catch_up_from(position, after)
        return workshop.pk, audience.feed(language), position.revision, text

    def position(self) -> live.Position | None:
        raise NotImplementedError

    def language(self, workshop: Workshop) -> str:
        """The language of the page that opened the socket (`?lang=`, workshop.languages)."""
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("lang", [])
        return languages.supported(values[0] if values else None) or languages.default()

    async def disconnect(self, code):
        if self.joined is not None:
            await fanout.here().leave(self, *self.joined)
            self.joined = None

    async def receive(self, text_data=None, bytes_data=None):
        # Ignored (state never changes through a socket), but not without bound: a message
        # sent in many small frames reaches here whole, buffered by Daphne up to 1 MiB.
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_CLIENT_MESSAGE:
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)


class ProjectorConsumer(LiveConsumer):
    def position(self):
        key = self.scope["url_route"]["kwargs"]["key"]
        workshop = unique_or_none(
            Workshop.objects.select_related("current_activity").filter(projector_key=key)
        )
        return (
            None
            if workshop is None
            else live.Position.of_staff(live.Audience.projector(), workshop)
        )

    def language(self, workshop):
        return languages.of_projector(workshop)  # the facilitator's choice, whatever the page's


class ConsoleConsumer(LiveConsumer):
    def position(self):
        user = self.scope.get("user")
        workshop_id = self.scope["url_route"]["kwargs"]["workshop_id"]
        if user is None or not user.is_authenticated:
            return None
        workshop = unique_or_none(
            Workshop.objects.select_related("current_activity").filter(
                pk=workshop_id, facilitator=user
            )
        )
        self.principals = (revoke.session(self.scope["session"].session_key), revoke.user(user.pk))
        return (
            None if workshop is None else live.Position.of_staff(live.Audience.console(), workshop)
        )


class PhoneConsumer(LiveConsumer):
    def position(self):
        code = self.scope["url_route"]["kwargs"]["code"]
        participant = access.phone_participant(scope_cookies(self.scope), code)
        if participant is None:
            return None
        participant.table.workshop = participant.workshop
        self.principals = (revoke.participant(participant.pk),)
        return live.Position.of_table(participant.table)
