"""Organizers' screens: sign in, choose a password from an invitation, the shared workshops."""

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from facilitator.download_views import (
    download_links,
    not_available,
    private_response,
    with_organizer_workshop,
)
from facilitator.forms import SignInForm
from workshop import sharing
from workshop.links import public_base_url
from workshop.models import User
from workshop.report import results_for


class OrganizerLoginView(auth_views.LoginView):
    template_name = "facilitator/organizer_login.html"
    authentication_form = SignInForm
    next_page = "facilitator:organizer_home"


def welcome_url(request, user: User) -> str:
    """A one-time link where an invited organizer chooses their password.

    It stops working once they have (Django's password-reset tokens), or after
    PASSWORD_RESET_TIMEOUT (three days).
    """
    path = reverse(
        "facilitator:organizer_welcome",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    return public_base_url(request) + path


def _invited_user(uidb64: str, token: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_organizer=True, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def welcome(request, uidb64, token):
    user = _invited_user(uidb64, token)
    if user is None:
        return not_available(request)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("facilitator:organizer_home")
    return private_response(
        render(request, "facilitator/organizer_welcome.html", {"form": form, "invited": user})
    )


@login_required(login_url="facilitator:organizer_login")
def home(request):
    workshops = sharing.shared_workshops(request.user)
    return render(request, "facilitator/organizer_home.html", {"workshops": workshops})


@with_organizer_workshop
def results(request, workshop):
    context = {
        "workshop": workshop,
        "results": results_for(workshop, include_hidden=False),
        "downloads": download_links("organizer", workshop.pk),
    }
    return private_response(render(request, "facilitator/organizer_results.html", context))
