"""Exceptions that are answers, never a 500 page: a database briefly unavailable (retry), a
service's refusal that no view caught."""

import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from workshop.error_views import error_response
from workshop.services.rules import Refused

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A write lock held too long (SQLite) or a lost connection (PostgreSQL): nothing was
        # written, and the same request sent again will work.
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        message = _("The server is busy for a moment. Nothing was lost: please try again.")
        if "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"error": message, "retry": True}, status=503)
        else:
            response = render(request, "busy.html", {"message": message}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
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
