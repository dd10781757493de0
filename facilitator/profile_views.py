"""The facilitator's profile: the name the report and My notes give them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facilitator.forms import ProfileForm
from workshop import services


@login_required
def profile(request):
    if request.user.is_organizer:
        return redirect("facilitator:organizer_home")  # organizers are named by no workshop
    initial = {"display_name": request.user.display_name, "organisation": request.user.organisation}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_profile(request.user, **form.cleaned_data)
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Profile saved."))
            return redirect("facilitator:profile")
    status = 400 if form.errors else 200
    return render(request, "facilitator/profile.html", {"form": form}, status=status)
