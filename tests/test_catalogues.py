"""The translations: every catalogue compiles and is complete, and no template shows words that
bypass them (README, "Adding a language").

A catalogue that does not compile would leave its language's screens in English at best; a
template string not wrapped in {% translate %} or {% blocktranslate %} would show English on
every screen whatever its language. Both fail here, in `make test`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.server_process import ROOT

CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
TEMPLATES = sorted(
    path
    for folder in TEMPLATE_DIRS
    if ".venv" not in folder.parts and "node_modules" not in folder.parts
    for path in folder.rglob("*.html")
)

# Attributes a person reads or hears, and the data-… attributes the scripts show as text.
SPOKEN_ATTRIBUTES = re.compile(
    r"""\s(title|alt|placeholder|aria-label|aria-description|aria-roledescription|"""
    r"""hx-confirm|data-(?:msg|label|announce)[\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)
WORDS = re.compile(r"[^\W\d_]{2,}")


def test_there_is_a_catalogue_for_every_configured_language_but_english():
    for code, _name in settings.LANGUAGES:
        if code != "en":
            assert (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").exists(), code


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_each_catalogue_compiles_with_its_placeholders_intact(catalogue, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (GNU gettext) is needed: apt-get install gettext (or brew)"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # Every message translated: none left untranslated or fuzzy (a guess msgmerge made).
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def messages_of(catalogue: Path) -> set[tuple[str, ...]]:
    """The catalogue's messages: each context and msgid (their first two lines, enough to tell
    them apart), obsolete ones left out."""
    entry = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n(?:"(.*)")?', re.MULTILINE)
    return set(entry.findall(catalogue.read_text()))


def test_every_message_of_the_source_is_in_every_catalogue(tmp_path):
    """makemessages, run on a copy of the source: it finds nothing the catalogues lack. A new
    string must be translated (README, "Adding a language") before it reaches a screen."""
    copy = tmp_path / "app"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for folder in ("workshop", "facilitator", "participants", "templates", "locale", "static"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    languages = [f"--locale={code}" for code, _name in settings.LANGUAGES if code != "en"]
    for domain in ("django", "djangojs"):
        result = subprocess.run(
            [sys.executable, "manage.py", "makemessages", f"--domain={domain}", *languages],
            cwd=copy,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "workshop.settings",
                "DATA_DIR": str(tmp_path / "data"),
            },
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
    for fresh in sorted((copy / "locale").glob("*/LC_MESSAGES/*.po")):
        committed = ROOT / fresh.relative_to(copy)
        assert committed.exists(), f"{committed.relative_to(ROOT)} is missing"
        missing = messages_of(fresh) - messages_of(committed)
        assert not missing, f"{committed.relative_to(ROOT)} lacks {sorted(missing)[:5]}"


def visible_text_outside_translation(source: str) -> list[str]:
    """Words in a template that reach the screen without going through a translation."""
    text = re.sub(r"{#.*?#}", "", source, flags=re.DOTALL)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.DOTALL)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    # The page's class names, which base.html puts on <body>.
    text = re.sub(r"{%\s*block body_class\s*%}.*?{%\s*endblock", "", text, flags=re.DOTALL)
    text = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", text, flags=re.DOTALL | re.IGNORECASE)
    text = re.sub(
        r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", "", text, flags=re.DOTALL
    )
    text = re.sub(r"{%.*?%}|{{.*?}}", "", text, flags=re.DOTALL)
    found = []
    for match in SPOKEN_ATTRIBUTES.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if WORDS.search(value):
            found.append(f"{match.group(1)}={value!r}")
    without_tags = re.sub(r"<[^>]*>", "\n", text)
    # A template that is a run of attributes (included inside a tag): attributes, not text.
    without_tags = re.sub(r"""[\w:-]+=(?:"[^"]*"|'[^']*')""", "", without_tags)
    found += [line.strip() for line in without_tags.splitlines() if WORDS.search(line)]
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_word_a_template_shows_is_wrapped_for_translation(template):
    assert visible_text_outside_translation(template.read_text()) == []


def test_the_check_finds_words_left_unwrapped():
    source = """{% load i18n %}<p>{% translate "Wrapped" %}</p>
        <p>{% blocktranslate with n=3 %}Also {{ n }} wrapped{% endblocktranslate %}</p>
        <p>Plain words</p> <button aria-label="Close it">×</button> {# a comment #}
        <p>{{ participant.name }} · +1 · 3/5</p> <div data-label-more="{% translate 'more' %}">"""
    assert visible_text_outside_translation(source) == ["aria-label='Close it'", "Plain words"]
