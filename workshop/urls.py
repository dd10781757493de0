from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path


def root(request):
    """Facilitators go to their workshops; anyone else is most likely a phone with a code."""
    if request.user.is_authenticated:
        return redirect("facilitator:home")
    return redirect("participants:enter_code")


urlpatterns = [
    path("", root, name="root"),
    path("", include("facilitator.urls")),
    path("", include("participants.urls")),
    path("admin/", admin.site.urls),
]
