"""The people in a workshop: the facilitator removes someone who should not be there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workshop import services
from workshop.access import facilitated_workshop
from workshop.models import Participant


@login_required
def remove_participant(request, workshop_id, participant_id):
    """A confirmation page, then the removal: what it deletes cannot be undone."""
    workshop = facilitated_workshop(request, workshop_id)
    participant = get_object_or_404(Participant, pk=participant_id, workshop=workshop)
    participant.workshop = workshop
    if request.method == "POST":
        name = participant.name
        services.remove_participant(request.user, participant)
        messages.success(request, _("%(name)s was removed from the workshop.") % {"name": name})
        return redirect("facilitator:console", workshop_id=workshop.pk)
    context = {
        "workshop": workshop,
        "participant": participant,
        "posted": participant.takeaways.filter(deleted=False).count(),
    }
    return render(request, "facilitator/participant_remove.html", context)
