"""Action-learning pages: my projects, a project with its cycles and log, HR's overview.

A project's page is its members' workspace and holds the learning log, so it answers 404
to everyone else, HR and direktion included; what they may see of every project (that it
exists, its members, its progress) is on the overview. Leaders, staff and coaches are
refused the pages (403). The writes are in seminars.action_learning.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from programme.access import scope_for
from programme.models import ExternalPerson, Programme

from . import action_learning as service
from .models import (
    ActionLearningProject,
    CyclePhase,
    LearningCycle,
    LearningLogEntry,
    ProjectMembership,
)
from .models.action_learning import PHASE_ORDER
from .services import FORUM_ROLES, forum_members, is_forum_member


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _member_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _member_label(obj)


def _member_label(person) -> str:
    administration = person.workplace.administration.name if person.workplace_id else ""
    return f"{person.name} ({administration})" if administration else person.name


def _candidates():
    return forum_members().select_related("workplace__administration").order_by("name")


class ProjectForm(forms.ModelForm):
    other_members = MemberChoiceField(
        label=gettext_lazy("Andre medlemmer fra fagchefforum"),
        help_text=gettext_lazy("Du er selv medlem. Vælg dem, du arbejder sammen med, hvis nogen."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ActionLearningProject
        fields = ["title", "problem", "facilitator"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "problem": gettext_lazy(
                "Hvilken udfordring i din egen ledelsespraksis vil du undersøge og ændre?"
            ),
            "facilitator": gettext_lazy("Valgfri: en coach eller proceskonsulent udefra."),
        }
        error_messages = {
            "title": {"required": gettext_lazy("Giv projektet en titel.")},
            "problem": {"required": gettext_lazy("Skriv problemformuleringen.")},
        }

    def __init__(self, *args, creator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_members"].queryset = _candidates().exclude(pk=creator.pk)
        self.fields["facilitator"].queryset = ExternalPerson.objects.filter(is_active=True)


class LogEntryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Hvad har du gjort, set og lært?"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Skriv indlægget.")},
    )
    cycle = forms.ModelChoiceField(
        label=gettext_lazy("Cyklus"),
        queryset=LearningCycle.objects.none(),
        required=False,
        empty_label=gettext_lazy("Ingen bestemt cyklus"),
    )
    phase = forms.ChoiceField(
        label=gettext_lazy("Fase"),
        choices=[("", gettext_lazy("Ingen bestemt fase")), *CyclePhase.choices],
        required=False,
    )

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles

    def clean(self):
        data = super().clean()
        cycle, phase = data.get("cycle"), data.get("phase")
        if phase and cycle is None:
            self.add_error("phase", _("Vælg også den cyklus, fasen hører til."))
        elif phase and PHASE_ORDER.index(CyclePhase(phase)) > PHASE_ORDER.index(
            CyclePhase(cycle.phase)
        ):
            self.add_error("phase", _("Cyklussen er ikke nået til den fase endnu."))
        return data


class AdvanceForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Skriv datoen."),
            "invalid": gettext_lazy("Skriv en gyldig dato."),
        },
    )
    # The step the member saw, so a second click (or another member's) does not skip one.
    cycle = forms.IntegerField(required=False, widget=forms.HiddenInput)
    phase = forms.CharField(required=False, widget=forms.HiddenInput)


class MemberForm(forms.Form):
    person = PersonChoiceField(
        label=gettext_lazy("Tilføj et medlem"),
        queryset=None,
        empty_label=gettext_lazy("Vælg en person"),
        error_messages={
            "required": gettext_lazy("Vælg den, der skal med."),
            "invalid_choice": gettext_lazy("Vælg en fra fagchefforum, der ikke allerede er med."),
        },
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _candidates().exclude(
            action_learning_memberships__project=project
        )


# --- Access ---------------------------------------------------------------------------


def _require_forum(user):
    """HR, direktion and the fagchefer use the action-learning pages; others get 403."""
    scope = scope_for(user)
    if is_forum_member(scope):
        return scope
    raise PermissionDenied


def _takes_part(scope) -> bool:
    """Whether the user can be a member: a fagchef or a direktør (not HR's staff)."""
    return scope.person is not None and scope.person.role in FORUM_ROLES


def _project(request, pk) -> ActionLearningProject:
    """The project, if the user is a member of it; 404 for everyone else."""
    scope = _require_forum(request.user)
    projects = ActionLearningProject.objects.for_user(request.user).with_member(scope.person_id)
    return get_object_or_404(projects, pk=pk)


def _current_programme(request) -> Programme:
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    return programme


# --- Pages ----------------------------------------------------------------------------


def _with_members_and_cycles(projects):
    memberships = ProjectMembership.objects.select_related(
        "person__workplace__administration"
    ).order_by("person__name")
    return projects.with_progress().prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="member_rows"),
        Prefetch("cycles", queryset=LearningCycle.objects.order_by("number"), to_attr="cycle_rows"),
    )


