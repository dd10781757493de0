"""Making a workshop, its tables, joining it, and moving the room through its agenda."""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshop import access, agenda_templates, languages, limits, live
from workshop.models import Activity, AgendaTemplate, Participant, Step, Table, User, Workshop
from workshop.queries import unique_or_none
from workshop.services import polls, rules
from workshop.services.rules import NotAllowed, Refused

MAX_TABLES = 60

# A phone the facilitator removed (services.remove_participant) asks to join again.
REMOVED = gettext_lazy("The facilitator has removed you from this workshop.")


def default_table_name(number: int) -> str:
    return _("Table %(number)d") % {"number": number}


def anonymous_name(number: int) -> str:
    return _("Participant %(number)d") % {"number": number}


@transaction.atomic
def create_workshop(
    facilitator: User, title: str, table_count: int, agenda: list[dict] | None = None
) -> Workshop:
    """A workshop with its tables and agenda, on its first activity."""
    if not facilitator.is_authenticated or facilitator.is_organizer:
        raise NotAllowed
    if not 1 <= table_count <= MAX_TABLES:
        raise Refused(_("A workshop has between 1 and %(max)d tables.") % {"max": MAX_TABLES})
    if agenda is not None and not agenda:
        raise Refused(_("This template has no activities."))
    title = rules.cleaned(title, limits.WORKSHOP_TITLE)
    workshop = _create_with_unique_code(facilitator, title)
    revision = _first_revision(workshop.pk)
    Table.objects.bulk_create(
        Table(workshop=workshop, number=n, name=default_table_name(n), revision=revision)
        for n in range(1, table_count + 1)
    )
    activities = _build_agenda(workshop, agenda or agenda_templates.default_agenda(), revision)
    Workshop.objects.filter(pk=workshop.pk).update(
        current_activity=activities[0], stage_revision=revision
    )
    workshop.refresh_from_db()
    return workshop


def _first_revision(workshop_id: int) -> int:
    """A new workshop's first revision: nobody is watching it yet, so nothing is announced."""
    table = Workshop._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET revision = revision + 1 WHERE id = %s RETURNING revision",  # noqa: S608 - the table name is ours
            [workshop_id],
        )
        return cursor.fetchone()[0]


def _build_agenda(workshop: Workshop, agenda: list[dict], revision: int) -> list[Activity]:
    activities = []
    for position, item in enumerate(agenda):
        activity = Activity.objects.create(
            workshop=workshop,
            position=position,
            kind=item["kind"],
            title=item["title"][:120],
            instructions=item.get("instructions") or "",
            duration_minutes=item.get("duration_minutes"),
            **agenda_templates.options(item),
            revision=revision,
        )
        Step.objects.bulk_create(
            Step(
                activity=activity,
                position=n,
                kind=step["kind"],
                prompt=step["prompt"][:300],
                help_text=step.get("help_text") or "",
                options=list(step.get("options") or []),
                scale_top=10 if step.get("scale_top") == 10 else 5,
            )
            for n, step in enumerate(item.get("steps") or [])
        )
        activities.append(activity)
    for activity, item in zip(activities, agenda, strict=True):
        if activity.source_kind:
            activity.source = _source(activities, activity, item.get("source"))
            activity.save(update_fields=["source"])
    return activities


def _source(activities, activity, index) -> Activity | None:
    """What a share-out (a discussion) or the room's answers (a reflection) show: as saved, or
    the last activity of that kind before it."""
    kind = activity.source_kind
    if index is not None and 0 <= index < len(activities) and activities[index].kind == kind:
        return activities[index]
    earlier = [a for a in activities[: activities.index(activity)] if a.kind == kind]
    return earlier[-1] if earlier else None


def _create_with_unique_code(facilitator: User, title: str) -> Workshop:
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Workshop.objects.create(facilitator=facilitator, title=title)
        except IntegrityError:
            continue  # a code collision: draw another
    raise RuntimeError("Could not draw a unique join code.")


def rename_table(facilitator: User, table: Table, name: str) -> Table:
    name = rules.cleaned(name, limits.TABLE_NAME)
    with rules.facilitating(facilitator, table.workshop, fresh=False) as change:
        table.name, table.revision = name, change.revision
        table.save(update_fields=["name", "revision"])
        change.table(table.pk)
    return table


def set_workshop_open(facilitator: User, workshop: Workshop, is_open: bool) -> Workshop:
    with rules.facilitating(facilitator, workshop) as change:
        if is_open:
            workshop.closed_at = None
        elif workshop.is_open or workshop.closed_at is None:
            workshop.closed_at = timezone.now()  # the retention period counts from here
        workshop.status = Workshop.Status.OPEN if is_open else Workshop.Status.CLOSED
        workshop.save(update_fields=["status", "closed_at"])
        change.show(live.STATUS)
        if not is_open and polls.close_open_polls(workshop):
            change.restage()  # the running poll's phones show its results, not its question
    return workshop


