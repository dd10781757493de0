"""After a write commits: each distinct fragment rendered once, one message for the workshop.

The message goes to the workshop's group on the channel layer, which each server process with
a screen of this workshop has joined once (workshop.live.fanout); each process then hands every
one of its sockets the parts meant for it. A change costs the same whatever the size of the
room, but for one send per socket that must hear of it.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Q
from django.utils import translation

from workshop import languages
from workshop.live import cache, envelope, fanout, faults
from workshop.live.pieces import CONSOLE, PHONES, Audience
from workshop.live.render import Renderer, Scene, join_parts, tables_with_people

logger = logging.getLogger(__name__)


def audience_parts(renderer: Renderer, audience: Audience, change, heads) -> list[str]:
    """What this audience's screen needs to show the change."""
    stage = renderer.scene.stage
    if change.stage_changed:
        return renderer.snapshot_parts(audience)
    parts = [
        renderer.piece_part(audience, piece)
        for piece in sorted(change.pieces, key=lambda piece: piece.name)
        if audience.kind in piece.shown_by
    ]
    parts += [
        renderer.head_part(audience, table)
        for table in heads
        if stage.shows_head(audience, table.pk)
    ]
    for takeaway in change.takeaways.values():
        if stage.may_hold_card(audience, takeaway, change.withdrawn):
            parts += renderer.card_parts(audience, takeaway)
    if stage.shows_votes(audience):  # a count hidden changes nothing on the screen
        moved = stage.orders_by_votes(audience)
        for takeaway in change.votes.values():
            if takeaway.pk not in change.takeaways and stage.may_hold_card(audience, takeaway):
                parts += renderer.card_parts(audience, takeaway, moved=moved)
    return parts


def render_change(change) -> list[dict]:
    """The message's parts: each distinct content once, with the screens that get it and, for
    each, the revision it follows and the one it reaches. Each audience kind in each language
    its screens are in (workshop.languages): the projector in its own, the console and the
    phones in those their sockets recorded."""
    scene = Scene(change.stage)
    renderer = Renderer(scene)  # what it renders is kept by language: the data is read once
    heads = []
    if change.table_ids:
        heads = list(tables_with_people(change.workshop.pk, Q(pk__in=change.table_ids)))
    by_content: dict[str, dict] = {}
    snapshots: list[tuple[str, str, Audience]] = []  # (content, its language, audience)

    def add(audience: Audience, language: str, content: str, follows: int, revision: int):
        by_content.setdefault(content, {})[audience.feed(language)] = [follows, revision]
        if change.stage_changed:
            snapshots.append((content, language, audience))

    workshop = change.workshop
    staff = [(Audience.projector(), [languages.of_projector(workshop)])]
    staff.append((Audience.console(), languages.used_by(workshop, CONSOLE)))
    for audience, spoken in staff:
        for language in spoken:
            with translation.override(language):
                content = join_parts(audience_parts(renderer, audience, change, heads))
                add(audience, language, content, change.revision - 1, change.revision)
    for language in languages.used_by(workshop, PHONES):
        with translation.override(language):
            shared = None
            for table_id, (follows, revision) in sorted(change.table_feeds.items()):
                audience = Audience.table(table_id)
                if shared is None or change.stage.phones_of_table_differ():
                    shared = join_parts(audience_parts(renderer, audience, change, heads))
                add(audience, language, shared, follows, revision)
    encoded = {content: envelope.encode_content(content) for content in by_content}
    if change.stage_changed:
        _keep_snapshots(change, snapshots, encoded)
    return [{"content": encoded[content], "to": to} for content, to in by_content.items()]


def _keep_snapshots(change, snapshots, encoded: dict[str, str]) -> None:
    """A change of stage is every screen's snapshot: reconnecting screens get it from here."""
    for content, language, audience in snapshots:
        with translation.override(language):
            variant = cache.variant(audience, change.stage)
        key = (*cache.of(change.workshop), variant, change.revision)
        cache.snapshots.put(key, encoded[content])


def broadcast(change) -> None:
    parts = render_change(change)
    workshop_id = change.workshop.pk
    message = {
        "type": "live.change",
        "workshop": workshop_id,
        "now": envelope.now_ms(),
        "parts": parts,
    }
    faults.before_broadcast(change)  # nothing, unless a test asked for a fault
    try:
        async_to_sync(get_channel_layer().group_send)(fanout.group(workshop_id), message)
    except Exception as error:
        _layer_failed(workshop_id, error)
    else:
        _layer_works()


_failing = False


def _layer_failed(workshop_id: int, error: Exception) -> None:
    """Said once, not per broadcast. This process's own screens are told to catch up; the other
    processes' screens hear from their heartbeat (workshop.live.fanout)."""
    global _failing
    if not _failing:
        logger.warning("Live updates cannot be sent (%s); screens will catch up.", error)
        _failing = True
    fanout.nudge_soon(workshop_id)


def _layer_works() -> None:
    global _failing
    if _failing:
        logger.warning("Live updates are sent again.")
        _failing = False
