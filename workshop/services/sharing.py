"""Sharing the results: organizer accounts and read-only share links."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import sharing
from workshop.models import ShareLink, User, Workshop, WorkshopAccess
from workshop.services import rules
from workshop.services.rules import Refused

SHARE_LINK_DAYS = 7


SHARE_LINK_MAX_DAYS = 90


@transaction.atomic
def grant_access(facilitator: User, workshop: Workshop, email: str) -> WorkshopAccess:
    """Shares the workshop's results with the account of `email`.

    Without an account, an organizer account is made, with no password yet: the facilitator
    passes on a link where its owner chooses one (a venue laptop sends no email).
    """
    rules.check_facilitator(facilitator, workshop)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise Refused(_("Please enter an email address.")) from error
    if email == facilitator.email.lower():
        raise Refused(_("You run this workshop: you see its results already."))
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, is_organizer=True)
    access, _created = WorkshopAccess.objects.get_or_create(
        workshop=workshop, user=user, defaults={"granted_by": facilitator}
    )
    return access


@transaction.atomic
def revoke_access(facilitator: User, access: WorkshopAccess) -> None:
    rules.check_facilitator(facilitator, access.workshop)
    access.delete()


@transaction.atomic
def create_share_link(
    facilitator: User, workshop: Workshop, days: int = SHARE_LINK_DAYS
) -> tuple[ShareLink, str]:
    """A read-only link to the results, valid for `days`; returns it with its key.

    The key is in the link's address and nowhere else: only a hash of its secret is stored.
    """
    rules.check_facilitator(facilitator, workshop)
    if not 1 <= days <= SHARE_LINK_MAX_DAYS:
        raise Refused(_("A share link lasts 1 to %(max)d days.") % {"max": SHARE_LINK_MAX_DAYS})
    key, secret_hash = sharing.new_share_key()
    link = ShareLink.objects.create(
        workshop=workshop,
        secret_hash=secret_hash,
        created_by=facilitator,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, key


@transaction.atomic
def revoke_share_link(facilitator: User, link: ShareLink) -> ShareLink:
    rules.check_facilitator(facilitator, link.workshop)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
