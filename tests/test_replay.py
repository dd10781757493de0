"""Catching up is exact: incremental updates after any sequence of actions equal a snapshot.

Each screen's state is modelled as the browser holds it — table headers and the ordered cards of
each list — and built twice: by applying the catch-up messages a reconnecting client receives,
and from a fresh snapshot. They must be the same, for every audience.
"""

import json
import re

from hypothesis import given
from hypothesis.extra.django import TestCase

from tests.replay_room import ReplayRoom, actions, property_test
from workshop import live

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


@property_test
class ReplayEqualsSnapshot(ReplayRoom, TestCase):
    def position(self, audience):
        """The revision this audience's screen should hold now."""
        return live.Position.load(audience, self.workshop.pk).revision

    def snapshot(self, audience):
        return Screen().apply(live.catch_up(audience, self.workshop.pk, None))

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
