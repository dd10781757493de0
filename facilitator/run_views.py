"""The console's controls for running the day: moving through the agenda, the timer, spotlight.

Each answers an htmx request with the console's fresh board (the socket brings the same, but
the person who clicked should not depend on it), and a plain form post with a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from workshop import live, services
from workshop.access import facilitated_workshop
from workshop.models import Activity, Step, Table, Takeaway, Workshop


def console_answer(request, workshop):
    if request.htmx:
        # Rendered once: the broadcast of the change just made kept the console's snapshot.
        return HttpResponse(live.snapshot_html(live.Audience.console(), workshop))
    return redirect("facilitator:console", workshop_id=workshop.pk)


def _id(value: str) -> int:
    """A row id sent in a form; anything that is not one is a row that does not exist (404)."""
    # At most 19 digits: a bigint, and far below what int() refuses to read (4300 digits).
    if not (value.isascii() and value.isdecimal() and len(value) <= 19):
        raise Http404
    return int(value)


def _seen(request) -> int | None:
    return live.parse_revision(request.POST.get("seen"))


@login_required
@require_POST
def step(request, workshop_id):
    """Next or Back, from the activity the clicking screen showed."""
    workshop = facilitated_workshop(request, workshop_id)
    seen = _seen(request)
    direction = 1 if request.POST.get("direction") == "next" else -1
    target = services.neighbour(workshop, seen, direction)
    if target is not None:
        services.go_to_activity(request.user, workshop, target, seen)
    return console_answer(request, workshop)


@login_required
@require_POST
def go(request, workshop_id, activity_id):
    workshop = facilitated_workshop(request, workshop_id)
    activity = get_object_or_404(Activity, pk=activity_id, workshop=workshop)
    services.go_to_activity(request.user, workshop, activity, _seen(request))
    return console_answer(request, workshop)


TIMER_ACTIONS = {
    "pause": services.pause_timer,
    "resume": services.resume_timer,
    "add_minute": services.add_minute,
    "stop": services.stop_timer,
}


@login_required
@require_POST
def timer(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    action = request.POST.get("action")
    try:
        if action == "start":
            minutes = live.parse_revision(request.POST.get("minutes")) or 0
            services.start_timer(request.user, workshop, minutes)
        elif action in TIMER_ACTIONS:
            TIMER_ACTIONS[action](request.user, workshop)
    except services.Refused as refused:
        messages.error(request, str(refused))
    return console_answer(request, workshop)


@login_required
@require_POST
def spotlight(request, workshop_id):
    """Puts a takeaway on the big screen, or clears it when none is given."""
    workshop = facilitated_workshop(request, workshop_id)
    takeaway = None
    if request.POST.get("takeaway"):
        takeaway = get_object_or_404(Takeaway, pk=_id(request.POST["takeaway"]), workshop=workshop)
    try:
        services.set_spotlight(request.user, workshop, takeaway)
    except services.Refused as refused:
        messages.error(request, str(refused))
    return console_answer(request, workshop)


@login_required
@require_POST
def focus(request, workshop_id):
    """One table alone on the projector's wall, or every table when none is given."""
    workshop = facilitated_workshop(request, workshop_id)
    table = None
    if request.POST.get("table"):
        table = get_object_or_404(Table, pk=_id(request.POST["table"]), workshop=workshop)
    services.set_focus(request.user, workshop, table)
    return console_answer(request, workshop)


@login_required
@require_POST
def reveal(request, workshop_id, activity_id):
    """The counts of one of the reflection's checklists on the projector, or none."""
    workshop, activity = _activity(request, workshop_id, activity_id, Activity.Kind.SOLO)
    step = None
    if request.POST.get("step"):
        step = get_object_or_404(Step, pk=_id(request.POST["step"]), activity=activity)
    services.reveal_step(request.user, activity, step)
    return console_answer(request, workshop)


@login_required
@require_POST
def poll_results(request, workshop_id, activity_id):
    """A poll's results on the projector and the phones, or kept until revealed."""
    workshop, poll = _activity(request, workshop_id, activity_id, Activity.Kind.POLL)
    services.show_results(request.user, poll, request.POST.get("shown") == "1")
    return console_answer(request, workshop)


@login_required
@require_POST
def close_poll(request, workshop_id, activity_id):
    workshop, poll = _activity(request, workshop_id, activity_id, Activity.Kind.POLL)
    services.close_poll(request.user, poll)
    return console_answer(request, workshop)


@login_required
@require_POST
def order(request, workshop_id, activity_id):
    workshop, activity = _shareout(request, workshop_id, activity_id)
    services.set_order_by_votes(request.user, activity, request.POST.get("by_votes") == "1")
    return console_answer(request, workshop)


@login_required
@require_POST
def votes(request, workshop_id, activity_id):
    workshop, activity = _shareout(request, workshop_id, activity_id)
    services.set_votes_hidden(request.user, activity, request.POST.get("hidden") == "1")
    return console_answer(request, workshop)


@login_required
@require_POST
def moderation(request, workshop_id, activity_id):
    """Approve before showing, switched on or off for a discussion."""
    workshop, activity = _activity(request, workshop_id, activity_id, Activity.Kind.DISCUSSION)
    services.set_moderated(request.user, activity, request.POST.get("moderated") == "1")
    return console_answer(request, workshop)


@login_required
@require_POST
def approve(request, workshop_id, takeaway_id):
    workshop = facilitated_workshop(request, workshop_id)
    takeaway = get_object_or_404(Takeaway, pk=takeaway_id, workshop=workshop)
    try:
        services.approve(request.user, takeaway)
    except services.Refused as refused:
        messages.error(request, str(refused))
    return console_answer(request, workshop)


@login_required
@require_POST
def approve_all(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    services.approve_all(request.user, workshop)
    return console_answer(request, workshop)


def _shareout(request, workshop_id, activity_id) -> tuple[Workshop, Activity]:
    return _activity(request, workshop_id, activity_id, Activity.Kind.SHAREOUT)


def _activity(request, workshop_id, activity_id, kind) -> tuple[Workshop, Activity]:
    """The facilitator's workshop and one of its activities of this kind, or 404."""
    workshop = facilitated_workshop(request, workshop_id)
    activity = get_object_or_404(Activity, pk=activity_id, workshop=workshop, kind=kind)
    return workshop, activity
