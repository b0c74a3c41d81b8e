"""Forms of the programme app: they validate and nothing else."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with Danish labels and the autocomplete hints browsers use."""

    username = forms.CharField(
        label=_("Brugernavn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Adgangskode"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Brugernavn eller adgangskode er forkert. Bemærk, at der skelnes mellem store "
            "og små bogstaver."
        ),
        "inactive": _("Denne konto er ikke aktiv. Kontakt Personale & Udvikling."),
    }


class PostponeMilestoneForm(forms.Form):
    new_date = forms.DateField(
        label=_("Ny dato"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fx «Udskudt grundet covid-19»."),
    )

    def __init__(self, *args, current_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_date = current_date

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Angiv en begrundelse for udskydelsen."))
        return reason

    def clean_new_date(self):
        new_date = self.cleaned_data["new_date"]
        if self.current_date and new_date == self.current_date:
            raise forms.ValidationError(_("Vælg en anden dato end den nuværende."))
        return new_date
