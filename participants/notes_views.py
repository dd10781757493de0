"""The take-home "My notes": on the phone, printable, and as Markdown or plain-text downloads.

Only the participant of this phone's session gets notes, and only their own: anyone else is sent
to join, which never shows anyone's answers.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from participants import notes
from participants.views import with_participant
from workshop.exports import download_filename


@with_participant
def my_notes(request, participant):
    context = {
        "participant": participant,
        "workshop": participant.workshop,
        "notes": notes.notes_for(participant),
    }
    return render(request, "participants/notes.html", context)


def _download(participant, render_notes, suffix, content_type):
    body = render_notes(notes.notes_for(participant))
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = download_filename(participant.workshop.title, suffix)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # Private answers: never kept by a proxy or a shared browser cache.
    response["Cache-Control"] = "private, no-store"
    return response


@with_participant
def my_notes_markdown(request, participant):
    return _download(participant, notes.as_markdown, "my-notes.md", "text/markdown")


@with_participant
def my_notes_text(request, participant):
    return _download(participant, notes.as_text, "my-notes.txt", "text/plain")
