from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from workshop.models import Table, User
from workshop.services import MAX_TABLES


class NewWorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    table_count = forms.IntegerField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES,
        initial=6,
        help_text=_("Named “Table 1”, “Table 2”… — you can rename them afterwards."),
    )


class TableNameForm(forms.ModelForm):
    class Meta:
        model = Table
        fields = ["name"]


TableNameFormSet = forms.modelformset_factory(Table, form=TableNameForm, extra=0)


class FirstFacilitatorForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"))
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
