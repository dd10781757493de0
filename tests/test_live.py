"""The live contract, and what one action costs whatever the size of the room.

An action's cost must not grow with the room where it need not: the same number of queries
and of rendered fragments for a post, an edit, a vote, a join and every Next, with 2 tables and
a handful of people as with 30 tables, 300 people and 90 takeaways. (Speed itself is measured
in bench/, never asserted here.)
"""

import re
import uuid
from contextlib import contextmanager

import pytest
from django.db import connections
from django.template import loader
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshop import live, services
from workshop.access import new_device_id
from workshop.live.pieces import PARTIALS, TEMPLATES
from workshop.models import Participant, Takeaway, User, Workshop
from workshop.templatetags.live import live_url

CSRF = "b" * 32
AGENDA = [
    {"kind": "discussion", "title": "At your table", "instructions": "Post."},
    {"kind": "slide", "title": "Coffee", "instructions": "Back in ten."},
    {"kind": "solo", "title": "On your own", "steps": [{"kind": "text", "prompt": "Where?"}]},
    {"kind": "shareout", "title": "With the room", "source": 0},
]


@pytest.mark.parametrize("piece", PARTIALS, ids=lambda piece: piece.name)
def test_every_audience_template_defines_the_partials_it_is_declared_to_show(piece):
    for kind in piece.shown_by:
        get_template(f"{TEMPLATES[kind]}#{piece.name}")  # raises if the partial is missing


def test_live_url_is_what_reverse_gives():
    for name, args in [
        ("participants:vote", ["K7Q2PX", 12]),
        ("participants:edit", ["K7Q2PX", 987]),
        ("facilitator:hide", [3, 45]),
        ("facilitator:spotlight", [3]),
    ]:
        assert live_url(name, *args) == reverse(name, args=args)


def test_a_phones_board_in_a_discussion_holds_its_own_table_as_markup(transactional_db):
    facilitator = User.objects.create_user("f@example.com", "x")
    workshop = services.create_workshop(facilitator, "Own", 3, agenda=AGENDA)
    tables = list(workshop.tables.order_by("number"))
    anna = services.join(workshop, tables[1], "Anna")
    services.post_takeaway(anna, "Ours", uuid.uuid4())
    content = live.catch_up(live.Audience.table(tables[1].pk), workshop.pk, None)
    assert f'<ol id=\\"table-{tables[1].pk}-list\\"' in content  # markup, not escaped text
    assert "Ours" in content and f"table-{tables[0].pk}-list" not in content


# --- The cost of an action ---------------------------------------------------------------


