"""Who is asking: the participant a phone is, the workshop a facilitator runs.

A phone is known by a long-lived device cookie rather than by Django's session: finding its
participant (with the workshop and table) is one query, no session is read or written on a
phone's request, and the same phone joining again is the same participant.
"""

import re
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.http import Http404

from workshop.models import Participant, RemovedDevice, Workshop
from workshop.queries import unique_or_none

DEVICE_COOKIE = "device"
# The longest a browser keeps a cookie (Chrome caps at 400 days): a phone stays itself all year.
DEVICE_COOKIE_AGE = 400 * 24 * 60 * 60
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_device_id() -> str:
    return secrets.token_urlsafe(24)


def device_of(cookies: Mapping[str, str]) -> str | None:
    """The device id a phone's cookies carry, if it is one we could have issued."""
    value = cookies.get(DEVICE_COOKIE, "")
    return value if _DEVICE_ID.fullmatch(value) else None


def phone_participant(cookies: Mapping[str, str], code: str) -> Participant | None:
    """The participant this phone is in the workshop with this join code, with the workshop,
    its running activity and the table, in one query."""
    device = device_of(cookies)
    if device is None:
        return None
    return unique_or_none(
        Participant.objects.select_related("workshop__current_activity", "table").filter(
            workshop__code=code, device=device
        )
    )


def is_removed(workshop: Workshop, device: str | None) -> bool:
    """The facilitator removed this phone from the workshop: it may not join again."""
    if not device:
        return False
    digest = RemovedDevice.hash_device(device)
    return RemovedDevice.objects.filter(workshop=workshop, device_hash=digest).exists()


def remember_device(response, device: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def facilitated_workshop(request, workshop_id: int) -> Workshop:
    """The workshop if the signed-in user runs it; otherwise not found, revealing nothing."""
    workshop = Workshop.objects.filter(pk=workshop_id, facilitator_id=request.user.pk).first()
    if workshop is None:
        raise Http404
    return workshop
