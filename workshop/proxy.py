"""Who is asking, and over which scheme, when a proxy may stand in between.

A request from nginx says, in X-Forwarded-For and X-Forwarded-Proto, which address the browser
has and whether it used https. Anybody can send those headers, so they are believed only from a
direct peer listed in TRUSTED_PROXIES, and the browser's address is then the right-most entry of
X-Forwarded-For that is not itself a trusted proxy: each proxy appends the address it was
reached from, and the entries left of that one are whatever the browser chose to send. From any
other peer the headers are dropped, and the peer is who is asking.

Either way the headers leave the scope here: what they said, once checked, is in
scope["client"] and scope["scheme"], which Django (REMOTE_ADDR, is_secure, the https redirect,
CSRF) and the WebSocket origin check read, and nothing behind this can read an unchecked value.
An ASGI middleware in front of Django and Channels, in place of Daphne's --proxy-headers, which
believes these headers from anyone.
"""

import ipaddress

from django.conf import settings

FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"
# Dropped whoever sends them: the app reads none of them, and nothing behind this should.
FORWARDED = (FORWARDED_FOR, FORWARDED_PROTO, b"x-forwarded-host", b"x-forwarded-port")
SCHEMES = {
    "http": {"https": "https", "http": "http"},
    "websocket": {"https": "wss", "http": "ws"},
}


class TrustedProxies:
    def __init__(self, app, trusted=None):
        self.app = app
        self.trusted = tuple(settings.TRUSTED_PROXIES if trusted is None else trusted)

    async def __call__(self, scope, receive, send):
        if scope["type"] in SCHEMES:
            scope = self.resolve(scope)
        return await self.app(scope, receive, send)

    def resolve(self, scope) -> dict:
        """The scope as the browser's request: its address and scheme, without the headers."""
        headers = scope.get("headers", [])
        if not any(name in FORWARDED for name, _value in headers):
            return scope  # the common case, and all of embedded mode: nothing to check
        resolved = {**scope, "headers": [h for h in headers if h[0] not in FORWARDED]}
        client = scope.get("client")
        if not client or not self.is_trusted(client[0]):
            return resolved
        forwarded_for = _entries(headers, FORWARDED_FOR)
        if address := self.client_address(forwarded_for):
            resolved["client"] = (address, 0)  # the browser's port is not forwarded
        # The nearest proxy's word: nginx's `X-Forwarded-Proto $scheme` replaces any the
        # browser sent, and a proxy that appends puts its own last.
        proto = _entries(headers, FORWARDED_PROTO)
        scheme = SCHEMES[scope["type"]].get(proto[-1].lower()) if proto else None
        if scheme:
            resolved["scheme"] = scheme
        return resolved

    def client_address(self, forwarded_for: list[str]) -> str | None:
        """The right-most address that is not a trusted proxy; the left-most if all are."""
        address = None
        for entry in reversed(forwarded_for):
            address = _address(entry)
            if address is None:
                return None  # only a misconfigured proxy sends this: keep the peer
            if not self.is_trusted(address):
                return address
        return address

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 from a dual-stack socket
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.trusted)


def _entries(headers, name: bytes) -> list[str]:
    """A list header's entries, across repeated header lines, in order."""
    values = [value.decode("latin-1") for key, value in headers if key == name]
    return [entry.strip() for entry in ",".join(values).split(",") if entry.strip()]


def _address(entry: str) -> str | None:
    """An X-Forwarded-For entry as an address: 203.0.113.7, [2001:db8::7]:443, 203.0.113.7:80."""
    host = entry
    if entry.startswith("["):
        host = entry[1:].partition("]")[0]
    elif entry.count(":") == 1:
        host = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
