"""A participant's private reflection, as only their own phone shows it."""

from workshop.models import Activity, Answer, Completion


def solo_context(participant, activity: Activity) -> dict:
    """A participant's own reflection: the steps with their answers, and nobody else's."""
    steps = list(activity.steps.all())
    answers = {
        answer.step_id: answer
        for answer in Answer.objects.filter(participant=participant, step__in=steps)
    }
    can_share = activity.workshop.activities.filter(
        kind=Activity.Kind.DISCUSSION, position__gt=activity.position
    ).exists()
    return {
        "activity": activity,
        "steps": [{"step": step, "answer": answers.get(step.pk)} for step in steps],
        "completed": Completion.objects.filter(participant=participant, activity=activity).exists(),
        "can_share": can_share,
    }