class Room:
    """A workshop with `tables` tables, `people` participants and `cards` takeaways."""

    def __init__(self, tables: int, people: int, cards: int):
        self.facilitator = User.objects.create_user(f"f{uuid.uuid4().hex[:6]}@example.com", "x")
        workshop = services.create_workshop(self.facilitator, "Room", tables, agenda=AGENDA)
        self.workshop_id, self.code = workshop.pk, workshop.code
        self.activities = list(workshop.activities.all())
        self.tables = list(workshop.tables.order_by("number"))
        Participant.objects.bulk_create(
            Participant(
                workshop=workshop,
                table=self.tables[n % tables],
                name=f"P{n}",
                device=new_device_id(),
            )
            for n in range(people)
        )
        self.people = list(Participant.objects.filter(workshop=workshop).order_by("pk"))
        for n in range(cards):
            services.post_takeaway(self.people[n % people], f"Card {n}", uuid.uuid4())

    @property
    def workshop(self) -> Workshop:
        return Workshop.objects.get(pk=self.workshop_id)

    def phone(self, client, n: int):
        client.cookies["device"] = self.people[n].device
        client.cookies["csrftoken"] = CSRF
        return client

    # Each returns the request to measure, with whatever the test itself must look up done.

    def go(self, client, activity):
        client.force_login(self.facilitator)
        client.cookies["csrftoken"] = CSRF
        seen = self.workshop.current_activity_id

        def request():
            response = client.post(
                f"/f/w/{self.workshop_id}/go/{activity.pk}/",
                {"seen": seen},
                HTTP_X_CSRFTOKEN=CSRF,
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200

        return request

    def post(self, client, n: int):
        def request():
            response = self.phone(client, n).post(
                f"/w/{self.code}/post/",
                {"text": f"Posted {uuid.uuid4()}", "token": uuid.uuid4()},
                HTTP_ACCEPT="application/json",
                HTTP_X_CSRFTOKEN=CSRF,
            )
            assert response.status_code == 200, response.content

        return request

    def edit(self, client, n: int):
        takeaway = Takeaway.objects.filter(author=self.people[n]).latest("pk")

        def request():
            response = self.phone(client, n).post(
                f"/w/{self.code}/t/{takeaway.pk}/edit/",
                {"text": f"Edited {uuid.uuid4()}"},
                HTTP_X_CSRFTOKEN=CSRF,
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200, response.content

        return request

    def vote(self, client, n: int):
        voter = self.people[n]
        choices = Takeaway.objects.filter(workshop_id=self.workshop_id).exclude(table=voter.table)
        choices = choices.exclude(votes__participant=voter)
        takeaway = choices.first()

        def request():
            response = self.phone(client, n).post(
                f"/w/{self.code}/vote/{takeaway.pk}/",
                HTTP_X_CSRFTOKEN=CSRF,
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200

        return request

    def join(self, client, n: int):
        def request():
            client.cookies.clear()
            page = client.get(f"/j/{self.code}/").content.decode()
            table = re.search(r'name="table" value="(\d+)"', page).group(1)
            token = client.cookies["csrftoken"].value
            response = client.post(
                f"/j/{self.code}/",
                {"name": f"Joiner {n}", "table": table, "csrfmiddlewaretoken": token},
            )
            assert response.status_code == 200  # the board itself

        return request


@contextmanager
def counting_renders():
    """Counts the templates and fragments rendered: each render_to_string takes its template
    from the loader once (includes inside a template are not counted: they are its content)."""
    counted = []
    real = loader.get_template

    def counting(template_name, using=None):
        counted.append(template_name)
        return real(template_name, using=using)

    loader.get_template = counting
    try:
        yield counted
    finally:
        loader.get_template = real


def cost(action) -> tuple[int, int]:
    """(queries, fragments rendered) of one action, its broadcast included."""
    with CaptureQueriesContext(connections["default"]) as queries, counting_renders() as renders:
        action()
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")  # transactions, not queries
    statements = [q for q in queries if not q["sql"].startswith(control)]
    return len(statements), len(renders)


def costs(room: Room, client) -> dict:
    """Every action's cost, each after a first run of the same kind: a real day has rendered
    each card and table header once by then, as they were posted and joined."""
    discussion, slide, solo, shareout = room.activities
    measured = {}

    def measure(name, prepare):
        prepare()()  # as the day has done it before
        measured[name] = cost(prepare())

    measure("post", lambda: room.post(client, 1))
    measure("edit", lambda: room.edit(client, 1))
    measure("join", lambda: room.join(client, len(measured)))
    for activity in (slide, solo, discussion, shareout):
        elsewhere = slide if activity is not slide else discussion
        for warm in (True, False):
            room.go(client, elsewhere)()
            if warm:
                room.go(client, activity)()
            else:
                measured[f"Next to {activity.kind}"] = cost(room.go(client, activity))
    measure("vote", lambda: room.vote(client, 3))
    return measured


def test_no_action_costs_more_queries_or_renders_in_a_bigger_room(transactional_db, client):
    small = costs(Room(tables=2, people=6, cards=4), client)
    big = costs(Room(tables=30, people=300, cards=90), client)
    for action, (queries, renders) in small.items():
        big_queries, big_renders = big[action]
        assert big_queries == queries, f"{action}: {queries} queries, then {big_queries}"
        if action == "Next to discussion":
            # Each table's phones show their own table: one small part per table, no more.
            assert big_renders - renders == 30 - 2, f"{action}: {renders} renders, {big_renders}"
        else:
            assert big_renders == renders, f"{action}: {renders} renders, then {big_renders}"


def test_a_post_an_edit_and_a_vote_read_what_they_need_in_few_queries(transactional_db, client):
    measured = costs(Room(tables=3, people=9, cards=6), client)
    # The phone's participant, table, workshop and activity: one query; then the lock with
    # what it returns, the write, and the feeds of the tables that hear of it.
    assert measured["post"][0] <= 5
    assert measured["edit"][0] <= 5
    assert measured["vote"][0] <= 6
    for action in ("post", "edit", "vote"):
        assert measured[action][1] <= 3, f"{action} rendered {measured[action][1]} fragments"
