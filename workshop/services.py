"""The only code that changes state.

Each function that changes what a screen shows runs inside `live.changing(workshop)`: it takes
the workshop's lock and raises its revision first, then checks who may do this, writes, stamps
the rows it changed with the revision, and says what changed; `live` tells the screens once the
write is committed.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import access, agenda_templates, live, sharing
from workshop.live.render import takeaways_of
from workshop.models import (
    Activity,
    AgendaTemplate,
    Answer,
    Completion,
    Participant,
    ShareLink,
    Step,
    Table,
    Takeaway,
    User,
    Vote,
    Workshop,
    WorkshopAccess,
)
from workshop.queries import unique_or_none

MAX_TABLES = 60


class NotAllowed(Exception):
    """The person asking may not do this: a refusal, never shown as a form error."""


class Refused(Exception):
    """The request is understood but cannot be done; the message says why, for the person."""


def _first_revision(workshop_id: int) -> int:
    """A new workshop's first revision: nobody is watching it yet, so nothing is announced."""
    table = Workshop._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET revision = revision + 1 WHERE id = %s RETURNING revision",  # noqa: S608 - the table name is ours
            [workshop_id],
        )
        return cursor.fetchone()[0]


def _check_facilitator(user: User, workshop: Workshop) -> None:
    if not (user.is_authenticated and workshop.facilitator_id == user.pk):
        raise NotAllowed


def _check_open(workshop: Workshop) -> None:
    if not workshop.is_open:
        raise Refused(_("This workshop is closed."))


def clean_text(text: str, *, max_length: int, what: str) -> str:
    """Participant text as stored: trimmed, without control characters, within its limit."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if not cleaned:
        raise Refused(_("Please write something first."))
    if len(cleaned) > max_length:
        raise Refused(
            _("%(what)s is %(length)d characters long; the limit is %(limit)d.")
            % {"what": what, "length": len(cleaned), "limit": max_length}
        )
    return cleaned


def default_table_name(number: int) -> str:
    return _("Table %(number)d") % {"number": number}


# --- Facilitator --------------------------------------------------------------------------


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
    title = clean_text(title, max_length=200, what=_("The title"))
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
            )
            for n, step in enumerate(item.get("steps") or [])
        )
        activities.append(activity)
    for activity, item in zip(activities, agenda, strict=True):
        source = item.get("source")
        if activity.kind == Activity.Kind.SHAREOUT:
            activity.source = _share_out_source(activities, activity, source)
            activity.save(update_fields=["source"])
    return activities


def _share_out_source(activities, shareout, index) -> Activity | None:
    """The discussion a share-out shows: as saved, or the last one before it."""
    if index is not None and 0 <= index < len(activities) and activities[index].is_discussion:
        return activities[index]
    earlier = [a for a in activities[: activities.index(shareout)] if a.is_discussion]
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
    _check_facilitator(facilitator, table.workshop)
    name = clean_text(name, max_length=60, what=_("The table name"))
    with live.changing(table.workshop) as change:
        table.name, table.revision = name, change.revision
        table.save(update_fields=["name", "revision"])
        change.table(table.pk)
    return table


def set_workshop_open(facilitator: User, workshop: Workshop, is_open: bool) -> Workshop:
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        if is_open:
            workshop.closed_at = None
        elif workshop.is_open or workshop.closed_at is None:
            workshop.closed_at = timezone.now()  # the retention period counts from here
        workshop.status = Workshop.Status.OPEN if is_open else Workshop.Status.CLOSED
        workshop.save(update_fields=["status", "closed_at"])
        change.show(live.STATUS)
    return workshop


def set_takeaway_hidden(facilitator: User, takeaway: Takeaway, hidden: bool) -> Takeaway:
    _check_facilitator(facilitator, takeaway.workshop)
    with live.changing(takeaway.workshop) as change:
        takeaway.refresh_from_db(fields=["deleted", "text", "vote_count"])
        if takeaway.deleted:
            raise Refused(_("This takeaway was deleted by its author."))
        takeaway.hidden, takeaway.revision = hidden, change.revision
        takeaway.save(update_fields=["hidden", "revision"])
        change.takeaway(takeaway)
    return takeaway


# --- Participant --------------------------------------------------------------------------


def join(workshop: Workshop, table: Table, name: str, device: str = "") -> Participant:
    """A phone joins a table; the same phone joining again is the same participant."""
    if table.workshop_id != workshop.pk:
        raise NotAllowed
    name = clean_text(name, max_length=settings.NAME_MAX_LENGTH, what=_("The name"))
    with live.changing(workshop) as change:
        _check_open(workshop)
        if existing := _participant_of_device(workshop, device):
            change.cancel()
            return existing
        participant = Participant.objects.create(
            workshop=workshop,
            table=table,
            name=name,
            device=device or access.new_device_id(),
            revision=change.revision,
        )
        _joined(change, table)
    _note_feed(change, table)
    return participant


def _note_feed(change, table: Table) -> None:
    """The table as its phones' next page reads it: where their feed stands after this."""
    if table.pk in change.table_feeds:
        table.feed_revision = change.table_feeds[table.pk][1]


