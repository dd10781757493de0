"""Who may see a workshop's results besides its facilitator: organizers, and share links.

Reading only; granting and revoking are in `workshop.services`. Every refusal here is the same
`None`, whatever the reason, so that a page can never tell "not shared with you" from "there is
no such workshop", or a tampered link from an expired one.
"""

import secrets

from django.core import signing
from django.utils import timezone

from workshop.models import ShareLink, User, Workshop

# Signed with SECRET_KEY: a link that was altered is refused before the database is asked.
_SIGNER = signing.Signer(salt="workshop.share-link")


def new_share_key() -> tuple[str, str]:
    """A link's key (for its address) and the hash of its secret (for the database)."""
    secret = secrets.token_urlsafe(24)
    return _SIGNER.sign(secret), ShareLink.hash_secret(secret)


def share_link_for_key(key: str) -> ShareLink | None:
    """The active share link this key opens, or None: tampered, unknown, revoked or expired."""
    try:
        secret = _SIGNER.unsign(key)
    except signing.BadSignature:
        return None
    link = (
        ShareLink.objects.select_related("workshop__facilitator")
        .filter(secret_hash=ShareLink.hash_secret(secret), revoked_at=None)
        .first()
    )
    if link is None or link.expires_at <= timezone.now():
        return None
    return link


def shared_workshops(user: User):
    """The workshops whose results were shared with this account, newest first."""
    if not user.is_authenticated:
        return Workshop.objects.none()
    return Workshop.objects.filter(accesses__user=user).select_related("facilitator")


def organizer_workshop(user: User, workshop_id: int) -> Workshop | None:
    """The workshop if its results were shared with this account; otherwise None."""
    return shared_workshops(user).filter(pk=workshop_id).first()
