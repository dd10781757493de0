"""Phone screens: join, the table board, posting and editing one's own takeaways."""

import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants import slow_down
from participants.forms import CodeForm, EditTakeawayForm, JoinForm, TakeawayForm
from participants.solo import solo_context
from workshop import access, languages, live, services, throttle
from workshop.codes import normalise_join_code
from workshop.models import Takeaway, Workshop
from workshop.queries import unique_or_none
from workshop.services import polls

BOARD = "participants/board.html"


def _workshop(code: str) -> Workshop | None:
    workshop = Workshop.objects.select_related("current_activity")
    return unique_or_none(workshop.filter(code=normalise_join_code(code)))


def _unknown_code(request, code: str = ""):
    form = CodeForm(initial={"code": code})
    return render(
        request, "participants/unknown_code.html", {"form": form, "code": code}, status=404
    )


def _find_workshop(request, code: str):
    """(workshop, None) for a right code; (None, the answer) for a wrong one.

    Wrong codes are counted per address (a guesser has nothing else to key on). Once an address
    has spent its budget, no code from it is looked up for a few seconds, right or wrong: were
    right ones let through, the refusal itself would tell a guesser which codes are wrong. A
    right code spends nothing, so a room behind one NAT typing its code is never held up by
    its own typos, and a phone that has joined is let in before any code is looked up."""
    budget, address = throttle.wrong_codes(), throttle.client_address(request) or "unknown"
    if pause := throttle.wait(budget, address):
        return None, slow_down.check_the_code(request, code, pause)
    workshop = _workshop(code)
    if workshop is None:
        throttle.spend(budget, address)
        return None, _unknown_code(request, code)
    return workshop, None


def enter_code(request):
    form = CodeForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        _workshop_found, refusal = _find_workshop(request, code)
        if refusal:
            return refusal
        return redirect("participants:join", code=code)
    return render(request, "participants/enter_code.html", {"form": form})


def join(request, code, table_number=None):
    if access.phone_participant(request.COOKIES, code) is not None:
        return redirect("participants:board", code=code)
    workshop, refusal = _find_workshop(request, code)
    if refusal:
        return refusal
    if code != workshop.code:
        return redirect(request.path.replace(f"/{code}/", f"/{workshop.code}/", 1))
    if not workshop.is_open:
        return render(request, "participants/closed.html", {"workshop": workshop})
    if access.is_removed(workshop, access.device_of(request.COOKIES)):
        return render(request, "participants/removed.html", {"workshop": workshop}, status=403)

    tables = None
    if table_number:
        preset = workshop.tables.filter(number=table_number).first()
    else:
        tables = list(workshop.tables.order_by("number").only("pk", "name"))
        preset = tables[0] if len(tables) == 1 else None  # one table: nothing to choose
    form = JoinForm(request.POST or None, workshop=workshop, initial={"table": preset})
    if workshop.anonymous:
        del form.fields["name"]  # an anonymous workshop asks nobody's name
    device = access.device_of(request.COOKIES)
    if request.method == "POST" and (pause := _join_budget(request, device)):
        message = _("Many joins at once. Wait a few seconds: this goes again by itself.")
        response = slow_down.too_fast(request, pause, message)
        if device is None:  # the form sent again carries one, and is counted by it
            access.remember_device(response, access.new_device_id())
        return response
    if request.method == "POST" and form.is_valid():
        table = form.cleaned_data["table"]
        try:
            if workshop.anonymous:
                participant = services.join_anonymously(workshop, table, device=device or "")
            else:
                participant = services.join(
                    workshop, table, form.cleaned_data["name"], device=device or ""
                )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            # The board at once, rather than a redirect to it: one request fewer for each of a
            # room's phones. Sent again (a reload), the form finds this phone joined already.
            participant.workshop, participant.table = workshop, table
            response = _render_board(request, participant)
            access.remember_device(response, participant.device)
            # The language it joined in, preset from the browser's or chosen here, stays.
            languages.remember(response, translation.get_language())
            return response
    context = {"workshop": workshop, "form": form, "preset": preset}
    if preset is None:
        context["tables"] = tables or list(workshop.tables.order_by("number").only("pk", "name"))
    response = render(request, "participants/join.html", context)
    if device is None:
        # The phone is known from the form on, so that its join is counted by its own budget,
        # not by its address's (which a whole room behind a venue NAT shares).
        access.remember_device(response, access.new_device_id())
    return response


def _join_budget(request, device: str | None) -> int:
    """Seconds this join must wait; 0 to go ahead. A phone by its device cookie, which the join
    page gave it; a form sent without one (a script, or a page from before the cookie) by its
    address, with a budget roomy enough for a room's old pages, each refused once at most."""
    if device is not None:
        return throttle.spend(throttle.joins(), device)
    address = throttle.client_address(request) or "unknown"
    return throttle.spend(throttle.cookieless_joins(), address)


