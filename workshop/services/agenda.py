"""Editing the agenda: activities, their order, and a reflection's steps."""

from django.utils.translation import gettext as _

from workshop import agenda_templates, limits
from workshop.models import COUNTED_STEPS, Activity, Step, User, Workshop
from workshop.services import rules
from workshop.services.rules import Refused
from workshop.services.takeaways import approve_queue
from workshop.services.workshops import neighbour
from workshop.text import normalise


def _check_activity_fields(kind: str, title: str, duration_minutes: int | None) -> str:
    if kind not in Activity.Kind.values:
        raise Refused(_("Choose what kind of activity this is."))
    if duration_minutes is not None and not 1 <= duration_minutes <= 480:
        raise Refused(_("A duration is between 1 and 480 minutes."))
    return rules.cleaned(title, limits.ACTIVITY_TITLE)


def add_activity(
    facilitator: User,
    workshop: Workshop,
    kind: str,
    title: str,
    instructions: str = "",
    duration_minutes: int | None = None,
) -> Activity:
    rules.check_facilitator(facilitator, workshop)  # before saying what is wrong with the form
    title = _check_activity_fields(kind, title, duration_minutes)
    with rules.facilitating(facilitator, workshop) as change:
        activity = _append_activity(workshop, kind, title, instructions, duration_minutes)
        change.restage()
    return activity


def _append_activity(workshop, kind, title, instructions, duration_minutes) -> Activity:
    last = workshop.activities.order_by("-position").values_list("position", flat=True).first()
    activity = Activity.objects.create(
        workshop=workshop,
        kind=kind,
        title=title,
        instructions=rules.cleaned(instructions, limits.INSTRUCTIONS),
        duration_minutes=duration_minutes,
        position=(last or 0) + 1,
    )
    if activity.source_kind:
        # What it shows: the last activity of that kind before it.
        activity.source = (
            workshop.activities.filter(kind=activity.source_kind, position__lt=activity.position)
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
    **options: bool | None,
) -> Activity:
    """Edits an activity; when it is the one running, every screen shows the change at once.

    `options` are those of its kind (agenda_templates.OPTIONS); one left out, or None, stays as
    it is, and another kind's is ignored, as `source` is for a kind that shows no other."""
    rules.check_facilitator(facilitator, activity.workshop)
    activity.title = _check_activity_fields(activity.kind, title, duration_minutes)
    activity.instructions = rules.cleaned(instructions, limits.INSTRUCTIONS)
    activity.duration_minutes = duration_minutes
    edited = ["title", "instructions", "duration_minutes"]
    if activity.source_kind:
        if source is not None and (
            source.workshop_id != activity.workshop_id or source.kind != activity.source_kind
        ):
            if activity.kind == Activity.Kind.PATTERN:
                raise Refused(_("The room's answers are those of a solo reflection."))
            raise Refused(_("A share-out shows the takeaways of a table discussion."))
        activity.source = source
        edited.append("source")
    edited += _set_options(activity, options)
    with rules.facilitating(facilitator, activity.workshop) as change:
        # Only what the form edits: since this request read the activity, the room may have
        # moved in or out of it (entered_at, left_at).
        activity.save(update_fields=edited)
        if "moderated" in edited and not activity.moderated:
            # As the console's switch: nobody is left waiting for an approval nobody will give.
            approve_queue(change, activity.pk)
        _tell_the_stage(change, activity, edited)
        change.restage()
    return activity


def _set_options(activity: Activity, options: dict) -> list[str]:
    """Sets the options of the activity's kind that were given; their names."""
    if unknown := set(options) - set(agenda_templates.OPTION_NAMES):
        raise TypeError(f"No such option: {', '.join(sorted(unknown))}")  # a caller's typo
    given = [
        name for name in agenda_templates.options_of(activity.kind) if options.get(name) is not None
    ]
    for name in given:
        setattr(activity, name, bool(options[name]))
    return given


def _tell_the_stage(change, activity: Activity, fields: list[str]) -> None:
    """The screens render the running activity as the lock read it, before this write: when it
    is the one edited, it must say what was saved (its title, its options), not what was."""
    running = change.stage.activity
    if running is not None and running.pk == activity.pk:
        for name in fields:
            setattr(running, name, getattr(activity, name))


def set_steps(facilitator: User, activity: Activity, steps: list[dict]) -> list[Step]:
    """Replaces a solo reflection's steps, or a poll's question; answers to steps that stay the
    same are kept."""
    rules.check_facilitator(facilitator, activity.workshop)
    if activity.kind == Activity.Kind.POLL:
        _check_question(steps)
    elif activity.kind != Activity.Kind.SOLO:
        raise Refused(_("Only a solo reflection has steps."))
    with rules.facilitating(facilitator, activity.workshop) as change:
        kept = _replace_steps(activity, steps)
        change.restage()
    return kept


def _check_question(steps: list[dict]) -> None:
    if len(steps) > 1:
        raise Refused(_("A poll asks one question."))
    if steps and steps[0].get("kind") not in COUNTED_STEPS:
        raise Refused(_("A poll's question is a choice, a scale or one word."))


def _replace_steps(activity: Activity, steps: list[dict]) -> list[Step]:
    existing = {step.pk: step for step in activity.steps.all()}
    kept = []
    for position, data in enumerate(steps):
        if data.get("kind") not in Step.Kind.values:
            raise Refused(_("Choose what kind of step this is."))
        prompt = rules.cleaned(data.get("prompt", ""), limits.STEP_PROMPT)
        options = [o[:200] for o in map(normalise, data.get("options") or []) if o]
        if data["kind"] in (Step.Kind.CHECKLIST, Step.Kind.CHOICE) and not options:
            raise Refused(_("A checklist needs at least one option."))
        step = existing.get(data.get("id")) or Step(activity=activity)
        step.position, step.kind, step.prompt = position, data["kind"], prompt
        step.help_text = rules.cleaned(data.get("help_text") or "", limits.HELP_TEXT)
        kinds_with_options = (Step.Kind.CHECKLIST, Step.Kind.CHOICE, Step.Kind.SCALE)
        step.options = options if data["kind"] in kinds_with_options else []
        if data["kind"] == Step.Kind.SCALE:
            step.options = options[:2]  # its two ends' words
        step.scale_top = 10 if data.get("scale_top") == 10 else 5
        step.save()
        kept.append(step)
    activity.steps.exclude(pk__in=[step.pk for step in kept]).delete()
    return kept


def delete_activity(facilitator: User, activity: Activity) -> None:
    """Removes an activity; the room moves to its neighbour if it was running."""
    workshop = activity.workshop
    with rules.facilitating(facilitator, workshop) as change:
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
    with rules.facilitating(facilitator, workshop) as change:
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
