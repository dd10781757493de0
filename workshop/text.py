"""Text people type, as it is stored: one rule shared by forms and services.

Normalised to NFC (the same words compare and count the same whichever keyboard typed them),
without control characters or direction overrides (screens isolate each text's direction
themselves), with at most a few combining marks on a letter and a few line breaks in a row.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

MAX_MARKS = 4  # combining marks on one letter: enough for any script, not for "zalgo"
MAX_LINE_BREAKS = 12  # in one text; beyond, a line break becomes a space
# Invisible characters that writing needs: joiners (emoji, Indic scripts) and direction marks.
KEPT_FORMAT = frozenset("\u200c\u200d\u200e\u200f")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_SPACES_AT_LINE_END = re.compile(r"[ \t]+\n")


def clean_text(value: str, *, max_length: int, what: str, multiline: bool = True) -> str:
    """`value` as stored; ValueError with a message for the person when nothing is left or it
    is too long."""
    cleaned = normalise(value, multiline=multiline)
    if not cleaned:
        raise ValueError(_("Please write something first."))
    check_length(cleaned, max_length=max_length, what=what)
    return cleaned


def clean_line(value: str, *, max_length: int, what: str) -> str:
    """A one-line text (a name, a title): line breaks become spaces."""
    return clean_text(value, max_length=max_length, what=what, multiline=False)


def check_length(cleaned: str, *, max_length: int, what: str) -> None:
    if len(cleaned) > max_length:
        raise ValueError(
            _("%(what)s is %(length)d characters long; the limit is %(limit)d.")
            % {"what": what, "length": len(cleaned), "limit": max_length}
        )


def normalise(value: str, *, multiline: bool = True) -> str:
    value = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    kept, marks, breaks = [], 0, 0
    for ch in value:
        if ch == "\n":
            breaks += 1
            kept.append("\n" if multiline and breaks <= MAX_LINE_BREAKS else " ")
        elif ch == "\t":
            kept.append(" ")
        elif unicodedata.combining(ch):
            marks += 1
            if marks <= MAX_MARKS:
                kept.append(ch)
            continue
        elif ch.isprintable() or ch in KEPT_FORMAT:
            kept.append(ch)
        marks = 0
    text = _SPACES_AT_LINE_END.sub("\n", "".join(kept))
    return _BLANK_LINES.sub("\n\n", text).strip()
