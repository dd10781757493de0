"""The private reflection: answers only their author sees, finishing, and sharing one."""

import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from workshop import limits, live, words
from workshop.models import Activity, Answer, Completion, Participant, Step, Takeaway
from workshop.services import rules
from workshop.services.rules import Refused


@transaction.atomic
def save_answer(
    participant: Participant,
    step: Step,
    text: str = "",
    choices: list[str] | None = None,
    edited_at: int | None = None,
) -> Answer:
    """Keeps a private answer as the participant types. Nobody else ever sees it, so no screen
    is told, the workshop's revision stays as it is and its lock is not taken: a save racing
    the facilitator's Next is kept by the reflection's grace period. (But for a checklist whose
    counts the projector shows: the counts change.)

    `edited_at` is when the words were typed (milliseconds, server clock; now when not given,
    never later than now). A phone's outbox may send a save long after it was typed: when the
    stored answer was typed later (on another device), it stays, and is returned unchanged."""
    rules.check_reflection(participant, step.activity)
    if step.kind == Step.Kind.WORD:
        text = rules.cleaned(text, limits.WORD)
        chosen = [folded] if (folded := words.fold(text)) else []
    else:
        text = rules.cleaned(text, limits.ANSWER)
        chosen = step.kept_choices(choices or [])
    now = int(time.time() * 1000)
    edited_at = now if edited_at is None else min(edited_at, now)
    if _counts_shown(participant, step):
        # The projector shows this step's counts: the tick changes them, under the lock.
        with rules.participating(participant) as change:
            answer = _keep_answer(participant, step, text, chosen, edited_at)
            change.show(live.PROGRESS)
        return answer
    return _keep_answer(participant, step, text, chosen, edited_at)


def _counts_shown(participant: Participant, step: Step) -> bool:
    """Whether the screens show the room's counts of this step: revealed during its
    reflection, or the room has moved on to the room's answers of that reflection."""
    if not step.is_counted:
        return False
    if step.activity.revealed_step_id == step.pk:
        return True
    return Activity.objects.filter(
        pk=participant.workshop.current_activity_id,
        kind=Activity.Kind.PATTERN,
        source_id=step.activity_id,
    ).exists()


def _keep_answer(participant, step, text: str, chosen: list[str], edited_at: int) -> Answer:
    answer, created = Answer.objects.select_for_update().get_or_create(
        participant=participant,
        step=step,
        defaults={"text": text, "choices": chosen, "edited_at": edited_at},
    )
    if created:
        return answer
    if answer.edited_at is not None and answer.edited_at > edited_at:
        return answer
    answer.text, answer.choices, answer.edited_at = text, chosen, edited_at
    answer.save(update_fields=["text", "choices", "edited_at", "updated_at"])
    return answer


def reveal_step(facilitator, activity: Activity, step: Step | None) -> Activity:
    """Shows on the projector how many people ticked each option of one of the reflection's
    checklists (workshop.aggregates), or, with no step, hides it again."""
    if activity.kind != Activity.Kind.SOLO:
        raise Refused(_("Only a reflection's checklist or scale can be shown to the room."))
    if step is not None and (step.activity_id != activity.pk or not step.is_counted):
        raise Refused(_("Only a reflection's checklist or scale can be shown to the room."))
    with rules.facilitating(facilitator, activity.workshop) as change:
        activity.revealed_step = step
        activity.save(update_fields=["revealed_step"])
        running = change.stage.activity
        if running is not None and running.pk == activity.pk:
            running.revealed_step = step
        change.show(live.PROGRESS)
    return activity


def complete_solo(participant: Participant, activity: Activity) -> Completion:
    with rules.participating(participant) as change:
        rules.check_reflection(participant, activity)
        completion, created = Completion.objects.get_or_create(
            participant=participant, activity=activity
        )
        if not created:
            change.cancel()
            return completion
        completion.revision = change.revision
        completion.save(update_fields=["revision"])
        if participant.workshop.current_activity_id == activity.pk:
            change.show(live.PROGRESS)
    return completion


def share_answer(participant: Participant, step: Step) -> Takeaway:
    """A participant's own choice: one answer becomes a takeaway of their table, while the
    room is in the reflection or in the discussion it shares into."""
    with rules.participating(participant) as change:
        discussion = _discussion_after(step.activity)
        current = participant.workshop.current_activity_id
        if current != getattr(discussion, "pk", None):
            rules.check_reflection(participant, step.activity)
        takeaway, created = _share(participant, step, discussion, change.revision)
        if not created:
            change.cancel()
            return takeaway
        takeaway.author = participant
        change.takeaway(takeaway)
    return takeaway


def _discussion_after(activity: Activity) -> Activity | None:
    return (
        activity.workshop.activities.filter(
            kind=Activity.Kind.DISCUSSION, position__gt=activity.position
        )
        .order_by("position", "pk")
        .first()
    )


def _share(participant, step, discussion, revision: int) -> tuple[Takeaway, bool]:
    answer = Answer.objects.filter(participant=participant, step=step).first()
    if answer is None or not answer.text:
        raise Refused(_("Write an answer first, then share it."))
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
