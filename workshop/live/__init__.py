"""Live updates: what each audience shows, declared once; broadcast on commit; catch-up.

- `pieces`: the live contract — each piece of a screen, the audiences that show it, its
  element id and partial; the stage the room is in.
- `changes`: `changing(workshop)`, inside which every write that screens show runs: it locks,
  raises the revision, records what changed, and announces it after commit.
- `render`: each distinct fragment rendered once per change, never once per table.
- `broadcast`: one channel-layer message per change; `fanout`: each process hands it to its
  own sockets, and keeps them honest with a heartbeat read from the database.
- `catchup`: a screen that connects or comes back gets what it missed, a snapshot, or nothing.
- `envelope`: what a message looks like; `cache`: what was rendered, by revision.
"""

from django.http import HttpResponse

from workshop.live import envelope
from workshop.live.catchup import (
    Position,
    catch_up,
    catch_up_from,
    parse_revision,
    snapshot_html,
)
from workshop.live.changes import Change, changing
from workshop.live.pieces import (
    BOARD,
    CONSOLE,
    PHONES,
    PROGRESS,
    PROJECTOR,
    SPOTLIGHT,
    STATUS,
    TABLE_HEAD,
    TABLE_LIST,
    TAKEAWAY,
    TIMER,
    UPSERT,
    Audience,
    Stage,
)
from workshop.live.render import Scene, partial, timer_state

__all__ = [
    "BOARD",
    "CONSOLE",
    "PHONES",
    "PROGRESS",
    "PROJECTOR",
    "SPOTLIGHT",
    "STATUS",
    "TABLE_HEAD",
    "TABLE_LIST",
    "TAKEAWAY",
    "TIMER",
    "UPSERT",
    "Audience",
    "Change",
    "Position",
    "Stage",
    "catch_up",
    "catch_up_from",
    "catch_up_response",
    "changing",
    "own_card",
    "page_context",
    "parse_revision",
    "partial",
    "snapshot_html",
    "timer_state",
]


def page_context(audience: Audience, workshop, revision: int) -> dict:
    """Everything a full page of this audience renders. `revision` — the audience's position,
    read before anything the page shows — is where its socket picks up."""
    stage = Stage.of(workshop)
    only_table = audience.table_id if audience.kind == PHONES and stage.is_discussion else None
    scene = Scene(stage, only_table=only_table)
    context = scene.context(audience, BOARD)
    context.update(
        audience=audience,
        revision=revision,
        timer=scene.timer,
        spotlight=scene.spotlight,
        progress=scene.progress,
        server_now=envelope.now_ms(),
    )
    return context


def own_card(takeaway, workshop) -> str:
    """The author's own card as their table's phones show it, as the answer to their post or
    edit: the very fragment the broadcast rendered for their table."""
    takeaway.author.workshop = workshop
    html = Scene(Stage.of(workshop)).card_html(Audience.table(takeaway.table_id), takeaway)
    return partial(f"#{TABLE_LIST.id_for(table=takeaway.table_id)}", UPSERT, html)


def catch_up_response(audience: Audience, workshop_id: int, request) -> HttpResponse:
    """The same catch-up over plain HTTP, for networks that block WebSockets and for screens
    that saw a gap."""
    text = catch_up(audience, workshop_id, parse_revision(request.GET.get("after")))
    response = HttpResponse(text, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