def _joined(change, table: Table) -> None:
    change.table(table.pk)
    if change.stage.kind == Activity.Kind.SOLO:
        change.show(live.PROGRESS)  # "7 of 24 finished": one more who may finish


def _participant_of_device(workshop: Workshop, device: str) -> Participant | None:
    if not device:
        return None
    return unique_or_none(Participant.objects.filter(workshop=workshop, device=device))


def post_takeaway(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    """Stores the takeaway once per token: a repeated submission returns the first one."""
    text = clean_text(text, max_length=settings.TAKEAWAY_MAX_LENGTH, what=_("The takeaway"))
    try:
        return _post_takeaway(participant, text, token)
    except IntegrityError:
        # The same token committed by a concurrent request between our check and our insert.
        return _existing_post(participant, text, token)


def _post_takeaway(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    workshop = participant.workshop
    with live.changing(workshop) as change:
        activity = workshop.current_activity
        if not workshop.is_open or activity is None or not activity.is_discussion:
            # Too late for a new post; a retry of one stored in time still finds it.
            takeaway = _announce_again(change, participant, text, token)
            _check_open(workshop)
            if takeaway is None:
                raise Refused(_("Posting opens during the table discussion."))
            return takeaway
        try:
            with transaction.atomic():  # a savepoint: the token may be stored already
                takeaway = Takeaway.objects.create(
                    workshop=workshop,
                    activity=activity,
                    table_id=participant.table_id,
                    author=participant,
                    token=token,
                    text=text,
                    revision=change.revision,
                )
        except IntegrityError:
            return _announce_again(change, participant, text, token)
        change.takeaway(takeaway)
    return takeaway


def _announce_again(change, participant, text, token) -> Takeaway | None:
    """A retry of a post stored already: the first try may never have been announced (its
    process died after commit), and announcing it again is harmless (screens replace a card
    by its id)."""
    existing = _existing_post(participant, text, token)
    if existing is not None:
        existing.author = participant
        change.takeaway(existing)
    return existing


def _existing_post(participant: Participant, text: str, token: uuid.UUID) -> Takeaway | None:
    existing = unique_or_none(Takeaway.objects.filter(author=participant, token=token))
    if existing is not None and existing.text != text:
        raise Refused(_("This post was already sent with different words."))
    return existing


def _check_author(participant: Participant, takeaway: Takeaway) -> None:
    """Under the workshop's lock: the participant's own card, of the running discussion."""
    if takeaway.author_id != participant.pk or takeaway.deleted:
        raise NotAllowed
    current = participant.workshop.current_activity_id
    if takeaway.activity_id is not None and takeaway.activity_id != current:
        raise Refused(_("This discussion is over: its takeaways can no longer be changed."))


def edit_takeaway(participant: Participant, takeaway: Takeaway, text: str) -> Takeaway:
    text = clean_text(text, max_length=settings.TAKEAWAY_MAX_LENGTH, what=_("The takeaway"))
    with live.changing(participant.workshop) as change:
        _check_author(participant, takeaway)
        _check_open(participant.workshop)
        takeaway.text, takeaway.edited_at = text, timezone.now()
        takeaway.revision = change.revision
        takeaway.save(update_fields=["text", "edited_at", "revision"])
        takeaway.author = participant
        change.takeaway(takeaway)
    return takeaway


def delete_takeaway(participant: Participant, takeaway: Takeaway) -> Takeaway:
    with live.changing(participant.workshop) as change:
        _check_author(participant, takeaway)
        _check_open(participant.workshop)
        takeaway.deleted, takeaway.revision = True, change.revision
        takeaway.save(update_fields=["deleted", "revision"])
        takeaway.author = participant
        change.takeaway(takeaway)
    return takeaway


# --- Running the day ---------------------------------------------------------------------


def go_to_activity(
    facilitator: User, workshop: Workshop, activity: Activity, seen_current_id: int | None
) -> Workshop:
    """Moves the room to `activity` if it is still where the asking screen saw it.

    Two devices pressing Next at once both say what they saw: the second finds the room has
    moved already, and nothing happens twice.
    """
    _check_facilitator(facilitator, workshop)
    if activity.workshop_id != workshop.pk:
        raise NotAllowed
    with live.changing(workshop, fresh=True) as change:
        current = workshop.current_activity_id
        if current != seen_current_id or current == activity.pk:
            change.cancel()
            return workshop
        workshop.current_activity = activity
        workshop.spotlight = None
        workshop.timer_ends_at = workshop.timer_paused_seconds = None
        workshop.save(
            update_fields=[
                "current_activity",
                "spotlight",
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


# --- Timer ---------------------------------------------------------------------------------


def _set_timer(change, workshop: Workshop, ends_at, paused_seconds) -> Workshop:
    workshop.timer_ends_at, workshop.timer_paused_seconds = ends_at, paused_seconds
    workshop.save(update_fields=["timer_ends_at", "timer_paused_seconds"])
    change.show(live.TIMER)
    return workshop


def timer_remaining(workshop: Workshop) -> int | None:
    """Whole seconds left (0 when time is up), or None when no timer is set."""
    if workshop.timer_paused_seconds is not None:
        return workshop.timer_paused_seconds
    if workshop.timer_ends_at is None:
        return None
    return max(0, round((workshop.timer_ends_at - timezone.now()).total_seconds()))


def start_timer(facilitator: User, workshop: Workshop, minutes: int) -> Workshop:
    _check_facilitator(facilitator, workshop)
    if not 1 <= minutes <= 240:
        raise Refused(_("A timer runs for 1 to 240 minutes."))
    with live.changing(workshop, fresh=True) as change:
        return _set_timer(change, workshop, timezone.now() + timedelta(minutes=minutes), None)


def pause_timer(facilitator: User, workshop: Workshop) -> Workshop:
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        if workshop.timer_ends_at is None:
            change.cancel()
            return workshop
        return _set_timer(change, workshop, None, timer_remaining(workshop))


def resume_timer(facilitator: User, workshop: Workshop) -> Workshop:
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        if workshop.timer_paused_seconds is None:
            change.cancel()
            return workshop
        ends_at = timezone.now() + timedelta(seconds=workshop.timer_paused_seconds)
        return _set_timer(change, workshop, ends_at, None)


def add_minute(facilitator: User, workshop: Workshop) -> Workshop:
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        if workshop.timer_paused_seconds is not None:
            return _set_timer(change, workshop, None, workshop.timer_paused_seconds + 60)
        # A timer that ran out starts again from now.
        base = max(workshop.timer_ends_at or timezone.now(), timezone.now())
        return _set_timer(change, workshop, base + timedelta(minutes=1), None)


def stop_timer(facilitator: User, workshop: Workshop) -> Workshop:
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        return _set_timer(change, workshop, None, None)


# --- Share-out -----------------------------------------------------------------------------


def set_spotlight(facilitator: User, workshop: Workshop, takeaway: Takeaway | None) -> Workshop:
    _check_facilitator(facilitator, workshop)
    if takeaway is not None and takeaway.workshop_id != workshop.pk:
        raise NotAllowed
    with live.changing(workshop, fresh=True) as change:
        if takeaway is not None:
            takeaway.refresh_from_db(fields=["hidden", "deleted"])
            if not takeaway.is_visible:
                raise Refused(_("A hidden or deleted takeaway cannot be put in the spotlight."))
            Takeaway.objects.filter(pk=takeaway.pk, spotlighted_at=None).update(
                spotlighted_at=timezone.now()
            )
        workshop.spotlight = takeaway
        workshop.save(update_fields=["spotlight"])
        change.show(live.SPOTLIGHT)
    return workshop


def set_order_by_votes(facilitator: User, activity: Activity, by_votes: bool) -> Activity:
    _check_facilitator(facilitator, activity.workshop)
    with live.changing(activity.workshop, fresh=True) as change:
        activity.order_by_votes = by_votes
        activity.save(update_fields=["order_by_votes"])
        change.restage()
    return activity


_TAKEAWAY = Takeaway._meta.db_table


def vote(participant: Participant, takeaway: Takeaway) -> Takeaway:
    """A +1 for another table's takeaway during the share-out that shows it, once each."""
    if takeaway.workshop_id != participant.workshop_id:
        raise NotAllowed
    if takeaway.table_id == participant.table_id:
        raise Refused(_("You can give a +1 to other tables' takeaways, not your own table's."))
    workshop = participant.workshop
    with live.changing(workshop) as change:
        shown = workshop.current_activity
        if shown is None or shown.kind != Activity.Kind.SHAREOUT:
            raise Refused(_("Voting is open during the share-out."))
        if shown.source_id != takeaway.activity_id:
            raise Refused(_("Voting is open during the share-out."))
        if Vote.objects.filter(participant=participant, takeaway=takeaway).exists():
            raise Refused(_("You already gave this takeaway a +1."))
        Vote.objects.create(participant=participant, takeaway=takeaway)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TAKEAWAY} SET vote_count = vote_count + 1, revision = %s "  # noqa: S608
                "WHERE id = %s AND hidden = %s AND deleted = %s RETURNING vote_count",
                [change.revision, takeaway.pk, False, False],
            )
            row = cursor.fetchone()
        if row is None:
            raise NotAllowed  # hidden or deleted meanwhile
        takeaway.vote_count, takeaway.revision = row[0], change.revision
        change.vote(takeaway)
    return takeaway


# --- Solo reflection -----------------------------------------------------------------------


def _check_solo_open(participant: Participant, activity: Activity) -> None:
    if activity.workshop_id != participant.workshop_id or activity.kind != Activity.Kind.SOLO:
        raise NotAllowed
    workshop = participant.workshop
    _check_open(workshop)
    if workshop.current_activity_id != activity.pk:
        raise Refused(_("This reflection is closed: the room has moved on."))


@transaction.atomic
def save_answer(
    participant: Participant, step: Step, text: str = "", choices: list[str] | None = None
) -> Answer:
    """Keeps a private answer as the participant types; nobody else ever sees it, so no
    screen is told and the workshop's revision stays as it is."""
    _check_solo_open(participant, step.activity)
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if len(text) > settings.ANSWER_MAX_LENGTH:
        raise Refused(
            _("This answer is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": settings.ANSWER_MAX_LENGTH}
        )
    chosen = [c for c in (choices or []) if c in step.options]
    answer, _created = Answer.objects.update_or_create(
        participant=participant, step=step, defaults={"text": text, "choices": chosen}
    )
    return answer


def complete_solo(participant: Participant, activity: Activity) -> Completion:
    with live.changing(participant.workshop) as change:
        _check_solo_open(participant, activity)
        completion, created = Completion.objects.get_or_create(
            participant=participant, activity=activity
        )
        if not created:
            change.cancel()
            return completion
        completion.revision = change.revision
        completion.save(update_fields=["revision"])
        change.show(live.PROGRESS)
    return completion


def share_answer(participant: Participant, step: Step) -> Takeaway:
    """A participant's own choice: one answer becomes a takeaway of their table."""
    with live.changing(participant.workshop) as change:
        _check_open(participant.workshop)
        takeaway, created = _share(participant, step, change.revision)
        if not created:
            change.cancel()
            return takeaway
        takeaway.author = participant
        change.takeaway(takeaway)
    return takeaway


def _share(participant: Participant, step: Step, revision: int) -> tuple[Takeaway, bool]:
    answer = Answer.objects.filter(participant=participant, step=step).first()
    if answer is None or not answer.text:
        raise Refused(_("Write an answer first, then share it."))
    activity = step.activity
    discussion = (
        activity.workshop.activities.filter(
            kind=Activity.Kind.DISCUSSION, position__gt=activity.position
        )
        .order_by("position", "pk")
        .first()
    )
    if discussion is None:
        raise Refused(_("There is no table discussion after this reflection to share it with."))
    text = answer.text[: settings.TAKEAWAY_MAX_LENGTH]
    existing = Takeaway.objects.filter(
        author=participant, activity=discussion, from_reflection=True, text=text, deleted=False
    ).first()
    if existing is not None:
        return existing, False
    takeaway = Takeaway.objects.create(
        workshop_id=participant.workshop_id,
        activity=discussion,
        table_id=participant.table_id,
        author=participant,
        text=text,
        from_reflection=True,
        revision=revision,
    )
    return takeaway, True


# --- Editing the agenda ----------------------------------------------------------------------


def _check_activity_fields(kind: str, title: str, duration_minutes: int | None) -> str:
    if kind not in Activity.Kind.values:
        raise Refused(_("Choose what kind of activity this is."))
    if duration_minutes is not None and not 1 <= duration_minutes <= 480:
        raise Refused(_("A duration is between 1 and 480 minutes."))
    return clean_text(title, max_length=120, what=_("The title"))


def add_activity(
    facilitator: User,
    workshop: Workshop,
    kind: str,
    title: str,
    instructions: str = "",
    duration_minutes: int | None = None,
) -> Activity:
    _check_facilitator(facilitator, workshop)
    title = _check_activity_fields(kind, title, duration_minutes)
    with live.changing(workshop, fresh=True) as change:
        activity = _append_activity(workshop, kind, title, instructions, duration_minutes)
        change.restage()
    return activity


def _append_activity(workshop, kind, title, instructions, duration_minutes) -> Activity:
    last = workshop.activities.order_by("-position").values_list("position", flat=True).first()
    activity = Activity.objects.create(
        workshop=workshop,
        kind=kind,
        title=title,
        instructions=instructions.strip(),
        duration_minutes=duration_minutes,
        position=(last or 0) + 1,
    )
    if kind == Activity.Kind.SHAREOUT:
        activity.source = (
            workshop.activities.filter(
                kind=Activity.Kind.DISCUSSION, position__lt=activity.position
            )
            .order_by("-position")
            .first()
        )
        activity.save(update_fields=["source"])
    if workshop.current_activity_id is None:
        workshop.current_activity = activity
        workshop.save(update_fields=["current_activity"])
    return activity


def update_activity(
    facilitator: User,
    activity: Activity,
    *,
    title: str,
    instructions: str = "",
    duration_minutes: int | None = None,
    source: Activity | None = None,
) -> Activity:
    """Edits an activity; when it is the one running, every screen shows the change at once."""
    _check_facilitator(facilitator, activity.workshop)
    activity.title = _check_activity_fields(activity.kind, title, duration_minutes)
    activity.instructions = instructions.strip()
    activity.duration_minutes = duration_minutes
    if activity.kind == Activity.Kind.SHAREOUT:
        if source is not None and (
            source.workshop_id != activity.workshop_id or not source.is_discussion
        ):
            raise Refused(_("A share-out shows the takeaways of a table discussion."))
        activity.source = source
    with live.changing(activity.workshop, fresh=True) as change:
        activity.save()
        change.restage()
    return activity


def set_steps(facilitator: User, activity: Activity, steps: list[dict]) -> list[Step]:
    """Replaces a solo reflection's steps; answers to steps that stay the same are kept."""
    _check_facilitator(facilitator, activity.workshop)
    if activity.kind != Activity.Kind.SOLO:
        raise Refused(_("Only a solo reflection has steps."))
    with live.changing(activity.workshop, fresh=True) as change:
        kept = _replace_steps(activity, steps)
        change.restage()
    return kept


def _replace_steps(activity: Activity, steps: list[dict]) -> list[Step]:
    existing = {step.pk: step for step in activity.steps.all()}
    kept = []
    for position, data in enumerate(steps):
        if data.get("kind") not in Step.Kind.values:
            raise Refused(_("Choose what kind of step this is."))
        prompt = clean_text(data.get("prompt", ""), max_length=300, what=_("The prompt"))
        options = [o.strip()[:200] for o in data.get("options") or [] if o.strip()]
        if data["kind"] == Step.Kind.CHECKLIST and not options:
            raise Refused(_("A checklist needs at least one option."))
        step = existing.get(data.get("id")) or Step(activity=activity)
        step.position, step.kind, step.prompt = position, data["kind"], prompt
        step.help_text = (data.get("help_text") or "").strip()
        step.options = options if data["kind"] == Step.Kind.CHECKLIST else []
        step.save()
        kept.append(step)
    activity.steps.exclude(pk__in=[step.pk for step in kept]).delete()
    return kept


def delete_activity(facilitator: User, activity: Activity) -> None:
    """Removes an activity; the room moves to its neighbour if it was running."""
    workshop = activity.workshop
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        if workshop.activities.count() == 1:
            raise Refused(_("A workshop keeps at least one activity."))
        if workshop.current_activity_id == activity.pk:
            workshop.current_activity = neighbour(workshop, activity.pk, 1) or neighbour(
                workshop, activity.pk, -1
            )
            workshop.save(update_fields=["current_activity"])
        activity.delete()
        change.restage()


def move_activity(facilitator: User, activity: Activity, step: int) -> None:
    """Moves an activity one place up (step -1) or down (step 1) the agenda."""
    workshop = activity.workshop
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        order = list(workshop.activities.order_by("position", "pk"))
        index = order.index(activity)
        target = index + step
        if not 0 <= target < len(order):
            change.cancel()
            return
        order[index], order[target] = order[target], order[index]
        for position, item in enumerate(order):
            if item.position != position:
                Activity.objects.filter(pk=item.pk).update(position=position)
        change.restage()


# --- Templates -------------------------------------------------------------------------------


@transaction.atomic
def save_as_template(facilitator: User, workshop: Workshop, name: str):
    _check_facilitator(facilitator, workshop)
    name = clean_text(name, max_length=120, what=_("The name"))
    return AgendaTemplate.objects.create(
        owner=facilitator, name=name, agenda=agenda_templates.serialise(workshop)
    )


# --- Organizers and participants' data -------------------------------------------------------
#
# Sharing the results (organizer accounts and share links), the anonymous setting, removing
# personal data, deleting a workshop or one's own data, and the retention period.

SHARE_LINK_DAYS = 7
SHARE_LINK_MAX_DAYS = 90


def _anonymous_name(number: int) -> str:
    return _("Participant %(number)d") % {"number": number}


@transaction.atomic
def grant_access(facilitator: User, workshop: Workshop, email: str) -> WorkshopAccess:
    """Shares the workshop's results with the account of `email`.

    Without an account, an organizer account is made, with no password yet: the facilitator
    passes on a link where its owner chooses one (a venue laptop sends no email).
    """
    _check_facilitator(facilitator, workshop)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise Refused(_("Please enter an email address.")) from error
    if email == facilitator.email.lower():
        raise Refused(_("You run this workshop: you see its results already."))
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, is_organizer=True)
    access, _created = WorkshopAccess.objects.get_or_create(
        workshop=workshop, user=user, defaults={"granted_by": facilitator}
    )
    return access


@transaction.atomic
def revoke_access(facilitator: User, access: WorkshopAccess) -> None:
    _check_facilitator(facilitator, access.workshop)
    access.delete()


@transaction.atomic
def create_share_link(
    facilitator: User, workshop: Workshop, days: int = SHARE_LINK_DAYS
) -> tuple[ShareLink, str]:
    """A read-only link to the results, valid for `days`; returns it with its key.

    The key is in the link's address and nowhere else: only a hash of its secret is stored.
    """
    _check_facilitator(facilitator, workshop)
    if not 1 <= days <= SHARE_LINK_MAX_DAYS:
        raise Refused(_("A share link lasts 1 to %(max)d days.") % {"max": SHARE_LINK_MAX_DAYS})
    key, secret_hash = sharing.new_share_key()
    link = ShareLink.objects.create(
        workshop=workshop,
        secret_hash=secret_hash,
        created_by=facilitator,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, key


@transaction.atomic
def revoke_share_link(facilitator: User, link: ShareLink) -> ShareLink:
    _check_facilitator(facilitator, link.workshop)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def set_data_settings(
    facilitator: User, workshop: Workshop, *, anonymous: bool, retention_days: int | None
) -> Workshop:
    """The anonymous setting and the retention period; every screen redraws its names."""
    _check_facilitator(facilitator, workshop)
    if retention_days is not None and retention_days not in Workshop.Retention.values:
        raise Refused(_("Choose how long to keep the workshop."))
    with live.changing(workshop, fresh=True) as change:
        workshop.anonymous, workshop.retention_days = anonymous, retention_days
        workshop.save(update_fields=["anonymous", "retention_days"])
        change.restage()
    return workshop


def join_anonymously(workshop: Workshop, table: Table, device: str = "") -> Participant:
    """Joining an anonymous workshop: no name is asked, a number stands for one."""
    if table.workshop_id != workshop.pk:
        raise NotAllowed
    with live.changing(workshop) as change:  # the workshop's lock: numbers never collide
        _check_open(workshop)
        if not workshop.anonymous:
            raise NotAllowed
        if existing := _participant_of_device(workshop, device):
            change.cancel()
            return existing
        number = Participant.objects.filter(workshop=workshop).count() + 1
        participant = Participant.objects.create(
            workshop=workshop,
            table=table,
            name=_anonymous_name(number),
            device=device or access.new_device_id(),
            revision=change.revision,
        )
        _joined(change, table)
    _note_feed(change, table)
    return participant


def remove_personal_data(facilitator: User, workshop: Workshop) -> int:
    """Names become "Participant 12" (in the order people joined) and reflections are deleted.

    What the tables posted stays, so the results keep their value. Returns how many
    participants were renamed.
    """
    _check_facilitator(facilitator, workshop)
    with live.changing(workshop, fresh=True) as change:
        participants = list(workshop.participants.order_by("joined_at", "pk"))
        for number, participant in enumerate(participants, 1):
            participant.name = _anonymous_name(number)
            participant.revision = change.revision
        Participant.objects.bulk_update(participants, ["name", "revision"])
        # Every card shows its author: each is a new revision of itself.
        Takeaway.objects.filter(workshop=workshop).update(revision=change.revision)
        Answer.objects.filter(participant__workshop=workshop).delete()
        workshop.personal_data_removed_at = timezone.now()
        workshop.save(update_fields=["personal_data_removed_at"])
        change.restage()
    return len(participants)


@transaction.atomic
def delete_workshop(facilitator: User, workshop: Workshop) -> None:
    """The workshop and everything in it, for good."""
    _check_facilitator(facilitator, workshop)
    _delete_workshop(workshop.pk)


def _delete_workshop(workshop_id: int) -> int:
    return Workshop.objects.filter(pk=workshop_id).delete()[1].get("workshop.Workshop", 0)


def forget_participant(participant: Participant) -> None:
    """A participant deletes their own data from their phone.

    Their name becomes a number, and their private answers, their +1s and the takeaways they
    posted are deleted (a takeaway stays as an empty tombstone, so that screens catching up
    learn it is gone).
    """
    workshop = participant.workshop
    with live.changing(workshop) as change:
        revision = change.revision
        own = list(Takeaway.objects.filter(author=participant).values_list("pk", flat=True))
        Takeaway.objects.filter(pk__in=own).update(deleted=True, text="", revision=revision)
        voted = list(
            Vote.objects.filter(participant=participant).values_list("takeaway", flat=True)
        )
        Vote.objects.filter(participant=participant).delete()
        Takeaway.objects.filter(pk__in=voted).update(
            vote_count=F("vote_count") - 1, revision=revision
        )
        Answer.objects.filter(participant=participant).delete()
        Completion.objects.filter(participant=participant).delete()
        if workshop.spotlight_id in own:
            workshop.spotlight = None
            workshop.save(update_fields=["spotlight"])
            change.show(live.SPOTLIGHT)
        number = Participant.objects.filter(workshop=workshop, pk__lte=participant.pk).count()
        participant.name = _anonymous_name(number)
        participant.revision = revision
        participant.device = ""  # this phone is nobody in the workshop now: it may join anew
        participant.save(update_fields=["name", "revision", "device"])
        change.table(participant.table_id)
        for takeaway in takeaways_of(workshop, Q(pk__in=own)):
            change.takeaway(takeaway)
        for takeaway in takeaways_of(workshop, Q(pk__in=voted)):
            change.vote(takeaway)
        change.show(live.PROGRESS)


def purge_expired(now=None) -> tuple[int, int]:
    """Deletes the workshops whose retention period has ended, and dead share links.

    Returns how many workshops and share links were deleted. Run by `manage.py purgeexpired`.
    """
    now = now or timezone.now()
    closed = Workshop.objects.filter(closed_at__isnull=False, retention_days__isnull=False)
    expired = [w.pk for w in closed.only("closed_at", "retention_days") if w.expires_at <= now]
    workshops = 0
    for pk in expired:
        with transaction.atomic():
            workshops += _delete_workshop(pk)
    dead = ShareLink.objects.filter(Q(expires_at__lte=now) | Q(revoked_at__isnull=False))
    links = dead.delete()[1].get("workshop.ShareLink", 0)
    return workshops, links
