"""Static files: hashed names on every page, served before Django with a year's caching.

Most tests drive the ASGI application itself, as Daphne does, so they see what the server sends
and whether Django was reached at all. None has the database fixture: a query would fail it.
"""

import gzip
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core.signals import request_started
from django.test import override_settings

from tests.server_process import ROOT, ServerProcess
from workshop import static_files
from workshop.asgi import application

HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")
FOREVER = "public, max-age=31536000, immutable"
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


async def fetch(app, path, method="GET", **headers) -> Response:
    """One request to an ASGI application, as Daphne would pass it on."""
    headers = {"host": "localhost", **headers}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=20)
    assert start["type"] == "http.response.start"
    body = b""
    while True:
        message = await communicator.receive_output(timeout=20)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=20)
    decoded = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    return Response(start["status"], decoded, body)


@pytest.fixture
def django_requests():
    """The paths of the requests that reached Django while the test ran."""
    seen = []

    def note(sender, scope=None, environ=None, **kwargs):
        seen.append(scope["path"] if scope else environ["PATH_INFO"])

    request_started.connect(note)
    yield seen
    request_started.disconnect(note)


@pytest.fixture
def page_assets(client):
    """Every static file the join page names: the stylesheet, the icon and the scripts."""
    page = client.get("/j/").content.decode()
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


def on_disk(path: str) -> bytes:
    return (Path(settings.STATIC_ROOT) / path.removeprefix("/static/")).read_bytes()


def test_pages_name_every_static_file_by_its_content_hash(page_assets):
    # Two files in all, the stylesheet and one script: a phone's first visit asks for two.
    assert len(page_assets) == 2
    assert {Path(p).suffix for p in page_assets} == {".css", ".js"}
    for path in page_assets:
        assert HASHED.match(path), path


async def test_every_asset_a_page_names_is_cached_for_a_year(page_assets):
    for path in page_assets:
        response = await fetch(application, path)
        assert response.status == 200, path
        assert response.body == on_disk(path)
        assert response.headers["cache-control"] == FOREVER
        assert response.headers["content-type"] == TYPES[Path(path).suffix]
        assert response.headers["content-length"] == str(len(response.body))
        assert response.headers["etag"].startswith('"')
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cross-origin-resource-policy"] == "same-origin"
        assert "content-encoding" not in response.headers  # the browser did not offer gzip
        assert "set-cookie" not in response.headers


async def test_assets_are_gzipped_when_the_browser_accepts_it(page_assets):
    for path in page_assets:
        plain = await fetch(application, path)
        zipped = await fetch(application, path, accept_encoding="gzip, deflate, br, zstd")
        assert zipped.status == 200
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["vary"] == "Accept-Encoding"
        assert plain.headers["vary"] == "Accept-Encoding"
        assert zipped.headers["cache-control"] == FOREVER
        assert zipped.headers["content-type"] == plain.headers["content-type"]
        assert len(zipped.body) < len(plain.body)
        assert gzip.decompress(zipped.body) == plain.body
        assert zipped.headers["etag"] != plain.headers["etag"]  # other bytes, another tag


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("GZIP;q=0.5, identity", True),
        ("br, *", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("identity", False),
        ("br, deflate", False),
        ("", False),
    ],
)
def test_gzip_is_chosen_only_when_the_request_accepts_it(accept_encoding, gzipped):
    assert static_files.accepts_gzip(accept_encoding.encode()) is gzipped


async def test_a_cached_copy_is_confirmed_with_304_not_sent_again(page_assets):
    path = page_assets[0]
    plain = await fetch(application, path)
    zipped = await fetch(application, path, accept_encoding="gzip")
    for held in (plain, zipped):
        tag = held.headers["etag"]
        for if_none_match in (tag, f"W/{tag}", f'"other", {tag}'):
            response = await fetch(
                application, path, accept_encoding="gzip", if_none_match=if_none_match
            )
            assert response.status == 304
            assert response.body == b""
            assert response.headers["etag"] == tag
            assert response.headers["cache-control"] == FOREVER
            assert response.headers["vary"] == "Accept-Encoding"
    changed = await fetch(application, path, if_none_match='"an older version"')
    assert changed.status == 200
    assert changed.body == plain.body


async def test_head_answers_the_headers_without_the_body(page_assets):
    for path in page_assets:
        for encoding in ("identity", "gzip"):
            got = await fetch(application, path, accept_encoding=encoding)
            head = await fetch(application, path, method="HEAD", accept_encoding=encoding)
            assert head.status == 200
            assert head.body == b""
            assert head.headers == got.headers


async def test_an_asset_cannot_be_posted_to(page_assets):
    response = await fetch(application, page_assets[0], method="POST")
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"


async def test_asset_requests_never_reach_django(page_assets, django_requests):
    for path in page_assets:
        assert (await fetch(application, path, accept_encoding="gzip")).status == 200
        assert (await fetch(application, path, method="HEAD")).status == 200
    assert django_requests == []
    # The receiver does hear requests that Django answers.
    assert (await fetch(application, "/livez")).status == 200
    assert django_requests == ["/livez"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/nothing-here.css",
        "/static/css/app.000000000000.css",
        "/static/",
        "/static/../workshop/settings.py",
        "/static/staticfiles.json/x",
    ],
)
async def test_an_unknown_static_path_is_a_404_from_django_not_a_500(django_requests, path):
    response = await fetch(application, path)
    assert response.status == 404
    assert django_requests == [path]


