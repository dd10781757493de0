"""The agenda editor: the day's activities, their steps, and saving the agenda as a template.

Editing works before and during the day alike: the services tell every screen when what they
show has changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilitator.agenda_forms import (
    ActivityForm,
    NewActivityForm,
    QuestionFormSet,
    SaveTemplateForm,
    StepForm,
    StepFormSet,
    steps_in_order,
)
from workshop import services
from workshop.access import facilitated_workshop
from workshop.models import Activity, Workshop


def _activity(workshop: Workshop, activity_id: int) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("workshop", "source"), pk=activity_id, workshop=workshop
    )


def _to_agenda(workshop: Workshop, activity: Activity | None = None):
    url = reverse("facilitator:agenda", args=[workshop.pk])
    return redirect(f"{url}#activity-{activity.pk}" if activity else url)


def _agenda_page(request, workshop, *, add_form=None, template_form=None, status=200):
    # Explicit order: an aggregate query drops the model's default ordering.
    activities = (
        workshop.activities.select_related("source")
        .annotate(step_count=Count("steps"))
        .order_by("position", "pk")
    )
    planned = workshop.activities.aggregate(total=Sum("duration_minutes"))["total"]
    context = {
        "workshop": workshop,
        "activities": activities,
        "planned_minutes": planned,
        "add_form": add_form or NewActivityForm(),
        "template_form": template_form or SaveTemplateForm(initial={"name": workshop.title}),
    }
    return render(request, "facilitator/agenda.html", context, status=status)


@login_required
def agenda(request, workshop_id):
    return _agenda_page(request, facilitated_workshop(request, workshop_id))


@login_required
@require_POST
def add_activity(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    form = NewActivityForm(request.POST)
    if form.is_valid():
        try:
            activity = services.add_activity(request.user, workshop, **form.cleaned_data)
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("“%(title)s” added.") % {"title": activity.title})
            if activity.kind in STEPS_OF:
                # A reflection without steps (a poll without its question) shows the phones
                # nothing to do: go and add them.
                return redirect("facilitator:activity", workshop.pk, activity.pk)
            return _to_agenda(workshop, activity)
    return _agenda_page(request, workshop, add_form=form, status=400)


@login_required
def edit_activity(request, workshop_id, activity_id):
    workshop = facilitated_workshop(request, workshop_id)
    activity = _activity(workshop, activity_id)
    form = ActivityForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(request.user, activity, **form.cleaned_data)
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": activity.title})
            return _to_agenda(workshop, activity)
    status = 400 if request.method == "POST" else 200
    return _activity_page(request, workshop, activity, form=form, status=status)


@login_required
@require_POST
def edit_steps(request, workshop_id, activity_id):
    workshop = facilitated_workshop(request, workshop_id)
    activity = _activity(workshop, activity_id)
    formset = _formset_class(activity)(request.POST, prefix="steps")
    refusal = None
    if formset.is_valid():
        try:
            services.set_steps(
                request.user, activity, steps_in_order(formset, request.POST.get("move", ""))
            )
        except services.Refused as refused:
            refusal = str(refused)
        else:
            messages.success(request, _("Steps saved."))
            url = reverse("facilitator:activity", args=[workshop.pk, activity.pk])
            return redirect(f"{url}#steps")
    return _activity_page(
        request, workshop, activity, formset=formset, steps_refusal=refusal, status=400
    )


def _activity_page(
    request, workshop, activity, *, form=None, formset=None, steps_refusal=None, status=200
):
    if activity.kind in STEPS_OF and formset is None:
        formset = _formset_class(activity)(
            prefix="steps",
            initial=[StepForm.initial_for(step) for step in activity.steps.all()],
        )
    context = {
        "workshop": workshop,
        "activity": activity,
        "form": form or ActivityForm(activity=activity),
        "formset": formset,
        "step_rows": _step_rows(formset) if formset else [],
        "steps_refusal": steps_refusal,
        "is_running": workshop.current_activity_id == activity.pk,
    }
    return render(request, "facilitator/activity.html", context, status=status)


# The kinds of activity with steps: a reflection's screens, a poll's one question.
STEPS_OF = {Activity.Kind.SOLO: StepFormSet, Activity.Kind.POLL: QuestionFormSet}


def _formset_class(activity: Activity):
    return STEPS_OF.get(activity.kind, StepFormSet)


def _step_rows(formset) -> list[dict]:
    """Each step form with what its buttons may do: the blank one at the end only adds."""
    saved = [index for index, form in enumerate(formset) if form["id"].value()]
    return [
        {
            "form": form,
            "is_new": index not in saved,
            "number": saved.index(index) + 1 if index in saved else None,
            "can_move_up": index in saved and saved.index(index) > 0,
            "can_move_down": index in saved and saved.index(index) < len(saved) - 1,
        }
        for index, form in enumerate(formset)
    ]


@login_required
def delete_activity(request, workshop_id, activity_id):
    """Asks first: a deleted reflection takes the participants' private answers with it."""
    workshop = facilitated_workshop(request, workshop_id)
    activity = _activity(workshop, activity_id)
    if request.method == "POST":
        try:
            services.delete_activity(request.user, activity)
        except services.Refused as refused:
            messages.error(request, str(refused))
            return _to_agenda(workshop, activity)
        messages.success(request, _("“%(title)s” deleted.") % {"title": activity.title})
        return _to_agenda(workshop)
    context = {
        "workshop": workshop,
        "activity": activity,
        "is_running": workshop.current_activity_id == activity.pk,
        "answer_count": activity.steps.aggregate(n=Count("answers"))["n"],
        "takeaway_count": activity.takeaways.filter(deleted=False).count(),
    }
    return render(request, "facilitator/activity_delete.html", context)


@login_required
@require_POST
def move_activity(request, workshop_id, activity_id):
    workshop = facilitated_workshop(request, workshop_id)
    activity = _activity(workshop, activity_id)
    step = -1 if request.POST.get("direction") == "up" else 1
    services.move_activity(request.user, activity, step)
    return _to_agenda(workshop, activity)


@login_required
@require_POST
def save_template(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    form = SaveTemplateForm(request.POST)
    if form.is_valid():
        try:
            template = services.save_as_template(request.user, workshop, form.cleaned_data["name"])
        except services.Refused as refused:
            form.add_error("name", str(refused))
        else:
            messages.success(
                request,
                _(
                    "Saved as the template “%(name)s”: pick it under “Start from” "
                    "for a new workshop."
                )
                % {"name": template.name},
            )
            return _to_agenda(workshop)
    return _agenda_page(request, workshop, template_form=form, status=400)
