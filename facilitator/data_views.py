"""Participants' data: the anonymous setting, how long to keep the workshop, removing names and
reflections, and deleting the workshop."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facilitator.results_forms import DataSettingsForm
from workshop import services
from workshop.access import facilitated_workshop


@login_required
def data_settings(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    initial = {
        "anonymous": workshop.anonymous,
        "retention_days": workshop.retention_days,
        "reveal_threshold": workshop.reveal_threshold,
    }
    form = DataSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_data_settings(
                request.user,
                workshop,
                anonymous=form.cleaned_data["anonymous"],
                retention_days=form.cleaned_data["retention_days"],
                reveal_threshold=form.cleaned_data["reveal_threshold"],
            )
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Saved."))
            return redirect("facilitator:data", workshop_id=workshop.pk)
    context = {"workshop": workshop, "form": form}
    return render(request, "facilitator/data.html", context, status=400 if form.errors else 200)


@login_required
def remove_personal_data(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    if request.method == "POST":
        count = services.remove_personal_data(request.user, workshop)
        messages.success(
            request,
            _("Personal data removed: %(count)d names replaced, every reflection deleted.")
            % {"count": count},
        )
        return redirect("facilitator:data", workshop_id=workshop.pk)
    return render(request, "facilitator/data_remove.html", {"workshop": workshop})


@login_required
def delete_workshop(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    if request.method == "POST":
        title = workshop.title
        services.delete_workshop(request.user, workshop)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
        return redirect("facilitator:home")
    return render(request, "facilitator/workshop_delete.html", {"workshop": workshop})
