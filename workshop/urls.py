from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from workshop.health import healthz
from workshop.language_views import Catalogue


def root(request):
    """Facilitators go to their workshops; anyone else is most likely a phone with a code."""
    if request.user.is_authenticated:
        return redirect("facilitator:home")
    return redirect("participants:enter_code")


def livez(request):
    """The process answers: for a load balancer's liveness probe, and the benchmark's floor (one
    request through the whole middleware stack that reads no session and no database)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("", root, name="root"),
    path("livez", livez, name="livez"),
    path("healthz", healthz, name="healthz"),
    path("", include("facilitator.urls")),
    path("", include("participants.urls")),
    # Django's set_language: a screen's choice of language, kept in the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/<str:language>.js", Catalogue.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# Our error pages, in the person's language, each with a way forward (workshop.error_views).
handler400 = "workshop.error_views.bad_request"
handler403 = "workshop.error_views.permission_denied"
handler404 = "workshop.error_views.page_not_found"
handler500 = "workshop.error_views.server_error"
