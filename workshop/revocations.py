"""Rights that end outside our services close their sockets too (workshop.live.revoke).

- Signing out ends that session's consoles; a new password ends every console of the account
  (its other sessions are signed out by Django, and the one that changed it reloads, still
  signed in).
- A deleted workshop closes every socket of it, however it was deleted: by its facilitator, by
  the retention purge, in the admin, or with the account that ran it.
"""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from workshop.live import revoke
from workshop.models import User, Workshop


def _workshops_of(user: User) -> list[int]:
    return list(Workshop.objects.filter(facilitator_id=user.pk).values_list("pk", flat=True))


@receiver(user_logged_out, dispatch_uid="workshop.revocations.signed_out")
def signed_out(sender, request, user, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        revoke.on_commit(_workshops_of(user), revoke.session(session_key))


@receiver(post_save, sender=User, dispatch_uid="workshop.revocations.password_changed")
def password_changed(sender, instance, created, **kwargs):
    # Django keeps the new raw password in `_password` from set_password() until the save that
    # stores it has run: the one sign that this save changed it.
    if not created and getattr(instance, "_password", None) is not None:
        revoke.on_commit(_workshops_of(instance), revoke.user(instance.pk))


@receiver(post_delete, sender=Workshop, dispatch_uid="workshop.revocations.workshop_deleted")
def workshop_deleted(sender, instance, **kwargs):
    revoke.on_commit([instance.pk])
