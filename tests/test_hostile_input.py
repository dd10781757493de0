"""Bad input never reaches a 500, and a request that should be refused changes nothing.

Every URL pattern is walked with the ids of a prepared workshop, another facilitator's ids and
hostile values, and every form the app renders is sent back with hostile values drawn by
Hypothesis: control characters, NUL, lone surrogates, huge strings, numbers that are not
numbers, repeated fields, other workshops' ids. Each goes as an anonymous visitor, a
participant's phone, the facilitator and an organizer, with and without htmx's header.

Each request runs in a transaction that is rolled back after it, so that the walk always meets
the same room (a hostile "delete workshop" that the facilitator may send does not end it) and a
refused request is proved harmless by comparing every table's rows before and after it.
"""

import functools
import logging
import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import as_phone
from tests.results_day import go_to, run_a_day
from workshop import services
from workshop.live import cache
from workshop.models import User

pytestmark = pytest.mark.django_db

# Not walked: Django's admin is Django's own, tested there, and its hundred patterns would
# dominate the run; /static/ is answered before Django (workshop/static_files.py, its own
# tests); sockets are not URL patterns (workshop/routing.py; tests/test_consumers.py).
EXCLUDED_PREFIXES = ("admin/",)
# Anyone may send these, and they may change something: joining makes a participant, signing
# in a session. Everything else changes nothing unless the sender has the right to it.
OPEN_TO_ALL = {"join", "join_table", "login", "organizer_login", "logout", "setup"}
OPEN_TO_ALL |= {"organizer_welcome", "enter_code"}
# After these the client may be someone else: it is made its role again.
CHANGES_WHO = OPEN_TO_ALL - {"join", "join_table", "enter_code"}

HUGE_ID = 10**20  # beyond any database's integer
HOSTILE_TEXT = [
    "\x00",
    "\x07",
    "\ud800",  # a lone surrogate: sent as the bytes a broken client would send
    "\u202e\u0301" * 20,
    "x" * 12_000,
    "-1",
    "0",
    str(HUGE_ID),
    "1e309",
    "NaN",
    "²",  # a digit to str.isdigit(), not to int()
    " ",
    "",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
]


# --- Who asks ----------------------------------------------------------------------------------


@dataclass
class Room:
    """Our facilitator's day (run to the share-out) and another facilitator's, with the ids of
    everything in both."""

    facilitator: User
    organizer: User
    ours: object
    theirs: object
    share_key: str
    their_share_key: str
    ids: dict = field(default_factory=dict)


@pytest.fixture
def room(facilitator, other_facilitator):
    organizer = User.objects.create_user("buyer@example.com", "pw", is_organizer=True)
    ours = run_a_day(facilitator, title="Ours")
    theirs = run_a_day(other_facilitator, title="Theirs")
    services.grant_access(facilitator, ours.workshop, organizer.email)
    services.grant_access(other_facilitator, theirs.workshop, "someone@example.com")
    _link, share_key = services.create_share_link(facilitator, ours.workshop, 7)
    _link, their_share_key = services.create_share_link(other_facilitator, theirs.workshop, 7)
    baseline.cache_clear()
    return Room(facilitator, organizer, ours, theirs, share_key, their_share_key)


ROLES = ["anonymous", "phone", "facilitator", "organizer"]


def client_as(role: str, room: Room) -> Client:
    client = Client(raise_request_exception=False)
    return become(client, role, room)


def become(client: Client, role: str, room: Room) -> Client:
    baseline.cache_clear()  # signing in touches the account's row
    client.logout()
    if role == "phone":
        as_phone(client, room.ours.anna)
    elif role == "facilitator":
        client.force_login(room.facilitator)
    elif role == "organizer":
        client.force_login(room.organizer)
    return client


def may_change(role: str, room: Room, url_name: str, kwargs: dict) -> bool:
    """Whether a POST from this role may change anything at all: if not, it must not."""
    name = url_name.split(":")[-1]
    if name in OPEN_TO_ALL:
        return True
    namespace = url_name.split(":")[0]
    if role == "phone":
        return namespace == "participants" and kwargs.get("code") == room.ours.workshop.code
    if role == "facilitator":
        facilitators = namespace == "facilitator" and "key" not in kwargs
        not_theirs = kwargs.get("workshop_id", room.ours.workshop.pk) == room.ours.workshop.pk
        return facilitators and not name.startswith("organizer_") and not_theirs
    return False


# --- What the database holds -----------------------------------------------------------------


def snapshot() -> dict:
    """Every row of the app's tables and the accounts: what a refused request must not touch.
    Read with plain SQL, as it is read twice for each of some thousand requests."""
    tables = [model._meta.db_table for model in apps.get_app_config("workshop").get_models()]
    with connection.cursor() as cursor:
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
            rows[table] = cursor.fetchall()
    return rows


