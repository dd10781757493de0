"""Rendering what the screens show, each distinct fragment once.

A `Scene` is a stage with what its pieces need (the timer, the spotlit card, the reflection's
progress, the agenda, the tables), each read at most once and only when a piece that needs it
is rendered. Fragments are rendered per audience *kind* — the projector, the console, the
phones — never per table when tables see the same thing; in the active language (the caller's
`translation.override`), which is part of every key a rendered fragment is kept under.
"""

import copy
import time
from collections import defaultdict
from functools import cached_property
from typing import NamedTuple

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from workshop import aggregates
from workshop.live import cache
from workshop.live.pieces import (
    BOARD,
    CONSOLE,
    PHONES,
    SNAPSHOT,
    TABLE_HEAD,
    TABLE_LIST,
    TAKEAWAY,
    TEMPLATES,
    UPSERT,
    Audience,
    Piece,
    Stage,
)
from workshop.models import (
    COUNTED_STEPS,
    Activity,
    Completion,
    Participant,
    Step,
    Table,
    Takeaway,
)
from workshop.queries import unique_or_none

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
        takeaway = unique_or_none(
            Takeaway.objects.select_related("author", "table").filter(
                pk=self.workshop.spotlight_id, hidden=False, deleted=False
            )
        )
        if takeaway is not None:
            takeaway.author.workshop = self.workshop
        return takeaway

    @cached_property
    def progress(self) -> dict | None:
        if self.stage.kind == Activity.Kind.PATTERN:
            return {"patterns": self.patterns}
        if self.stage.kind == Activity.Kind.POLL:
            return {"poll": self.poll}
        if self.stage.kind != Activity.Kind.SOLO:
            return None
        activity = self.stage.activity
        return {
            "finished": Completion.objects.filter(activity=activity).count(),
            "total": Participant.objects.filter(workshop=self.workshop).count(),
            "pattern": self.pattern,
            # Read only by the console, which offers to show the room their counts.
            "counted": self.counted_steps,
        }

    def counted_steps(self) -> list[Step]:
        return list(self.stage.activity.steps.filter(kind__in=COUNTED_STEPS))

    @cached_property
    def patterns(self) -> list:
        """The room's counts of each checklist of the reflection this activity shows."""
        source = self.stage.activity.source_id
        steps = Step.objects.filter(activity_id=source, kind__in=COUNTED_STEPS)
        threshold = self.workshop.reveal_threshold
        return [aggregates.pattern_of(step, threshold) for step in steps]

    @cached_property
    def pattern(self) -> "aggregates.Pattern | None":
        """The counts of the reflection's checklist the facilitator shows the room, if any."""
        activity = self.stage.activity
        if activity.revealed_step_id is None:
            return None
        step = unique_or_none(
            Step.objects.filter(pk=activity.revealed_step_id, kind__in=COUNTED_STEPS)
        )
        return step and aggregates.pattern_of(step, self.workshop.reveal_threshold)

    @cached_property
    def poll(self) -> "Poll":
        """The running poll: its question and the room's counts of it (workshop.aggregates)."""
        poll = self.stage.activity
        question = poll.steps.filter(kind__in=COUNTED_STEPS).first()
        pattern = question and aggregates.poll_pattern(question, self.workshop.reveal_threshold)
        return Poll(question, pattern, shown=not poll.votes_hidden, closed=not poll.poll_is_open)

    @cached_property
    def solo(self) -> dict | None:
        """The reflection every phone is sent: its steps, without anyone's answers."""
        if self.stage.kind != Activity.Kind.SOLO:
            return None
        from participants.solo import solo_context

        return solo_context(None, self.stage.activity)

    @cached_property
    def room(self):
        """The console's strip (workshop.live.room)."""
        from workshop.live.room import room

        return room(self.stage, self.agenda)

    @cached_property
    def queue(self) -> "Queue | None":
        """The console's queue of takeaways waiting for approval, while tables are shown."""
        if not self.stage.shows_tables:
            return None
        return Queue.load(self)

    @cached_property
    def agenda(self) -> list[Activity]:
        return list(self.workshop.activities.all())

    @cached_property
    def board(self) -> "Board":
        return Board.load(self)

    def head_html(self, audience: Audience, table: Table) -> str:
        """A table's header as this audience kind shows it, rendered once for what it shows."""
        key = (*cache.of(self.workshop), get_language(), audience.kind, "head", table.pk)
        key += (table.name,)
        key += (table.participant_count, tuple(table.people) if audience.kind == CONSOLE else ())
        html = cache.fragments.get(key)
        if html is None:
            html = render_piece(audience, TABLE_HEAD, {"workshop": self.workshop, "table": table})
            cache.fragments.put(key, html)
        return html

    def card_html(self, audience: Audience, takeaway: Takeaway) -> str:
        """A card as this audience kind shows it: the same on every board of its kind (a phone's
        differs between the discussion and the share-out), so rendered once per revision of the
        card (kept in cache.fragments)."""
        by_votes = self.stage.orders_by_votes(audience)
        votes = self.stage.shows_votes(audience)
        shareout = audience.kind == PHONES and self.stage.is_shareout
        key = (*cache.of(self.workshop), get_language(), audience.kind, takeaway.pk)
        key += (takeaway.revision,)
        key += (self.workshop.anonymous, by_votes, votes, shareout)
        html = cache.fragments.get(key)
        if html is None:
            context = {
                "workshop": self.workshop,
                "takeaway": takeaway,
                "order_by_votes": by_votes,
                "show_votes": votes,
                "shareout": shareout,
            }
            html = render_piece(audience, TAKEAWAY, context)
            cache.fragments.put(key, html)
        return html

    def context(self, audience: Audience, piece: Piece) -> dict:
        context = {
            "workshop": self.workshop,
            "activity": self.stage.activity,
            "stage": self.stage,
            "order_by_votes": self.stage.orders_by_votes(audience),
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
            elif need in ("room", "queue"):
                if audience.kind == CONSOLE:
                    context[need] = getattr(self, need)
            elif need == "solo":
                if audience.kind == PHONES and self.solo is not None:
                    context["solo"] = self.solo
            else:
                context[need] = getattr(self, need)
        return context


class Poll(NamedTuple):
    """A poll as the screens show it. The console always shows its counts; the projector once
    they are `shown`; the phones once they are shown and the poll is `closed` (they are not
    sent every answer)."""

    question: Step | None
    pattern: "aggregates.Pattern | None"
    shown: bool
    closed: bool


class Queue(NamedTuple):
    """What waits for the facilitator's approval: the oldest first, as many as a console shows."""

    moderated: bool  # the shown discussion asks for approval before showing
    count: int
    cards: list

    SHOWN = 50

    @classmethod
    def load(cls, scene: Scene) -> "Queue":
        stage = scene.stage
        discussion_id = stage.shown_discussion_id
        if discussion_id is None:  # a share-out whose discussion was deleted
            return cls(False, 0, [])
        if stage.is_discussion:
            moderated = stage.activity.moderated
        else:
            moderated = Activity.objects.filter(pk=discussion_id, moderated=True).exists()
        waiting = Takeaway.objects.filter(
            workshop_id=scene.workshop.pk,
            activity_id=discussion_id,
            approval=Takeaway.Approval.WAITING,
            hidden=False,
            deleted=False,
        )
        cards = list(waiting.select_related("author", "table").order_by("pk")[: cls.SHOWN])
        for card in cards:
            card.author.workshop = scene.workshop
        count = len(cards) if len(cards) < cls.SHOWN else waiting.count()
        return cls(moderated, count, cards)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


class Person(NamedTuple):
    """Someone at a table, as the console lists them."""

    pk: int
    name: str
    present: bool

    def __str__(self):
        return self.name


def tables_with_people(
    workshop_id: int, table_filter: Q = EVERYTHING, *, names: bool = True
) -> list[Table]:
    """Tables with how many people joined each and, for the console, their names: as plain
    strings, not a thousand model instances."""
    tables = list(
        Table.objects.filter(table_filter, workshop_id=workshop_id)
        .annotate(participant_count=Count("participants"))
        .order_by("number")
    )
    people = defaultdict(list)
    if not names:
        for table in tables:
            table.people = table.present = []
        return tables
    names = Participant.objects.filter(workshop_id=workshop_id, table__in=[t.pk for t in tables])
    rows = names.order_by("name", "pk").values_list("table_id", "pk", "name", "device")
    for table_id, pk, name, device in rows:
        # Someone who left (forgot their data, or was removed) has no phone here any more.
        people[table_id].append(Person(pk, name, present=bool(device)))
    for table in tables:
        table.people = people[table.pk]
        table.present = [person for person in table.people if person.present]
    return tables


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
        self.scene, self.tables = scene, tables
        self.by_id = {table.pk: table for table in tables}
        self.cards_of = defaultdict(list)  # table id -> its cards, newest first
        for card in cards:
            self.cards_of[card.table_id].append(card)

    @classmethod
    def load(cls, scene: Scene) -> "Board":
        stage = scene.stage
        if not stage.shows_tables:
            return cls(scene, [], [])
        table_filter = card_filter = Q()
        if scene.only_table is not None:
            table_filter, card_filter = Q(pk=scene.only_table), Q(table_id=scene.only_table)
        # Only the console shows names: a phone's own board does not read them.
        names = scene.only_table is None
        tables = tables_with_people(stage.workshop.pk, table_filter, names=names)
        cards = takeaways_of(
            stage.workshop,
            card_filter & Q(activity_id=stage.shown_discussion_id, deleted=False),
        )
        return cls(scene, tables, cards)

    def context_for(self, audience: Audience) -> dict:
        stage = self.scene.stage
        candidates = self.tables
        if audience.kind == PHONES and stage.phones_of_table_differ():
            candidates = [t for t in [self.by_id.get(audience.table_id)] if t is not None]
        tables = []
        for table in candidates:
            if stage.shows_head(audience, table.pk):
                shown = copy.copy(table)  # each audience its own list of cards, same rows
                shown.shown_takeaways = [
                    card for card in self.cards_of[table.pk] if stage.shows_card(audience, card)
                ]
                if stage.orders_by_votes(audience):
                    shown.shown_takeaways.sort(key=lambda card: -card.vote_order)
                shown.shown_cards = [
                    self.scene.card_html(audience, card) for card in shown.shown_takeaways
                ]
                shown.head_html = self.scene.head_html(audience, table)
                tables.append(shown)
        return {"tables": tables, "wall_columns": wall_columns(len(tables))}


def wall_columns(table_count: int) -> int:
    """Up to six tables side by side on the projector; more go on two rows."""
    return table_count if table_count <= 6 else -(-table_count // 2)


# --- Rendering ------------------------------------------------------------------------------


def render_piece(audience: Audience, piece: Piece, context: dict) -> str:
    return render_to_string(f"{TEMPLATES[audience.kind]}#{piece.name}", context)


# Where a phone's board in a discussion takes its own table's header and cards.
OWN_TABLE_SLOT = mark_safe("<!--own-table-->")
OWN_TABLE = "participants/_table_lists.html"


class Renderer:
    """Renders the parts of one change (or one catch-up), each distinct fragment once: a card
    or a table header is the same HTML for every table's phones."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self._done: dict[tuple, str] = {}

    def _key(self, audience: Audience, piece: Piece, row: int | None) -> tuple:
        varies = audience.kind == PHONES and piece is BOARD
        table = audience.table_id if varies and self.scene.stage.phones_of_table_differ() else None
        return (audience.kind, piece.name, row, table, get_language())

    def render(self, audience: Audience, piece: Piece, extra: dict | None = None, row=None):
        key = self._key(audience, piece, row)
        if key not in self._done:
            context = self.scene.context(audience, piece)
            if extra:
                context.update(extra)
            if piece is BOARD and key[3] is not None:
                self._done[key] = self._own_board(audience, context)
            else:
                self._done[key] = render_piece(audience, piece, context)
        return self._done[key]

    def _own_board(self, audience: Audience, context: dict) -> str:
        """A phone's board in a discussion: the part every table shares rendered once, each
        table's own part (its composer and cards) into it."""
        shell_key = (audience.kind, BOARD.name, None, "shell", get_language())
        if shell_key not in self._done:
            shell_context = {**context, "own_table_slot": OWN_TABLE_SLOT, "tables": []}
            self._done[shell_key] = render_piece(audience, BOARD, shell_context)
        own = render_to_string(OWN_TABLE, context)
        # Both are rendered templates: what they hold is escaped already.
        return mark_safe(self._done[shell_key].replace(OWN_TABLE_SLOT, own, 1))  # noqa: S308

    def rendered(self, audience: Audience, piece: Piece, row: int | None = None) -> str | None:
        return self._done.get(self._key(audience, piece, row))

    def piece_part(self, audience: Audience, piece: Piece) -> str:
        html = self.render(audience, piece)
        return partial(f"#{piece.id_for()}", "outerHTML", html)

    def head_part(self, audience: Audience, table) -> str:
        html = self.scene.head_html(audience, table)
        return partial(f"#{TABLE_HEAD.id_for(table=table.pk)}", "outerHTML", html)

    def card_parts(self, audience: Audience, takeaway, moved: bool = False) -> list[str]:
        """The card where the audience has it: replaced, inserted, or removed."""
        stage = self.scene.stage
        remove = partial(f"#{TAKEAWAY.id_for(takeaway=takeaway.pk)}", "delete")
        if not stage.shows_card(audience, takeaway):
            return [remove]
        html = self.scene.card_html(audience, takeaway)
        insert = partial(f"#{TABLE_LIST.id_for(table=takeaway.table_id)}", UPSERT, html)
        # An upsert replaces a card where it stands: to move it, remove it first.
        return [remove, insert] if moved else [insert]

    def snapshot_parts(self, audience: Audience) -> list[str]:
        return [self.piece_part(audience, piece) for piece in SNAPSHOT]


def join_parts(parts: list[str]) -> str:
    return "".join(parts)
