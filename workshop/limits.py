"""How long each kind of text people type may be, and what it is called when it is too long.

One rule per field, shared by the form that asks for it and the service that stores it, so that
a form error and a service's refusal say the same words (workshop.form_fields, services.rules).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workshop.text import check_length, clean_text, normalise


@dataclass(frozen=True)
class Limit:
    max_length: int
    what: Promise  # the subject of "… is 130 characters long; the limit is 120."
    multiline: bool = False
    required: bool = True

    def clean(self, value: str) -> str:
        """`value` as stored; ValueError with a message for the person when it cannot be."""
        if self.required:
            return clean_text(
                value, max_length=self.max_length, what=str(self.what), multiline=self.multiline
            )
        cleaned = normalise(value, multiline=self.multiline)
        check_length(cleaned, max_length=self.max_length, what=str(self.what))
        return cleaned


WORKSHOP_TITLE = Limit(200, _("The title"))
TABLE_NAME = Limit(60, _("The table name"))
TEMPLATE_NAME = Limit(120, _("The name"))
PARTICIPANT_NAME = Limit(settings.NAME_MAX_LENGTH, _("The name"))
ACTIVITY_TITLE = Limit(120, _("The title"))
INSTRUCTIONS = Limit(2000, _("The instructions"), multiline=True, required=False)
STEP_PROMPT = Limit(300, _("The prompt"))
HELP_TEXT = Limit(1000, _("The help text"), multiline=True, required=False)
TAKEAWAY = Limit(settings.TAKEAWAY_MAX_LENGTH, _("The takeaway"), multiline=True)
DISPLAY_NAME = Limit(80, _("The name"), required=False)
ORGANISATION = Limit(120, _("The organisation"), required=False)
WORD = Limit(60, _("This answer"), required=False)
ANSWER = Limit(settings.ANSWER_MAX_LENGTH, _("This answer"), multiline=True, required=False)
