"""Rendering what the screens show, each distinct fragment once.

A `Scene` is a stage with what its pieces need (the timer, the spotlit card, the reflection's
progress, the agenda, the tables), each read at most once and only when a piece that needs it
is rendered. Fragments are rendered per audience *kind* — the projector, the console, the
phones — never per table when tables see the same thing.
"""

import copy
import time
from collections import OrderedDict
from functools import cached_property

from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.utils.html import format_html

from workshop.live.pieces import (
    BOARD,
    CONSOLE,
    PHONES,
    SNAPSHOT,
    STAFF,
    TABLE_HEAD,
    TABLE_LIST,
    TAKEAWAY,
    TEMPLATES,
    UPSERT,
    Audience,
    Piece,
    Stage,
)
from workshop.models import Activity, Completion, Participant, Table, Takeaway

EVERYTHING = Q()

PARTIAL_TAG = '<hx-partial hx-target="{}" hx-swap="{}">{}</hx-partial>'


def partial(target: str, swap: str, html: str = "") -> str:
    return format_html(PARTIAL_TAG, target, swap, html)


def timer_state(workshop) -> dict:
    """The timer as every screen draws it: from the server's end time. Each screen corrects
    for its own clock with the server time its messages carry (live.js)."""
    if workshop.timer_paused_seconds is not None:
        remaining = workshop.timer_paused_seconds
    elif workshop.timer_ends_at is not None:
        remaining = max(0, round(workshop.timer_ends_at.timestamp() - time.time()))
    else:
        remaining = None
    ends_at = workshop.timer_ends_at
    return {
        "remaining": remaining,
        "display": f"{remaining // 60}:{remaining % 60:02d}" if remaining is not None else "",
        "ends_at_ms": int(ends_at.timestamp() * 1000) if ends_at else None,
        "paused_seconds": workshop.timer_paused_seconds,
        "is_set": ends_at is not None or workshop.timer_paused_seconds is not None,
    }


class Scene:
    """The stage and what its pieces need, each read once, when first needed."""

    def __init__(self, stage: Stage, only_table: int | None = None):
        self.stage = stage
        self.workshop = stage.workshop
        # A phone catching up in a discussion shows one table: the board reads only that one.
        self.only_table = only_table

    @cached_property
    def timer(self) -> dict:
        return timer_state(self.workshop)

    @cached_property
    def spotlight(self) -> Takeaway | None:
        if not self.workshop.spotlight_id:
            return None
        takeaway = (
            Takeaway.objects.select_related("author", "table")
            .filter(pk=self.workshop.spotlight_id, hidden=False, deleted=False)
            .first()
        )
        if takeaway is not None:
            takeaway.author.workshop = self.workshop
        return takeaway

    @cached_property
    def progress(self) -> dict | None:
        if self.stage.kind != Activity.Kind.SOLO:
            return None
        return {
            "finished": Completion.objects.filter(activity=self.stage.activity).count(),
            "total": Participant.objects.filter(workshop=self.workshop).count(),
        }

    @cached_property
    def agenda(self) -> list[Activity]:
        return list(self.workshop.activities.all())

    @cached_property
    def board(self) -> "Board":
        return Board.load(self)

    def context(self, audience: Audience, piece: Piece) -> dict:
        context = {
            "workshop": self.workshop,
            "activity": self.stage.activity,
            "stage": self.stage,
            "order_by_votes": audience.kind in STAFF and self.stage.reorders_on_votes,
        }
        for need in piece.needs:
            if need == "tables":
                context.update(self.board.context_for(audience))
            elif need == "agenda":
                if audience.kind == CONSOLE:
                    context["activities"] = self.agenda
                    context["activity_number"] = next(
                        (
                            n
                            for n, a in enumerate(self.agenda, 1)
                            if a.pk == self.workshop.current_activity_id
                        ),
                        0,
                    )
            else:
                context[need] = getattr(self, need)
        return context


def tables_with_people(workshop_id: int, table_filter: Q = EVERYTHING):
    return (
        Table.objects.filter(table_filter, workshop_id=workshop_id)
        .annotate(
            participant_count=Count("participants"),
            # A table's header changes when it is renamed or someone joins it.
            last_change=Greatest("revision", Coalesce(Max("participants__revision"), 0)),
        )
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("name")))
        .order_by("number")
    )


