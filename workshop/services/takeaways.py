"""What the tables post, and what the facilitator does with it on the wall."""

import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import limits, live
from workshop.live.render import takeaways_of
from workshop.models import Activity, Participant, Table, Takeaway, User, Vote, Workshop
from workshop.queries import unique_or_none
from workshop.services import rules
from workshop.services.rules import DISCUSSION, NotAllowed, Refused

_TAKEAWAY = Takeaway._meta.db_table


def post_takeaway(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    """Stores the takeaway once per token: a repeated submission returns the first one, and
    announces it again (the first try may never have been announced: its process died after
    commit, or its broadcast was lost; screens replace a card by its id, so twice is harmless).
    """
    text = rules.cleaned(text, limits.TAKEAWAY)
    try:
        with rules.participating(participant, during=DISCUSSION) as change:
            takeaway = _insert(participant, text, token)
            change.takeaway(takeaway)
    except Refused:
        # Too late for a new post; a retry of one stored in time still finds it.
        if (stored := _announce_stored(participant, text, token)) is None:
            raise
        return stored
    return takeaway


def _insert(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    """The new card, or the one this token stored already (a retry): the insert tried first,
    in a savepoint, because a retry is rare and a lookup before every post is not free."""
    try:
        with transaction.atomic():
            return _create(participant, text, token)
    except IntegrityError:
        if (stored := _stored(participant, text, token)) is None:
            raise
        return stored


def _create(participant: Participant, text: str, token: uuid.UUID) -> Takeaway:
    workshop = participant.workshop
    discussion = workshop.current_activity
    return Takeaway.objects.create(
        workshop=workshop,
        activity=discussion,
        approval=Takeaway.Approval.WAITING if discussion.moderated else "",
        table_id=participant.table_id,
        author=participant,
        token=token,
        text=text,
        revision=workshop.revision,
    )


def _stored(participant: Participant, text: str, token: uuid.UUID) -> Takeaway | None:
    existing = unique_or_none(Takeaway.objects.filter(author=participant, token=token))
    if existing is None:
        return None
    if existing.text != text:
        raise Refused(_("This post was already sent with different words."))
    existing.author = participant
    return existing


def _announce_stored(participant: Participant, text: str, token: uuid.UUID) -> Takeaway | None:
    with live.changing(participant.workshop) as change:
        existing = _stored(participant, text, token)
        if existing is None:
            change.cancel()
            return None
        change.takeaway(existing)
    return existing


def edit_takeaway(participant: Participant, takeaway: Takeaway, text: str) -> Takeaway:
    """New words; in a discussion that asks for approval, they wait for it again (the words
    approved were others), and the card leaves the other screens meanwhile."""
    text = rules.cleaned(text, limits.TAKEAWAY)
    with rules.participating(participant, own=takeaway) as change:
        takeaway.text, takeaway.edited_at = text, timezone.now()
        fields = ["text", "edited_at"]
        if change.stage.activity.moderated:
            takeaway.refresh_from_db(fields=["approval"])
            if takeaway.approval == Takeaway.Approval.APPROVED:
                change.withdraw(takeaway)
            takeaway.approval = Takeaway.Approval.WAITING
            fields.append("approval")
        _write_own(change, participant, takeaway, *fields)
    return takeaway


def delete_takeaway(participant: Participant, takeaway: Takeaway) -> Takeaway:
    with rules.participating(participant, own=takeaway) as change:
        takeaway.deleted = True
        _write_own(change, participant, takeaway, "deleted")
    return takeaway


def _write_own(change, participant: Participant, takeaway: Takeaway, *fields: str) -> None:
    """Writes the author's change to their card unless it was deleted meanwhile (from another
    of their tabs): the check and the write in one statement."""
    takeaway.revision = change.revision
    values = {name: getattr(takeaway, name) for name in (*fields, "revision")}
    if not Takeaway.objects.filter(pk=takeaway.pk, deleted=False).update(**values):
        raise NotAllowed
    takeaway.author = participant
    change.takeaway(takeaway)


def vote(participant: Participant, takeaway: Takeaway) -> Takeaway:
    """A +1 for another table's takeaway during the share-out that shows it, once each."""
    with rules.participating(participant, other_table=takeaway) as change:
        if Vote.objects.filter(participant=participant, takeaway=takeaway).exists():
            raise Refused(_("You already gave this takeaway a +1."))
        Vote.objects.create(participant=participant, takeaway=takeaway)
        _count_vote(change, takeaway, +1)
    return takeaway


def take_back_vote(participant: Participant, takeaway: Takeaway) -> Takeaway:
    """The +1 taken back; none given is nothing to take back (a retry, or a second tab)."""
    with rules.participating(participant, other_table=takeaway) as change:
        deleted, _rows = Vote.objects.filter(participant=participant, takeaway=takeaway).delete()
        if not deleted:
            change.cancel()
            return takeaway
        _count_vote(change, takeaway, -1)
    return takeaway


def _count_vote(change, takeaway: Takeaway, step: int) -> None:
    """The card's count moved by `step`, in the statement that checks it is still shown."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TAKEAWAY} SET vote_count = vote_count + %s, revision = %s "  # noqa: S608
            "WHERE id = %s AND hidden = %s AND deleted = %s AND approval <> %s "
            "RETURNING vote_count",
            [step, change.revision, takeaway.pk, False, False, Takeaway.Approval.WAITING],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotAllowed  # hidden, deleted or sent back to wait for approval meanwhile
    takeaway.vote_count, takeaway.revision = row[0], change.revision
    change.vote(takeaway)


# --- The facilitator, on the wall ------------------------------------------------------------


def set_takeaway_hidden(facilitator: User, takeaway: Takeaway, hidden: bool) -> Takeaway:
    """Hidden from the room, or shown again. Showing a card that waits for approval is the
    facilitator's approval of it; hiding one takes it out of the queue, never approved."""
    with rules.facilitating(facilitator, takeaway.workshop, fresh=False) as change:
        takeaway.refresh_from_db(fields=["deleted", "text", "vote_count", "approval"])
        if takeaway.deleted:
            raise Refused(_("This takeaway was deleted by its author."))
        takeaway.hidden, takeaway.revision = hidden, change.revision
        if not hidden and takeaway.is_waiting:
            takeaway.approval = Takeaway.Approval.APPROVED
        takeaway.save(update_fields=["hidden", "revision", "approval"])
        change.takeaway(takeaway)
    return takeaway


def approve(facilitator: User, takeaway: Takeaway) -> Takeaway:
    """Out of the queue, onto the projector and the other tables' phones."""
    return set_takeaway_hidden(facilitator, takeaway, hidden=False)


def approve_all(facilitator: User, workshop: Workshop) -> int:
    """Every takeaway in the queue of the discussion the screens show; how many there were."""
    with rules.facilitating(facilitator, workshop) as change:
        count = approve_queue(change, change.stage.shown_discussion_id)
        if not count:
            change.cancel()
    return count


def approve_queue(change, discussion_id: int | None) -> int:
    """Approves the discussion's queue in one statement; each card is announced."""
    if discussion_id is None:
        return 0
    queue = Takeaway.objects.filter(
        activity_id=discussion_id, approval=Takeaway.Approval.WAITING, hidden=False, deleted=False
    )
    ids = list(queue.values_list("pk", flat=True))
    if not ids:
        return 0
    Takeaway.objects.filter(pk__in=ids).update(
        approval=Takeaway.Approval.APPROVED, revision=change.revision
    )
    for takeaway in takeaways_of(change.workshop, Q(pk__in=ids)):
        change.takeaway(takeaway)
    return len(ids)


def set_moderated(facilitator: User, discussion: Activity, moderated: bool) -> Activity:
    """Approve before showing, from now on. Turned off, it approves what waits: nobody is left
    waiting for an approval nobody will give."""

    def approve_waiting(change) -> None:
        if not moderated:
            approve_queue(change, discussion.pk)

    return _set_settings(facilitator, discussion, approve_waiting, moderated=moderated)


def set_spotlight(facilitator: User, workshop: Workshop, takeaway: Takeaway | None) -> Workshop:
    if takeaway is not None and takeaway.workshop_id != workshop.pk:
        raise NotAllowed
    with rules.facilitating(facilitator, workshop) as change:
        if takeaway is not None:
            takeaway.refresh_from_db(fields=["hidden", "deleted", "approval"])
            if not takeaway.is_visible:
                raise Refused(
                    _("A hidden, deleted or unapproved takeaway cannot be put in the spotlight.")
                )
            Takeaway.objects.filter(pk=takeaway.pk, spotlighted_at=None).update(
                spotlighted_at=timezone.now()
            )
        workshop.spotlight = takeaway
        workshop.save(update_fields=["spotlight"])
        change.show(live.SPOTLIGHT)
    return workshop


def set_focus(facilitator: User, workshop: Workshop, table: Table | None) -> Workshop:
    """The projector's wall shows this table alone (its cards in large type), or every table."""
    if table is not None and table.workshop_id != workshop.pk:
        raise NotAllowed
    with rules.facilitating(facilitator, workshop) as change:
        workshop.focus_table = table
        workshop.save(update_fields=["focus_table"])
        change.show(live.STATUS)  # the projector's status says which table: its wall follows
    return workshop


def set_order_by_votes(facilitator: User, activity: Activity, by_votes: bool) -> Activity:
    return _set_settings(facilitator, activity, order_by_votes=by_votes)


def set_votes_hidden(facilitator: User, activity: Activity, hidden: bool) -> Activity:
    """Counts off the projector until the facilitator reveals them (the console keeps them)."""
    return _set_settings(facilitator, activity, votes_hidden=hidden)


def _set_settings(facilitator: User, activity: Activity, then=None, **settings) -> Activity:
    """An activity's setting changed from the console; `then(change)` writes what follows."""
    with rules.facilitating(facilitator, activity.workshop) as change:
        for name, value in settings.items():
            setattr(activity, name, value)
        activity.save(update_fields=list(settings))
        if then is not None:
            then(change)
        # The screens render the running activity as the lock read it: it must say so too.
        if (running := change.stage.activity) is not None and running.pk == activity.pk:
            for name, value in settings.items():
                setattr(running, name, value)
        change.restage()
    return activity
