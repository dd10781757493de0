"""A facilitator's profile: how the report and My notes name them."""

from workshop import limits
from workshop.models import User
from workshop.services import rules
from workshop.services.rules import NotAllowed


def set_profile(user: User, *, display_name: str, organisation: str) -> User:
    """No screen shows it live, so nothing is broadcast: a report or notes page reads it."""
    if not user.is_authenticated or user.is_organizer:
        raise NotAllowed
    user.display_name = rules.cleaned(display_name, limits.DISPLAY_NAME)
    user.organisation = rules.cleaned(organisation, limits.ORGANISATION)
    user.save(update_fields=["display_name", "organisation"])
    return user
