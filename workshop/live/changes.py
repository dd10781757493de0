"""What a write changes on the screens: recorded in its transaction, announced after commit.

Every write that any screen shows runs inside `changing(workshop)`. It takes the workshop's row
lock first, by raising its revision (so revisions commit in order, and what the write then
checks cannot change under it), and yields a `Change` on which the write says what it changed.
Before the transaction ends it stamps the feeds of the tables whose phones will hear of it, and
once it commits, `broadcast` tells every screen.

The projector and the console hear of every revision: their messages follow one another by
one. A table's phones hear only of what they show; each table keeps the revision of the last
change its phones were sent (Table.feed_revision) and the one before, and every message says
both, so that a phone that missed one knows at once.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from workshop.live.broadcast import broadcast
from workshop.live.pieces import PHONES, PROGRESS, QUEUE, ROOM, SPOTLIGHT, Audience, Piece, Stage
from workshop.models import Activity, Table, Takeaway, Workshop
from workshop.queries import unique_or_none

_WORKSHOP = Workshop._meta.db_table
_TABLE = Table._meta.db_table


@dataclass
class Change:
    stage: Stage
    revision: int
    pieces: set = field(default_factory=set)
    # Tables whose header changed (a rename, someone joining), by id: read again to render.
    table_ids: set = field(default_factory=set)
    takeaways: dict = field(default_factory=dict)
    # Cards whose count of votes changed: the phones show no counts, so only staff hear.
    votes: dict = field(default_factory=dict)
    # Approved cards sent back to wait for approval (an edit): the screens that had them drop them.
    withdrawn: set = field(default_factory=set)
    stage_changed: bool = False
    cancelled: bool = False
    # Filled as the transaction ends: table id -> (the feed revision before, this revision).
    table_feeds: dict = field(default_factory=dict)

    @property
    def workshop(self) -> Workshop:
        return self.stage.workshop

    def show(self, *pieces: Piece) -> None:
        self.pieces.update(pieces)

    def table(self, table_id: int) -> None:
        self.table_ids.add(table_id)

    def takeaway(self, takeaway: Takeaway) -> None:
        takeaway.author.workshop = self.workshop  # its public name depends on the workshop
        self.takeaways[takeaway.pk] = takeaway
        if takeaway.pk == self.workshop.spotlight_id:
            self.show(SPOTLIGHT)  # the big screen shows its words, or it is hidden now
        if takeaway.approval:
            self.show(QUEUE)  # it may join the queue, leave it, or change in it

    def withdraw(self, takeaway: Takeaway) -> None:
        self.withdrawn.add(takeaway.pk)

    def vote(self, takeaway: Takeaway) -> None:
        takeaway.author.workshop = self.workshop
        self.votes[takeaway.pk] = takeaway

    def cancel(self) -> None:
        """Nothing to do after all (the room had moved already, say): the transaction is rolled
        back, the revision is not raised and nothing is announced."""
        self.cancelled = True

    def restage(self) -> None:
        """The room moved on, or what it shows was edited: every screen gets a fresh view."""
        self.stage_changed = True

    def phone_tables(self) -> tuple[bool, set]:
        """Whose phones hear of this change: (every table?, else these tables)."""
        stage = self.stage
        if self.stage_changed or any(PHONES in piece.shown_by for piece in self.pieces):
            return True, set()
        tables = set()
        for table_id in self.table_ids:
            if stage.shows_head(Audience.table(table_id), table_id):
                tables.add(table_id)
        for takeaway in self.takeaways.values():
            if stage.may_hold_card(Audience.table(takeaway.table_id), takeaway, self.withdrawn):
                tables.add(takeaway.table_id)
        if tables and stage.is_shareout:
            return True, set()  # a share-out shows every table's cards to every phone
        return False, tables


@contextmanager
def changing(workshop: Workshop, *, fresh: bool = False):
    """A write that screens show: lock, check and write inside; announced after commit.

    `workshop` is updated under the lock with what the screens depend on; `fresh` reads the
    whole row again (facilitators' actions, which may render the timer or a snapshot).
    """
    try:
        with transaction.atomic():
            revision = _lock(workshop, fresh=fresh)
            change = Change(Stage(workshop), revision)
            yield change
            if change.cancelled:
                raise _Cancelled
            _finish(change)
    except _Cancelled:
        workshop.revision -= 1


class _Cancelled(Exception):
    pass


def _lock(workshop: Workshop, *, fresh: bool) -> int:
    """Raises the workshop's revision, holding its row lock until commit; refreshes it."""
    held = (workshop.current_activity_id, workshop.stage_revision)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_WORKSHOP} SET revision = revision + 1 WHERE id = %s "  # noqa: S608 - our table
            "RETURNING revision, stage_revision, current_activity_id, status, spotlight_id, "
            "anonymous, projector_language, screen_languages",
            [workshop.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise Workshop.DoesNotExist("The workshop was deleted.")
    if fresh:
        workshop.refresh_from_db()
    (
        workshop.revision,
        workshop.stage_revision,
        workshop.current_activity_id,
        workshop.status,
        workshop.spotlight_id,
        anonymous,
        # The languages to render the change in (workshop.languages).
        workshop.projector_language,
        workshop.screen_languages,
    ) = row
    workshop.anonymous = bool(anonymous)
    if fresh or (workshop.current_activity_id, workshop.stage_revision) != held:
        # The room moved (or its activity was edited) since this request read it.
        workshop.current_activity = (
            unique_or_none(Activity.objects.filter(pk=workshop.current_activity_id))
            if workshop.current_activity_id
            else None
        )
    return workshop.revision


def _finish(change: Change) -> None:
    if change.table_ids and _spotlight_sits_at(change.workshop, change.table_ids):
        change.show(SPOTLIGHT)  # the spotlight names its table
    finished = PROGRESS in change.pieces and change.stage.kind == Activity.Kind.SOLO
    if change.table_ids or finished:
        # Someone joined, moved, left or finished: the console's strip. (A poll's answer, or a
        # tick whose counts are shown, moves the counts alone.)
        change.show(ROOM)
    if change.stage_changed:
        Workshop.objects.filter(pk=change.workshop.pk).update(stage_revision=change.revision)
        change.workshop.stage_revision = change.revision
    change.table_feeds = _stamp_feeds(change)
    transaction.on_commit(lambda: broadcast(change), robust=True)


def _spotlight_sits_at(workshop: Workshop, table_ids: set) -> bool:
    if not workshop.spotlight_id:
        return False
    return Takeaway.objects.filter(pk=workshop.spotlight_id, table_id__in=table_ids).exists()


def _stamp_feeds(change: Change) -> dict[int, tuple[int, int]]:
    every_table, table_ids = change.phone_tables()
    if not every_table and not table_ids:
        return {}
    sql = (
        f"UPDATE {_TABLE} SET feed_previous = feed_revision, feed_revision = %s "  # noqa: S608
        "WHERE workshop_id = %s"
    )
    params = [change.revision, change.workshop.pk]
    if not every_table:
        sql += f" AND id IN ({', '.join(['%s'] * len(table_ids))})"
        params += sorted(table_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING id, feed_previous", params)
        return {table_id: (previous, change.revision) for table_id, previous in cursor}
