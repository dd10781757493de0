"""What a workshop produced, gathered once for every download and the printable report.

Organizers get what the tables posted and nothing private: solo reflections are never read
here (an answer a participant shared with their table is in, as the takeaway it became),
deleted takeaways never, and hidden ones only in the facilitator's own downloads.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import aggregates
from workshop.models import (
    SHOWN_TAKEAWAYS,
    Activity,
    Completion,
    Participant,
    Takeaway,
    Workshop,
)

MOST_VOTED = 5
BY_TABLE = ("table__number", "posted_at", "pk")  # the order of Results.items


@dataclass
class Item:
    """One takeaway as the results show it."""

    pk: int
    activity_id: int | None
    activity: str
    table_id: int
    table: str
    author: str
    text: str
    votes: int
    spotlighted: bool
    from_reflection: bool
    hidden: bool
    # Posted while its discussion asked for approval, and never approved (so never shown).
    never_approved: bool
    posted_at: datetime
    edited_at: datetime | None


@dataclass
class TableSummary:
    pk: int
    number: int
    name: str
    participants: int
    takeaways: int = 0
    votes: int = 0


@dataclass
class TableGroup:
    table: str
    items: list[Item]


@dataclass
class Section:
    """The takeaways of one activity (or of a deleted one), table by table."""

    activity: Activity | None
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def by_table(self) -> list[TableGroup]:
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.table, []).append(item)
        return [TableGroup(table, items) for table, items in groups.items()]


@dataclass
class SoloSummary:
    title: str
    finished: int
    # The room's counts of each checklist enough people answered (workshop.aggregates).
    patterns: list = field(default_factory=list)


@dataclass
class PollSummary:
    title: str
    # Its question's counts, if enough people answered (else empty).
    patterns: list


@dataclass
class Results:
    workshop: Workshop
    title: str
    date: date
    facilitator: str
    anonymous: bool
    include_hidden: bool
    agenda: list[Activity]
    tables: list[TableSummary]
    items: list[Item]
    sections: list[Section]
    solo: list[SoloSummary]
    polls: list["PollSummary"]
    exported_at: datetime

    @property
    def participant_count(self) -> int:
        return sum(t.participants for t in self.tables)

    @property
    def takeaway_count(self) -> int:
        return len(self.items)

    @property
    def vote_count(self) -> int:
        return sum(item.votes for item in self.items)

    @property
    def reflection_count(self) -> int:
        return sum(item.from_reflection for item in self.items)

    @property
    def most_voted(self) -> list[Item]:
        voted = [item for item in self.items if item.votes and not item.hidden]
        return sorted(voted, key=lambda item: (-item.votes, item.posted_at))[:MOST_VOTED]


def facilitator_name(workshop: Workshop) -> str:
    """As the facilitator's profile names them; "" when it does not (never their address)."""
    return workshop.facilitator.public_name


def author_label(workshop: Workshop, participant: Participant) -> str:
    """The author as downloads show it: "anonymous" in an anonymous workshop."""
    return _("anonymous") if workshop.anonymous else participant.name


def _takeaways(workshop: Workshop, include_hidden: bool):
    takeaways = Takeaway.objects.filter(workshop=workshop, deleted=False).select_related(
        "author", "table", "activity"
    )
    return takeaways if include_hidden else takeaways.filter(SHOWN_TAKEAWAYS)


def _item(workshop: Workshop, takeaway: Takeaway) -> Item:
    activity = takeaway.activity
    return Item(
        pk=takeaway.pk,
        activity_id=takeaway.activity_id,
        activity=activity.title if activity else _("Other takeaways"),
        table_id=takeaway.table_id,
        table=takeaway.table.name,
        author=author_label(workshop, takeaway.author),
        text=takeaway.text,
        votes=takeaway.vote_count,
        spotlighted=takeaway.spotlighted_at is not None,
        from_reflection=takeaway.from_reflection,
        hidden=takeaway.hidden,
        never_approved=takeaway.is_waiting,
        posted_at=timezone.localtime(takeaway.posted_at),
        edited_at=timezone.localtime(takeaway.edited_at) if takeaway.edited_at else None,
    )


def _streamed(takeaways, workshop: Workshop, chunk_size: int):
    for takeaway in takeaways.iterator(chunk_size=chunk_size):
        yield _item(workshop, takeaway)


def items_by_agenda(workshop: Workshop, *, include_hidden: bool, chunk_size: int = 500):
    """The takeaways in the order of `results_for(...).sections` — activity by activity in
    agenda order (a deleted activity's last), then table by table — read from one query in
    chunks, never all at once: a download of ten thousand streams without holding them."""
    takeaways = _takeaways(workshop, include_hidden).order_by(
        F("activity__position").asc(nulls_last=True),
        "activity_id",
        "table__number",
        "posted_at",
        "pk",
    )
    return _streamed(takeaways, workshop, chunk_size)


