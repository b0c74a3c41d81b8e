"""Forms of the involvement plan (step 1): they validate and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import InvolvementPlan, Method
from ..services.plans import PlanData

ALL = "alle"
CHOSEN = "udvalgte"


class LeaderChoiceField(forms.ModelMultipleChoiceField):
    """Leaders shown with their workplace, since two leaders may share a name."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.workplace.name})" if obj.workplace_id else obj.name


def grouped_workplaces(workplaces) -> list:
    """Return checkbox choices grouped by top unit: a unit with sub-units heads a group.

    Units without sub-units come first, ungrouped. Expects the workplaces of one
    administration, already fetched; asks the database nothing more.
    """
    by_pk = {w.pk: w for w in workplaces}

    def root_of(workplace):
        seen = set()
        while workplace.parent_id in by_pk and workplace.pk not in seen:
            seen.add(workplace.pk)
            workplace = by_pk[workplace.parent_id]
        return workplace

    groups: dict[int, list] = {}
    for workplace in workplaces:
        groups.setdefault(root_of(workplace).pk, []).append(workplace)
    single, grouped = [], []
    for root_pk, members in groups.items():
        if len(members) == 1:
            single.append((members[0].pk, members[0].name))
        else:
            root = by_pk[root_pk]
            members.sort(key=lambda w: (w.pk != root_pk, w.name))
            grouped.append((root.name, [(w.pk, w.name) for w in members]))
    single.sort(key=lambda choice: choice[1])
    grouped.sort(key=lambda group: group[0])
    return single + grouped


class PlanForm(forms.Form):
    """The fagchef's plan; status, administration and sign-off are not fields here."""

    methods = forms.MultipleChoiceField(
        label=_("Metoder"),
        choices=Method.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vælg de metoder, forvaltningen vil bruge til at inddrage ledere og ansatte."),
    )
    method_other = forms.CharField(
        label=_("Anden metode"),
        max_length=200,
        required=False,
        help_text=_("Udfyldes, når du har valgt «Andet»."),
    )
    all_workplaces = forms.ChoiceField(
        label=_("Hvilke arbejdspladser deltager?"),
        choices=[
            (ALL, _("Alle arbejdspladser i forvaltningen")),
            (CHOSEN, _("Kun de arbejdspladser, der er valgt nedenfor")),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    workplaces = forms.ModelMultipleChoiceField(
        label=_("Valgte arbejdspladser"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Bruges kun, når ikke alle arbejdspladser deltager."),
    )
    starts_on = forms.DateField(
        label=_("Fra"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Til"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    responsible_leaders = LeaderChoiceField(
        label=_("Ansvarlige ledere"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    med_involvement = forms.CharField(
        label=_("Sådan inddrages MED"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fx «Forvaltnings-MED drøfter planen; lokal-MED deltager i workshops»."),
    )
    description = forms.CharField(
        label=_("Beskrivelse af processen"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, plan: InvolvementPlan | None, workplaces, leaders, **kwargs):
        """Take the QuerySets of the administration's active workplaces and leaders."""
        if plan is not None and plan.pk and "initial" not in kwargs:
            kwargs["initial"] = {
                "methods": plan.methods,
                "method_other": plan.method_other,
                "all_workplaces": ALL if plan.all_workplaces else CHOSEN,
                "workplaces": [w.pk for w in plan.workplaces.all()],
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "responsible_leaders": [p.pk for p in plan.responsible_leaders.all()],
                "med_involvement": plan.med_involvement,
                "description": plan.description,
            }
        super().__init__(*args, **kwargs)
        field = self.fields["workplaces"]
        field.queryset = workplaces
        field.choices = grouped_workplaces(list(workplaces))
        self.fields["responsible_leaders"].queryset = leaders

    def clean(self):
        cleaned = super().clean()
        methods = cleaned.get("methods") or []
        other = (cleaned.get("method_other") or "").strip()
        if Method.OTHER in methods and not other:
            self.add_error("method_other", _("Beskriv den anden metode."))
        elif other and Method.OTHER not in methods:
            self.add_error("method_other", _("Vælg «Andet», hvis du beskriver en anden metode."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Slutdatoen kan ikke ligge før startdatoen."))
        if cleaned.get("all_workplaces") == CHOSEN and not cleaned.get("workplaces"):
            self.add_error(
                "workplaces",
                _("Vælg mindst én arbejdsplads, eller vælg, at alle arbejdspladser deltager."),
            )
        return cleaned

    def plan_data(self) -> PlanData:
        data = self.cleaned_data
        everyone = data["all_workplaces"] == ALL
        return PlanData(
            methods=data["methods"],
            method_other=data["method_other"],
            all_workplaces=everyone,
            workplaces=[] if everyone else list(data["workplaces"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            responsible_leaders=list(data["responsible_leaders"]),
            med_involvement=data["med_involvement"],
            description=data["description"],
        )


class PlanApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar til godkendelsen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Valgfri. Gemmes med dit navn og tidspunktet."),
    )


class PlanReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Hvad skal rettes?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fagchefen ser kommentaren, når planen er sendt tilbage som kladde."),
        error_messages={"required": _("Skriv, hvad der skal rettes.")},
    )
