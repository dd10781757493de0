"""Reading settings from the environment, strictly.

A typo in a deployment's settings must stop the server at once, saying what to fix, rather than
start it quietly doing something else: `HTTPS=ture` read as "off" would serve a production site
without secure cookies, and a mistyped DATABASE_URL would fail on the first request instead of at
start. Every helper here either returns a value it has checked or raises SettingError, whose
message names the variable, what was wrong and what to write instead; manage.py prints it as one
line, without a traceback.
"""

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("on", "true", "yes", "1")
FALSE_WORDS = ("off", "false", "no", "0")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
REDIS_SCHEMES = ("redis", "rediss")
LOOPBACK_NAMES = ("localhost", "localhost.")


class SettingError(ImproperlyConfigured):
    """A setting in the environment that the server refuses to start with."""

    def __init__(self, name: str, problem: str, fix: str):
        super().__init__(f"{name}: {problem}. {fix}")


def raw(name: str) -> str:
    """The variable's value, or "" when unset: an empty value counts as unset."""
    return os.environ.get(name, "").strip()


def boolean(name: str, default: bool = False) -> bool:
    value = raw(name).lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise SettingError(
        name,
        f"{raw(name)!r} is neither on nor off",
        f"Write one of {', '.join(TRUE_WORDS)} to turn it on, "
        f"or one of {', '.join(FALSE_WORDS)} (or leave it unset) to turn it off.",
    )


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    value = raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise SettingError(
            name, f"{value!r} is not a whole number", f"Write a number of {minimum} or more."
        )
    return number


def decimal(name: str, default: float, *, minimum: float = 0) -> float:
    value = raw(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not number >= minimum:  # `not >=` also refuses nan
        raise SettingError(
            name, f"{value!r} is not a number", f"Write a number of {minimum} or more."
        )
    return number


def budget(name: str, default: tuple[int, float]) -> tuple[int, float]:
    """A budget as "BURST,SECONDS": BURST at once, then one more every SECONDS; "0" is none."""
    value = raw(name)
    if not value:
        return default
    burst, _, every = value.partition(",")
    try:
        parsed = int(burst), float(every or 1)
    except ValueError:
        parsed = None
    if parsed is None or parsed[0] < 0 or not parsed[1] > 0:
        raise SettingError(
            name,
            f"{value!r} is not a budget",
            "Write BURST,SECONDS (e.g. 10,3: ten at once, then one every 3 s), or 0 for none.",
        )
    return parsed


def listing(name: str) -> list[str]:
    """A comma-separated list, without blanks."""
    return [item.strip() for item in raw(name).split(",") if item.strip()]


def languages(name: str, default: tuple[str, ...], known: dict[str, str]) -> list[str]:
    """A comma-separated list of language codes, each one Django knows (`known`: code -> its
    name); the first is the default for screens that have not chosen."""
    codes = [code.lower() for code in listing(name)] or list(default)
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise SettingError(
            name,
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a language code "
            "Django knows",
            "Write codes such as en,de,fr,es (Django's django/conf/global_settings.py lists "
            "them all).",
        )
    return list(dict.fromkeys(codes))


def public_url(name: str) -> str:
    """A site's base address, scheme://host[:port], without a trailing slash; "" when unset."""
    value = raw(name).rstrip("/")
    if not value:
        return ""
    fix = "Write the address as browsers reach the site, e.g. https://workshops.example.com."
    parts = _split(name, value, fix)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(name, f"{value!r} is not an http:// or https:// address", fix)
    if parts.path or parts.query or parts.fragment or parts.username:
        raise SettingError(
            name, f"{value!r} has more than a scheme, a host and a port", f"{fix} (no path)"
        )
    return value


def database_url(name: str) -> str:
    """A PostgreSQL address; "" when unset (the app then uses SQLite)."""
    value = raw(name)
    if not value:
        return ""
    fix = (
        "Write postgres://USER:PASSWORD@HOST:5432/DATABASE (percent-encode @, : and / in the "
        "password), or leave it unset for SQLite in DATA_DIR."
    )
    parts = _split(name, _redacted(value), fix, url=value)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise SettingError(name, f"{parts.scheme or 'no scheme'}:// is not PostgreSQL", fix)
    if not parts.path.strip("/"):
        raise SettingError(name, "it names no database", fix)
    return value


def redis_url(name: str) -> str:
    """A Redis address; "" when unset (the app then uses the in-memory channel layer)."""
    value = raw(name)
    if not value:
        return ""
    fix = (
        "Write redis://HOST:6379/0 (redis://:PASSWORD@HOST:6379/0 with a password, rediss:// "
        "with TLS), or leave it unset for one process with the in-memory layer."
    )
    parts = _split(name, _redacted(value), fix, url=value)
    if parts.scheme not in REDIS_SCHEMES:
        raise SettingError(name, f"{parts.scheme or 'no scheme'}:// is not Redis", fix)
    if not parts.hostname:
        raise SettingError(name, "it names no host", fix)
    return value


def networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses and CIDR ranges, e.g. 127.0.0.1, 10.0.0.0/8, ::1."""
    found = []
    for item in listing(name):
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingError(
                name,
                f"{item!r} is not an IP address or range",
                "Write addresses or CIDR ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8 "
                "(names are not looked up).",
            ) from None
    return found


def is_loopback_host(host: str) -> bool:
    """Whether a host name or address (an ALLOWED_HOSTS entry, a URL's host) is this machine
    only: localhost, 127.0.0.0/8 or ::1."""
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(name: str, shown: str, fix: str, *, url: str | None = None):
    """urlsplit, with a bad port (which urlsplit only notices when asked) as a SettingError."""
    parts = urlsplit(url or shown)
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number or out of range
    except ValueError:
        raise SettingError(name, f"{shown!r} has a port that is not a number", fix) from None
    return parts


def _redacted(url: str) -> str:
    """The URL as it may appear in an error message: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":…@", 1)
    return parts._replace(netloc=netloc).geturl()


def refuse_unsafe(
    *, debug: bool, allowed_hosts: list[str], public_url: str, https: bool, trusted_proxies: list
) -> None:
    """Settings that are each well-formed but together unsafe, or sure to fail."""
    if any("*" in host for host in allowed_hosts):
        raise SettingError(
            "ALLOWED_HOSTS",
            "a '*' would let any Host header in, and the WebSocket origin check relies on it",
            "List the host names the site is reached by, separated by commas, "
            "e.g. workshops.example.com.",
        )
    if debug:
        public = [host for host in allowed_hosts if not is_loopback_host(host)]
        if public_url and not is_loopback_host(urlsplit(public_url).hostname or ""):
            public.insert(0, public_url)
        if public:
            raise SettingError(
                "DEBUG",
                f"on, with {public[0]} reachable from the network: debug pages show settings "
                "and data to whoever asks",
                "Turn DEBUG off, or leave ALLOWED_HOSTS and PUBLIC_URL unset (or on localhost) "
                "to debug on this machine only.",
            )
    if https and not trusted_proxies:
        raise SettingError(
            "HTTPS",
            "on, but no TRUSTED_PROXIES: the app could not tell that the proxy serves https, "
            "and would redirect every request to https again",
            "Set TRUSTED_PROXIES to the proxy's address, e.g. 127.0.0.1 for nginx on this machine.",
        )
