"""Live updates: who hears about a change, what they are sent, and catching up.

A change is rendered once per audience (the projector, the console, the phones of one table) and
sent to that audience's group after the write commits. A client that connects, or comes back,
asks for everything after the revision it last saw and gets the same fragments, or a snapshot.
Every fragment replaces or removes elements by id, so a repeated message is harmless.

What a screen shows depends on the activity the room is in (its "stage"): moving to another
activity sends every screen a snapshot; within an activity, only what changed is sent.
"""

import copy
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from workshop.models import Activity, Completion, Participant, Table, Takeaway, Workshop

EVERYTHING = Q()

# New cards go in by id, newest first; an existing card is replaced where it stands.
UPSERT = "upsert key:data-order sort:desc"

# More changes than this since a client's revision: a snapshot is cheaper than replaying them.
CATCH_UP_LIMIT = 200

# Activities whose phone screen shows nothing of the phone's own table.
TABLE_BLIND_KINDS = {Activity.Kind.SLIDE, Activity.Kind.SOLO}

# Pieces of a screen that belong to the whole workshop, by the id of their element. Each
# audience's template defines a partial of the same name (empty where it shows nothing).
WORKSHOP_PIECES = {
    "status": "workshop-status",
    "timer": "timer",
    "spotlight": "spotlight",
    "progress": "progress",
}


@dataclass(frozen=True)
class Audience:
    """Everyone who sees the same screen of a workshop, and so is sent the same fragments."""

    kind: str  # "projector", "console" or "table"
    table_id: int | None = None

    @classmethod
    def projector(cls):
        return cls("projector")

    @classmethod
    def console(cls):
        return cls("console")

    @classmethod
    def table(cls, table_id: int):
        return cls("table", table_id)

    def group(self, workshop_id: int) -> str:
        suffix = f"table{self.table_id}" if self.kind == "table" else self.kind
        return f"workshop{workshop_id}.{suffix}"

    @property
    def template(self) -> str:
        return {
            "projector": "facilitator/projector.html",
            "console": "facilitator/console.html",
            "table": "participants/board.html",
        }[self.kind]

    def shows(self, takeaway) -> bool:
        if self.kind == "console":
            return not takeaway.deleted
        return takeaway.is_visible

    def sees_table(self, stage: "Stage", table_id: int) -> bool:
        """A phone sees its own table, except in a share-out, where the whole room is shown."""
        return self.kind != "table" or stage.is_shareout or self.table_id == table_id


@dataclass
class Stage:
    """The activity the room is in, and what every screen shows of it."""

    workshop: Workshop
    activity: Activity | None

    @classmethod
    def of(cls, workshop: Workshop) -> "Stage":
        activity = None
        if workshop.current_activity_id:
            activity = Activity.objects.get(pk=workshop.current_activity_id)
        return cls(workshop, activity)

    @classmethod
    def load(cls, workshop_id: int) -> "Stage":
        """The workshop and its running activity, in one query."""
        workshop = Workshop.objects.select_related("current_activity").get(pk=workshop_id)
        return cls(workshop, workshop.current_activity)

    @property
    def kind(self) -> str | None:
        return self.activity.kind if self.activity else None

    @property
    def is_shareout(self) -> bool:
        return self.kind == Activity.Kind.SHAREOUT

    @property
    def shown_discussion_id(self) -> int | None:
        """The discussion whose takeaways the screens show now, if any."""
        if self.kind == Activity.Kind.DISCUSSION:
            return self.activity.pk
        if self.is_shareout:
            return self.activity.source_id
        return None

    @property
    def reorders_on_votes(self) -> bool:
        return self.is_shareout and self.activity.order_by_votes

    def context(self) -> dict:
        """What the workshop-wide pieces need; computed once per change, for every audience."""
        workshop = self.workshop
        context = {
            "workshop": workshop,
            "activity": self.activity,
            "stage": self,
            "timer": timer_state(workshop),
        }
        if workshop.spotlight_id:
            context["spotlight"] = (
                Takeaway.objects.select_related("author__workshop", "table")
                .filter(pk=workshop.spotlight_id, hidden=False, deleted=False)
                .first()
            )
        if self.kind == Activity.Kind.SOLO:
            context["progress"] = {
                "finished": Completion.objects.filter(activity=self.activity).count(),
                "total": Participant.objects.filter(workshop=workshop).count(),
            }
        return context


