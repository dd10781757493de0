"""Answers for requests that cannot be served: a styled page, a short message for htmx, JSON
for the phone's outbox. Never Django's bare English pages, never a page inside a fragment."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def back_url(request) -> str:
    """Where "reload" goes: the page the visitor was on when it is ours, else the start page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def error_response(request, template: str, status: int, message: str = ""):
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message, "reload": status == 403}, status=status)
    context = {"message": message, "back_url": back_url(request)}
    response = render(request, template, context, status=status)
    if request.headers.get("HX-Request") == "true":
        response["HX-Reswap"] = "none"  # a refusal replaces nothing on the page that asked
    return response


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: almost always a page left open past its session, or a
    phone whose cookies were cleared. Reloading gives it a fresh token."""
    message = _("This page was open too long; reload to continue.")
    return error_response(request, "403_csrf.html", 403, message)
