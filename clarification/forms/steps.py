"""Forms of the step pages: they validate and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StepOpenForm(forms.Form):
    """Confirm opening a step; a reason is asked for only when it opens early."""

    reason = forms.CharField(
        label=_("Begrundelse for at åbne før tid"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fx «Forvaltningen er klar og vil i gang med workshops før sommerferien»."),
        error_messages={"required": _("Angiv en begrundelse for at åbne trinnet før tid.")},
    )

    def __init__(self, *args, early: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not early:
            del self.fields["reason"]


class StepCloseForm(forms.Form):
    """Sign a step off; the comment is kept with who and when."""

    comment = forms.CharField(
        label=_("Kommentar til afslutningen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Valgfri. Gemmes sammen med dit navn og tidspunktet."),
    )