def timer_state(workshop: Workshop) -> dict:
    """The timer as every screen draws it: from the server's end time, so that a phone whose
    clock is wrong still counts down right (it compares the server's now with its own)."""
    now = time.time()
    if workshop.timer_paused_seconds is not None:
        remaining = workshop.timer_paused_seconds
    elif workshop.timer_ends_at is not None:
        remaining = max(0, round(workshop.timer_ends_at.timestamp() - now))
    else:
        remaining = None
    return {
        "remaining": remaining,
        "display": f"{remaining // 60}:{remaining % 60:02d}" if remaining is not None else "",
        "ends_at_ms": int(workshop.timer_ends_at.timestamp() * 1000)
        if workshop.timer_ends_at
        else None,
        "paused_seconds": workshop.timer_paused_seconds,
        "server_now_ms": int(now * 1000),
        "is_set": workshop.timer_ends_at is not None or workshop.timer_paused_seconds is not None,
    }


@dataclass
class Changes:
    tables: list = field(default_factory=list)
    takeaways: list = field(default_factory=list)
    pieces: set = field(default_factory=set)
    stage: bool = False

    @property
    def revision(self) -> int:
        stamps = [t.last_change for t in self.tables] + [k.revision for k in self.takeaways]
        return max(stamps, default=0)


# --- Queries -------------------------------------------------------------------------------


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


def takeaways(workshop_id: int, takeaway_filter: Q = EVERYTHING, *, votes: bool = True):
    """Takeaways with their authors; counting votes (a join and a GROUP BY) only when asked."""
    # The author's workshop too: whether names are shown depends on it (public_name).
    rows = Takeaway.objects.filter(takeaway_filter, workshop_id=workshop_id).select_related(
        "author__workshop", "table"
    )
    if votes:
        rows = rows.annotate(vote_count=Count("votes"))
    return rows.order_by("-pk")


def order_key(takeaway, stage: Stage) -> int:
    """Where a card stands in its list, highest first: by votes in a share-out that asks."""
    if stage.reorders_on_votes and hasattr(takeaway, "vote_count"):
        return takeaway.vote_count * 1_000_000_000 + takeaway.pk
    return takeaway.pk


# --- Rendering -----------------------------------------------------------------------------


def _render(audience: Audience, piece: str, context: dict) -> str:
    return render_to_string(f"{audience.template}#{piece}", {**context, "audience": audience})


def render_changes(
    audience: Audience, stage: Stage, changes: Changes, context: dict, board=None
) -> str:
    if changes.stage or (changes.takeaways and stage.reorders_on_votes):
        return render_snapshot(audience, stage, context, board)
    parts = []
    for piece in sorted(changes.pieces):
        html = _render(audience, piece, context)
        if html.strip():
            parts.append(partial(f"#{WORKSHOP_PIECES[piece]}", "outerHTML", html))
    for table in changes.tables:
        if audience.sees_table(stage, table.pk):
            html = _render(audience, "table_head", {**context, "table": table})
            parts.append(partial(f"#table-{table.pk}-head", "outerHTML", html))
    for takeaway in changes.takeaways:
        if not audience.sees_table(stage, takeaway.table_id):
            continue
        if takeaway.activity_id != stage.shown_discussion_id:
            continue  # not on any screen now; the next snapshot shows it where it belongs
        if audience.shows(takeaway):
            takeaway.order = order_key(takeaway, stage)
            html = _render(audience, "takeaway", {**context, "takeaway": takeaway})
            parts.append(partial(f"#table-{takeaway.table_id}-list", UPSERT, html))
        else:
            parts.append(partial(f"#takeaway-{takeaway.pk}", "delete"))
    return format_html_join("", "{}", ((part,) for part in parts))


def render_snapshot(
    audience: Audience, stage: Stage, context: dict | None = None, board=None
) -> str:
    own = board.context_for(audience) if board else board_context(audience, stage)
    context = {**(context or stage.context()), **own}
    return partial("#board", "outerHTML", _render(audience, "board", context))


