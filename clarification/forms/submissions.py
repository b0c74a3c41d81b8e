"""Step 2 forms: an activity, the leader's input items, an attachment. They only validate."""

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import Programme, Workplace

from ..models import Activity, Input, Method
from ..services.submissions import (
    ACTIVITY_FIELDS,
    INPUT_FIELDS,
    MAX_ATTACHMENT_BYTES,
    committees_for,
)

# A leader may register far more items than this, a few screens at a time.
MAX_INPUT_ITEMS = 200
# How many empty items the input page shows, and how many more each press adds.
EMPTY_ITEMS = 3
MAX_EMPTY_ITEMS = 30


def make_read_only(form: forms.BaseForm) -> None:
    """Show a form's fields without letting them be changed (a step that is not open)."""
    for field in form.fields.values():
        field.disabled = True


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = list(ACTIVITY_FIELDS)
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "method_other": _("Udfyldes, når metoden er “Andet”."),
            "staff_participants": _("Antal medarbejdere, der deltog i aktiviteten."),
            "med_committee": _("Vælg udvalget, hvis MED var inddraget."),
        }

    def __init__(self, *args, workplace: Workplace, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.workplace = workplace
        self.programme = programme
        self.fields["held_on"].input_formats = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        for name in ("staff_participants", "leader_participants"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        committee = self.fields["med_committee"]
        committee.queryset = committees_for(workplace)
        committee.empty_label = _("Intet udvalg valgt")

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(
                _("Datoen kan ikke ligge i fremtiden. Registrér aktiviteten, når den er holdt.")
            )
        if held_on < self.programme.starts_on:
            raise forms.ValidationError(
                _("Datoen ligger før forløbets start (%(date)s).")
                % {"date": self.programme.starts_on.strftime("%d-%m-%Y")}
            )
        return held_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == Method.OTHER and not cleaned.get("method_other", "").strip():
            self.add_error("method_other", _("Beskriv metoden, når du vælger “Andet”."))
        if cleaned.get("med_committee") and not cleaned.get("med_involved"):
            self.add_error(
                "med_committee",
                _("Vælg kun et MED-udvalg, når “MED var inddraget” er markeret."),
            )
        return cleaned

    def validate_constraints(self):
        # clean() reports the committee rule next to the field, in the form's own words.
        return

    def headcount_warning(self) -> str | None:
        """A warning (not an error) when more staff took part than the workplace employs."""
        staff = self.cleaned_data.get("staff_participants") or 0
        headcount = self.workplace.headcount
        if headcount and staff > headcount:
            return _(
                "Der er registreret %(staff)s deltagende medarbejdere, men %(workplace)s "
                "har en normering på %(headcount)s. Ret tallet, hvis det er en fejl."
            ) % {"staff": staff, "workplace": self.workplace.name, "headcount": headcount}
        return None


class InputForm(forms.ModelForm):
    class Meta:
        model = Input
        fields = list(INPUT_FIELDS)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "text": _("Højst 4.000 tegn."),
            "theme_guesses": _("Valgfrit: dine egne bud på, hvilke temaer inputtet handler om."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Vælg type")), *self.fields["kind"].choices[1:]]
        self.fields["kind"].label = _("Type")


class _ExistingItem(forms.ModelChoiceField):
    """The hidden id of an existing item: only one of the formset's own items is valid."""

    def __init__(self, formset, **kwargs):
        super().__init__(formset.get_queryset(), **kwargs)
        self.formset = formset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        item = None
        if str(value).isdigit():
            # Looked up among the formset's items, already loaded: no query per row.
            item = self.formset._existing_object(int(value))
        if item is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return item


class BaseInputFormSet(BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        original = form.fields[pk_name]
        form.fields[pk_name] = _ExistingItem(
            self, initial=original.initial, required=original.required, widget=original.widget
        )


def input_formset_class(*, empty_items: int = EMPTY_ITEMS):
    """The leader's items: the existing ones plus `empty_items` empty ones to fill in."""
    return modelformset_factory(
        Input,
        form=InputForm,
        formset=BaseInputFormSet,
        fields=list(INPUT_FIELDS),
        extra=max(0, min(empty_items, MAX_EMPTY_ITEMS)),
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_INPUT_ITEMS,
        validate_max=True,
        absolute_max=MAX_INPUT_ITEMS + MAX_EMPTY_ITEMS,
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"),
        help_text=_("Et foto (JPEG, PNG eller HEIC) eller en PDF på højst 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,application/pdf"
            }
        ),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("Filen er større end 10 MB."))
        return upload

    def clean(self):
        if self.too_large:
            # The upload handler stopped reading the file at the limit.
            self.errors.pop("file", None)
            self.add_error("file", _("Filen er større end 10 MB."))
        return super().clean()
