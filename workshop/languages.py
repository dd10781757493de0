"""Which language each screen is in, and which languages a workshop's live screens use.

Every person's interface is in their own language; participant text is never translated. A
phone or a facilitator's browser chooses with Django's language cookie (the picker in its header,
`set_language`), preset from the browser's Accept-Language; the projector is in the language the
facilitator gives it from the console (Workshop.projector_language).

Live fragments are rendered once per change for each audience kind (workshop.live): with
languages, once per language that kind's screens are in. A socket says its page's language as
it connects (`?lang=`); the first socket of a kind in a language records it on the workshop
(Workshop.screen_languages, a few bytes read with the row lock every change takes anyway), and
from the next change on it is rendered in that one too. The record only grows, within the
configured LANGUAGES: a kind is rendered in at most that many languages, whatever the size of
the room.
"""

import re

from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import translation

from workshop.models import Workshop

_ENTRY = re.compile(r"\[(\w+):([\w-]+)\]")


def configured() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def supported(code: str | None) -> str | None:
    """`code` if screens may be in it (or its closest configured variant), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def default() -> str:
    return settings.LANGUAGE_CODE


def of_projector(workshop: Workshop) -> str:
    return supported(workshop.projector_language) or default()


def used_by(workshop: Workshop, kind: str) -> list[str]:
    """The languages this kind of the workshop's screens were opened in, the default first; the
    default alone when none was recorded."""
    found = {
        language
        for entry_kind, language in _ENTRY.findall(workshop.screen_languages or "")
        if entry_kind == kind and language in configured()
    }
    found.discard(default())
    return [default(), *sorted(found)] if found else [default()]


def entry(kind: str, language: str) -> str:
    return f"[{kind}:{language}]"


def remember(response, language: str) -> None:
    """Keeps a phone's language on it, in Django's language cookie (as set_language does)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def record(workshop: Workshop, kind: str, language: str) -> None:
    """Notes that a screen of this kind shows the workshop in `language`: a write only the first
    time, and atomic, so that two screens recording two languages at once keep both."""
    item = entry(kind, language)
    if language == default() or item in (workshop.screen_languages or ""):
        return
    Workshop.objects.filter(pk=workshop.pk).exclude(screen_languages__contains=item).update(
        screen_languages=Concat("screen_languages", Value(item))
    )