@dataclass
class Board:
    """Every table and every takeaway the stage shows, read once for all the audiences that
    need a snapshot (moving to another activity sends one to each table's phones)."""

    stage: Stage
    tables: list
    shown: list
    activities: list

    @classmethod
    def load(cls, stage: Stage, table_ids: Iterable[int] | None = None) -> "Board":
        workshop = stage.workshop
        table_filter = Q(pk__in=table_ids) if table_ids is not None else EVERYTHING
        tables = list(tables_with_people(workshop.pk, table_filter))
        shown = []
        if stage.shown_discussion_id:
            shown = list(
                takeaways(
                    workshop.pk,
                    Q(activity_id=stage.shown_discussion_id, deleted=False)
                    & Q(table__in=[t.pk for t in tables]),
                    votes=stage.is_shareout,
                )
            )
        for takeaway in shown:
            takeaway.order = order_key(takeaway, stage)
        shown.sort(key=lambda k: -k.order)
        return cls(stage, tables, shown, [])

    def context_for(self, audience: Audience) -> dict:
        """What one audience's board shows: used by the page itself and by snapshots."""
        stage, workshop = self.stage, self.stage.workshop
        tables = [
            copy.copy(table)  # each audience gets its own list of cards on the same rows
            for table in self.tables
            if audience.kind != "table" or stage.is_shareout or table.pk == audience.table_id
        ]
        shown = [k for k in self.shown if audience.shows(k)]
        for table in tables:
            table.shown_takeaways = [k for k in shown if k.table_id == table.pk]
        context = {
            "tables": tables,
            "revision": workshop.revision,
            "wall_columns": wall_columns(len(tables)),
        }
        if audience.kind == "console":
            if not self.activities:
                self.activities = list(workshop.activities.all())
            context["activities"] = self.activities
            context["activity_number"] = next(
                (
                    n
                    for n, a in enumerate(self.activities, 1)
                    if a.pk == workshop.current_activity_id
                ),
                0,
            )
        if audience.kind == "table":
            # Each phone replaces it with its own as soon as it posts (see static/js/live.js).
            context["new_token"] = uuid.uuid4()
        return context


def board_context(audience: Audience, stage: Stage) -> dict:
    """One audience's board, read for it alone (a page, a reconnecting screen)."""
    own_table = audience.kind == "table" and not stage.is_shareout
    return Board.load(stage, [audience.table_id] if own_table else None).context_for(audience)


def page_context(audience: Audience, workshop: Workshop) -> dict:
    """Everything a full page of this audience renders."""
    stage = Stage.of(workshop)
    return {**stage.context(), **board_context(audience, stage), "audience": audience}


