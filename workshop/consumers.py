"""WebSocket consumers: thin. They check who is asking, join one group, catch up, forward.

State never changes through a socket: a message from a browser is ignored.
"""

from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import parse_cookie
from django.http.request import split_domain_port, validate_host

from workshop import access, live
from workshop.models import Workshop

# Close codes in the application range: the browser's client does not retry them.
CLOSE_FORBIDDEN_ORIGIN = 4003
CLOSE_NOT_ALLOWED = 4004


def same_origin(scope) -> bool:
    """The page that opened the socket was served by this host (a CSRF check for sockets)."""
    from django.conf import settings

    headers = dict(scope.get("headers", []))
    origin = headers.get(b"origin", b"").decode("latin-1")
    host = headers.get(b"host", b"").decode("latin-1")
    if not origin or not host:
        return False
    origin_host = urlsplit(origin).netloc
    domain, _port = split_domain_port(host)
    return origin_host == host and validate_host(domain, settings.ALLOWED_HOSTS)


def scope_cookies(scope) -> dict[str, str]:
    headers = dict(scope.get("headers", []))
    return parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))


def requested_revision(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", [None])
    return live.parse_revision(values[0])


class LiveConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        # Accept first: a socket refused during the handshake makes browsers retry forever,
        # while a close code after accepting says why and stops them.
        await self.accept()
        if not same_origin(self.scope):
            await self.close(code=CLOSE_FORBIDDEN_ORIGIN)
            return
        found = await database_sync_to_async(self.authorise)()
        if found is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        workshop_id, audience = found
        self.live_group = audience.group(workshop_id)
        # Join before reading, so a change committed in between arrives at least once.
        await self.channel_layer.group_add(self.live_group, self.channel_name)
        text = await database_sync_to_async(live.catch_up)(
            audience, workshop_id, requested_revision(self.scope)
        )
        await self.send(text_data=text)

    def authorise(self) -> tuple[int, live.Audience] | None:
        """(workshop id, audience) for the person asking, or None to refuse."""
        raise NotImplementedError

    async def disconnect(self, code):
        if group := getattr(self, "live_group", None):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        pass

    async def live_fragment(self, event):
        await self.send(text_data=event["text"])


class ProjectorConsumer(LiveConsumer):
    def authorise(self):
        key = self.scope["url_route"]["kwargs"]["key"]
        workshop_id = (
            Workshop.objects.filter(projector_key=key).values_list("pk", flat=True).first()
        )
        return None if workshop_id is None else (workshop_id, live.Audience.projector())


class ConsoleConsumer(LiveConsumer):
    def authorise(self):
        user = self.scope.get("user")
        workshop_id = self.scope["url_route"]["kwargs"]["workshop_id"]
        if user is None or not user.is_authenticated:
            return None
        if not Workshop.objects.filter(pk=workshop_id, facilitator=user).exists():
            return None
        return workshop_id, live.Audience.console()


class PhoneConsumer(LiveConsumer):
    def authorise(self):
        code = self.scope["url_route"]["kwargs"]["code"]
        participant = access.phone_participant(scope_cookies(self.scope), code)
        if participant is None:
            return None
        return participant.workshop_id, live.Audience.table(participant.table_id)
