"""Django's JavaScript catalogue, in the language its address names.

The scripts' words mostly come from the templates (data-… attributes, translated there); what a
script says of its own it takes from here, through gettext(). One address per language, so a
browser keeps each for a day and a page in another language never gets a stale one.
"""

from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.i18n import JavaScriptCatalog

from workshop import languages


class Catalogue(JavaScriptCatalog):
    def get(self, request, *args, **kwargs):
        language = languages.supported(kwargs.get("language"))
        if language is None or language != kwargs.get("language"):
            raise Http404
        with translation.override(language):
            response = super().get(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=60 * 60 * 24)
        return response