def wall_columns(table_count: int) -> int:
    """Up to six tables side by side on the projector; more go on two rows."""
    return table_count if table_count <= 6 else -(-table_count // 2)


PARTIAL_TAG = '<hx-partial hx-target="{}" hx-swap="{}">{}</hx-partial>'


def partial(target: str, swap: str, html: str = "") -> str:
    return format_html(PARTIAL_TAG, target, swap, html)


def message(revision: int, content: str) -> str:
    return json.dumps({"revision": revision, "content": content})


# --- Catching up ---------------------------------------------------------------------------


def parse_revision(value: str | None) -> int | None:
    """The revision a client says it has seen; anything unreadable means "send me everything"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def catch_up_response(audience: Audience, workshop_id: int, request) -> HttpResponse:
    """The same catch-up over plain HTTP, for networks that block WebSockets."""
    text = catch_up(audience, workshop_id, parse_revision(request.GET.get("after")))
    response = HttpResponse(text, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def catch_up(audience: Audience, workshop_id: int, after: int | None) -> str:
    """Everything this audience missed since `after`, or a snapshot when that is not possible."""
    with transaction.atomic():
        stage = Stage.load(workshop_id)
        workshop = stage.workshop
        context = stage.context()
        unknown = after is None or after < 0 or after > workshop.revision
        if unknown or after < workshop.stage_revision:
            return message(workshop.revision, render_snapshot(audience, stage, context))
        changes = _changes_since(audience, stage, after)
        if len(changes.tables) + len(changes.takeaways) > CATCH_UP_LIMIT:
            return message(workshop.revision, render_snapshot(audience, stage, context))
        return message(workshop.revision, render_changes(audience, stage, changes, context))


def _changes_since(audience: Audience, stage: Stage, after: int) -> Changes:
    workshop = stage.workshop
    changed_tables = Q(revision__gt=after) | Q(participants__revision__gt=after)
    table_ids = set(
        tables_with_people(workshop.pk).filter(changed_tables).values_list("pk", flat=True)
    )
    return Changes(
        tables=list(tables_with_people(workshop.pk, Q(pk__in=table_ids))),
        takeaways=list(takeaways(workshop.pk, Q(revision__gt=after))),
        # Workshop-wide pieces are small: sending them every time is simpler than tracking them.
        pieces=set(WORKSHOP_PIECES),
    )


# --- Broadcasting --------------------------------------------------------------------------


def changed(
    workshop_id: int,
    *,
    tables: Iterable[int] = (),
    takeaways: Iterable[int] = (),
    status: bool = False,
    timer: bool = False,
    spotlight: bool = False,
    progress: bool = False,
    stage: bool = False,
) -> None:
    """Tell every audience about these changes once the current transaction commits."""
    table_ids, takeaway_ids = list(tables), list(takeaways)
    flags = {"status": status, "timer": timer, "spotlight": spotlight, "progress": progress}
    pieces = {name for name, on in flags.items() if on}
    transaction.on_commit(
        lambda: broadcast(workshop_id, table_ids, takeaway_ids, pieces, stage), robust=True
    )


def broadcast(
    workshop_id: int,
    table_ids: list[int],
    takeaway_ids: list[int],
    pieces: set[str] = frozenset(),
    stage_changed: bool = False,
):
    # Read back what was committed: the fragments show the rows as they are now.
    stage = Stage.load(workshop_id)
    workshop = stage.workshop
    context = stage.context()
    changed_takeaways = []
    if takeaway_ids:
        rows = takeaways(workshop_id, Q(pk__in=takeaway_ids), votes=stage.is_shareout)
        changed_takeaways = list(rows)
    changes = Changes(
        tables=list(tables_with_people(workshop_id, Q(pk__in=table_ids))) if table_ids else [],
        takeaways=changed_takeaways,
        pieces=set(pieces),
        stage=stage_changed,
    )
    messages = []
    needs_snapshots = changes.stage or (changes.takeaways and stage.reorders_on_votes)
    board = Board.load(stage) if needs_snapshots else None
    rendered = {}
    for audience in _audiences(workshop, stage, changes):
        # A slide or a reflection looks the same at every table: one render serves them all.
        same_for_every_table = (
            audience.kind == "table" and changes.stage and stage.kind in TABLE_BLIND_KINDS
        )
        variant = "every table" if same_for_every_table else audience
        if variant not in rendered:
            rendered[variant] = render_changes(audience, stage, changes, context, board)
        content = rendered[variant]
        if content:
            text = message(changes.revision or workshop.revision, content)
            messages.append((audience.group(workshop_id), text))
    if messages:
        # One hop to the event loop for all of them: each hop costs a thread switch.
        async_to_sync(_send_all)(messages)


async def _send_all(messages: list[tuple[str, str]]) -> None:
    layer = get_channel_layer()
    for group, text in messages:
        await layer.group_send(group, {"type": "live.fragment", "text": text})


def _audiences(workshop: Workshop, stage: Stage, changes: Changes) -> list[Audience]:
    """The projector and console always; the phones of each table that sees something."""
    everyone = changes.stage or changes.pieces or stage.is_shareout
    if everyone:
        table_ids = set(workshop.tables.values_list("pk", flat=True))
    else:
        table_ids = {t.pk for t in changes.tables} | {k.table_id for k in changes.takeaways}
    return [
        Audience.projector(),
        Audience.console(),
        *(Audience.table(pk) for pk in sorted(table_ids)),
    ]
