"""Live updates: who hears about a change, what they are sent, and catching up.

A change is rendered once per audience (the projector, the console, the phones of one table) and
sent to that audience's group after the write commits. A client that connects, or comes back,
asks for everything after the revision it last saw and gets the same fragments, or a snapshot.
Every fragment replaces or removes elements by id, so a repeated message is harmless.
"""

import json
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

from workshop.models import Participant, Table, Takeaway, Workshop

EVERYTHING = Q()

# New cards go in by id, newest first; an existing card is replaced where it stands.
UPSERT = "upsert key:data-order sort:desc"

# More changes than this since a client's revision: a snapshot is cheaper than replaying them.
CATCH_UP_LIMIT = 200


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

    def hears_about(self, table_id: int) -> bool:
        return self.kind != "table" or self.table_id == table_id


@dataclass
class Changes:
    tables: list = field(default_factory=list)
    takeaways: list = field(default_factory=list)
    status: bool = False

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


def takeaways(workshop_id: int, takeaway_filter: Q = EVERYTHING):

    return (
        Takeaway.objects.filter(takeaway_filter, workshop_id=workshop_id)
        .select_related("author")
        .order_by("-pk")
    )


def _for_audience(audience: Audience, changes: Changes) -> Changes:
    return Changes(
        tables=[t for t in changes.tables if audience.hears_about(t.pk)],
        takeaways=[k for k in changes.takeaways if audience.hears_about(k.table_id)],
        status=changes.status,
    )


# --- Rendering -----------------------------------------------------------------------------


def render_changes(audience: Audience, workshop, changes: Changes) -> str:
    parts = []
    if changes.status:
        parts.append(
            partial(
                "#workshop-status",
                "outerHTML",
                render_to_string(f"{audience.template}#status", {"workshop": workshop}),
            )
        )
    for table in changes.tables:
        html = render_to_string(
            f"{audience.template}#table_head", {"table": table, "workshop": workshop}
        )
        parts.append(partial(f"#table-{table.pk}-head", "outerHTML", html))
    for takeaway in changes.takeaways:
        if audience.shows(takeaway):
            html = render_to_string(
                f"{audience.template}#takeaway", {"takeaway": takeaway, "workshop": workshop}
            )
            target = f"#table-{takeaway.table_id}-list"
            parts.append(partial(target, UPSERT, html))
        else:
            parts.append(partial(f"#takeaway-{takeaway.pk}", "delete"))
    return format_html_join("", "{}", ((part,) for part in parts))


def render_snapshot(audience: Audience, workshop) -> str:
    html = render_to_string(f"{audience.template}#board", board_context(audience, workshop))
    return partial("#board", "outerHTML", html)


def board_context(audience: Audience, workshop) -> dict:
    """What an audience's board shows: used by the page itself and by snapshots."""
    table_filter = Q(pk=audience.table_id) if audience.kind == "table" else Q()
    tables = list(tables_with_people(workshop.pk, table_filter))
    shown = [
        k
        for k in takeaways(workshop.pk, Q(table__in=[t.pk for t in tables]) & Q(deleted=False))
        if audience.shows(k)
    ]
    for table in tables:
        table.shown_takeaways = [k for k in shown if k.table_id == table.pk]
    return {
        "workshop": workshop,
        "tables": tables,
        "revision": workshop.revision,
        "wall_columns": wall_columns(len(tables)),
    }


def wall_columns(table_count: int) -> int:
    """Up to six tables side by side on the projector; more go on two rows."""
    return table_count if table_count <= 6 else -(-table_count // 2)


def partial(target: str, swap: str, html: str = "") -> str:
    return format_html(
        '<hx-partial hx-target="{}" hx-swap="{}">{}</hx-partial>', target, swap, html
    )


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
        workshop = Workshop.objects.get(pk=workshop_id)
        if after is None or after < 0 or after > workshop.revision:
            return message(workshop.revision, render_snapshot(audience, workshop))
        changes = _changes_since(audience, workshop, after)
        if len(changes.tables) + len(changes.takeaways) > CATCH_UP_LIMIT:
            return message(workshop.revision, render_snapshot(audience, workshop))
        return message(workshop.revision, render_changes(audience, workshop, changes))


def _changes_since(audience: Audience, workshop, after: int) -> Changes:
    scope = Q(pk=audience.table_id) if audience.kind == "table" else Q()
    changed_tables = Q(revision__gt=after) | Q(participants__revision__gt=after)
    table_ids = set(
        tables_with_people(workshop.pk, scope).filter(changed_tables).values_list("pk", flat=True)
    )
    takeaway_scope = Q(table_id=audience.table_id) if audience.kind == "table" else Q()
    return Changes(
        tables=list(tables_with_people(workshop.pk, Q(pk__in=table_ids))),
        takeaways=list(takeaways(workshop.pk, takeaway_scope & Q(revision__gt=after))),
        status=True,
    )


# --- Broadcasting --------------------------------------------------------------------------


def changed(
    workshop_id: int,
    *,
    tables: Iterable[int] = (),
    takeaways: Iterable[int] = (),
    status: bool = False,
) -> None:
    """Tell every audience about these rows once the current transaction commits."""
    table_ids, takeaway_ids = list(tables), list(takeaways)
    transaction.on_commit(
        lambda: broadcast(workshop_id, table_ids, takeaway_ids, status), robust=True
    )


def broadcast(workshop_id: int, table_ids: list[int], takeaway_ids: list[int], status: bool):

    # Read back what was committed: the fragments show the rows as they are now.
    workshop = Workshop.objects.get(pk=workshop_id)
    changes = Changes(
        tables=list(tables_with_people(workshop_id, Q(pk__in=table_ids))) if table_ids else [],
        takeaways=list(takeaways(workshop_id, Q(pk__in=takeaway_ids))) if takeaway_ids else [],
        status=status,
    )
    table_audiences = {
        *(t.pk for t in changes.tables),
        *(k.table_id for k in changes.takeaways),
    }
    if status:
        table_audiences |= set(workshop.tables.values_list("pk", flat=True))
    audiences = [
        Audience.projector(),
        Audience.console(),
        *(Audience.table(pk) for pk in sorted(table_audiences)),
    ]
    send = async_to_sync(get_channel_layer().group_send)
    for audience in audiences:
        mine = _for_audience(audience, changes)
        text = message(mine.revision or workshop.revision, render_changes(audience, workshop, mine))
        send(audience.group(workshop_id), {"type": "live.fragment", "text": text})