def _summarise(project) -> None:
    """Set what the lists show of a project: members, administrations, the current step."""
    project.member_names = [m.person.name for m in project.member_rows]
    project.administrations = sorted(
        {m.person.workplace.administration.name for m in project.member_rows if m.person.workplace}
    )
    project.current_cycle = project.cycle_rows[-1] if project.cycle_rows else None


def mine(request):
    """Min aktionslæring: the projects I am a member of, with their progress."""
    scope = _require_forum(request.user)
    programme = Programme.objects.for_user(request.user).current()
    projects = list(
        _with_members_and_cycles(
            ActionLearningProject.objects.for_user(request.user)
            .with_member(scope.person_id)
            .filter(programme=programme)
        )
    )
    for project in projects:
        _summarise(project)
    return render(
        request,
        "seminars/action_learning_mine.html",
        {
            "projects": projects,
            "may_create": _takes_part(scope) and programme is not None,
            "sees_all": scope.everything,
            "active_nav": "seminars",
        },
    )


def create(request):
    scope = _require_forum(request.user)
    if not _takes_part(scope):
        raise PermissionDenied
    programme = _current_programme(request)
    form = ProjectForm(request.POST or None, creator=scope.person)
    if request.method == "POST" and form.is_valid():
        try:
            project = service.create_project(
                programme=programme,
                creator=scope.person,
                title=form.cleaned_data["title"],
                problem=form.cleaned_data["problem"],
                members=form.cleaned_data["other_members"],
                facilitator=form.cleaned_data["facilitator"],
            )
        except service.ActionLearningError as error:
            form.add_error("other_members", str(error))
        else:
            messages.success(request, _("Projektet er oprettet."))
            return redirect(project)
    return render(
        request,
        "seminars/action_learning_form.html",
        {"form": form, "active_nav": "seminars"},
    )


NEXT_STEP = {
    "": gettext_lazy("Begynd cyklus %(number)s med at planlægge"),
    CyclePhase.PLAN.value: gettext_lazy("Gå videre til at handle"),
    CyclePhase.ACT.value: gettext_lazy("Gå videre til at observere"),
    CyclePhase.OBSERVE.value: gettext_lazy("Gå videre til at reflektere"),
    CyclePhase.REFLECT.value: gettext_lazy("Afslut cyklus %(number)s"),
    service.COMPLETED: gettext_lazy("Begynd cyklus %(number)s med at planlægge"),
}


def _render_detail(request, project, *, log_form=None, advance_form=None, member_form=None):
    scope = scope_for(request.user)
    cycles = list(project.cycles.order_by("number"))
    last = cycles[-1] if cycles else None
    number, phase = service.step_of(last)
    starts_new = phase in ("", service.COMPLETED)
    if log_form is None:
        log_form = LogEntryForm(
            cycles=project.cycles.all(),
            initial={"cycle": last, "phase": last.phase if last and not starts_new else ""},
        )
    if advance_form is None:
        advance_form = AdvanceForm(
            initial={"on": timezone.localdate(), "cycle": number, "phase": phase}
        )
    if member_form is None:
        member_form = MemberForm(project=project)
    memberships = list(
        project.memberships.select_related("person__workplace__administration").order_by(
            "person__name"
        )
    )
    entries = (
        LearningLogEntry.objects.for_user(request.user)
        .filter(project=project)
        .select_related("author", "cycle")
    )
    next_number = (number or 0) + 1 if starts_new else number
    return render(
        request,
        "seminars/action_learning_detail.html",
        {
            "project": project,
            "memberships": memberships,
            "cycles": cycles,
            "cycles_completed": sum(c.is_completed for c in cycles),
            "entries": entries,
            "log_form": log_form,
            "advance_form": advance_form,
            "advance_label": NEXT_STEP[phase] % {"number": next_number},
            "member_form": member_form,
            "me": scope.person_id,
            "active_nav": "seminars",
        },
    )


