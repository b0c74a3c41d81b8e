"""Forms of HR's processing workspace (step 3)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Synthesis, Theme


class SynthesisForm(forms.ModelForm):
    class Meta:
        model = Synthesis
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class AddThemeForm(forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), label=_("Tema"))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(programme=programme, is_active=True)


class GroupForm(forms.Form):
    """Put the chosen inputs in an existing group or a new one."""

    inputs = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("Input"),
        error_messages={"required": _("Vælg mindst ét input.")},
    )
    synthesis = forms.ModelChoiceField(
        queryset=Synthesis.objects.none(), required=False, label=_("Eksisterende syntese")
    )
    new_title = forms.CharField(max_length=200, required=False, label=_("eller ny syntese"))

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["synthesis"].queryset = Synthesis.objects.filter(programme=programme)
        # Any number is accepted here; the view keeps only inputs the user may see.
        values = self.data.getlist("inputs") if hasattr(self.data, "getlist") else []
        self.fields["inputs"].choices = [(v, v) for v in values]

    def clean(self):
        data = super().clean()
        if not data.get("synthesis") and not data.get("new_title", "").strip():
            raise forms.ValidationError(_("Vælg en syntese, eller skriv titlen på en ny."))
        return data
