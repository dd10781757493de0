"""/static/ before Django: the collected files with hashed names, answered from memory.

Pages name their CSS and scripts by content hash (collectstatic with the manifest storage), so a
phone keeps them for a year and never asks again. The first fetches still arrive in a burst as a
room joins, six files a phone; answered here, at the ASGI layer, each costs a fraction of one
request through Django: no middleware, no thread, no session, no database (bench/static_cpu.py).

Only the names in the manifest are served here. Anything else under /static/ (a name without its
hash, a file from an earlier collect that an old page still asks for) goes on to Django, where
WhiteNoise serves what STATIC_ROOT holds with a short max-age, or Django answers 404.

With STATIC_ROOT unset, the server collects into the repo's staticfiles/ as it starts
(`collect_if_changed`, called by runworkshop and by the tests); a deployment sets STATIC_ROOT and
runs collectstatic itself.
"""

import fcntl
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder, get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from whitenoise.media_types import MediaTypes

logger = logging.getLogger(__name__)

FOREVER = b"public, max-age=31536000, immutable"
# Headers every asset carries. Same-origin: only this app's own pages load these files.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# An SVG opened on its own is a document that could run script: never let it.
SVG_POLICY = (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; sandbox")
NOT_ALLOWED = [(b"allow", b"GET, HEAD"), (b"content-length", b"0")]


@dataclass(frozen=True, slots=True)
class Representation:
    body: bytes
    etag: bytes
    headers: list[tuple[bytes, bytes]]  # of a 200 answer
    not_modified_headers: list[tuple[bytes, bytes]]  # of a 304 answer


@dataclass(frozen=True, slots=True)
class Asset:
    identity: Representation
    gzip: Representation | None

    def representations(self):
        return (self.identity, self.gzip) if self.gzip else (self.identity,)


MEDIA_TYPES = MediaTypes()  # WhiteNoise's, after nginx's: the same types either way


def content_type(name: str) -> bytes:
    media_type = MEDIA_TYPES.get_type(name)
    textual = media_type.startswith("text/") or media_type.endswith(("+xml", "+json", "/json"))
    return f"{media_type}; charset=utf-8".encode() if textual else media_type.encode()


def representation(body: bytes, name: str, *, gzipped: bool, varies: bool) -> Representation:
    # A strong validator per representation: the gzip copy is other bytes, so another tag.
    digest = hashlib.blake2b(body, digest_size=10).hexdigest()
    etag = f'"{digest}{"-gz" if gzipped else ""}"'.encode()
    validators = [(b"etag", etag), (b"cache-control", FOREVER)]
    if varies:
        validators.append((b"vary", b"Accept-Encoding"))
    headers = [
        (b"content-type", content_type(name)),
        (b"content-length", str(len(body)).encode()),
        *validators,
        *SECURITY_HEADERS,
    ]
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    if name.endswith(".svg"):
        headers.append(SVG_POLICY)
    return Representation(body, etag, headers, validators)


def load_assets(storage=None) -> dict[str, Asset]:
    """Every file of the manifest by its URL path, with its gzip copy when that is smaller."""
    storage = storage or staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return {}  # not a manifest storage: no name carries a hash, so none is immutable
    names, _ = storage.load_manifest()
    if not names:
        logger.warning(
            "No collected static files in %s: run manage.py collectstatic.", settings.STATIC_ROOT
        )
    prefix = urlsplit(settings.STATIC_URL).path
    assets = {}
    for hashed in names.values():
        path = Path(storage.path(hashed))
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            continue
        try:
            compressed = path.with_name(path.name + ".gz").read_bytes()
        except FileNotFoundError:
            compressed = None
        varies = compressed is not None and len(compressed) < len(body)
        assets[prefix + hashed] = Asset(
            representation(body, hashed, gzipped=False, varies=varies),
            representation(compressed, hashed, gzipped=True, varies=True) if varies else None,
        )
    return assets


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3, q=0 refuses)."""
    wildcard = None
    for item in accept_encoding.lower().split(b","):
        coding, _, parameters = item.partition(b";")
        coding = coding.strip()
        if coding not in (b"gzip", b"x-gzip", b"*"):
            continue
        weight = 1.0
        for parameter in parameters.split(b";"):
            key, _, value = parameter.partition(b"=")
            if key.strip() == b"q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding == b"*":
            wildcard = weight > 0
        else:
            return weight > 0
    return bool(wildcard)


def matching(if_none_match: bytes, asset: Asset) -> Representation | None:
    """The representation a cache holds, by its entity tag (weak comparison, RFC 9110 §13.1.2)."""
    if if_none_match.strip() == b"*":
        return asset.identity
    tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    for candidate in asset.representations():
        if candidate.etag in tags:
            return candidate
    return None


class StaticFiles:
    """ASGI middleware for the "http" branch: answers GET and HEAD for the collected files."""

    def __init__(self, app, assets: dict[str, Asset] | None = None):
        self.app = app
        self.assets = load_assets() if assets is None else assets
        # Behind a proxy that terminates TLS, a plain-http request goes on to Django to be
        # redirected, as every other request is.
        self.https_only = settings.SECURE_SSL_REDIRECT
        proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if proxy_header:
            name, self.https_value = proxy_header
            self.https_header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        else:
            self.https_header = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            asset = self.assets.get(scope["path"])
            if asset is not None and (not self.https_only or self._secure(scope)):
                await self.serve(asset, scope, send)
                return
        await self.app(scope, receive, send)

    async def serve(self, asset: Asset, scope, send) -> None:
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await respond(send, 405, NOT_ALLOWED, b"")
            return
        accept_encoding = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accept_encoding = value
            elif name == b"if-none-match":
                if_none_match = value
        if if_none_match is not None and (cached := matching(if_none_match, asset)):
            await respond(send, 304, cached.not_modified_headers, b"")
            return
        chosen = asset.identity
        if asset.gzip is not None and accept_encoding and accepts_gzip(accept_encoding):
            chosen = asset.gzip
        await respond(send, 200, chosen.headers, b"" if method == "HEAD" else chosen.body)

    def _secure(self, scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        for name, value in scope["headers"]:
            if name == self.https_header:
                return value.decode("latin-1").split(",", 1)[0].strip() == self.https_value
        return False


async def respond(send, status: int, headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- One script for a phone ------------------------------------------------------------------

# Every page's scripts, in the order they must run: htmx, its two extensions, then ours. They
# are one file, so that a phone fetches one script, not four.
BUNDLE = "js/app.js"
BUNDLED = [
    ("node_modules/htmx.org/dist/htmx.min.js"),
    ("node_modules/htmx.org/dist/ext/hx-ws.min.js"),
    ("node_modules/htmx.org/dist/ext/hx-upsert.min.js"),
    ("static/js/live.js"),
    ("static/js/errors.js"),
    ("static/js/language.js"),
]
_SOURCE_MAP = re.compile(rb"^//# sourceMappingURL=.*$", re.MULTILINE)


def build_bundle() -> Path:
    """Writes js/app.js into build/static/ when one of its sources is newer (the npm packages
    are not ours to commit, so it is made here, as the files are collected)."""
    target = Path(settings.BUILD_STATIC_DIR) / BUNDLE
    sources = [Path(settings.BASE_DIR) / name for name in BUNDLED]
    newest = max(path.stat().st_mtime_ns for path in sources)
    if target.exists() and target.stat().st_mtime_ns >= newest:
        return target
    parts = [_SOURCE_MAP.sub(b"", path.read_bytes()).rstrip() for path in sources]
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f"{target.name}.{os.getpid()}")
    draft.write_bytes(b";\n".join(parts) + b"\n")
    draft.replace(target)  # at once: another process may be reading it
    return target


class BundleFinder(BaseFinder):
    """Finds js/app.js, built from its sources whenever it is looked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=settings.BUILD_STATIC_DIR)

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != BUNDLE:
            return []
        found = str(build_bundle())
        return [found] if find_all else found

    def list(self, ignore_patterns):
        build_bundle()
        yield BUNDLE, self.storage


# --- Collecting ------------------------------------------------------------------------------


def collect_if_changed() -> bool:
    """Runs collectstatic unless STATIC_ROOT already holds every source file, collected after
    its last change. True when it collected. Two processes starting at once take turns."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    folder = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        if is_current():
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        return True
    finally:
        os.close(folder)  # and with it the lock


def is_current(storage=None) -> bool:
    """Whether the manifest names every source file and is newer than each of them."""
    storage = storage or staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return True  # nothing to be current with: files are served under their own names
    try:
        collected_at = os.stat(storage.manifest_storage.path(storage.manifest_name)).st_mtime_ns
    except FileNotFoundError:
        return False
    names, _ = storage.load_manifest()
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    sources = {}
    for finder in get_finders():
        for path, source in finder.list(ignore):
            prefix = getattr(source, "prefix", None)
            sources.setdefault(os.path.join(prefix, path) if prefix else path, source.path(path))
    if sources.keys() != names.keys():
        return False
    return all(os.stat(path).st_mtime_ns <= collected_at for path in sources.values())


def is_collected(storage=None) -> bool:
    storage = storage or staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return True
    return bool(storage.load_manifest()[0])
