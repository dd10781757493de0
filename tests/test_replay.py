"""Catching up is exact: incremental updates after any sequence of actions equal a snapshot.

Each screen's state is modelled as the browser holds it — table headers and the ordered cards of
each list — and built twice: by applying the catch-up messages a reconnecting client receives,
and from a fresh snapshot. They must be the same, for every audience.
"""

import json
import re
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from workshop import agenda_templates, live, services
from workshop.models import User

PARTIAL = re.compile(r'<hx-partial hx-target="([^"]+)" hx-swap="([^"]+)">(.*?)</hx-partial>', re.S)
HEAD = re.compile(r"<(header|h2) id=\"table-(\d+)-head\".*?</\1>", re.S)
LIST = re.compile(r'<ol id="table-(\d+)-list"[^>]*>(.*?)</ol>', re.S)
CARD = re.compile(r'<li id="takeaway-(\d+)" [^>]*data-order="(\d+)".*?</li>', re.S)


def squeeze(html: str) -> str:
    return " ".join(html.split())


class Screen:
    """What a browser shows of the board: headers by table, and each list's cards in order."""

    def __init__(self):
        self.heads: dict[str, str] = {}
        self.lists: dict[str, list[tuple[int, str, str]]] = {}
        self.revision = 0

    @classmethod
    def from_board(cls, html: str) -> "Screen":
        screen = cls()
        for match in HEAD.finditer(html):
            screen.heads[match.group(2)] = squeeze(match.group(0))
        for match in LIST.finditer(html):
            screen.lists[match.group(1)] = [
                (int(card.group(2)), card.group(1), squeeze(card.group(0)))
                for card in CARD.finditer(match.group(2))
            ]
        return screen

    def apply(self, message: str) -> "Screen":
        data = json.loads(message)
        self.revision = max(self.revision, data["revision"])
        # A heartbeat (no content) says where the screen stands; a caught-up screen gets one.
        for target, swap, html in PARTIAL.findall(data.get("content", "")):
            if target == "#board":
                fresh = self.from_board(html)
                self.heads, self.lists = fresh.heads, fresh.lists
                continue
            # As in a browser, a fragment for an element the screen does not have does nothing.
            if target.endswith("-head"):
                if target.split("-")[1] in self.heads:
                    self.heads[target.split("-")[1]] = squeeze(html)
            elif swap == "delete":
                self._remove(target.removeprefix("#takeaway-"))
            elif swap.startswith("upsert"):
                card = CARD.search(html)
                self._upsert(target.split("-")[1], card)
        return self

    def _remove(self, card_id: str) -> None:
        for cards in self.lists.values():
            cards[:] = [c for c in cards if c[1] != card_id]

    def _upsert(self, list_id: str, card) -> None:
        entry = (int(card.group(2)), card.group(1), squeeze(card.group(0)))
        for cards in self.lists.values():
            for i, existing in enumerate(cards):
                if existing[1] == entry[1]:
                    cards[i] = entry  # replaced where it stands, as hx-upsert does
                    return
        if list_id not in self.lists:
            return
        cards = self.lists[list_id]
        cards.append(entry)
        cards.sort(key=lambda c: -c[0])

    def state(self):
        return self.heads, self.lists


actions = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 2), st.sampled_from(["Ana", "Bo", "<b>Cy</b>"])),
        st.tuples(st.just("post"), st.integers(0, 9), st.text(min_size=1, max_size=30)),
        st.tuples(st.just("edit"), st.integers(0, 19), st.text(min_size=1, max_size=30)),
        st.tuples(st.just("hide"), st.integers(0, 19), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 19), st.none()),
        st.tuples(st.just("rename"), st.integers(0, 2), st.sampled_from(["Window", "Door"])),
        st.tuples(st.just("go"), st.integers(0, 4), st.none()),
        st.tuples(st.just("vote"), st.integers(0, 19), st.integers(0, 9)),
        st.tuples(st.just("spotlight"), st.integers(0, 19), st.booleans()),
        st.tuples(st.just("timer"), st.integers(1, 30), st.booleans()),
    ),
    max_size=25,
)


