"""Catching up: a screen that connects, or comes back, says the last revision it holds.

It gets what it missed since then, or a snapshot when that is simpler, or — when it is up to
date — a heartbeat, with nothing read but its position and nothing rendered. Content is cached
by revision (workshop.live.cache), so a thousand phones coming back at once render it once.
"""

import json
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q

from workshop.live import cache, envelope
from workshop.live.broadcast import audience_parts
from workshop.live.pieces import PHONES, WORKSHOP_PIECES, Audience, Stage
from workshop.live.render import Renderer, Scene, join_parts, tables_with_people, takeaways_of
from workshop.models import Table, Workshop

# More changes than this since a screen's revision: a snapshot is cheaper than replaying them.
CATCH_UP_LIMIT = 200


@dataclass
class Position:
    """Where an audience's screen stands in the database now: the stage, and the revision of
    the last change this audience heard of."""

    audience: Audience
    stage: Stage
    revision: int

    @classmethod
    def of_staff(cls, audience: Audience, workshop: Workshop) -> "Position":
        return cls(audience, Stage.of(workshop), workshop.revision)

    @classmethod
    def of_table(cls, table: Table) -> "Position":
        """`table` with its workshop and the workshop's activity loaded."""
        return cls(Audience.table(table.pk), Stage.of(table.workshop), table.feed_revision)

    @classmethod
    def load(cls, audience: Audience, workshop_id: int) -> "Position":
        if audience.kind == PHONES:
            table = Table.objects.select_related("workshop__current_activity").get(
                pk=audience.table_id, workshop_id=workshop_id
            )
            return cls.of_table(table)
        workshop = Workshop.objects.select_related("current_activity").get(pk=workshop_id)
        return cls.of_staff(audience, workshop)


def parse_revision(value: str | None) -> int | None:
    """The revision a screen says it holds; anything unreadable means "send me everything"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def catch_up(audience: Audience, workshop_id: int, after: int | None) -> str:
    # No transaction: a write lock must never hold up a screen that reads. The position is
    # read first, so what the content shows is that revision's or newer, never older.
    return catch_up_from(Position.load(audience, workshop_id), after)


def catch_up_from(position: Position, after: int | None) -> str:
    """The message that brings a screen holding `after` to `position`."""
    if after == position.revision:
        return envelope.heartbeat(position.revision)
    if _can_replay(position, after):
        encoded = _changes_since(position, after)
        if encoded is not None:
            return envelope.text(position.revision, after, encoded)
    return envelope.text(position.revision, 0, snapshot(position))


def _can_replay(position: Position, after: int | None) -> bool:
    """A revision this screen could hold, from the activity the room is still in."""
    if after is None or after < 0 or after > position.revision:
        return False
    return after >= position.stage.workshop.stage_revision


def snapshot(position: Position) -> str:
    """The whole screen, JSON-encoded, rendered once per variant and revision."""
    stage, audience = position.stage, position.audience
    key = (*cache.of(stage.workshop), cache.variant(audience, stage), stage.workshop.revision)
    encoded = cache.snapshots.get(key)
    if encoded is None:
        scene = Scene(stage, only_table=_own_table(position))
        content = join_parts(Renderer(scene).snapshot_parts(audience))
        encoded = envelope.encode_content(content)
        cache.snapshots.put(key, encoded)
    return encoded


def snapshot_html(audience: Audience, workshop: Workshop) -> str:
    """A snapshot as an htmx answer: the console's answer to its own buttons."""
    return json.loads(snapshot(Position.load(audience, workshop.pk)))


def _own_table(position: Position) -> int | None:
    """A phone in a discussion shows its own table: read only that one."""
    if position.audience.kind == PHONES and position.stage.phones_of_table_differ():
        return position.audience.table_id
    return None


def _changes_since(position: Position, after: int) -> str | None:
    """What changed for this screen since `after`, JSON-encoded; None when a snapshot is the
    better answer."""
    stage, audience = position.stage, position.audience
    workshop = stage.workshop
    key = (*cache.of(workshop), cache.variant(audience, stage), after, workshop.revision)
    encoded = cache.catch_ups.get(key)
    if encoded is not None:
        return encoded
    own = _own_table(position)
    table_filter = Q(pk=own) if own else Q()
    changed = Q(revision__gt=after) | Q(participants__revision__gt=after)
    table_ids = set(
        Table.objects.filter(table_filter, changed, workshop_id=workshop.pk).values_list(
            "pk", flat=True
        )
    )
    heads = list(tables_with_people(workshop.pk, Q(pk__in=table_ids))) if table_ids else []
    cards = []
    if stage.shown_discussion_id:
        card_filter = Q(revision__gt=after, activity_id=stage.shown_discussion_id)
        if own:
            card_filter &= Q(table_id=own)
        cards = takeaways_of(workshop, card_filter)
    if len(heads) + len(cards) > CATCH_UP_LIMIT or (cards and stage.reorders_on_votes):
        return None  # cards that may have moved: the whole list again
    change = SimpleNamespace(
        stage_changed=False,
        # The workshop's own pieces are small: sending them is simpler than tracking them.
        pieces=set(WORKSHOP_PIECES),
        takeaways={card.pk: card for card in cards},
        votes={},
        # Which waiting cards this screen had before they went back to wait is not kept: each
        # screen that could have had one is told to drop it (by its id, with nothing of it).
        withdrawn={card.pk for card in cards if card.is_waiting},
    )
    renderer = Renderer(Scene(stage, only_table=own))
    encoded = envelope.encode_content(join_parts(audience_parts(renderer, audience, change, heads)))
    cache.catch_ups.put(key, encoded)
    return encoded


def revisions(workshop_id: int) -> dict[str, int] | None:
    """The revision each audience of the workshop last heard of, in one query (the heartbeat);
    None when the workshop is gone."""
    rows = list(
        Table.objects.filter(workshop_id=workshop_id).values_list(
            "pk", "feed_revision", "workshop__revision"
        )
    )
    if not rows:
        return None
    staff = rows[0][2]
    return {
        Audience.projector().key: staff,
        Audience.console().key: staff,
        **{Audience.table(pk).key: revision for pk, revision, _ in rows},
    }
