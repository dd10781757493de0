import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from workshop import limits
from workshop.codes import normalise_join_code
from workshop.form_fields import LimitedTextField
from workshop.models import Table


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return normalise_join_code(self.cleaned_data["code"])


class JoinForm(forms.Form):
    name = LimitedTextField(
        limits.PARTICIPANT_NAME,
        label=_("Your first name"),
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autocapitalize": "words"}),
    )
    table = forms.ModelChoiceField(
        label=_("Your table"),
        queryset=Table.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please pick the table you are sitting at.")},
    )

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].queryset = workshop.tables.order_by("number")


class TakeawayForm(forms.Form):
    # No maxlength attribute: the browser would silently cut a long paste. The server says
    # how long it is and keeps the words, so nothing typed is lost.
    text = LimitedTextField(
        limits.TAKEAWAY,
        label=_("Takeaway"),
        widget=forms.Textarea(
            attrs={"rows": 4, "data-limit": settings.TAKEAWAY_MAX_LENGTH, "enterkeyhint": "send"}
        ),
        error_messages={"required": _("Please write something first.")},
    )
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class EditTakeawayForm(forms.Form):
    text = TakeawayForm.base_fields["text"]