def takeaways_of(workshop, takeaway_filter: Q) -> list[Takeaway]:
    """Takeaways with their authors, each author knowing the workshop (for its public name)."""
    rows = list(
        Takeaway.objects.filter(takeaway_filter, workshop_id=workshop.pk)
        .select_related("author")
        .order_by("-pk")
    )
    for takeaway in rows:
        takeaway.author.workshop = workshop
    return rows


class Board:
    """Every table and every card of the stage, read once for every audience's board."""

    def __init__(self, scene: Scene, tables: list, cards: list):
        self.scene, self.tables, self.cards = scene, tables, cards

    @classmethod
    def load(cls, scene: Scene) -> "Board":
        stage = scene.stage
        if not stage.shows_tables:
            return cls(scene, [], [])
        table_filter = card_filter = Q()
        if scene.only_table is not None:
            table_filter, card_filter = Q(pk=scene.only_table), Q(table_id=scene.only_table)
        tables = list(tables_with_people(stage.workshop.pk, table_filter))
        cards = takeaways_of(
            stage.workshop,
            card_filter & Q(activity_id=stage.shown_discussion_id, deleted=False),
        )
        return cls(scene, tables, cards)

    def context_for(self, audience: Audience) -> dict:
        stage = self.scene.stage
        tables = []
        for table in self.tables:
            if stage.shows_head(audience, table.pk):
                shown = copy.copy(table)  # each audience its own list of cards, same rows
                shown.shown_takeaways = [
                    card
                    for card in self.cards
                    if card.table_id == table.pk and stage.shows_card(audience, card)
                ]
                if audience.kind in STAFF and stage.reorders_on_votes:
                    shown.shown_takeaways.sort(key=lambda card: -card.vote_order)
                tables.append(shown)
        return {"tables": tables, "wall_columns": wall_columns(len(tables))}


def wall_columns(table_count: int) -> int:
    """Up to six tables side by side on the projector; more go on two rows."""
    return table_count if table_count <= 6 else -(-table_count // 2)


# --- Rendering ------------------------------------------------------------------------------


def render_piece(audience: Audience, piece: Piece, context: dict) -> str:
    return render_to_string(f"{TEMPLATES[audience.kind]}#{piece.name}", context)


class Renderer:
    """Renders the parts of one change (or one catch-up), each distinct fragment once: a card
    or a table header is the same HTML for every table's phones."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self._done: dict[tuple, str] = {}

    def _key(self, audience: Audience, piece: Piece, row: int | None) -> tuple:
        varies = audience.kind == PHONES and piece is BOARD
        table = audience.table_id if varies and self.scene.stage.phones_of_table_differ() else None
        return (audience.kind, piece.name, row, table)

    def render(self, audience: Audience, piece: Piece, extra: dict | None = None, row=None):
        key = self._key(audience, piece, row)
        if key not in self._done:
            context = self.scene.context(audience, piece)
            if extra:
                context.update(extra)
            self._done[key] = render_piece(audience, piece, context)
        return self._done[key]

    def rendered(self, audience: Audience, piece: Piece, row: int | None = None) -> str | None:
        return self._done.get(self._key(audience, piece, row))

    def piece_part(self, audience: Audience, piece: Piece) -> str:
        html = self.render(audience, piece)
        return partial(f"#{piece.id_for()}", "outerHTML", html)

    def head_part(self, audience: Audience, table) -> str:
        html = self.render(audience, TABLE_HEAD, {"table": table}, row=table.pk)
        return partial(f"#{TABLE_HEAD.id_for(table=table.pk)}", "outerHTML", html)

    def card_parts(self, audience: Audience, takeaway, moved: bool = False) -> list[str]:
        """The card where the audience has it: replaced, inserted, or removed."""
        stage = self.scene.stage
        remove = partial(f"#{TAKEAWAY.id_for(takeaway=takeaway.pk)}", "delete")
        if not stage.shows_card(audience, takeaway):
            return [remove]
        html = self.render(audience, TAKEAWAY, {"takeaway": takeaway}, row=takeaway.pk)
        insert = partial(f"#{TABLE_LIST.id_for(table=takeaway.table_id)}", UPSERT, html)
        # An upsert replaces a card where it stands: to move it, remove it first.
        return [remove, insert] if moved else [insert]

    def snapshot_parts(self, audience: Audience) -> list[str]:
        return [self.piece_part(audience, piece) for piece in SNAPSHOT]


def join_parts(parts: list[str]) -> str:
    return "".join(parts)


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
