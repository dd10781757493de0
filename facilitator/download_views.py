"""The results, downloaded or printed, by each of the three who may have them.

The facilitator of the workshop (signed in), an organizer it was shared with (signed in), or
anyone holding an active share link. Each gets the same files; only the facilitator's include
the takeaways they hid. Anyone else gets the one "not available" page, whatever the reason.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from workshop import exports, sharing
from workshop.access import facilitated_workshop
from workshop.report import results_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    # Each streams, made as it is sent (workshop/handler.py's ThreadedStream), never whole.
    "csv": (exports.takeaways_csv_lines, "takeaways.csv", "text/csv; charset=utf-8"),
    "xlsx": (exports.takeaways_xlsx_parts, "takeaways.xlsx", XLSX),
    "json": (exports.workshop_json_parts, "workshop.json", "application/json; charset=utf-8"),
    "counts": (exports.counts_csv_lines, "counts.csv", "text/csv; charset=utf-8"),
}


def not_available(request):
    """The one refusal for results: it never says whether the workshop exists."""
    response = render(request, "facilitator/not_available.html", status=404)
    response["Cache-Control"] = "private, no-store"
    return response


def private_response(response):
    # Results are for the people they were shared with: never kept by a proxy or shared cache,
    # and a share link's address never leaves this server in a Referer header. (Not
    # "no-referrer": browsers would then send "Origin: null" with forms, failing CSRF checks.)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def download(workshop, kind: str, *, include_hidden: bool) -> HttpResponse:
    make, suffix, content_type = FORMATS[kind]
    content = make(workshop, include_hidden=include_hidden)
    response = StreamingHttpResponse(content, content_type=content_type)
    filename = exports.download_filename(workshop.title, suffix)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return private_response(response)


def download_links(name: str, *args) -> dict:
    """The addresses of the three downloads and the report, for one of the three audiences."""
    kinds = ("csv", "xlsx", "json", "counts", "report")
    names = {kind: f"facilitator:{name}_{kind}" for kind in kinds}
    if name == "facilitator":
        names["csv"] = "facilitator:csv"  # the facilitator's CSV had its address first
    return {kind: reverse(url_name, args=args) for kind, url_name in names.items()}


def report(request, workshop, *, back_url: str, back_label: str) -> HttpResponse:
    context = {
        "results": results_for(workshop, include_hidden=False),
        "back_url": back_url,
        "back_label": back_label,
    }
    return private_response(render(request, "facilitator/report.html", context))


# --- The facilitator ---------------------------------------------------------------------------


@login_required
def facilitator_download(request, workshop_id, kind):
    workshop = facilitated_workshop(request, workshop_id)
    return download(workshop, kind, include_hidden=True)


@login_required
def facilitator_report(request, workshop_id):
    workshop = facilitated_workshop(request, workshop_id)
    return report(
        request,
        workshop,
        back_url=reverse("facilitator:results", args=[workshop.pk]),
        back_label=workshop.title,
    )


# --- An organizer ------------------------------------------------------------------------------


def with_organizer_workshop(view):
    """The view gets a workshop shared with the signed-in account, or the refusal page."""

    @wraps(view)
    @login_required(login_url="facilitator:organizer_login")
    def for_organizer(request, workshop_id, *args, **kwargs):
        workshop = sharing.organizer_workshop(request.user, workshop_id)
        if workshop is None:
            return not_available(request)
        return view(request, workshop, *args, **kwargs)

    return for_organizer


@with_organizer_workshop
def organizer_download(request, workshop, kind):
    return download(workshop, kind, include_hidden=False)


@with_organizer_workshop
def organizer_report(request, workshop):
    return report(
        request,
        workshop,
        back_url=reverse("facilitator:organizer_results", args=[workshop.pk]),
        back_label=workshop.title,
    )


# --- A share link ------------------------------------------------------------------------------


def with_share_link(view):
    """The view gets the active share link of this address, or the refusal page."""

    @wraps(view)
    def for_link(request, key, *args, **kwargs):
        link = sharing.share_link_for_key(key)
        if link is None:
            return private_response(not_available(request))
        return view(request, link, key, *args, **kwargs)

    return for_link


@with_share_link
def shared_results(request, link, key):
    context = {
        "workshop": link.workshop,
        "results": results_for(link.workshop, include_hidden=False),
        "downloads": download_links("shared", key),
        "expires_at": link.expires_at,
    }
    return private_response(render(request, "facilitator/shared_results.html", context))


@with_share_link
def shared_download(request, link, key, kind):
    return download(link.workshop, kind, include_hidden=False)


@with_share_link
def shared_report(request, link, key):
    return report(
        request,
        link.workshop,
        back_url=reverse("facilitator:shared_results", args=[key]),
        back_label=link.workshop.title,
    )
