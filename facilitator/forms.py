from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workshop import agenda_templates, limits
from workshop.form_fields import LimitedTextField
from workshop.models import AgendaTemplate, Table, User
from workshop.services import MAX_TABLES

BLANK = "blank"
BUILT_IN_PREFIX = "built-in:"
SAVED_PREFIX = "saved:"


class NewWorkshopForm(forms.Form):
    title = LimitedTextField(limits.WORKSHOP_TITLE, label=_("Title"))
    table_count = forms.IntegerField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES,
        initial=6,
        help_text=_("Named “Table 1”, “Table 2”… — you can rename them afterwards."),
    )
    start_from = forms.ChoiceField(
        label=_("Start from"),
        widget=forms.RadioSelect,
        initial=BLANK,
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the signed-in facilitator's own templates are choices: another's is refused.
        self.saved_templates = list(
            AgendaTemplate.objects.filter(owner=user) if user is not None else []
        )
        # For each choice: a tag saying where it comes from, and a line about what it holds.
        self.start_details = {BLANK: ("", _("One table discussion. Build the agenda as you go."))}
        choices = [(BLANK, _("Blank workshop"))]
        for key, (name, make) in agenda_templates.BUILT_IN.items():
            choices.append((BUILT_IN_PREFIX + key, name))
            self.start_details[BUILT_IN_PREFIX + key] = (_("Built-in"), _agenda_summary(make()))
        for template in self.saved_templates:
            choices.append((SAVED_PREFIX + str(template.pk), template.name))
            self.start_details[SAVED_PREFIX + str(template.pk)] = (
                _("Your template"),
                _agenda_summary(template.agenda),
            )
        self.fields["start_from"].choices = choices

    def start_options(self):
        """Each radio of "Start from" with its tag and summary, for the template."""
        return [(radio, *self.start_details[radio.data["value"]]) for radio in self["start_from"]]

    def agenda(self) -> list[dict] | None:
        """The chosen agenda as data; None for a blank workshop (the services' default)."""
        choice = self.cleaned_data.get("start_from") or BLANK
        if choice.startswith(BUILT_IN_PREFIX):
            return agenda_templates.built_in_agenda(choice.removeprefix(BUILT_IN_PREFIX))
        if choice.startswith(SAVED_PREFIX):
            pk = int(choice.removeprefix(SAVED_PREFIX))
            return next(t.agenda for t in self.saved_templates if t.pk == pk)
        return None


def _agenda_summary(agenda: list[dict]) -> str:
    count = len(agenda)
    minutes = sum(item.get("duration_minutes") or 0 for item in agenda)
    activities = ngettext("%(count)d activity", "%(count)d activities", count) % {"count": count}
    if minutes:
        activities += " · " + _("%(minutes)d min") % {"minutes": minutes}
    titles = ", ".join(str(item.get("title", "")) for item in agenda[:4])
    if count > 4:
        titles += "…"
    return f"{activities}: {titles}" if titles else activities


class TableNameForm(forms.ModelForm):
    name = LimitedTextField(limits.TABLE_NAME, label=_("Name"))

    class Meta:
        model = Table
        fields = ["name"]


TableNameFormSet = forms.modelformset_factory(Table, form=TableNameForm, extra=0)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, whose username is the account's email address: typed as one (a
    phone shows its @ keyboard) and named "username" for password managers, as the sign-in's
    identifier should be."""

    username = UsernameField(
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )


class FirstFacilitatorForm(forms.Form):
    # The new account's identifier: password managers keep it with the new password.
    email = forms.EmailField(
        label=_("Your email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("An account with this address exists already."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("email"):
            password_validation.validate_password(cleaned["password"], User(email=cleaned["email"]))
        return cleaned


class ProfileForm(forms.Form):
    display_name = LimitedTextField(
        limits.DISPLAY_NAME,
        label=_("Your name"),
        help_text=_(
            "The name the report, the closing screen on the projector and My notes give you; never "
            "your e-mail address."
        ),
    )
    organisation = LimitedTextField(
        limits.ORGANISATION,
        label=_("Organisation (optional)"),
        help_text=_("Shown after your name, in brackets."),
    )
