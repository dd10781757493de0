"""The facilitator's "Results and sharing" page: downloads, organizers and share links.

A share link's address and an invitation's sign-up link are shown once, on the page the
facilitator lands on after making them: the server keeps only what cannot open them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facilitator.download_views import download_links, private_response
from facilitator.organizer_views import welcome_url
from facilitator.results_forms import GrantAccessForm, ShareLinkForm
from workshop import services
from workshop.access import facilitated_workshop
from workshop.links import public_base_url
from workshop.models import ShareLink, WorkshopAccess

RESULTS = "facilitator/results.html"
# What is shown once after a POST, kept in the session until the next page reads it.
SHOW_ONCE = "results:show-once"


def _page(request, workshop, grant_form=None, link_form=None, status=200):
    links = list(workshop.share_links.all())
    show_once = request.session.pop(SHOW_ONCE, None)
    if show_once and show_once.get("expires_at"):
        show_once["expires_at"] = parse_datetime(show_once["expires_at"])
    context = {
        "workshop": workshop,
        "downloads": download_links("facilitator", workshop.pk),
        "accesses": workshop.accesses.select_related("user"),
        "active_links": [link for link in links if link.is_active],
        "dead_links": [link for link in links if not link.is_active],
        "grant_form": grant_form or GrantAccessForm(),
        "link_form": link_form or ShareLinkForm(),
        "show_once": show_once,
    }
    return private_response(render(request, RESULTS, context, status=status))


@login_required
def results(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    return _page(request, workshop)


@login_required
@require_POST
def grant(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    form = GrantAccessForm(request.POST)
    if form.is_valid():
        try:
            access = services.grant_access(request.user, workshop, form.cleaned_data["email"])
        except services.Refused as refused:
            form.add_error("email", str(refused))
        else:
            user = access.user
            if user.has_usable_password():
                messages.success(
                    request,
                    _("%(email)s can now sign in and download the results.") % {"email": user},
                )
            else:
                request.session[SHOW_ONCE] = {
                    "kind": "invite",
                    "email": user.email,
                    "url": welcome_url(request, user),
                }
            return redirect("facilitator:results", workshop_id=workshop.pk)
    return _page(request, workshop, grant_form=form, status=400)


@login_required
@require_POST
def revoke_access(request, workshop_id, access_id):
    workshop = facilitated_workshop(request, workshop_id)
    access = get_object_or_404(WorkshopAccess, pk=access_id, workshop=workshop)
    services.revoke_access(request.user, access)
    messages.success(request, _("%(email)s no longer sees this workshop.") % {"email": access.user})
    return redirect("facilitator:results", workshop_id=workshop.pk)


@login_required
@require_POST
def create_link(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            link, key = services.create_share_link(
                request.user, workshop, form.cleaned_data["days"]
            )
        except services.Refused as refused:
            form.add_error("days", str(refused))
        else:
            path = reverse("facilitator:shared_results", args=[key])
            request.session[SHOW_ONCE] = {
                "kind": "link",
                "url": public_base_url(request) + path,
                "expires_at": link.expires_at.isoformat(),
            }
            return redirect("facilitator:results", workshop_id=workshop.pk)
    return _page(request, workshop, link_form=form, status=400)


@login_required
@require_POST
def revoke_link(request, workshop_id, link_id):
    workshop = facilitated_workshop(request, workshop_id)
    link = get_object_or_404(ShareLink, pk=link_id, workshop=workshop)
    services.revoke_share_link(request.user, link)
    messages.success(request, _("The share link was revoked: it no longer opens anything."))
    return redirect("facilitator:results", workshop_id=workshop.pk)
