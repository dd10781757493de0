"""The room's timer: every screen draws it from the server's end time."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import live
from workshop.models import User, Workshop
from workshop.services import rules
from workshop.services.rules import Refused


def _set_timer(change, workshop: Workshop, ends_at, paused_seconds) -> Workshop:
    workshop.timer_ends_at, workshop.timer_paused_seconds = ends_at, paused_seconds
    workshop.save(update_fields=["timer_ends_at", "timer_paused_seconds"])
    change.show(live.TIMER)
    return workshop


def timer_remaining(workshop: Workshop) -> int | None:
    """Whole seconds left (0 when time is up), or None when no timer is set."""
    if workshop.timer_paused_seconds is not None:
        return workshop.timer_paused_seconds
    if workshop.timer_ends_at is None:
        return None
    return max(0, round((workshop.timer_ends_at - timezone.now()).total_seconds()))


def start_timer(facilitator: User, workshop: Workshop, minutes: int) -> Workshop:
    if not 1 <= minutes <= 240:
        raise Refused(_("A timer runs for 1 to 240 minutes."))
    with rules.facilitating(facilitator, workshop) as change:
        return _set_timer(change, workshop, timezone.now() + timedelta(minutes=minutes), None)


def pause_timer(facilitator: User, workshop: Workshop) -> Workshop:
    with rules.facilitating(facilitator, workshop) as change:
        if workshop.timer_ends_at is None:
            change.cancel()
            return workshop
        return _set_timer(change, workshop, None, timer_remaining(workshop))


def resume_timer(facilitator: User, workshop: Workshop) -> Workshop:
    with rules.facilitating(facilitator, workshop) as change:
        if workshop.timer_paused_seconds is None:
            change.cancel()
            return workshop
        ends_at = timezone.now() + timedelta(seconds=workshop.timer_paused_seconds)
        return _set_timer(change, workshop, ends_at, None)


def add_minute(facilitator: User, workshop: Workshop) -> Workshop:
    with rules.facilitating(facilitator, workshop) as change:
        if workshop.timer_paused_seconds is not None:
            return _set_timer(change, workshop, None, workshop.timer_paused_seconds + 60)
        # A timer that ran out starts again from now.
        base = max(workshop.timer_ends_at or timezone.now(), timezone.now())
        return _set_timer(change, workshop, base + timedelta(minutes=1), None)


def stop_timer(facilitator: User, workshop: Workshop) -> Workshop:
    with rules.facilitating(facilitator, workshop) as change:
        return _set_timer(change, workshop, None, None)
