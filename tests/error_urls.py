"""The app's URLs and error handlers, and views that fail as a bug would, or refuse as a rule
would on a phone's page: the 500 page is only ever seen when something breaks, and nothing in
the app breaks on purpose."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from workshop.urls import (  # noqa: F401 - Django reads the handlers from the URLconf module
    handler400,
    handler403,
    handler404,
    handler500,
)
from workshop.urls import urlpatterns as app_urlpatterns


def broken(request, **kwargs):
    raise RuntimeError("a bug")


def refused(request, **kwargs):
    raise PermissionDenied


urlpatterns = [
    path("w/<str:code>/broken/", broken),
    path("w/<str:code>/refused/", refused),
    path("f/broken/", broken),
    *app_urlpatterns,
]
