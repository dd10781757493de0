"""X-Forwarded-For and X-Forwarded-Proto count only when a trusted proxy sends them."""

import ipaddress

import pytest
from django.test import override_settings

from workshop.handler import OneHopASGIHandler
from workshop.proxy import TrustedProxies

NGINX = "127.0.0.1"
TRUSTED = [ipaddress.ip_network(NGINX), ipaddress.ip_network("10.0.0.0/8")]


async def seen_by_the_app(peer, *headers, kind="http", trusted=TRUSTED):
    """The scope the application behind the middleware gets for a request from `peer`."""
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    scope = {"type": kind, "path": "/j/", "headers": list(headers), "client": (peer, 50000)}
    if kind == "http":
        scope["scheme"] = "http"
    await TrustedProxies(app, trusted=trusted)(scope, None, None)
    return seen[0]


def forwarded_for(value: str):
    return (b"x-forwarded-for", value.encode())


HTTPS = (b"x-forwarded-proto", b"https")


async def test_a_phone_naming_its_own_address_is_not_believed():
    scope = await seen_by_the_app("192.168.1.50", forwarded_for("10.9.9.9"), HTTPS)
    assert scope["client"] == ("192.168.1.50", 50000)
    assert scope["scheme"] == "http"
    assert scope["headers"] == []  # nothing behind can read what was not checked


async def test_without_trusted_proxies_nobody_is_believed():
    scope = await seen_by_the_app(NGINX, forwarded_for("203.0.113.7"), HTTPS, trusted=[])
    assert scope["client"] == (NGINX, 50000)
    assert scope["scheme"] == "http"


async def test_from_the_proxy_the_browser_is_the_right_most_address_it_did_not_make_up():
    # The browser sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    scope = await seen_by_the_app(NGINX, forwarded_for("1.2.3.4, 203.0.113.7"))
    assert scope["client"] == ("203.0.113.7", 0)


async def test_trusted_proxies_in_the_chain_are_skipped():
    # Browser -> load balancer 10.0.0.5 -> nginx on this machine -> app.
    scope = await seen_by_the_app(
        NGINX, forwarded_for("1.2.3.4, 203.0.113.7"), forwarded_for("10.0.0.5")
    )
    assert scope["client"] == ("203.0.113.7", 0)


async def test_a_request_made_by_a_proxy_itself_is_the_proxys():
    scope = await seen_by_the_app(NGINX, forwarded_for("10.0.0.5"))
    assert scope["client"] == ("10.0.0.5", 0)


@pytest.mark.parametrize(
    ("entry", "address"),
    [("[2001:db8::7]:443", "2001:db8::7"), ("203.0.113.7:5123", "203.0.113.7"), ("::1", "::1")],
)
async def test_addresses_with_ports_and_ipv6(entry, address):
    trusted = [ipaddress.ip_network(NGINX)]
    scope = await seen_by_the_app(NGINX, forwarded_for(entry), trusted=trusted)
    assert scope["client"] == (address, 0)


async def test_a_garbled_entry_from_the_proxy_leaves_the_peer():
    scope = await seen_by_the_app(NGINX, forwarded_for("1.2.3.4, unknown"))
    assert scope["client"] == (NGINX, 50000)


async def test_an_ipv4_mapped_peer_is_recognised_as_the_proxy():
    scope = await seen_by_the_app("::ffff:127.0.0.1", forwarded_for("203.0.113.7"))
    assert scope["client"] == ("203.0.113.7", 0)


async def test_the_scheme_comes_from_the_proxy_for_pages_and_sockets():
    assert (await seen_by_the_app(NGINX, HTTPS))["scheme"] == "https"
    assert (await seen_by_the_app(NGINX, HTTPS, kind="websocket"))["scheme"] == "wss"
    plain = (b"x-forwarded-proto", b"http")
    assert (await seen_by_the_app(NGINX, plain, kind="websocket"))["scheme"] == "ws"


async def test_the_nearest_proxys_scheme_wins():
    # The browser sent "X-Forwarded-Proto: https" over plain http; a proxy appended "http".
    scope = await seen_by_the_app(NGINX, (b"x-forwarded-proto", b"https, http"))
    assert scope["scheme"] == "http"


async def test_other_headers_and_other_protocols_pass_untouched():
    cookie = (b"cookie", b"a=b")
    scope = await seen_by_the_app("192.168.1.50", cookie, forwarded_for("1.2.3.4"))
    assert scope["headers"] == [cookie]
    lifespan = {"type": "lifespan"}
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    await TrustedProxies(app, trusted=TRUSTED)(lifespan, None, None)
    assert seen == [lifespan]


# --- Through Django: the https redirect believes only the trusted proxy -----------------------


async def status_of(peer, *headers):
    statuses = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    with override_settings(SECURE_SSL_REDIRECT=True):
        app = TrustedProxies(OneHopASGIHandler(), trusted=TRUSTED)  # middleware read now
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/livez",
        "query_string": b"",
        "scheme": "http",
        "headers": [(b"host", b"localhost"), *headers],
        "client": (peer, 50000),
    }
    await app(scope, receive, send)
    return statuses[0]


async def test_behind_https_a_phone_claiming_https_is_still_redirected():
    assert await status_of("192.168.1.50", HTTPS) == 301


async def test_behind_https_the_proxys_https_is_believed():
    assert await status_of(NGINX, HTTPS) == 200
    assert await status_of(NGINX) == 301
