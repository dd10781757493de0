"""Sign-in lockout for facilitators, organizers and the admin, with django-axes.

Failures are counted for one account from one address (LOGIN_FAILURES_PER_ACCOUNT) and for any
accounts from one address (LOGIN_FAILURES_PER_ADDRESS, someone trying many accounts). Reaching
either locks that out for LOGIN_LOCKOUT_MINUTES after the last failure, with a page that says
so (429). A successful sign-in clears that account's failures from that address.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class LockoutBackend(AxesStandaloneBackend):
    """Axes's check, for sign-ins made by a request. One made without (the shell, a test
    client's login()) has no address to lock out, and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """Axes's database handler (shared by all processes), with a limit of its own for each
    lockout parameter of AXES_LOCKOUT_PARAMETERS: [account and address, address]."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares one count with one limit (AXES_FAILURE_LIMIT, the per-account one).
        # Each kind of failure is told as that limit less the tries it leaves, so whichever is
        # nearer its own limit decides.
        account, address = self.get_user_attempts(request, credentials)
        left = min(
            settings.LOGIN_FAILURES_PER_ACCOUNT - _failures(account),
            settings.LOGIN_FAILURES_PER_ADDRESS - _failures(address),
        )
        return settings.LOGIN_FAILURES_PER_ACCOUNT - left

    def reset_user_attempts(self, request, credentials=None) -> int:
        # Only the account that signed in, from that address: Axes would clear every failure
        # from the address, which would let a guesser with one account of their own reset the
        # per-address count by signing in now and then.
        account, _address = self.filter_user_attempts(request, credentials)
        count, _ = account.delete()
        return count


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def username_of(request, credentials=None) -> str | None:
    """The account a sign-in is for, as stored: email addresses are kept in lower case, so
    "Anna@Example.com" and "anna@example.com" count as the same account."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    return (typed or "").strip().lower() or None


def lockout_response(request, original_response=None, credentials=None):
    minutes = _minutes_left(request)
    response = render(request, "lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _minutes_left(request) -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    latest = AccessAttempt.objects.filter(ip_address=request.axes_ip_address).aggregate(
        latest=Max("attempt_time")
    )["latest"]
    left = (latest + cool_off - timezone.now()) if latest else cool_off
    return max(1, math.ceil(left.total_seconds() / 60))
