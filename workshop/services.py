"""The only code that changes state.

Each function checks who may do this, writes in one transaction, raises the workshop's revision,
stamps the rows it changed with it, and asks `live` to tell the audiences once the write is
committed.
"""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import live
from workshop.models import Participant, Table, Takeaway, User, Workshop

MAX_TABLES = 60


class NotAllowed(Exception):
    """The person asking may not do this: a refusal, never shown as a form error."""


class Refused(Exception):
    """The request is understood but cannot be done; the message says why, for the person."""


def _next_revision(workshop_id: int) -> int:
    # The UPDATE also takes the workshop's row lock until commit, so revisions commit in order.
    Workshop.objects.filter(pk=workshop_id).update(revision=F("revision") + 1)
    return Workshop.objects.values_list("revision", flat=True).get(pk=workshop_id)


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
def create_workshop(facilitator: User, title: str, table_count: int) -> Workshop:
    if not facilitator.is_authenticated:
        raise NotAllowed
    if not 1 <= table_count <= MAX_TABLES:
        raise Refused(_("A workshop has between 1 and %(max)d tables.") % {"max": MAX_TABLES})
    title = clean_text(title, max_length=200, what=_("The title"))
    workshop = _create_with_unique_code(facilitator, title)
    revision = _next_revision(workshop.pk)
    Table.objects.bulk_create(
        Table(workshop=workshop, number=n, name=default_table_name(n), revision=revision)
        for n in range(1, table_count + 1)
    )
    workshop.refresh_from_db()
    return workshop


def _create_with_unique_code(facilitator: User, title: str) -> Workshop:
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Workshop.objects.create(facilitator=facilitator, title=title)
        except IntegrityError:
            continue  # a code collision: draw another
    raise RuntimeError("Could not draw a unique join code.")


@transaction.atomic
def rename_table(facilitator: User, table: Table, name: str) -> Table:
    _check_facilitator(facilitator, table.workshop)
    table.name = clean_text(name, max_length=60, what=_("The table name"))
    table.revision = _next_revision(table.workshop_id)
    table.save(update_fields=["name", "revision"])
    live.changed(table.workshop_id, tables=[table.pk])
    return table


@transaction.atomic
def set_workshop_open(facilitator: User, workshop: Workshop, is_open: bool) -> Workshop:
    _check_facilitator(facilitator, workshop)
    workshop.status = Workshop.Status.OPEN if is_open else Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    _next_revision(workshop.pk)
    workshop.refresh_from_db(fields=["revision"])
    live.changed(workshop.pk, status=True)
    return workshop


@transaction.atomic
def set_takeaway_hidden(facilitator: User, takeaway: Takeaway, hidden: bool) -> Takeaway:
    _check_facilitator(facilitator, takeaway.workshop)
    if takeaway.deleted:
        raise Refused(_("This takeaway was deleted by its author."))
    takeaway.hidden = hidden
    takeaway.revision = _next_revision(takeaway.workshop_id)
    takeaway.save(update_fields=["hidden", "revision"])
    live.changed(takeaway.workshop_id, takeaways=[takeaway.pk])
    return takeaway


# --- Participant --------------------------------------------------------------------------


@transaction.atomic
def join(workshop: Workshop, table: Table, name: str) -> Participant:
    _check_open(workshop)
    if table.workshop_id != workshop.pk:
        raise NotAllowed
    name = clean_text(name, max_length=settings.NAME_MAX_LENGTH, what=_("The name"))
    participant = Participant.objects.create(
        workshop=workshop, table=table, name=name, revision=_next_revision(workshop.pk)
    )
    live.changed(workshop.pk, tables=[table.pk])
    return participant


def post_takeaway(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    """Stores the takeaway once per token: a repeated submission returns the first one."""
    text = clean_text(text, max_length=settings.TAKEAWAY_MAX_LENGTH, what=_("The takeaway"))
    try:
        return _post_takeaway(participant, text, token)
    except IntegrityError:
        # The same token committed by a concurrent request between our check and our insert.
        return _existing_post(participant, text, token)


@transaction.atomic
def _post_takeaway(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    workshop = participant.workshop
    _check_open(workshop)
    existing = _existing_post(participant, text, token)
    if existing is not None:
        return existing
    takeaway = Takeaway.objects.create(
        workshop=workshop,
        table_id=participant.table_id,
        author=participant,
        token=token,
        text=text,
        revision=_next_revision(workshop.pk),
    )
    live.changed(workshop.pk, takeaways=[takeaway.pk])
    return takeaway


def _existing_post(participant: Participant, text: str, token: uuid.UUID) -> Takeaway | None:
    existing = Takeaway.objects.filter(author=participant, token=token).first()
    if existing is not None and existing.text != text:
        raise Refused(_("This post was already sent with different words."))
    return existing


def _check_author(participant: Participant, takeaway: Takeaway) -> None:
    if takeaway.author_id != participant.pk or takeaway.deleted:
        raise NotAllowed


@transaction.atomic
def edit_takeaway(participant: Participant, takeaway: Takeaway, text: str) -> Takeaway:
    _check_author(participant, takeaway)
    _check_open(participant.workshop)
    takeaway.text = clean_text(
        text, max_length=settings.TAKEAWAY_MAX_LENGTH, what=_("The takeaway")
    )
    takeaway.edited_at = timezone.now()
    takeaway.revision = _next_revision(takeaway.workshop_id)
    takeaway.save(update_fields=["text", "edited_at", "revision"])
    live.changed(takeaway.workshop_id, takeaways=[takeaway.pk])
    return takeaway


@transaction.atomic
def delete_takeaway(participant: Participant, takeaway: Takeaway) -> Takeaway:
    _check_author(participant, takeaway)
    _check_open(participant.workshop)
    takeaway.deleted = True
    takeaway.revision = _next_revision(takeaway.workshop_id)
    takeaway.save(update_fields=["deleted", "revision"])
    live.changed(takeaway.workshop_id, takeaways=[takeaway.pk])
    return takeaway