@functools.cache
def baseline() -> dict:
    """The snapshot every request starts from, as each is rolled back; taken again whenever
    something outside the requests changes the rows (`become` signs a client in)."""
    return snapshot()


# --- Sending -------------------------------------------------------------------------------------


def encode(pairs) -> bytes:
    """A urlencoded body as any client might send it: lone surrogates become the bytes a broken
    encoder writes (invalid UTF-8, which Django must decode without failing)."""
    return "&".join(
        f"{quote(str(k), errors='surrogatepass')}={quote(str(v), errors='surrogatepass')}"
        for k, v in pairs
    ).encode("ascii")


def quoted_path(path: str) -> str:
    return quote(path, safe="/?=&%", errors="surrogatepass")


@dataclass
class Sent:
    status: int
    body: bytes
    error: str = ""  # the exception behind a 500, for the failure's message


def send(client, method: str, path: str, pairs=(), *, htmx: bool) -> Sent:
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        response = client.get(quoted_path(path), headers=headers)
    else:
        response = client.post(
            quoted_path(path),
            data=encode(pairs),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
    body = b"".join(response) if response.streaming else response.content
    error = "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
    return Sent(response.status_code, body, error[-3000:])


def check(client, role, room, *, method, path, url_name, kwargs, pairs=(), htmx=False) -> Sent:
    """Sends one request in a transaction rolled back after it; no 500, and nothing changed
    unless this role may change something there."""
    # GETs are not compared: a walk twice as long, for what no GET view could do unnoticed.
    refused = method == "POST" and not may_change(role, room, url_name, kwargs)
    before = baseline() if refused else None
    with transaction.atomic():
        sent = send(client, method, path, pairs, htmx=htmx)
        after = snapshot() if refused else None
        transaction.set_rollback(True)
    cache.clear()  # what was rendered for a rolled-back revision is no other request's
    if url_name.split(":")[-1] in CHANGES_WHO:
        become(client, role, room)
    assert sent.status < 500, (
        f"{role} {method} {path} (htmx={htmx}) answered {sent.status}\n{sent.error}"
    )
    if after is not None:
        assert after == before, f"{role} {method} {path} (htmx={htmx}) changed the database"
    return sent


# --- Every URL pattern ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "facilitator:console"
    route: str  # e.g. "f/w/<int:workshop_id>/"
    converters: dict


def routes(patterns=None, prefix="", namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            converters = {
                name: type(converter).__name__
                for name, converter in pattern.pattern.converters.items()
            }
            yield Route(namespace + pattern.name, route, converters)


ALL_ROUTES = sorted(routes(), key=lambda r: r.name)
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: Route, values: dict) -> str:
    return "/" + _PARAM.sub(lambda m: str(values[m["name"]]), route.route)


def valid_values(room: Room) -> dict:
    """Each path parameter, as our workshop's own pages link it."""
    ours = room.ours
    solo = ours.workshop.activities.get(kind="solo")
    return {
        "workshop_id": ours.workshop.pk,
        "takeaway_id": ours.tricky.pk,
        "activity_id": ours.workshop.activities.get(kind="shareout").pk,
        "access_id": ours.workshop.accesses.get().pk,
        "link_id": ours.workshop.share_links.get().pk,
        "participant_id": ours.anna.pk,
        "table_number": 1,
        "code": ours.workshop.code,
        "key": ours.workshop.projector_key,
        "token": "not-a-token",
        "uidb64": "MQ",
        "language": "de",  # the JavaScript catalogue's
        # `pk` is a takeaway (Anna's own), a step or an activity, depending on the route.
        "pk": ours.tricky.pk,
        "_solo": solo.pk,
        "_step": solo.steps.order_by("position").first().pk,
    }


def other_values(room: Room) -> dict:
    """Each parameter as another workshop's, or a stranger's, pages would have it."""
    theirs = room.theirs
    solo = theirs.workshop.activities.get(kind="solo")
    return {
        "workshop_id": [theirs.workshop.pk],
        "takeaway_id": [theirs.tricky.pk, theirs.hidden.pk],
        "activity_id": [theirs.workshop.activities.get(kind="shareout").pk, solo.pk],
        "access_id": [theirs.workshop.accesses.get().pk],
        "link_id": [theirs.workshop.share_links.get().pk],
        "participant_id": [theirs.workshop.participants.first().pk],
        "table_number": [2, 99],
        "code": [theirs.workshop.code, room.ours.workshop.code.lower()],
        "key": [theirs.workshop.projector_key, room.share_key, room.their_share_key],
        "token": [],
        "uidb64": [],
        "language": ["en", "de-at", "klingon"],
        "pk": [
            theirs.tricky.pk,
            solo.pk,
            solo.steps.first().pk,
            room.ours.deleted.pk,
            room.ours.pipeline.pk,
        ],
    }


def hostile_values(converter: str) -> list:
    if converter == "IntConverter":
        return [0, HUGE_ID]  # the int converter takes only digits
    return ["\x00", "\ud800", "²", "%2F..%2F", "a" * 10_000]


def variants(route: Route, room: Room):
    """The route's valid path, then each parameter in turn replaced by another's or a hostile
    value."""
    valid, others = valid_values(room), other_values(room)
    kwargs = {name: valid[name] for name in route.converters}
    if route.name.endswith((":answer", ":share")):
        kwargs["pk"] = valid["_step"]
    elif route.name.endswith(":done"):
        kwargs["pk"] = valid["_solo"]
    yield kwargs
    for name, converter in route.converters.items():
        for value in [*others[name], *hostile_values(converter)]:
            yield {**kwargs, name: value}


def hostile_body(room: Room) -> list[tuple[str, str]]:
    """The fields views read by hand, each hostile, some repeated."""
    theirs = str(room.theirs.tricky.pk)
    return [
        ("takeaway", "abc"),
        ("takeaway", theirs),
        ("seen", "\x00"),
        ("minutes", str(HUGE_ID)),
        ("action", "start"),
        ("direction", "\ud800"),
        ("move", "²:up"),
        ("hidden", "1"),
        ("open", "0"),
        ("by_votes", "1"),
        ("text", "\x00"),
        ("choices", "\x07"),
        ("token", "not-a-uuid"),
        ("name", "\x07"),
        ("title", "\x00"),
        ("table", theirs),
        ("code", "\ud800"),
    ]


@pytest.fixture(autouse=True)
def _quiet_request_log(caplog):
    """Thousands of refusals are expected here; a 500 fails the test with its own message."""
    caplog.set_level(logging.CRITICAL, logger="django.request")
    caplog.set_level(logging.CRITICAL, logger="django.security")


@pytest.mark.timeout(300)  # about 20-70 s a role on a busy 2-core machine
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_every_role_without_a_server_error(room, role):
    client = client_as(role, room)
    body = hostile_body(room)
    for route in ALL_ROUTES:
        for index, kwargs in enumerate(variants(route, room)):
            path = fill(route, kwargs)
            # The valid path with and without htmx; the others alternate, to keep the walk short.
            for htmx in (False, True) if index == 0 else (bool(index % 2),):
                common = {"url_name": route.name, "kwargs": kwargs, "htmx": htmx}
                check(client, role, room, method="GET", path=path, **common)
                check(client, role, room, method="POST", path=path, pairs=body, **common)


def test_the_walk_reaches_every_route_of_the_app():
    """A new route is walked without anyone listing it: the walk is its own inventory."""
    names = {route.name for route in ALL_ROUTES}
    assert {"facilitator:spotlight", "facilitator:tables", "participants:vote"} <= names
    assert {"root", "livez", "facilitator:shared_report", "participants:forget"} <= names
    assert not any(name.startswith("admin:") for name in names)


# --- Every form ----------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list  # (name, value) as the page sends it


class FormParser(HTMLParser):
    """The forms of a page and what each sends as it is, like a browser's "submit"."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page_path
            self._form = Form((attrs.get("method") or "get").upper(), action, [])
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._form.fields.append((attrs["name"], None))  # a choice not taken
            elif kind not in ("submit", "button", "reset", "file"):
                self._form.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "button" and attrs.get("name"):
            self._form.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form.fields.append((self._textarea, ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            self._form.fields.append((self._select, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


EXPECTED_FORMS = {
    "anonymous": dict.fromkeys(
        ["solo", "discussion", "shareout"], frozenset({"participants:join"})
    ),
    "organizer": dict.fromkeys(
        ["solo", "discussion", "shareout"], frozenset({"facilitator:logout"})
    ),
    "phone": {
        "solo": {"participants:answer", "participants:share"},
        "discussion": {"participants:post", "participants:edit", "participants:delete"},
        "shareout": {"participants:vote"},
    },
    "facilitator": {
        "solo": {"facilitator:activity_steps", "facilitator:tables", "facilitator:timer"},
        "discussion": {"facilitator:hide", "facilitator:spotlight", "facilitator:activity_add"},
        "shareout": {"facilitator:order", "facilitator:save_template", "facilitator:grant"},
    },
}


def pages(room: Room):
    """Each route's valid page, and every activity's editor (a reflection's has its steps)."""
    for route in ALL_ROUTES:
        yield route.name, fill(route, next(variants(route, room)))
    workshop = room.ours.workshop
    for activity in workshop.activities.all():
        yield "facilitator:activity", f"/f/w/{workshop.pk}/agenda/{activity.pk}/"


def forms_of(client, role, room) -> dict[tuple, tuple[str, Form, dict]]:
    """Every form on every page this role can open in our workshop, one per action and set of
    fields: (url name, form, path parameters)."""
    found = {}
    for url_name, path in pages(room):
        sent = check(client, role, room, method="GET", path=path, url_name=url_name, kwargs={})
        if sent.status != 200 or b"<form" not in sent.body:
            continue
        parser = FormParser(path)
        parser.feed(sent.body.decode("utf-8", "replace"))
        for form in parser.forms:
            action = urlsplit(form.action).path
            try:
                match = resolve(action)
            except Resolver404:
                continue
            if match.view_name.startswith("admin:"):
                continue
            names = tuple(sorted({name for name, _value in form.fields}))
            found.setdefault((match.view_name, form.method, names), (action, form, match.kwargs))
    return found


def hostile_text():
    huge = st.builds(lambda ch, n: ch * n, st.characters(), st.integers(10_000, 12_000))
    numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
    weird = st.text(
        alphabet=st.characters(categories=["Cc", "Cs", "Cf", "Mn", "Zl", "Zp", "Co"]),
        max_size=30,
    )
    return st.one_of(st.sampled_from(HOSTILE_TEXT), huge, numbers, weird, st.text(max_size=40))


def ids_as_text(room: Room) -> list[str]:
    theirs = other_values(room)
    return [str(v) for name in ("takeaway_id", "activity_id", "pk") for v in theirs[name]]


def hostile_pairs(form: Form, room: Room):
    """The form's fields, each kept as the page has it, replaced, left out or repeated."""
    names = list(dict.fromkeys(name for name, _value in form.fields))
    kept = {name: [v for n, v in form.fields if n == name and v is not None] for name in names}
    value = st.one_of(hostile_text(), st.sampled_from(ids_as_text(room)))

    def field_values(name):
        return st.one_of(
            st.just(kept[name][:1]),  # as the page sends it
            st.lists(value, min_size=1, max_size=1),
            st.just([]),  # left out
            st.lists(value, min_size=2, max_size=3),  # repeated
        ).map(lambda values: [(name, v) for v in values])

    return st.tuples(*(field_values(name) for name in names)).map(
        lambda groups: [pair for group in groups for pair in group]
    )


def stage(room: Room, kind: str) -> None:
    if kind != "shareout":
        go_to(room.facilitator, room.ours.workshop, kind)


@pytest.mark.parametrize("kind", ["solo", "discussion", "shareout"])
@pytest.mark.parametrize("role", ROLES)
def test_every_form_takes_hostile_values_without_a_server_error(room, role, kind):
    """The forms a role sees, sent back by that role with hostile values, and by every other
    role: no 500, and nothing changed by those who may not."""
    stage(room, kind)
    owner = client_as(role, room)
    others = {other: client_as(other, room) for other in ROLES if other != role}
    forms = forms_of(owner, role, room)
    names = {url_name for url_name, _method, _fields in forms}
    assert names >= EXPECTED_FORMS[role][kind]  # the discovery itself still works

    for (url_name, method, _names), (action, form, kwargs) in forms.items():
        send_hostile_forms(room, role, owner, others, url_name, method, action, form, kwargs)


def send_hostile_forms(room, role, owner, others, url_name, method, action, form, kwargs):
    @settings(
        max_examples=6,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(pairs=hostile_pairs(form, room), htmx=st.booleans(), sender=st.sampled_from(ROLES))
    def send_hostile(pairs, htmx, sender):
        client = owner if sender == role else others[sender]
        path = action if method == "POST" else f"{action}?{encode(pairs).decode()}"
        check(
            client,
            sender,
            room,
            method=method,
            path=path,
            pairs=pairs,
            url_name=url_name,
            kwargs=kwargs,
            htmx=htmx,
        )

    send_hostile()


def test_known_server_errors_are_gone(client, room):
    """The 500s found first: a table renamed to a control character, a spotlight given a
    takeaway id that is not a number, a step moved by a "digit" int() does not read."""
    client.force_login(room.facilitator)
    workshop = room.ours.workshop
    table = workshop.tables.order_by("number").first()
    for name in ("\x00", "\x07"):
        response = client.post(
            f"/f/w/{workshop.pk}/tables/",
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-0-id": str(table.pk),
                "form-0-name": name,
            },
        )
        assert response.status_code == 400
        assert "This field is required." in response.content.decode()
    table.refresh_from_db()
    assert table.name == "Table 1"

    for takeaway in ("abc", "1.5", str(HUGE_ID), "\x00"):
        response = client.post(f"/f/w/{workshop.pk}/spotlight/", {"takeaway": takeaway})
        assert response.status_code == 404

    activity = workshop.activities.get(kind="solo")
    response = client.post(
        f"/f/w/{workshop.pk}/agenda/{activity.pk}/steps/",
        {"steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0", "move": "²:up"},
    )
    assert response.status_code < 500
