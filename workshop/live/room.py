"""The room at a glance, for the console's strip: who is here, who is still writing, what comes
next and how the day runs against its agenda.

Read in a few queries whatever the size of the room: counts are counted by the database, and
of those still writing only the first few names are read.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils.html import format_html_join

from workshop.live.pieces import Stage
from workshop.models import Activity, Completion, Participant, Table

# Names listed of those still writing; the rest are counted ("and 12 more").
WRITING_NAMES = 12


@dataclass(frozen=True)
class Writing:
    count: int
    names: list[str]  # the first few, by table then name; none in an anonymous workshop

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass(frozen=True)
class Schedule:
    """What the console's clock needs; it counts the minutes itself (live.js)."""

    day_started_ms: int | None  # the first phone joining, or the room first moving
    activity_started_ms: int | None
    planned_before: int  # the agenda's minutes before the running activity
    planned_now: int | None  # the running activity's own minutes, when it has some
    next_activity: Activity | None


@dataclass(frozen=True)
class Room:
    tables: list[tuple[str, int]]  # each table's name and how many joined it, in order
    joined: int
    writing: Writing | None  # during a reflection
    schedule: Schedule

    @property
    def table_chips(self) -> str:
        """The tables as the strip lists them. Made here, not in a template loop: the strip is
        drawn again at every join, and a room may have sixty tables."""
        chip = '<li><bdi>{}</bdi> <span class="room-strip__count">{}</span></li>'
        return format_html_join("", chip, self.tables)


def _ms(moment) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def still_writing(stage: Stage) -> Writing:
    """Who is at a table (their phone still here) and has not said "I'm done"."""
    done = Completion.objects.filter(activity=stage.activity, participant=OuterRef("pk"))
    writing = Participant.objects.filter(workshop=stage.workshop).exclude(device="")
    writing = writing.filter(~Exists(done))
    count = writing.count()
    names = []
    if count and not stage.workshop.anonymous:
        rows = writing.order_by("table__number", "name", "pk")[:WRITING_NAMES]
        names = list(rows.values_list("name", flat=True))
    return Writing(count, names)


def schedule(stage: Stage, agenda: list[Activity]) -> Schedule:
    # The first to join is the first row: read through the index, not a scan of the room.
    first_join = (
        Participant.objects.filter(workshop=stage.workshop)
        .order_by("pk")
        .values_list("joined_at", flat=True)
        .first()
    )
    starts = [moment for moment in [first_join, *(a.entered_at for a in agenda)] if moment]
    day_started = min(starts, default=None)
    current = stage.activity
    index = next((i for i, a in enumerate(agenda) if current and a.pk == current.pk), None)
    if index is None:
        return Schedule(_ms(day_started), None, 0, None, None)
    before = sum(a.duration_minutes or 0 for a in agenda[:index])
    # The opening activity is running from the start of the day: nobody moved the room to it.
    started = current.entered_at or day_started
    following = agenda[index + 1] if index + 1 < len(agenda) else None
    return Schedule(_ms(day_started), _ms(started), before, current.duration_minutes, following)


def room(stage: Stage, agenda: list[Activity]) -> Room:
    tables = list(
        Table.objects.filter(workshop=stage.workshop)
        .annotate(joined=Count("participants"))
        .order_by("number")
        .values_list("name", "joined")
    )
    writing = still_writing(stage) if stage.kind == Activity.Kind.SOLO else None
    return Room(
        tables=tables,
        joined=sum(count for _name, count in tables),
        writing=writing,
        schedule=schedule(stage, agenda),
    )
