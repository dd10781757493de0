"""Quick polls: one question the room answers in a tap, its results on the big screen.

An answer is never stored with who gave it. While the poll is open, a phone's answer is found
again by a keyed digest of its participant (`_voter`), so that it can be changed; when the poll
closes, the key is thrown away and every digest emptied: from then on nothing tells whose an
answer was, not even the server. That holds in every workshop, anonymous or not.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from workshop import limits, live, words
from workshop.models import Activity, Participant, PollAnswer, Step, User, Workshop
from workshop.services import rules
from workshop.services.rules import NotAllowed, Refused
from workshop.services.takeaways import set_votes_hidden


def answer_poll(
    participant: Participant, question: Step, choices: list[str] | None = None, text: str = ""
) -> PollAnswer | None:
    """Keeps this phone's answer to the running poll, in place of the one it gave before; an
    empty answer (every option unticked) takes it back. The projector's counts follow."""
    if question.activity.workshop_id != participant.workshop_id or not question.is_counted:
        raise NotAllowed
    answer = _answer_of(question, choices or [], text)
    with rules.participating(participant) as change:
        poll = participant.workshop.current_activity
        if poll is None or poll.pk != question.activity_id:
            raise Refused(_("This poll is over: the room has moved on."))
        if poll.closed_at is not None:
            raise Refused(_("This poll is closed."))
        voter = _voter(poll, participant)
        if answer is None:
            mine = PollAnswer.objects.filter(step=question, voter=voter)
            kept, changed = None, bool(mine.delete()[0])
        else:
            kept, changed = _keep(question, voter, *answer)
        if not changed:
            change.cancel()  # a double tap, or a phone sending the same again: nothing to tell
            return kept
        change.show(live.PROGRESS)
    return kept


def _answer_of(question: Step, choices: list[str], text: str) -> tuple[list[str], str] | None:
    """What is stored of what a phone sent: the options it chose, or a word as the room's cloud
    counts it (workshop.words) and as it was typed; None for no answer at all."""
    if question.kind == Step.Kind.WORD:
        text = rules.cleaned(text, limits.WORD)
        folded = words.fold(text)
        return ([folded], text) if folded else None
    kept = question.kept_choices(choices)
    return (kept, "") if kept else None


def _keep(question: Step, voter: str, choices: list[str], text: str) -> tuple[PollAnswer, bool]:
    """The phone's answer, in place of its last; whether that changed anything."""
    answer, created = PollAnswer.objects.select_for_update().get_or_create(
        step=question, voter=voter, defaults={"choices": choices, "text": text}
    )
    if created:
        return answer, True
    if (answer.choices, answer.text) == (choices, text):
        return answer, False
    answer.choices, answer.text = choices, text
    answer.save(update_fields=["choices", "text"])
    return answer, True


def own_answer(participant: Participant, poll: Activity) -> PollAnswer | None:
    """This phone's answer to a poll that is still open (a closed poll knows nobody's)."""
    if not poll.poll_is_open or not poll.poll_key:
        return None
    voter = _voter(poll, participant)
    return PollAnswer.objects.filter(step__activity=poll, voter=voter).first()


def _voter(poll: Activity, participant: Participant) -> str:
    # Keyed by the site's secret and the poll's own key: the digest alone, or with the
    # database, says nothing of whose it is, and once the poll's key is gone it never can.
    return salted_hmac(f"poll:{poll.poll_key}", str(participant.pk), algorithm="sha256").hexdigest()


def close_poll(facilitator: User, poll: Activity) -> Activity:
    """No more answers: the results stay, unlinked from everyone for good."""
    if not poll.is_poll:
        raise Refused(_("Only a poll can be closed."))
    with rules.facilitating(facilitator, poll.workshop) as change:
        if not close(poll):
            change.cancel()
            return poll
        if (running := change.stage.activity) is not None and running.pk == poll.pk:
            running.closed_at, running.poll_key = poll.closed_at, poll.poll_key
        change.restage()
    return poll


def close(poll: Activity) -> bool:
    """Closes a poll inside a write that holds the workshop's lock; whether it was open."""
    poll.closed_at, poll.poll_key = timezone.now(), ""
    if not Activity.objects.filter(pk=poll.pk, closed_at=None).update(
        closed_at=poll.closed_at, poll_key=""
    ):
        return False
    PollAnswer.objects.filter(step__activity=poll).exclude(voter="").update(voter="")
    return True


@transaction.atomic
def close_open_polls(workshop: Workshop) -> bool:
    """Every poll of a workshop that closes, so that nothing stays linked; whether the running
    activity was one of them."""
    running = workshop.current_activity if workshop.current_activity_id else None
    closed_running = False
    for poll in workshop.activities.filter(kind=Activity.Kind.POLL, closed_at=None):
        if close(poll) and running is not None and running.pk == poll.pk:
            running.closed_at, running.poll_key = poll.closed_at, poll.poll_key
            closed_running = True
    return closed_running


def show_results(facilitator: User, poll: Activity, shown: bool) -> Activity:
    """The poll's results on the projector and the phones, or kept until revealed."""
    if not poll.is_poll:
        raise Refused(_("Only a poll has results to show."))
    return set_votes_hidden(facilitator, poll, not shown)
