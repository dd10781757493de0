"""Exceptions that are answers, never a 500 page.

Busy for a moment (a lock held too long, a lost connection): "busy, try again". Unable to save
for longer (disk full, read-only database): "cannot save right now", said to the operator once
(workshop.db.faults); pages and catch-up keep being served, since reading still works. A
service's refusal that no view caught: the person's answer (409) with its message.
"""

import logging

from django.db import DatabaseError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from workshop.db.faults import alarm, storage_failure
from workshop.error_views import error_response
from workshop.services.rules import Refused

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
# A full disk is not freed in two seconds: phones ask again less often.
CANNOT_SAVE_RETRY_AFTER_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            alarm.worked()
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        kind = storage_failure(exception)
        if kind is not None:
            alarm.failed(kind, exception)
            message = _(
                "The server cannot save right now. What you wrote is kept, and is sent again "
                "once the server can save."
            )
            response = retry_later(request, message, CANNOT_SAVE_RETRY_AFTER_SECONDS, saving=False)
            response._has_been_logged = True  # said once above, not by Django for each request
            return response
        # A write lock held too long (SQLite) or a lost connection (PostgreSQL): nothing was
        # written, and the same request sent again will work.
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        message = _("The server is busy for a moment. Nothing was lost: please try again.")
        return retry_later(request, message, RETRY_AFTER_SECONDS)


def retry_later(request, message: str, seconds: int, **extra):
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "retry": True, **extra}, status=503)
    else:
        response = render(request, "busy.html", {"message": message}, status=503)
    response["Retry-After"] = str(seconds)
    return response


class RefusedMiddleware:
    """A service's refusal that no view turned into a form error is the person's answer (409)
    with its message, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refused):
            return None
        return error_response(request, "409.html", 409, str(exception))
