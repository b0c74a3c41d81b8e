"""The public form an employee fills in through the workplace's link."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils.formats import number_format
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import InputKind, SuggestedForm
from ..services.anonymous import AnonymousInputData

TEXT_MAX_LENGTH = 2000
HONEYPOT_FIELD = "hjemmeside"


class NewlineNormalisingField(forms.CharField):
    """A text whose line breaks count as one character, as the employee sees them.

    A too-long text is reported with its length, not silently cut off by the browser:
    the widget gets no maxlength.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _text_help() -> str:
    return gettext(
        "Beskriv udfordringen, behovet eller idéen med dine egne ord. Højst %(limit)s tegn "
        "– omkring en halv side. Skriv ikke navne på kolleger eller borgere."
    ) % {"limit": number_format(TEXT_MAX_LENGTH, force_grouping=True)}


class AnonymousInputForm(forms.Form):
    """One challenge, need or idea; nothing that identifies the employee is asked for."""

    kind = forms.ChoiceField(
        label=_("Hvad vil du give input om?"),
        choices=InputKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Vælg, om det er en udfordring, et behov eller en idé.")},
    )
    title = forms.CharField(
        label=_("Overskrift"),
        max_length=200,
        help_text=_("En kort sætning, fx “Mere tid til faglig sparring”."),
        error_messages={
            "required": _("Skriv en kort overskrift."),
            "max_length": _("Overskriften må højst være på %(limit_value)d tegn."),
        },
    )
    text = NewlineNormalisingField(
        label=_("Dit input"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        # Lazy, in the language of the request that shows it.
        help_text=lazy(_text_help, str)(),
        error_messages={
            "required": _("Skriv dit input."),
            "max_length": _(
                "Teksten må højst være på %(limit_value)d tegn, men den er på %(show_value)d. "
                "Forkort den lidt – det, du har skrevet, er bevaret herunder."
            ),
        },
    )
    suggested_form = forms.ChoiceField(
        label=_("Hvad kunne hjælpe, synes du?"),
        choices=SuggestedForm.choices,
        initial=SuggestedForm.UNSURE,
        widget=forms.RadioSelect,
        help_text=_(
            "Et undervisningsforløb er et kursus for flere arbejdspladser; et lokalt "
            "udviklingsforløb foregår på jeres egen arbejdsplads."
        ),
        error_messages={"required": _("Vælg en af mulighederne – også gerne “Ved ikke”.")},
    )
    theme_guesses = forms.CharField(
        label=_("Dine egne bud på temaer (valgfrit)"),
        max_length=300,
        required=False,
        help_text=_("Fx ledelse, samarbejde, digitalisering. Adskil med komma."),
        error_messages={"max_length": _("Skriv højst %(limit_value)d tegn.")},
    )
    # Honeypot: hidden from people and assistive technology; a bot that fills in every
    # field gives itself away and is told "thank you" without anything being stored.
    hjemmeside = forms.CharField(
        label=_("Lad dette felt være tomt"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @cached_property
    def helper(self):
        """The layout, built only when the form is shown (most POSTs are just validated)."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            "kind",
            "title",
            "text",
            "suggested_form",
            "theme_guesses",
            Div(HONEYPOT_FIELD, css_class="visually-hidden", aria_hidden="true"),
        )
        return helper

    @property
    def is_bot(self) -> bool:
        """Whether the hidden field was filled in (read before validating the rest)."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def input_data(self) -> AnonymousInputData:
        data = self.cleaned_data
        return AnonymousInputData(
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            suggested_form=data["suggested_form"],
            theme_guesses=data["theme_guesses"],
        )
