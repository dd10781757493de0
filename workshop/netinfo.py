"""Which address phones on the same network should use to reach this machine."""

import socket

# Connecting a UDP socket only asks the kernel which interface routes there: no packet is sent.
_ROUTE_PROBES = ("192.0.2.1", "2001:db8::1")


def lan_addresses() -> list[str]:
    """The machine's non-loopback addresses, the most likely LAN address first."""
    found: list[str] = []
    for probe in _ROUTE_PROBES:
        family = socket.AF_INET6 if ":" in probe else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if not _is_loopback(address) and address not in found:
            found.append(address)
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        address = info[4][0]
        if not _is_loopback(address) and address not in found:
            found.append(address)
    return found


def _is_loopback(address: str) -> bool:
    return address.startswith("127.") or address == "::1"


def url_host(address: str) -> str:
    """An address as it stands in a URL (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address
