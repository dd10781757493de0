"""A participant deletes their own data from their phone: name, answers, votes and posts."""

from django.shortcuts import render

from participants.views import with_participant
from workshop import services


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
    # This phone is no longer anyone in the workshop: scanning the code again joins anew.
    services.forget_participant(participant)
    return render(request, "participants/forgotten.html", {"workshop": workshop})