def participant_or_redirect(request, code):
    participant = access.phone_participant(request.COOKIES, code)
    if participant is not None:
        return participant, None
    workshop, refusal = _find_workshop(request, code)
    if refusal:
        return None, refusal
    return None, redirect("participants:join", code=workshop.code)


def with_participant(view):
    """The view gets the participant this phone is, or the phone is sent to join."""

    @wraps(view)
    def for_participant(request, code, *args, **kwargs):
        participant, refusal = participant_or_redirect(request, code)
        if refusal:
            return refusal
        return view(request, participant, *args, **kwargs)

    return for_participant


def _render_board(request, participant, form=None, status=200):
    workshop = participant.workshop
    audience = live.Audience.table(participant.table_id)
    # The table's feed revision was read with the participant, before anything the page shows.
    context = live.page_context(audience, workshop, participant.table.feed_revision)
    activity = context["activity"]
    if activity is not None and activity.kind == activity.Kind.SOLO:
        context["solo"] = solo_context(participant, activity)
        context["answer_limit"] = settings.ANSWER_MAX_LENGTH
    if activity is not None and activity.is_poll:
        context["own"] = polls.own_answer(participant, activity)
    context.update(
        participant=participant,
        form=form or TakeawayForm(initial={"token": uuid.uuid4()}),
        my_votes=participant.votes.values_list("takeaway_id", flat=True)
        if context["stage"].is_shareout
        else (),
        ws_path=f"/ws/w/{workshop.code}/",
        updates_url=reverse("participants:updates", args=[workshop.code]),
    )
    return render(request, BOARD, context, status=status)


@with_participant
def board(request, participant):
    return _render_board(request, participant)


def _wants_json(request) -> bool:
    """The phone's outbox posts with JavaScript and reads a short JSON answer."""
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def post(request, code):
    participant, refusal = participant_or_redirect(request, code)
    if refusal:
        if _wants_json(request):
            message = _("You are no longer signed in to this workshop. Please reload the page.")
            return JsonResponse({"error": message, "reload": True}, status=403)
        return refusal
    if pause := throttle.spend(throttle.posts(), participant.device):
        message = _("You are sending a lot at once. Wait a few seconds: it goes out by itself.")
        return slow_down.too_fast(request, pause, message)
    form = TakeawayForm(request.POST)
    takeaway = None
    if form.is_valid():
        try:
            takeaway = services.post_takeaway(
                participant, form.cleaned_data["text"], form.cleaned_data["token"]
            )
        except services.Refused as refused:
            form.add_error("text", str(refused))
    if _wants_json(request):
        if takeaway is None:
            return JsonResponse({"error": " ".join(form.errors.get("text", []))}, status=422)
        # The card at once: the socket may be slower, or down.
        card = live.own_card(takeaway, participant.workshop)
        return JsonResponse({"revision": takeaway.revision, "content": card})
    if takeaway is None:
        return _render_board(request, participant, form=form, status=400)
    messages.success(request, _("Posted to your table."))
    return redirect("participants:board", code=participant.workshop.code)


def updates(request, code):
    participant, refusal = participant_or_redirect(request, code)
    if refusal:
        return JsonResponse({"error": "not a participant", "reload": True}, status=403)
    audience = live.Audience.table(participant.table_id)
    return live.catch_up_response(audience, participant.workshop_id, request)


def _own_takeaway(participant, pk) -> Takeaway:
    takeaway = get_object_or_404(
        Takeaway, pk=pk, author=participant, workshop=participant.workshop, deleted=False
    )
    takeaway.author = participant
    return takeaway


@with_participant
def edit(request, participant, pk):
    takeaway = _own_takeaway(participant, pk)
    if request.htmx and "cancel" in request.GET:
        return HttpResponse(live.own_card(takeaway, participant.workshop))
    form = EditTakeawayForm(request.POST or None, initial={"text": takeaway.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_takeaway(participant, takeaway, form.cleaned_data["text"])
        except services.Refused as refused:
            form.add_error("text", str(refused))
        else:
            if request.htmx:
                return HttpResponse(live.own_card(takeaway, participant.workshop))
            return redirect("participants:board", code=participant.workshop.code)
    context = {"takeaway": takeaway, "form": form, "participant": participant}
    if request.htmx:
        return render(request, f"{BOARD}#edit_form", context)
    return render(request, "participants/edit.html", context)


@require_POST
@with_participant
def delete(request, participant, pk):
    takeaway = _own_takeaway(participant, pk)
    target = f"#{live.TAKEAWAY.id_for(takeaway=takeaway.pk)}"
    try:
        services.delete_takeaway(participant, takeaway)
    except services.Refused as refused:
        if not request.htmx:
            messages.error(request, str(refused))
        else:
            # The card as it still is, with the reason: never "gone" when it is not.
            notice = render_to_string("participants/_refused.html", {"message": str(refused)})
            card = live.own_card(takeaway, participant.workshop)
            return HttpResponse(card + live.partial(target, "beforeend", notice))
    else:
        if request.htmx:
            return HttpResponse(live.partial(target, "delete"))
    return redirect(reverse("participants:board", args=[participant.workshop.code]))
