"""Content already rendered, kept in this process by revision.

What a screen is sent for a revision never changes, so nothing here is ever invalidated: a new
revision is a new key. A reconnect storm, a thousand phones asking for the same snapshot, renders
it once. Losing these (a restart) costs renders, never correctness.
"""

from collections import OrderedDict

from django.utils.translation import get_language

from workshop.live.pieces import PHONES, Audience, Stage


class LRU:
    """A small cache of rendered content in this process, keyed by revision: a revision's
    fragments never change, so nothing ever needs to be invalidated."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()

    def get(self, key):
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    def put(self, key, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


# (workshop, variant, workshop revision) -> a snapshot's content.
snapshots = LRU(256)
# (workshop, variant, after, workshop revision) -> what changed since `after`.
catch_ups = LRU(512)
# (workshop, language, audience kind, card, card revision, …) -> a card, as every board of that kind
# shows it: a wall of cards is rendered once, then assembled.
fragments = LRU(8192)


def of(workshop) -> tuple[int, str]:
    """A workshop in these keys: its id and its join code, so that an id used again (by a new
    workshop after a rolled-back one) never finds another's content."""
    return workshop.pk, workshop.code


def variant(audience: Audience, stage: Stage) -> str:
    """Screens that show the same content share a variant: every table's phones, but in a
    discussion, where each table's phones show their own table; each in the active language."""
    if audience.kind != PHONES:
        shown = audience.kind
    else:
        shown = audience.key if stage.phones_of_table_differ() else PHONES
    return f"{shown}.{get_language()}"


def clear() -> None:
    for lru in (snapshots, catch_ups, fragments):
        lru.clear()