def items_by_table(workshop: Workshop, *, include_hidden: bool, chunk_size: int = 500):
    """The takeaways in the order of `results_for(...).items`, read in chunks likewise."""
    takeaways = _takeaways(workshop, include_hidden).order_by(*BY_TABLE)
    return _streamed(takeaways, workshop, chunk_size)


def with_facilitator(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_related("facilitator").get(pk=workshop.pk)


def agenda_of(workshop: Workshop) -> list[Activity]:
    return list(workshop.activities.prefetch_related("steps").order_by("position", "pk"))


def tables_of(workshop: Workshop) -> list[TableSummary]:
    """Each table with its participants (its takeaways and votes are counted by the caller)."""
    return [
        TableSummary(t.pk, t.number, t.name, t.people)
        for t in workshop.tables.annotate(people=Count("participants")).order_by("number")
    ]


@dataclass
class Summary:
    """What the Excel download's first sheet shows, counted by the database: the same figures
    as `Results` gives, without reading every takeaway."""

    title: str
    date: date
    facilitator: str
    agenda: list[Activity]
    tables: list[TableSummary]
    most_voted: list[Item]
    # The room's counts of the reflections' checklists, where enough people answered.
    patterns: list = field(default_factory=list)

    @property
    def participant_count(self) -> int:
        return sum(t.participants for t in self.tables)


def summary_for(workshop: Workshop) -> Summary:
    workshop = with_facilitator(workshop)
    tables = tables_of(workshop)
    by_table = {t.pk: t for t in tables}
    shown = _takeaways(workshop, include_hidden=False)  # what hidden ones got is not counted
    counted = shown.values("table_id").annotate(n=Count("pk"), votes=Sum("vote_count"))
    for row in counted.order_by():
        by_table[row["table_id"]].takeaways = row["n"]
        by_table[row["table_id"]].votes = row["votes"] or 0
    voted = shown.filter(vote_count__gt=0).order_by("-vote_count", "posted_at", *BY_TABLE)
    agenda = agenda_of(workshop)
    return Summary(
        title=workshop.title,
        date=timezone.localtime(workshop.created_at).date(),
        facilitator=facilitator_name(workshop),
        agenda=agenda,
        tables=tables,
        most_voted=[_item(workshop, takeaway) for takeaway in voted[:MOST_VOTED]],
        patterns=[
            pattern
            for activity in agenda
            if activity.kind in COUNTED_KINDS
            for pattern in aggregates.results_of(activity, workshop.reveal_threshold)
        ],
    )


# The activities whose answers the results count: reflections' checklists, polls.
COUNTED_KINDS = (Activity.Kind.SOLO, Activity.Kind.POLL)


def results_for(workshop: Workshop, *, include_hidden: bool = False) -> Results:
    workshop = with_facilitator(workshop)
    agenda = agenda_of(workshop)
    tables = tables_of(workshop)
    by_table = {t.pk: t for t in tables}

    takeaways = _takeaways(workshop, include_hidden).order_by(*BY_TABLE)
    items = []
    for takeaway in takeaways:
        items.append(_item(workshop, takeaway))
        if not takeaway.hidden:
            by_table[takeaway.table_id].takeaways += 1
            by_table[takeaway.table_id].votes += takeaway.vote_count

    # Every table discussion has its section, even an empty one; then anything else that has
    # takeaways (a deleted activity's come last).
    sections = {a.pk: Section(a, a.title) for a in agenda if a.is_discussion}
    for item in items:
        if item.activity_id not in sections:
            activity = next((a for a in agenda if a.pk == item.activity_id), None)
            sections[item.activity_id] = Section(activity, item.activity)
        sections[item.activity_id].items.append(item)
    positions = {a.pk: n for n, a in enumerate(agenda)}
    ordered = sorted(sections.items(), key=lambda kv: positions.get(kv[0], len(agenda)))

    finished = dict(
        Completion.objects.filter(activity__workshop=workshop)
        .values_list("activity")
        .annotate(n=Count("pk"))
    )
    threshold = workshop.reveal_threshold
    solo = [
        SoloSummary(a.title, finished.get(a.pk, 0), aggregates.results_of(a, threshold))
        for a in agenda
        if a.kind == Activity.Kind.SOLO
    ]
    polls = [PollSummary(a.title, aggregates.results_of(a, threshold)) for a in agenda if a.is_poll]
    return Results(
        workshop=workshop,
        title=workshop.title,
        date=timezone.localtime(workshop.created_at).date(),
        facilitator=facilitator_name(workshop),
        anonymous=workshop.anonymous,
        include_hidden=include_hidden,
        agenda=agenda,
        tables=tables,
        items=items,
        sections=[section for _pk, section in ordered],
        solo=solo,
        polls=polls,
        exported_at=timezone.localtime(),
    )
