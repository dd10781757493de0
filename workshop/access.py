"""Who is asking: the participant a session belongs to, the workshop a facilitator runs."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from workshop.models import Participant, Workshop


def _session_key(workshop: Workshop) -> str:
    return f"participant:{workshop.pk}"


def participant_in_session(session, workshop: Workshop) -> Participant | None:
    participant_id = session.get(_session_key(workshop))
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("workshop", "table")
        .filter(pk=participant_id, workshop=workshop)
        .first()
    )


def remember_participant(session, participant: Participant) -> None:
    session[_session_key(participant.workshop)] = participant.pk


def facilitated_workshop(request, workshop_id: int) -> Workshop:
    """The workshop if the signed-in user runs it; otherwise not found, revealing nothing."""
    workshop = Workshop.objects.filter(pk=workshop_id, facilitator_id=request.user.pk).first()
    if workshop is None:
        raise Http404
    return workshop


def workshop_by_code(code: str) -> Workshop:
    return get_object_or_404(Workshop, code=code)
