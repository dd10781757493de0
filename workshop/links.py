"""Addresses phones can reach, and their QR codes."""

import ipaddress

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from workshop.netinfo import lan_addresses, url_host


def public_base_url(request) -> str:
    """Where phones reach this server: PUBLIC_URL, the host asked for, or the LAN address.

    A facilitator who opened the console on localhost must still print a code phones can use.
    """
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL
    host = request.get_host()
    if not _is_loopback_host(host):
        return f"{request.scheme}://{host}"
    addresses = lan_addresses()
    if not addresses:
        return f"{request.scheme}://{host}"
    port = request.get_port()
    return f"{request.scheme}://{url_host(addresses[0])}:{port}"


def _is_loopback_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1 : host.index("]")]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def join_url(request, workshop, table=None) -> str:
    if table is None:
        path = reverse("participants:join", args=[workshop.code])
    else:
        path = reverse("participants:join_table", args=[workshop.code, table.number])
    return public_base_url(request) + path


def qr_svg(url: str, *, title: str) -> str:
    """An inline, scalable SVG QR code; its size comes from CSS."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(
        scale=1, border=2, dark="#000", light="#fff", omitsize=True, title=title, svgclass="qr"
    )
    return mark_safe(svg)  # noqa: S308 - segno escapes the title and emits only path data