def set_projector_theme(facilitator: User, workshop: Workshop, theme: str) -> Workshop:
    """Dark or light: the projector redraws in it at once (its status piece carries it)."""
    if theme not in Workshop.Theme.values:
        raise Refused(_("Choose a dark or a light projector."))
    with rules.facilitating(facilitator, workshop) as change:
        workshop.projector_theme = theme
        workshop.save(update_fields=["projector_theme"])
        change.show(live.STATUS)
    return workshop


def set_projector_language(facilitator: User, workshop: Workshop, language: str) -> Workshop:
    """One of the configured languages: the projector loads itself again in it (its status
    piece says which it is in)."""
    if language not in languages.configured():
        raise Refused(_("Choose one of the languages offered."))
    with rules.facilitating(facilitator, workshop) as change:
        workshop.projector_language = language
        workshop.save(update_fields=["projector_language"])
        change.show(live.STATUS)
    return workshop


@transaction.atomic
def save_as_template(facilitator: User, workshop: Workshop, name: str) -> AgendaTemplate:
    rules.check_facilitator(facilitator, workshop)
    name = rules.cleaned(name, limits.TEMPLATE_NAME)
    return AgendaTemplate.objects.create(
        owner=facilitator, name=name, agenda=agenda_templates.serialise(workshop)
    )


# --- Joining ---------------------------------------------------------------------------------


def join(workshop: Workshop, table: Table, name: str, device: str = "") -> Participant:
    """A phone joins a table; the same phone joining again is the same participant."""
    name = rules.cleaned(name, limits.PARTICIPANT_NAME)
    return _join(workshop, table, device, name=lambda: name)


def join_anonymously(workshop: Workshop, table: Table, device: str = "") -> Participant:
    """Joining an anonymous workshop: no name is asked, a number stands for one."""

    def numbered() -> str:  # under the workshop's lock: numbers never collide
        if not workshop.anonymous:
            raise NotAllowed
        return anonymous_name(Participant.objects.filter(workshop=workshop).count() + 1)

    return _join(workshop, table, device, name=numbered)


def _join(workshop: Workshop, table: Table, device: str, *, name) -> Participant:
    if table.workshop_id != workshop.pk:
        raise NotAllowed
    with live.changing(workshop) as change:
        rules.check_open(workshop)
        if access.is_removed(workshop, device):
            raise Refused(str(REMOVED))
        if existing := _participant_of_device(workshop, device):
            change.cancel()
            return existing
        participant = Participant.objects.create(
            workshop=workshop,
            table=table,
            name=name(),
            device=device or access.new_device_id(),
            revision=change.revision,
        )
        change.table(table.pk)
        if change.stage.kind == Activity.Kind.SOLO:
            change.show(live.PROGRESS)  # "7 of 24 finished": one more who may finish
    if table.pk in change.table_feeds:
        # The table as its phones' next page reads it: where their feed stands after this.
        table.feed_revision = change.table_feeds[table.pk][1]
    return participant


def _participant_of_device(workshop: Workshop, device: str) -> Participant | None:
    if not device:
        return None
    return unique_or_none(Participant.objects.filter(workshop=workshop, device=device))


# --- Moving the room -------------------------------------------------------------------------


def go_to_activity(
    facilitator: User, workshop: Workshop, activity: Activity, seen_current_id: int | None
) -> Workshop:
    """Moves the room to `activity` if it is still where the asking screen saw it.

    Two devices pressing Next at once both say what they saw: the second finds the room has
    moved already, and nothing happens twice.
    """
    if activity.workshop_id != workshop.pk:
        raise NotAllowed
    with rules.facilitating(facilitator, workshop) as change:
        current = workshop.current_activity_id
        if current != seen_current_id or current == activity.pk:
            change.cancel()
            return workshop
        now = timezone.now()
        if current is not None:
            Activity.objects.filter(pk=current).update(left_at=now)
            # A poll the room leaves takes no more answers, and forgets who gave them.
            if workshop.current_activity.is_poll:
                polls.close(workshop.current_activity)
        if Activity.objects.filter(pk=activity.pk, entered_at=None).update(entered_at=now):
            activity.entered_at = now
        workshop.current_activity = activity
        # A new activity starts on the whole wall: no spotlight, no table in focus, no timer.
        workshop.spotlight = workshop.focus_table = None
        workshop.timer_ends_at = workshop.timer_paused_seconds = None
        workshop.save(
            update_fields=[
                "current_activity",
                "spotlight",
                "focus_table",
                "timer_ends_at",
                "timer_paused_seconds",
            ]
        )
        change.restage()
    return workshop


def neighbour(workshop: Workshop, activity_id: int | None, step: int) -> Activity | None:
    """The activity `step` places after (or before) the one given, in agenda order."""
    ids = list(workshop.activities.values_list("pk", flat=True))
    if activity_id not in ids:
        return None
    index = ids.index(activity_id) + step
    return workshop.activities.get(pk=ids[index]) if 0 <= index < len(ids) else None
