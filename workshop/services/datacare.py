"""Participants' data: the anonymous setting, removing names, forgetting one participant,
deleting a workshop, and the retention period."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import live
from workshop.live import revoke
from workshop.live.render import takeaways_of
from workshop.models import (
    Answer,
    Completion,
    Participant,
    RemovedDevice,
    ShareLink,
    Takeaway,
    User,
    Vote,
    Workshop,
)
from workshop.services import rules
from workshop.services.rules import Refused
from workshop.services.workshops import anonymous_name


def set_data_settings(
    facilitator: User,
    workshop: Workshop,
    *,
    anonymous: bool,
    retention_days: int | None,
    reveal_threshold: int | None = None,
) -> Workshop:
    """The anonymous setting, the retention period and how many answers the room's counts of a
    private checklist wait for; every screen redraws its names (and counts)."""
    rules.check_facilitator(facilitator, workshop)
    if retention_days is not None and retention_days not in Workshop.Retention.values:
        raise Refused(_("Choose how long to keep the workshop."))
    if reveal_threshold is not None and not 2 <= reveal_threshold <= 100:
        raise Refused(_("The room's counts wait for between 2 and 100 answers."))
    with rules.facilitating(facilitator, workshop) as change:
        workshop.anonymous, workshop.retention_days = anonymous, retention_days
        if reveal_threshold is not None:
            workshop.reveal_threshold = reveal_threshold
        workshop.save(update_fields=["anonymous", "retention_days", "reveal_threshold"])
        change.restage()
    return workshop


def remove_personal_data(facilitator: User, workshop: Workshop) -> int:
    """Names become "Participant 12" (in the order people joined) and reflections are deleted.

    What the tables posted stays, so the results keep their value. Returns how many
    participants were renamed.
    """
    with rules.facilitating(facilitator, workshop) as change:
        participants = list(workshop.participants.order_by("joined_at", "pk"))
        for number, participant in enumerate(participants, 1):
            participant.name = anonymous_name(number)
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
    rules.check_facilitator(facilitator, workshop)
    _delete_workshop(workshop.pk)


def _delete_workshop(workshop_id: int) -> int:
    return Workshop.objects.filter(pk=workshop_id).delete()[1].get("workshop.Workshop", 0)


def forget_participant(participant: Participant) -> None:
    """A participant deletes their own data from their phone.

    Their name becomes a number, and their private answers, their +1s and the takeaways they
    posted are deleted (a takeaway stays as an empty tombstone, so that screens catching up
    learn it is gone). Their phone's other screens of the workshop close.
    """
    with rules.participating(participant, may_be_closed=True) as change:
        _forget(participant, change)


def remove_participant(facilitator: User, participant: Participant) -> None:
    """The facilitator removes someone from the workshop, from the console.

    Everything they put in is forgotten, as when they delete it themselves (a person sent away
    takes their words with them, and nothing is left that only the facilitator knows to hide);
    their screens close, and their phone cannot join this workshop again.
    """
    workshop = participant.workshop
    with rules.facilitating(facilitator, workshop) as change:
        participant.refresh_from_db(fields=["device"])  # under the lock: it may have rejoined
        if participant.device:
            digest = RemovedDevice.hash_device(participant.device)
            RemovedDevice.objects.get_or_create(workshop=workshop, device_hash=digest)
        _forget(participant, change)


def _forget(participant: Participant, change: live.Change) -> None:
    """Inside a guard: the participant's data is forgotten, and their screens close."""
    workshop = participant.workshop
    revision = change.revision
    own = list(Takeaway.objects.filter(author=participant).values_list("pk", flat=True))
    Takeaway.objects.filter(pk__in=own).update(deleted=True, text="", revision=revision)
    voted = list(Vote.objects.filter(participant=participant).values_list("takeaway", flat=True))
    Vote.objects.filter(participant=participant).delete()
    Takeaway.objects.filter(pk__in=voted).update(vote_count=F("vote_count") - 1, revision=revision)
    Answer.objects.filter(participant=participant).delete()
    Completion.objects.filter(participant=participant).delete()
    if workshop.spotlight_id in own:
        workshop.spotlight = None
        workshop.save(update_fields=["spotlight"])
        change.show(live.SPOTLIGHT)
    number = Participant.objects.filter(workshop=workshop, pk__lte=participant.pk).count()
    participant.name = anonymous_name(number)
    participant.revision = revision
    # This phone is nobody in the workshop now: it may join anew, unless it was removed.
    participant.device = ""
    participant.save(update_fields=["name", "revision", "device"])
    change.table(participant.table_id)
    for takeaway in takeaways_of(workshop, Q(pk__in=own)):
        change.takeaway(takeaway)
    for takeaway in takeaways_of(workshop, Q(pk__in=voted)):
        change.vote(takeaway)
    change.show(live.PROGRESS)
    revoke.on_commit([workshop.pk], revoke.participant(participant.pk))


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
