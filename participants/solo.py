"""A participant's private reflection, as only their own phone shows it."""

from workshop.models import Activity, Answer, Completion


def solo_context(participant, activity: Activity) -> dict:
    """A participant's own reflection: the steps with their answers, and nobody else's. With
    no participant, the reflection every phone is sent, without answers."""
    steps = list(activity.steps.all())
    answers = {}
    if participant is not None:
        answers = {a.step_id: a for a in own_answers(participant, steps)}
    can_share = activity.workshop.activities.filter(
        kind=Activity.Kind.DISCUSSION, position__gt=activity.position
    ).exists()
    return {
        "activity": activity,
        "steps": [{"step": step, "answer": answers.get(step.pk)} for step in steps],
        "completed": participant is not None and has_completed(participant, activity),
        "can_share": can_share,
        "own": participant is not None,
    }


def own_answers(participant, steps):
    return Answer.objects.filter(participant=participant, step__in=steps)


def has_completed(participant, activity: Activity) -> bool:
    return Completion.objects.filter(participant=participant, activity=activity).exists()
