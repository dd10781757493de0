"""The live contract, declared once: who sees what, and which part of their screen it is.

Each piece of a screen that changes live is one `Piece`: the partial that renders it (every
template of an audience that shows it defines a partial of that name), the id of the element it
replaces, and the audiences that show it. Rendering, broadcasting, catching up, the templates'
element ids (the `live_id` tag) and the tests all read these declarations.
"""

from dataclasses import dataclass

from django.conf import settings

from workshop.models import Activity, Workshop

PROJECTOR, CONSOLE, PHONES = "projector", "console", "table"
STAFF = frozenset({PROJECTOR, CONSOLE})
EVERYONE = frozenset({PROJECTOR, CONSOLE, PHONES})

TEMPLATES = {
    PROJECTOR: "facilitator/projector.html",
    CONSOLE: "facilitator/console.html",
    PHONES: "participants/board.html",
}


@dataclass(frozen=True)
class Piece:
    """A part of a screen sent live."""

    name: str  # its partial, in the template of each audience that shows it
    element_id: str  # the element it replaces; {table} and {takeaway} stand for row ids
    shown_by: frozenset
    # What its partial needs besides the workshop and its activity (see render.Scene).
    needs: tuple[str, ...] = ()

    def id_for(self, table: int | None = None, takeaway: int | None = None) -> str:
        return self.element_id.format(table=table, takeaway=takeaway)


STATUS = Piece("status", "workshop-status", EVERYONE)
TIMER = Piece("timer", "timer", EVERYONE, needs=("timer",))
SPOTLIGHT = Piece("spotlight", "spotlight", STAFF, needs=("spotlight",))
PROGRESS = Piece("progress", "progress", STAFF, needs=("progress",))
# The console's strip: joined per table, who is still writing. Sent whenever either may change.
ROOM = Piece("room", "room", frozenset({CONSOLE}), needs=("room",))
# The console's queue of takeaways waiting for approval, and its switch.
QUEUE = Piece("queue", "queue", frozenset({CONSOLE}), needs=("queue",))
TABLE_HEAD = Piece("table_head", "table-{table}-head", EVERYONE)
# A card goes into its table's list (TABLE_LIST) by upsert, or is removed by its own id.
TAKEAWAY = Piece("takeaway", "takeaway-{takeaway}", EVERYONE)
TABLE_LIST = Piece("table_list", "table-{table}-list", EVERYONE)  # a container, no partial
# The whole of what the screen shows of the running activity: a snapshot.
BOARD = Piece(
    "board",
    "board",
    EVERYONE,
    needs=("timer", "spotlight", "progress", "room", "queue", "tables", "agenda", "solo"),
)

# Pieces of the workshop as a whole, sent when they change and with every catch-up.
WORKSHOP_PIECES = (STATUS, TIMER, SPOTLIGHT, PROGRESS, ROOM, QUEUE)
# Everything a screen shows that can change: a snapshot sends these.
SNAPSHOT = (STATUS, BOARD)
# Every piece with a partial of its own, for the test that each template defines them.
PARTIALS = (STATUS, TIMER, SPOTLIGHT, PROGRESS, ROOM, QUEUE, TABLE_HEAD, TAKEAWAY, BOARD)
BY_NAME = {piece.name: piece for piece in (*PARTIALS, TABLE_LIST)}

# New cards go in by id, newest (or most voted) first; an existing card is replaced in place.
UPSERT = "upsert key:data-order sort:desc"


@dataclass(frozen=True)
class Audience:
    """Everyone who sees the same screen of a workshop: the projector, the console, or the
    phones of one table."""

    kind: str
    table_id: int | None = None

    @classmethod
    def projector(cls):
        return cls(PROJECTOR)

    @classmethod
    def console(cls):
        return cls(CONSOLE)

    @classmethod
    def table(cls, table_id: int):
        return cls(PHONES, table_id)

    @property
    def key(self) -> str:
        """Its name among a workshop's sockets and in a message's recipients."""
        return f"t{self.table_id}" if self.kind == PHONES else self.kind

    @property
    def template(self) -> str:
        return TEMPLATES[self.kind]

    def feed(self, language: str) -> str:
        """Its sockets in one language, among a workshop's sockets and in a message's
        recipients: its key, and the language unless the site's default. The projector is in
        its workshop's language, whatever its sockets: its key alone."""
        if self.kind == PROJECTOR or language == settings.LANGUAGE_CODE:
            return self.key
        return f"{self.key}.{language}"


