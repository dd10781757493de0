from django import forms
from django.utils.translation import gettext_lazy as _

from workshop.models import Workshop
from workshop.services import SHARE_LINK_DAYS, SHARE_LINK_MAX_DAYS


class GrantAccessForm(forms.Form):
    email = forms.EmailField(
        label=_("Organizer's email address"),
        help_text=_("They sign in with it and see this workshop's results, nothing else."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=SHARE_LINK_MAX_DAYS,
        initial=SHARE_LINK_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class DataSettingsForm(forms.Form):
    anonymous = forms.BooleanField(
        label=_("Anonymous workshop"),
        required=False,
        help_text=_(
            "Phones are not asked for a name, and no screen or download shows one; only you "
            "see who wrote what on the console."
        ),
    )
    retention_days = forms.TypedChoiceField(
        label=_("Keep this workshop"),
        choices=[("", Workshop.Retention.__empty__), *Workshop.Retention.choices[1:]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Then it is deleted with everything in it, when the server next clears out old "
            "workshops."
        ),
    )
    reveal_threshold = forms.IntegerField(
        label=_("Answers needed before the room's counts show"),
        required=False,  # left empty, it stays as it was
        min_value=2,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "When you show the room how many people ticked each option of a private checklist, "
            "the projector waits until at least this many have answered: with fewer, a count "
            "could point at someone."
        ),
    )
