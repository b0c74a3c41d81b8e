"""HR's decision form and direktionen's decision at a meeting (step 4)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from programme.models import Administration, Person, Role, Workplace

from ..models import Decision, DecisionState, Input, Synthesis, Theme

NUMBERS = re.compile(r"[\s,;]+")


def _numbers(text: str) -> list[str]:
    return [part for part in NUMBERS.split(text.strip()) if part]


class DecisionForm(forms.ModelForm):
    """What HR drafts: the decision, what it answers, whom it concerns, its owner and cost.

    Inputs are named by their numbers (shown in the processing workspace) and workplaces
    by their codes: an organisation of 2,000 workplaces and 150,000 inputs fits no list.
    """

    input_numbers = forms.CharField(
        label=_("Input, den svarer på (numre)"),
        required=False,
        help_text=_("Inputtenes numre fra Bearbejdning, adskilt af komma, fx 12, 57, 310."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    estimated_cost = forms.CharField(
        label=_("Anslået udgift (kr.)"),
        required=False,
        help_text=_("I kroner, fx 250000 eller 250.000,00."),
        error_messages={"invalid": _("Skriv beløbet som et tal i kroner, fx 250.000,00.")},
    )
    workplace_codes = forms.CharField(
        label=_("Arbejdspladser, den angår (koder)"),
        required=False,
        help_text=_("Arbejdspladsernes koder, adskilt af komma. Tom: hele forvaltninger."),
    )

    class Meta:
        model = Decision
        fields = [
            "title",
            "kind",
            "rationale",
            "next_steps",
            "themes",
            "syntheses",
            "administrations",
            "owner",
            "estimated_cost",
            "review_on",
        ]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "syntheses": forms.CheckboxSelectMultiple,
            "administrations": forms.CheckboxSelectMultiple,
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"next_steps": _("Vises for arbejdspladserne under «Det sker nu».")}

    def __init__(self, *args, programme, user_inputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.user_inputs = user_inputs
        self.fields["themes"].queryset = Theme.objects.filter(programme=programme, is_active=True)
        self.fields["syntheses"].queryset = Synthesis.objects.filter(programme=programme)
        self.fields["administrations"].queryset = Administration.objects.active().order_by("name")
        self.fields["owner"].queryset = Person.objects.filter(
            is_active=True, role__in=[Role.DIRECTOR, Role.HEAD_OF_DEPARTMENT]
        ).order_by("name")
        if self.instance.estimated_cost is not None and not self.is_bound:
            self.initial["estimated_cost"] = number_format(
                self.instance.estimated_cost, decimal_pos=2, force_grouping=True
            )
        if self.instance.pk and not self.is_bound:
            self.initial["input_numbers"] = ", ".join(
                str(pk) for pk in self.instance.inputs.order_by("pk").values_list("pk", flat=True)
            )
            self.initial["workplace_codes"] = ", ".join(
                self.instance.workplaces.order_by("code").values_list("code", flat=True)
            )

    def clean_estimated_cost(self):
        """Read an amount as Danes write it: 250.000,50 kr. (or 250000.50)."""
        text = self.cleaned_data["estimated_cost"].strip().removesuffix("kr.").strip()
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(" ", "").replace(",", ".")
        else:
            text = text.replace(" ", "")
            if text.count(".") > 1 or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
                text = text.replace(".", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(
                _("Skriv beløbet som et tal i kroner, fx 250.000,00."), code="invalid"
            ) from None
        if amount < 0 or amount.as_tuple().exponent < -2 or amount >= 10**10:
            raise forms.ValidationError(
                _("Skriv et beløb fra 0 kr. med højst to decimaler."), code="invalid"
            )
        return amount

    def clean_input_numbers(self):
        wanted = _numbers(self.cleaned_data["input_numbers"])
        bad = [part for part in wanted if not part.isdigit()]
        if bad:
            raise forms.ValidationError(
                _("Skriv inputtenes numre som tal: %(bad)s er ikke et nummer.")
                % {"bad": ", ".join(bad)}
            )
        numbers = {int(part) for part in wanted}
        found = set(
            self.user_inputs.filter(programme=self.programme, pk__in=numbers).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(numbers - found)
        if missing:
            raise forms.ValidationError(
                _("Der er intet input med nummer %(numbers)s.")
                % {"numbers": ", ".join(map(str, missing))}
            )
        return sorted(found)

    def clean_workplace_codes(self):
        codes = _numbers(self.cleaned_data["workplace_codes"])
        found = dict(Workplace.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(
                _("Der er ingen arbejdsplads med koden %(codes)s.") % {"codes": ", ".join(missing)}
            )
        return list(found.values())

    def save(self, commit=True):
        decision = super().save(commit=commit)
        if commit:
            decision.inputs.set(Input.objects.filter(pk__in=self.cleaned_data["input_numbers"]))
            decision.workplaces.set(self.cleaned_data["workplace_codes"])
        return decision


class DecideForm(forms.Form):
    """Direktionen's decision on a proposal, at the meeting of a given day."""

    state = forms.ChoiceField(
        label=_("Direktionens beslutning"),
        choices=[
            (DecisionState.ADOPTED, _("Vedtag")),
            (DecisionState.REJECTED, _("Afvis")),
            (DecisionState.DEFERRED, _("Udsæt")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg vedtag, afvis eller udsæt.")},
    )
    held_on = forms.DateField(
        label=_("Direktionsmødets dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=datetime.date.today,
        error_messages={"required": _("Skriv mødets dato."), "invalid": _("Skriv en gyldig dato.")},
    )
    comment = forms.CharField(
        label=_("Kommentar (vises i beslutningens historik)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    message = forms.CharField(
        label=_("Besked til arbejdspladserne (valgfri)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
