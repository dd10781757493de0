"""A participant deletes their own data from their phone: name, answers, votes and posts."""

from django.shortcuts import render

from participants.views import with_participant
from workshop import services
from workshop.access import _session_key


@with_participant
def forget_me(request, participant):
    workshop = participant.workshop
    if request.method != "POST":
        context = {
            "participant": participant,
            "workshop": workshop,
            "posted": participant.takeaways.filter(deleted=False).count(),
        }
        return render(request, "participants/forget.html", context)
    services.forget_participant(participant)
    # This phone is no longer anyone in the workshop: scanning the code again joins anew.
    request.session.pop(_session_key(workshop), None)
    return render(request, "participants/forgotten.html", {"workshop": workshop})
