"""The rules every write follows, applied in one place.

A write that any screen shows runs inside one of two guards: `facilitating` for the workshop's
facilitator, `participating` for a phone. Each takes the workshop's lock first — by raising its
revision, in `live.changing` — and only then checks, so that what it checked cannot change
before it commits (pretix's order). It yields the `Change` on which the write says what it
changed, for `live` to announce once the write is committed.

The participant's rules: the workshop is open; the room is in the activity the write belongs
to (`during`); a card is the participant's own (`own`) or another table's (`other_table`).
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshop import live
from workshop.limits import Limit
from workshop.models import Activity, Participant, Takeaway, User, Workshop
from workshop.text import clean_line, clean_text


class NotAllowed(PermissionDenied):
    """The person asking may not do this: a refusal, never shown as a form error. Uncaught, it
    is Django's 403."""


class Refused(Exception):
    """The request is understood but cannot be done; the message says why, for the person."""


@dataclass(frozen=True)
class Moment:
    """A kind of activity a write belongs to, and what to say when the room is elsewhere."""

    kind: str
    refusal: Promise


DISCUSSION = Moment(
    Activity.Kind.DISCUSSION, gettext_lazy("Posting opens during the table discussion.")
)
SHAREOUT = Moment(Activity.Kind.SHAREOUT, gettext_lazy("Voting is open during the share-out."))


def text(value: str, *, max_length: int, what: str) -> str:
    """Text as stored (see workshop.text), or a refusal that says what is wrong with it."""
    try:
        return clean_text(value, max_length=max_length, what=what)
    except ValueError as error:
        raise Refused(str(error)) from error


def line(value: str, *, max_length: int, what: str) -> str:
    """A one-line text as stored (a name, a title), or a refusal."""
    try:
        return clean_line(value, max_length=max_length, what=what)
    except ValueError as error:
        raise Refused(str(error)) from error


def cleaned(value: str, limit: Limit) -> str:
    """Text as `limit` stores it (the same rule as the form that asked for it), or a refusal."""
    try:
        return limit.clean(value)
    except ValueError as error:
        raise Refused(str(error)) from error


def check_facilitator(user: User, workshop: Workshop) -> None:
    if not (user.is_authenticated and workshop.facilitator_id == user.pk):
        raise NotAllowed


def check_open(workshop: Workshop) -> None:
    if not workshop.is_open:
        raise Refused(_("This workshop is closed."))


@contextmanager
def facilitating(user: User, workshop: Workshop, *, fresh: bool = True):
    """A facilitator's write. Who runs a workshop never changes, so strangers are turned away
    before the lock: they cannot make the room wait."""
    check_facilitator(user, workshop)
    with live.changing(workshop, fresh=fresh) as change:
        yield change


@contextmanager
def participating(
    participant: Participant,
    *,
    during: Moment | None = None,
    own: Takeaway | None = None,
    other_table: Takeaway | None = None,
    may_be_closed: bool = False,
):
    """A phone's write, under the workshop's lock, once every rule asked for holds."""
    workshop = participant.workshop
    for card in (own, other_table):
        if card is not None and card.workshop_id != workshop.pk:
            raise NotAllowed
    with live.changing(workshop) as change:
        if not may_be_closed:
            check_open(workshop)
        current = workshop.current_activity
        if during is not None and (current is None or current.kind != during.kind):
            raise Refused(str(during.refusal))
        if own is not None:
            _check_own(participant, own, current)
        if other_table is not None:
            _check_other_table(participant, other_table, current)
        yield change


def _check_own(participant: Participant, takeaway: Takeaway, current: Activity | None) -> None:
    """The participant's own card, of the discussion that is running. (Whether it was deleted
    meanwhile, the write itself checks: see `takeaways.write_own`.)"""
    if takeaway.author_id != participant.pk or takeaway.deleted:
        raise NotAllowed
    if takeaway.activity_id is not None and takeaway.activity_id != getattr(current, "pk", None):
        raise Refused(_("This discussion is over: its takeaways can no longer be changed."))


def _check_other_table(
    participant: Participant, takeaway: Takeaway, current: Activity | None
) -> None:
    """Another table's card, shown by the share-out that is running."""
    if takeaway.table_id == participant.table_id:
        raise Refused(_("You can give a +1 to other tables' takeaways, not your own table's."))
    if current is None or current.kind != Activity.Kind.SHAREOUT:
        raise Refused(str(SHAREOUT.refusal))
    if current.source_id != takeaway.activity_id:
        raise Refused(str(SHAREOUT.refusal))


def reflection_accepts(workshop: Workshop, activity: Activity) -> bool:
    """A private answer is taken while its reflection runs, and for a short grace period after
    the room moved on: words typed as the facilitator pressed Next are kept."""
    if not workshop.is_open:
        return False
    if workshop.current_activity_id == activity.pk:
        return True
    activity.refresh_from_db(fields=["left_at"])  # the room may have left it just now
    left = activity.left_at
    grace = timedelta(seconds=settings.ANSWER_GRACE_SECONDS)
    return left is not None and timezone.now() - left <= grace


def check_reflection(participant: Participant, activity: Activity) -> None:
    if activity.workshop_id != participant.workshop_id or activity.kind != Activity.Kind.SOLO:
        raise NotAllowed
    workshop = participant.workshop
    check_open(workshop)
    if not reflection_accepts(workshop, activity):
        raise Refused(_("This reflection is closed: the room has moved on."))
