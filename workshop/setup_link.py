"""The one-time link that creates the first facilitator account, printed by `make run`."""

from django.core import signing
from django.urls import reverse

from workshop.models import User

_SALT = "workshop.first-facilitator"
VALID_FOR_SECONDS = 7 * 24 * 3600


def needed() -> bool:
    return not User.objects.exists()


def make_token() -> str:
    return signing.dumps("first-facilitator", salt=_SALT)


def path_with_token() -> str:
    return reverse("facilitator:setup", args=[make_token()])


def is_valid(token: str) -> bool:
    """Valid while signed by this server, recent, and no account exists yet (so: once)."""
    try:
        signing.loads(token, salt=_SALT, max_age=VALID_FOR_SECONDS)
    except signing.BadSignature:
        return False
    return needed()
