"""Facilitator screens: workshops, the console, the projector, table cards, downloads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from facilitator.forms import FirstFacilitatorForm, NewWorkshopForm, TableNameFormSet
from facilitator.run_views import console_answer
from workshop import exports, languages, live, services, setup_link
from workshop.access import facilitated_workshop
from workshop.links import join_url, qr_svg
from workshop.models import Takeaway, User, Workshop
from workshop.queries import unique_or_none

CONSOLE = "facilitator/console.html"


def first_facilitator(request, token):
    if not setup_link.is_valid(token):
        return render(request, "facilitator/setup_used.html", status=404)
    form = FirstFacilitatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.create_user(
            form.cleaned_data["email"], form.cleaned_data["password"], is_staff=True
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("facilitator:home")
    return render(request, "facilitator/setup.html", {"form": form})


@login_required
def home(request):
    if request.user.is_organizer:
        return redirect("facilitator:organizer_home")  # organizers run no workshops
    form = NewWorkshopForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.create_workshop(
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["table_count"],
                agenda=form.agenda(),
            )
        except services.Refused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("facilitator:console", workshop_id=workshop.pk)
    workshops = request.user.workshops.all()
    return render(request, "facilitator/home.html", {"form": form, "workshops": workshops})


@login_required
def console(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    context = live.page_context(live.Audience.console(), workshop, workshop.revision)
    context.update(
        join_url=join_url(request, workshop),
        ws_path=f"/ws/f/w/{workshop.pk}/",
        updates_url=reverse("facilitator:console_updates", args=[workshop.pk]),
    )
    return render(request, CONSOLE, context)


# The console shows it in a preview, and only this site may frame it.
@xframe_options_sameorigin
@csp_override({**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]})
def projector(request, key):
    workshop = unique_or_none(Workshop.objects.filter(projector_key=key))
    if workshop is None:
        raise Http404
    # In the language the facilitator gave the projector, whatever the browser showing it asks.
    with translation.override(languages.of_projector(workshop)):
        context = live.page_context(live.Audience.projector(), workshop, workshop.revision)
        url = join_url(request, workshop)
        context.update(
            join_url=url,
            join_url_display=url.split("://", 1)[-1],
            qr=qr_svg(url, title=_("QR code to join the workshop")),
            ws_path=f"/ws/p/{workshop.projector_key}/",
            updates_url=reverse("facilitator:projector_updates", args=[workshop.projector_key]),
        )
        response = render(request, "facilitator/projector.html", context)
        response["Content-Language"] = translation.get_language()
        return response


def projector_updates(request, key):
    workshop = unique_or_none(Workshop.objects.filter(projector_key=key))
    if workshop is None:
        raise Http404
    with translation.override(languages.of_projector(workshop)):
        return live.catch_up_response(live.Audience.projector(), workshop.pk, request)


@login_required
def console_updates(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    return live.catch_up_response(live.Audience.console(), workshop.pk, request)


@login_required
def table_cards(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    per_page = 4 if request.GET.get("per_page") == "4" else 2
    cards = []
    for table in workshop.tables.order_by("number"):
        url = join_url(request, workshop, table)
        cards.append(
            {
                "table": table,
                "url": url,
                "url_display": url.split("://", 1)[-1],
                "qr": qr_svg(url, title=_("QR code to join %(table)s") % {"table": table.name}),
            }
        )
    return render(
        request,
        "facilitator/cards.html",
        {
            "workshop": workshop,
            "per_page": per_page,
            "pages": [cards[i : i + per_page] for i in range(0, len(cards), per_page)],
        },
    )


@login_required
def tables(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    formset = TableNameFormSet(request.POST or None, queryset=workshop.tables.order_by("number"))
    if request.method == "POST" and formset.is_valid():
        for form in formset:
            if "name" in form.changed_data:
                table = workshop.tables.get(pk=form.instance.pk)
                services.rename_table(request.user, table, form.cleaned_data["name"])
        messages.success(request, _("Table names saved."))
        return redirect("facilitator:console", workshop_id=workshop.pk)
    status = 400 if formset.is_bound else 200  # bound and here: it was not valid
    context = {"workshop": workshop, "formset": formset}
    return render(request, "facilitator/tables.html", context, status=status)


@login_required
@require_POST
def set_status(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    services.set_workshop_open(request.user, workshop, request.POST.get("open") == "1")
    if request.htmx:
        return render(request, f"{CONSOLE}#status", {"workshop": workshop})
    if workshop.is_open:
        messages.success(request, _("The workshop is open: phones can join and post."))
    else:
        messages.success(request, _("The workshop is closed: phones can no longer post."))
    return redirect("facilitator:console", workshop_id=workshop.pk)


@login_required
@require_POST
def set_theme(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    try:
        services.set_projector_theme(request.user, workshop, request.POST.get("theme", ""))
    except services.Refused as refused:
        messages.error(request, str(refused))
    if request.htmx:
        return render(request, f"{CONSOLE}#status", {"workshop": workshop})
    return redirect("facilitator:console", workshop_id=workshop.pk)


@login_required
@require_POST
def set_projector_language(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    try:
        services.set_projector_language(request.user, workshop, request.POST.get("language", ""))
    except services.Refused as refused:
        messages.error(request, str(refused))
    if request.htmx:
        return render(request, f"{CONSOLE}#status", {"workshop": workshop})
    return redirect("facilitator:console", workshop_id=workshop.pk)


@login_required
@require_POST
def hide(request, workshop_id, takeaway_id):
    workshop = facilitated_workshop(request, workshop_id)
    takeaway = get_object_or_404(Takeaway, pk=takeaway_id, workshop=workshop)
    try:
        services.set_takeaway_hidden(request.user, takeaway, request.POST.get("hidden") == "1")
    except services.Refused as refused:
        messages.error(request, str(refused))
    return console_answer(request, workshop)


@login_required
def download_csv(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    response = StreamingHttpResponse(
        exports.takeaways_csv_lines(workshop), content_type="text/csv; charset=utf-8"
    )
    filename = exports.download_filename(workshop.title, "takeaways.csv")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