def detail(request, pk):
    """The project: problem, members, cycles and the learning log with a form to write."""
    scope = scope_for(request.user)
    project = _project(request, pk)
    if request.method != "POST":
        return _render_detail(request, project)
    form = LogEntryForm(request.POST, cycles=project.cycles.all())
    if form.is_valid():
        service.write_log_entry(
            project=project,
            author=scope.person,
            text=form.cleaned_data["text"],
            cycle=form.cleaned_data["cycle"],
            phase=form.cleaned_data["phase"],
        )
        messages.success(request, _("Dit indlæg er gemt i læringsloggen."))
        return redirect(project)
    return _render_detail(request, project, log_form=form)


@require_POST
def advance(request, pk):
    project = _project(request, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        expected = (form.cleaned_data["cycle"], form.cleaned_data["phase"] or "")
        try:
            _cycle, moved = service.advance_cycle(
                project=project, expected=expected, on=form.cleaned_data["on"]
            )
        except service.ActionLearningError as error:
            if not project.is_active:
                messages.error(request, str(error))
                return redirect(project)
            form.add_error("on", str(error))
        else:
            if moved:
                messages.success(request, _("Cyklussen er rykket videre."))
            else:
                messages.info(
                    request, _("Cyklussen var allerede rykket videre; se, hvor den står nu.")
                )
            return redirect(project)
    return _render_detail(request, project, advance_form=form)


@require_POST
def members(request, pk):
    """Add a forum member to the project, or remove one (a member may also leave)."""
    scope = scope_for(request.user)
    project = _project(request, pk)
    remove = request.POST.get("remove", "")
    if remove:
        if not remove.isdigit():
            raise Http404
        person = get_object_or_404(project.members.all(), pk=remove)
        try:
            service.remove_member(project=project, person=person)
        except service.ActionLearningError as error:
            messages.error(request, str(error))
            return redirect(project)
        if person.pk == scope.person_id:
            messages.success(request, _("Du er ikke længere med i projektet."))
            return redirect("action_learning:mine")
        messages.success(request, _("%(name)s er ikke længere med.") % {"name": person.name})
        return redirect(project)
    form = MemberForm(request.POST, project=project)
    if form.is_valid():
        try:
            service.add_member(project=project, person=form.cleaned_data["person"])
        except service.ActionLearningError as error:
            if not project.is_active:
                messages.error(request, str(error))
                return redirect(project)
            form.add_error("person", str(error))
        else:
            messages.success(
                request,
                _("%(name)s er med i projektet.") % {"name": form.cleaned_data["person"].name},
            )
            return redirect(project)
    return _render_detail(request, project, member_form=form)


@require_POST
def complete(request, pk):
    project = _project(request, pk)
    service.complete_project(project=project)
    messages.success(request, _("Projektet er afsluttet."))
    return redirect(project)


def overview(request):
    """HR and direktion: every project, its members and progress; never the log."""
    scope = scope_for(request.user)
    if not scope.everything:
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    projects = list(
        _with_members_and_cycles(
            ActionLearningProject.objects.for_user(request.user).filter(programme=programme)
        ).order_by("-status", "title")  # "aktiv" before "afsluttet"
    )
    for project in projects:
        _summarise(project)
    return render(
        request,
        "seminars/action_learning_overview.html",
        {"projects": projects, "active_nav": "seminars"},
    )


app_name = "action_learning"
urlpatterns = [
    path("aktionslaering/", mine, name="mine"),
    path("aktionslaering/nyt/", create, name="create"),
    path("aktionslaering/alle/", overview, name="overview"),
    path("aktionslaering/<int:pk>/", detail, name="detail"),
    path("aktionslaering/<int:pk>/cyklus/", advance, name="advance"),
    path("aktionslaering/<int:pk>/medlemmer/", members, name="members"),
    path("aktionslaering/<int:pk>/afslut/", complete, name="complete"),
]