def audience_key(feed: str) -> str:
    """The audience whose sockets in one language `feed` names (Audience.feed)."""
    return feed.partition(".")[0]


@dataclass
class Stage:
    """The activity the room is in, and what every screen shows of it."""

    workshop: Workshop

    @classmethod
    def of(cls, workshop: Workshop) -> "Stage":
        return cls(workshop)

    @property
    def activity(self) -> Activity | None:
        # Read through the workshop: a write that moves the room moves its stage too.
        return self.workshop.current_activity if self.workshop.current_activity_id else None

    @classmethod
    def load(cls, workshop_id: int) -> "Stage":
        """The workshop and its running activity, in one query."""
        return cls.of(Workshop.objects.select_related("current_activity").get(pk=workshop_id))

    @property
    def kind(self) -> str | None:
        return self.activity.kind if self.activity else None

    @property
    def is_shareout(self) -> bool:
        return self.kind == Activity.Kind.SHAREOUT

    @property
    def is_discussion(self) -> bool:
        return self.kind == Activity.Kind.DISCUSSION

    @property
    def shows_tables(self) -> bool:
        """The projector's wall and the console's tables are up."""
        return self.is_discussion or self.is_shareout

    @property
    def shown_discussion_id(self) -> int | None:
        """The discussion whose takeaways the screens show now, if any."""
        if self.is_discussion:
            return self.activity.pk
        if self.is_shareout:
            return self.activity.source_id
        return None

    @property
    def reorders_on_votes(self) -> bool:
        return self.is_shareout and self.activity.order_by_votes

    def shows_votes(self, audience: Audience) -> bool:
        """Whether this staff screen shows the counts: the console always; the projector
        unless the share-out keeps them hidden until revealed."""
        if audience.kind == PROJECTOR:
            return not (self.is_shareout and self.activity.votes_hidden)
        return audience.kind == CONSOLE

    def orders_by_votes(self, audience: Audience) -> bool:
        """Whether this audience's cards stand in order of votes (an order shows the counts)."""
        return self.reorders_on_votes and self.shows_votes(audience)

    def phones_of_table_differ(self) -> bool:
        """Whether each table's phones see a board of their own: only in a discussion, where a
        phone shows its own table. Elsewhere one render serves every table."""
        return self.is_discussion

    def phones_see_table(self, table_id: int, audience: Audience) -> bool:
        return self.is_shareout or (self.is_discussion and audience.table_id == table_id)

    def shows_card(self, audience: Audience, takeaway) -> bool:
        """Whether this audience's screen holds this card now (deleted or hidden: it goes).

        One waiting for approval is in the console's queue, not on its tables, and on its own
        table's phones during the discussion (marked as waiting); nowhere else."""
        if takeaway.activity_id != self.shown_discussion_id or takeaway.activity_id is None:
            return False
        if audience.kind == PHONES and not self.phones_see_table(takeaway.table_id, audience):
            return False
        if takeaway.in_queue:
            return audience.kind == PHONES and self.is_discussion
        if audience.kind == CONSOLE:
            return not takeaway.deleted
        return takeaway.is_visible

    def may_hold_card(self, audience: Audience, takeaway, withdrawn=frozenset()) -> bool:
        """Whether this audience's screen could have the card, shown or not. A card waiting for
        approval was never on a screen that does not show it, unless it was approved before
        (`withdrawn`: it went back to wait): such a screen hears nothing of it."""
        if takeaway.activity_id != self.shown_discussion_id or takeaway.activity_id is None:
            return False
        if audience.kind == PHONES and not self.phones_see_table(takeaway.table_id, audience):
            return False
        if takeaway.is_waiting and takeaway.pk not in withdrawn:
            return audience.kind == CONSOLE or (audience.kind == PHONES and self.is_discussion)
        return True

    def shows_head(self, audience: Audience, table_id: int) -> bool:
        if audience.kind == PHONES:
            return self.phones_see_table(table_id, audience)
        return self.shows_tables