# WhiteNoise hands Django a file iterator, which Django's ASGI handler warns about.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_a_name_without_its_hash_is_served_from_disk_briefly_cached(django_requests):
    # An old bookmark or a hand-typed address: WhiteNoise, in Django's middleware, answers it.
    response = await fetch(application, "/static/css/app.css", accept_encoding="gzip")
    assert response.status == 200
    assert "immutable" not in response.headers["cache-control"]
    assert response.headers["content-encoding"] == "gzip"
    assert django_requests == ["/static/css/app.css"]


async def test_websockets_are_left_to_the_rest_of_the_application():
    seen = []

    async def rest(scope, receive, send):
        seen.append(scope["type"])

    app = static_files.StaticFiles(rest, assets={"/static/a.1234567890ab.css": None})
    await app({"type": "websocket", "path": "/static/a.1234567890ab.css"}, None, None)
    await app({"type": "lifespan"}, None, None)
    assert seen == ["websocket", "lifespan"]


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
async def test_behind_an_https_proxy_plain_http_goes_on_to_django_to_be_redirected(page_assets):
    async def django(scope, receive, send):
        await send({"type": "http.response.start", "status": 301, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = static_files.StaticFiles(django)
    path = page_assets[0]
    assert (await fetch(app, path)).status == 301
    assert (await fetch(app, path, x_forwarded_proto="http")).status == 301
    assert (await fetch(app, path, x_forwarded_proto="https")).status == 200


def test_every_static_file_a_template_names_is_served_from_memory():
    templates = (ROOT / "templates").rglob("*.html")
    names = {n for t in templates for n in re.findall(r"{% static '([^']+)' %}", t.read_text())}
    assert {"css/app.css", "js/app.js", "js/notes.js"} <= names
    assets = static_files.load_assets()
    for name in names:
        assert static_files.staticfiles_storage.url(name) in assets, name


def test_the_served_files_are_exactly_the_manifests():
    assets = static_files.load_assets()
    names, _ = static_files.staticfiles_storage.load_manifest()
    assert set(assets) == {f"/static/{hashed}" for hashed in names.values()}
    assert all(HASHED.match(path) for path in assets)


# --- Collecting --------------------------------------------------------------------------------


def test_collecting_runs_again_only_when_a_source_file_changed(tmp_path):
    source, root = tmp_path / "source", tmp_path / "collected"
    (source / "css").mkdir(parents=True)
    (source / "css" / "app.css").write_text("body { color: black }\n" * 50)
    only_this_folder = {
        "STATICFILES_DIRS": [source],
        "STATICFILES_FINDERS": ["django.contrib.staticfiles.finders.FileSystemFinder"],
        "STATIC_ROOT": root,
    }
    with override_settings(**only_this_folder):
        storage = static_files.staticfiles_storage
        assert static_files.collect_if_changed() is True
        assert static_files.collect_if_changed() is False  # nothing changed: no work
        first = storage.url("css/app.css")

        # As if collected a minute ago, then edited.
        minute_ago = os.stat(root / storage.manifest_name).st_mtime - 60
        os.utime(root / storage.manifest_name, (minute_ago, minute_ago))
        (source / "css" / "app.css").write_text("body { color: navy }\n" * 50)
        assert static_files.collect_if_changed() is True
        assert storage.url("css/app.css") != first  # the edit is served under a new name
        assert (root / storage.url("css/app.css").removeprefix("/static/")).exists()

        (source / "new.js").write_text("console.log('new')\n")
        assert static_files.collect_if_changed() is True
        assert HASHED.match(storage.url("new.js"))
        assert static_files.collect_if_changed() is False


def test_a_deployment_that_did_not_collect_refuses_to_start(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "runworkshop", "--host", "127.0.0.1", "--port", "9"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "run manage.py collectstatic first" in result.stderr


# --- A real server -----------------------------------------------------------------------------


def get(connection: HTTPConnection, path: str, **headers):
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def test_the_server_serves_the_pages_assets_hashed_gzipped_and_cached_for_a_year(tmp_path):
    server = ServerProcess(tmp_path).prepare().start()
    try:
        connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
        page, body = get(connection, "/j/")
        assert page.status == 200
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', body.decode())
        assert len(assets) == 2
        for path in assets:
            assert HASHED.match(path), path
            response, content = get(connection, path, **{"Accept-Encoding": "gzip"})
            assert response.status == 200, path
            assert response.getheader("Cache-Control") == FOREVER
            assert response.getheader("Content-Encoding") == "gzip"
            assert response.getheader("Content-Type") == TYPES[Path(path).suffix]
            assert gzip.decompress(content) == on_disk(path)
            again, _ = get(connection, path, **{"If-None-Match": response.getheader("ETag")})
            assert again.status == 304
        missing, _ = get(connection, "/static/css/app.000000000000.css")
        assert missing.status == 404
        connection.close()
    finally:
        server.stop()
    assert "Traceback" not in server.log_tail(20_000)


def test_the_pages_script_is_htmx_its_extensions_and_ours_in_order(page_assets):
    script = on_disk(next(p for p in page_assets if p.endswith(".js")))
    parts = [
        (ROOT / "node_modules/htmx.org/dist/htmx.min.js").read_bytes()[:200],
        (ROOT / "node_modules/htmx.org/dist/ext/hx-ws.min.js").read_bytes()[:200],
        (ROOT / "node_modules/htmx.org/dist/ext/hx-upsert.min.js").read_bytes()[:200],
        (ROOT / "static/js/live.js").read_bytes()[:200],
    ]
    positions = [script.index(part) for part in parts]
    assert positions == sorted(positions)
    assert b"sourceMappingURL" not in script  # the maps belong to the files it was made of


def test_the_icon_is_in_the_page_itself(client, db):
    page = client.get("/j/").content.decode()
    assert '<link rel="icon" href="data:image/svg+xml,%3Csvg' in page
