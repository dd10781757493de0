"""Answers for requests that cannot be served: a styled page, a short message for htmx, JSON
for the phone's outbox. Never Django's bare English pages, never a page inside a fragment."""

import re

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# A phone's pages: /j/<code>/ (joining) and /w/<code>/… (in the workshop).
PHONE_PATH = re.compile(r"^/[jw]/(?P<code>[^/]+)/")


def back_url(request) -> str:
    """Where "reload" goes: the page the visitor was on when it is ours, else the start page."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 of a request to a host that is not ours
        return "/"
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def way_forward(request) -> dict:
    """Where an error page sends a person next, read from the address alone (the 500 page may
    not touch the session or the database): a phone back into its workshop, whose join page
    takes it straight to its board while it is still in; the desk to its workshops; the
    projector to its page again; anyone else to the start page. `on_phone` gives the page the
    phone's look."""
    path = request.path
    if match := PHONE_PATH.match(path):
        try:
            url = reverse("participants:join", args=[match["code"]])
        except NoReverseMatch:
            url = reverse("participants:enter_code")
        return {"forward_url": url, "forward_label": _("Rejoin the workshop"), "on_phone": True}
    if path.startswith("/j/"):
        return {
            "forward_url": reverse("participants:enter_code"),
            "forward_label": _("Enter a workshop code"),
            "on_phone": True,
        }
    if path.startswith("/p/") and request.method == "GET":
        return {"forward_url": path, "forward_label": _("Reload the page")}
    if path.startswith("/o/"):
        return {
            "forward_url": reverse("facilitator:organizer_home"),
            "forward_label": _("Back to your workshops"),
        }
    if path.startswith("/f/"):
        return {
            "forward_url": reverse("facilitator:home"),
            "forward_label": _("Back to your workshops"),
        }
    return {"forward_url": "/", "forward_label": _("Go to the start page")}


def error_response(request, template: str, status: int, message: str = "", **context):
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message, "reload": status == 403}, status=status)
    context = {"message": message, "back_url": back_url(request), **way_forward(request), **context}
    response = render(request, template, context, status=status)
    if request.headers.get("HX-Request") == "true":
        response["HX-Reswap"] = "none"  # a refusal replaces nothing on the page that asked
    return response


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: almost always a page left open past its session, or a
    phone whose cookies were cleared. Reloading gives it a fresh token."""
    message = _("This page was open too long; reload to continue.")
    forward = way_forward(request)
    if not forward.get("on_phone"):
        # The page the form was on gives a fresh token; a phone rejoins (its way_forward).
        forward.update(forward_url=back_url(request), forward_label=_("Reload the page"))
    return error_response(request, "403_csrf.html", 403, message, **forward)


# Django's handler400/403/404 (workshop.urls): our pages, with the JSON and htmx answers above.
def bad_request(request, exception):
    return error_response(request, "400.html", 400)


def permission_denied(request, exception):
    return error_response(request, "403.html", 403)


def page_not_found(request, exception):
    return error_response(request, "404.html", 404)


def server_error(request):
    """handler500: rendered without the request's context processors, as Django's own is (the
    database or the session may be what failed); the language is the one LocaleMiddleware
    chose, still active."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "error": _("Something went wrong on the server. Reload, then try again."),
                "reload": False,
            },
            status=500,
        )
    page = loader.get_template("500.html").render(way_forward(request))
    response = HttpResponseServerError(page)
    if request.headers.get("HX-Request") == "true":
        response["HX-Reswap"] = "none"
    return response