class ReplayEqualsSnapshot(TestCase):
    def fresh_workshop(self):
        # Hypothesis runs many examples in one test: each starts from an empty workshop.
        self.facilitator = User.objects.get_or_create(email="f@example.com")[0]
        agenda = agenda_templates.built_in_agenda(agenda_templates.HERO_TO_HERO_MAKER)
        self.workshop = services.create_workshop(self.facilitator, "Replay", 3, agenda=agenda)
        self.activities = list(self.workshop.activities.all())
        # Start in the table discussion, where most generated actions are accepted.
        self.workshop = services.go_to_activity(
            self.facilitator, self.workshop, self.activities[2], self.activities[0].pk
        )
        self.tables = list(self.workshop.tables.order_by("number"))
        # Two people already seated, so that most generated posts are accepted.
        self.participants = [
            services.join(self.workshop, self.tables[0], "Dee"),
            services.join(self.workshop, self.tables[1], "Eli"),
        ]
        self.takeaways = []

    def audiences(self):
        return [live.Audience.projector(), live.Audience.console()] + [
            live.Audience.table(table.pk) for table in self.tables
        ]

    def act(self, action):
        kind, index, value = action
        try:
            if kind == "join":
                self.participants.append(services.join(self.workshop, self.tables[index], value))
            elif kind == "rename":
                services.rename_table(self.facilitator, self.tables[index], value)
            elif kind == "go":
                self.workshop.refresh_from_db()
                services.go_to_activity(
                    self.facilitator,
                    self.workshop,
                    self.activities[index],
                    self.workshop.current_activity_id,
                )
            elif kind == "timer":
                if value:
                    services.start_timer(self.facilitator, self.workshop, index)
                else:
                    services.pause_timer(self.facilitator, self.workshop)
            elif kind == "post" and self.participants:
                author = self.participants[index % len(self.participants)]
                self.takeaways.append(services.post_takeaway(author, value, uuid.uuid4()))
            elif self.takeaways:
                takeaway = self.takeaways[index % len(self.takeaways)]
                takeaway.refresh_from_db()
                if kind == "edit":
                    services.edit_takeaway(takeaway.author, takeaway, value)
                elif kind == "hide":
                    services.set_takeaway_hidden(self.facilitator, takeaway, value)
                elif kind == "delete":
                    services.delete_takeaway(takeaway.author, takeaway)
                elif kind == "vote":
                    voter = self.participants[value % len(self.participants)]
                    services.vote(voter, takeaway)
                elif kind == "spotlight":
                    self.workshop.refresh_from_db()
                    services.set_spotlight(
                        self.facilitator, self.workshop, takeaway if value else None
                    )
        except (services.Refused, services.NotAllowed):
            pass  # refused actions change nothing, which the comparison also checks

    def position(self, audience):
        """The revision this audience's screen should hold now."""
        return live.Position.load(audience, self.workshop.pk).revision

    def snapshot(self, audience):
        return Screen().apply(live.catch_up(audience, self.workshop.pk, None))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(before=actions, after=actions)
    def test_one_catch_up_after_a_gap_equals_a_snapshot(self, before, after):
        self.fresh_workshop()
        for action in before:
            self.act(action)
        screens = {a: self.snapshot(a) for a in self.audiences()}
        for action in after:
            self.act(action)
        for audience, screen in screens.items():
            caught_up = screen.apply(live.catch_up(audience, self.workshop.pk, screen.revision))
            assert caught_up.state() == self.snapshot(audience).state(), audience
            assert caught_up.revision == self.position(audience), audience

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=actions)
    def test_following_every_change_equals_a_snapshot(self, steps):
        self.fresh_workshop()
        screens = {a: self.snapshot(a) for a in self.audiences()}
        for action in steps:
            self.act(action)
            for audience, screen in screens.items():
                screen.apply(live.catch_up(audience, self.workshop.pk, screen.revision))
        for audience, screen in screens.items():
            assert screen.state() == self.snapshot(audience).state(), audience
