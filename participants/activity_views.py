"""Phone screens for the activities of the day: the private reflection and share-out votes."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants import slow_down
from participants.solo import has_completed, own_answers, solo_context
from participants.views import with_participant
from workshop import services, throttle
from workshop.models import Activity, Step, Takeaway
from workshop.services import rules


def _current_solo(participant) -> Activity | None:
    activity = participant.workshop.current_activity
    return activity if activity and activity.kind == Activity.Kind.SOLO else None


@with_participant
def solo(request, participant):
    """The reflection form of the phone asking; loaded by each phone for itself."""
    activity = _current_solo(participant)
    if activity is None:
        return HttpResponse('<div id="solo"></div>')
    context = {
        "workshop": participant.workshop,
        "solo": solo_context(participant, activity),
        "answer_limit": settings.ANSWER_MAX_LENGTH,
    }
    return render(request, "participants/solo.html", context)


@with_participant
def solo_answers(request, participant):
    """This phone's own answers to the reflection the room is in, for the reflection every
    phone was sent without them."""
    activity = _current_solo(participant)
    answers, done = {}, ""
    if activity is not None:
        steps = list(activity.steps.all())
        answers = {
            a.step_id: {"text": a.text, "choices": a.choices, "edited_at": a.edited_at}
            for a in own_answers(participant, steps)
        }
        if has_completed(participant, activity):
            context = {
                "workshop": participant.workshop,
                "solo": {"activity": activity, "completed": True},
            }
            done = render_to_string("participants/_solo_done.html", context, request=request)
    response = JsonResponse({"answers": answers, "done": done})
    response["Cache-Control"] = "private, no-store"
    return response


def _own_step(participant, pk) -> Step:
    return get_object_or_404(Step, pk=pk, activity__workshop=participant.workshop)


def _wants_json(request) -> bool:
    """The phone's outbox sends answers with JavaScript and reads a short JSON answer."""
    return "application/json" in request.headers.get("Accept", "")


def _edited_at(request) -> int | None:
    try:
        return int(request.POST["edited_at"])
    except (KeyError, ValueError):
        return None  # a plain form post: typed just now


@require_POST
@with_participant
def answer(request, participant, pk):
    step = _own_step(participant, pk)
    edited_at = _edited_at(request)
    context = {"step": step}
    try:
        saved = services.save_answer(
            participant,
            step,
            text=request.POST.get("text", ""),
            choices=request.POST.getlist("choices"),
            edited_at=edited_at,
        )
        context["saved"] = True
    except services.Refused as refused:
        if _wants_json(request):
            return _answer_refused(participant, step, str(refused))
        context["error"] = str(refused)
    if _wants_json(request):
        return JsonResponse(_answer_json(saved))
    if request.htmx:
        return render(request, "participants/_saved.html", context)
    return redirect("participants:board", code=participant.workshop.code)


def _answer_json(answer) -> dict:
    """What the server now holds: the phone's outbox settles on it (it may be a newer answer
    typed on another device, which the save did not replace)."""
    return {
        "saved": True,
        "text": answer.text,
        "choices": answer.choices,
        "edited_at": answer.edited_at,
    }


def _answer_refused(participant, step, message: str) -> JsonResponse:
    """409 while the reflection does not take answers (the room moved on, the workshop closed):
    the phone keeps the answer and sends it again if the room comes back. 422 when the answer
    itself is refused (too long): the phone shows why and keeps it, unsent."""
    open_ = rules.reflection_accepts(participant.workshop, step.activity)
    return JsonResponse({"error": message, "open": open_}, status=422 if open_ else 409)


@require_POST
@with_participant
def share(request, participant, pk):
    step = _own_step(participant, pk)
    try:
        services.share_answer(participant, step)
    except services.Refused as refused:
        # The button stays, with the reason: the person may try again once it is possible.
        if request.htmx:
            context = {"workshop": participant.workshop, "step": step, "error": str(refused)}
            return render(request, "participants/_share.html", context)
        messages.error(request, str(refused))
    else:
        if request.htmx:
            message = _("Shared with your table.")
            context = {"message": message, "step": step}
            return render(request, "participants/_shared.html", context)
        messages.success(request, _("Shared with your table."))
    return redirect("participants:board", code=participant.workshop.code)


@require_POST
@with_participant
def done(request, participant, pk):
    activity = get_object_or_404(
        Activity, pk=pk, workshop=participant.workshop, kind=Activity.Kind.SOLO
    )
    error = None
    try:
        services.complete_solo(participant, activity)
    except services.Refused as refused:
        error = str(refused)  # said as it is: never "done" when it was not recorded
    if request.htmx:
        context = {
            "workshop": participant.workshop,
            "solo": solo_context(participant, activity),
            "error": error,
        }
        return render(request, "participants/_solo_done.html", context)
    if error:
        messages.error(request, error)
    return redirect("participants:board", code=participant.workshop.code)


@require_POST
@with_participant
def poll_answer(request, participant, pk):
    """A phone's answer to the running poll, in place of the one it gave before."""
    question = get_object_or_404(
        Step.objects.select_related("activity"),
        pk=pk,
        activity__workshop=participant.workshop,
        activity__kind=Activity.Kind.POLL,
    )
    if pause := throttle.spend(throttle.votes(), participant.device):
        message = _("That is a lot of answers at once. Wait a moment, then tap again.")
        return slow_down.too_fast(request, pause, message)
    context = {"question": question, "workshop": participant.workshop}
    try:
        context["answer"] = services.answer_poll(
            participant,
            question,
            choices=request.POST.getlist("choices"),
            text=request.POST.get("text", ""),
        )
        context["saved"] = True
    except services.Refused as refused:
        context["error"] = str(refused)
    if request.htmx:
        return render(request, "participants/_poll_saved.html", context)
    if error := context.get("error"):
        messages.error(request, error)
    return redirect("participants:board", code=participant.workshop.code)


@require_POST
@with_participant
def vote(request, participant, pk):
    if pause := throttle.spend(throttle.votes(), participant.device):
        message = _("That is a lot of +1s at once. Wait a moment: this one goes out by itself.")
        return slow_down.too_fast(request, pause, message)
    # With its author: the broadcast renders the card from it.
    takeaway = get_object_or_404(
        Takeaway.objects.select_related("author"), pk=pk, workshop=participant.workshop
    )
    status = 200
    # The state the phone asks for, not a flip: a tap sent twice gives one +1, not none.
    give = services.vote if request.POST.get("give", "1") != "0" else services.take_back_vote
    try:
        give(participant, takeaway)
    except services.Refused as refused:
        status = 409
        if not request.htmx:
            messages.error(request, str(refused))
    if request.htmx:
        return HttpResponse(status=status)
    return redirect("participants:board", code=participant.workshop.code)
