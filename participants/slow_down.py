"""What a phone is told when it goes faster than its budget (workshop/throttle.py): 429, with
Retry-After, in words it shows. Never a page swapped into a fragment: htmx and the outbox get
JSON (static/js/live.js shows the words and sends again); a plain form gets a page that sends
what it carried again by itself, so nothing typed is lost."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from participants.forms import CodeForm


def too_fast(request, seconds: int, message: str):
    if request.htmx or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "retry": True, "slow_down": True}, status=429)
    else:
        context = {
            "message": message,
            "action": request.get_full_path(),
            "fields": [
                (name, value) for name in request.POST for value in request.POST.getlist(name)
            ],
            # busy.js sends it again after this, drawn between half and one and a half times:
            # never before the budget has room.
            "resend_after": 2 * seconds,
        }
        response = render(request, "participants/slow_down.html", context, status=429)
    return _later(response, seconds)


def check_the_code(request, code: str, seconds: int):
    """Too many wrong codes from this address: no code is looked up for a few seconds."""
    context = {"form": CodeForm(initial={"code": code}), "seconds": seconds}
    if request.htmx or "application/json" in request.headers.get("Accept", ""):
        message = _("Check the code on the screen, then try again in a few seconds.")
        response = JsonResponse({"error": message, "retry": True, "slow_down": True}, status=429)
    else:
        response = render(request, "participants/check_the_code.html", context, status=429)
    return _later(response, seconds)


def _later(response, seconds: int):
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
