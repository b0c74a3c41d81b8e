"""Step 3, HR's processing workspace: inputs with their theme suggestions, and groups.

HR edits; direktionen reads everything; a fagchef reads their administration's inputs and
a leader their own units' (product.md's policy table). The groups (syntheses) span the
whole organisation, so only HR and direktionen see them.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme.access import scope_for
from programme.models import Programme

from .. import suggestions
from ..coverage import followed_administrations, may_follow
from ..forms.processing import AddThemeForm, GroupForm, SynthesisForm
from ..models import (
    AssignmentStatus,
    Decision,
    Input,
    InputKind,
    ProcessingAction,
    ProcessingEvent,
    SuggestedForm,
    Synthesis,
    Theme,
    ThemeAssignment,
)
from ..services import processing

INPUTS_PER_PAGE = 25
PROCESSED_FILTERS = {"ja": True, "nej": False}
# Inputs compared with one input for "similar inputs": the newest sharing a theme.
SIMILAR_CANDIDATES = 300


def _require_reader(user):
    scope = scope_for(user)
    if not may_follow(scope):
        raise PermissionDenied
    return scope


def _require_hr(user):
    scope = scope_for(user)
    if not scope.is_hr:
        raise PermissionDenied
    return scope


def _require_group_reader(user):
    scope = scope_for(user)
    if not scope.everything:
        # The groups span administrations: HR and direktionen only.
        raise PermissionDenied
    return scope


def _programme_or_404(user):
    programme = Programme.objects.for_user(user).current()
    if programme is None:
        raise Http404
    return programme


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def processed_condition():
    """An input is processed when it has a confirmed theme or a person marked it so."""
    return Exists(
        ThemeAssignment.objects.filter(input=OuterRef("pk"), status=AssignmentStatus.CONFIRMED)
    ) | Exists(
        ProcessingEvent.objects.filter(
            input=OuterRef("pk"), action=ProcessingAction.MARKED_PROCESSED
        )
    )


def search(inputs, q: str, *, vendor: str | None = None):
    """Full-text search in title and text: PostgreSQL's Danish configuration, else icontains.

    On PostgreSQL "borgerne" finds "borger" (Danish stemming, stop words ignored); the
    fallback finds inputs containing every word as typed.
    """
    if (vendor or connection.vendor) == "postgresql":
        vector = SearchVector("title", "text", "theme_guesses", config="danish")
        query = SearchQuery(q, config="danish", search_type="websearch")
        return inputs.annotate(search=vector).filter(search=query)
    for word in q.split():
        inputs = inputs.filter(
            Q(title__icontains=word) | Q(text__icontains=word) | Q(theme_guesses__icontains=word)
        )
    return inputs


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


class Filters:
    """The workspace's filters, read from the query string (unknown values are ignored)."""

    def __init__(self, request, programme, administrations):
        get = request.GET
        self.q = get.get("q", "").strip()[:200]
        self.kind = get.get("kind", "") if get.get("kind", "") in InputKind.values else ""
        form = get.get("form", "")
        self.form = form if form in SuggestedForm.values else ""
        processed = get.get("processed", "")
        self.processed = processed if processed in PROCESSED_FILTERS else ""
        administration_pk = _int(get.get("administration", ""))
        self.administration = next((a for a in administrations if a.pk == administration_pk), None)
        self.themes = list(Theme.objects.filter(programme=programme).order_by("position", "name"))
        theme_pk = _int(get.get("theme", ""))
        self.theme = next((t for t in self.themes if t.pk == theme_pk), None)
        self.workplace_pk = _int(get.get("workplace", ""))

    def apply(self, inputs):
        if self.administration:
            inputs = inputs.filter(workplace__administration=self.administration)
        if self.workplace_pk:
            inputs = inputs.filter(workplace_id=self.workplace_pk)
        if self.kind:
            inputs = inputs.filter(kind=self.kind)
        if self.form:
            inputs = inputs.filter(suggested_form=self.form)
        if self.theme:
            # Suggested or confirmed; a rejected theme is not the input's.
            inputs = inputs.filter(
                Exists(
                    ThemeAssignment.objects.filter(input=OuterRef("pk"), theme=self.theme).exclude(
                        status=AssignmentStatus.REJECTED
                    )
                )
            )
        if self.processed:
            condition = processed_condition()
            inputs = inputs.filter(condition if PROCESSED_FILTERS[self.processed] else ~condition)
        if self.q:
            inputs = search(inputs, self.q)
        return inputs

    def querystring(self) -> str:
        params = {
            "q": self.q,
            "kind": self.kind,
            "form": self.form,
            "processed": self.processed,
            "administration": self.administration.pk if self.administration else "",
            "workplace": self.workplace_pk or "",
            "theme": self.theme.pk if self.theme else "",
        }
        return urlencode({k: v for k, v in params.items() if v})


def _with_assignments(inputs):
    return inputs.select_related("workplace__administration").prefetch_related(
        Prefetch(
            "theme_assignments",
            queryset=ThemeAssignment.objects.select_related("theme").order_by(
                "status", "-score", "theme__name"
            ),
        ),
        Prefetch("syntheses", queryset=Synthesis.objects.order_by("title")),
    )


# --- The workspace list ----------------------------------------------------------------------


def workspace(request):
    """Inputs filtered by administration, workplace, kind, form, theme, processed and text."""
    scope = _require_reader(request.user)
    programme = _programme_or_404(request.user)
    administrations = list(followed_administrations(request.user).order_by("name"))
    filters = Filters(request, programme, administrations)
    inputs = filters.apply(Input.objects.for_user(request.user).filter(programme=programme))
    inputs = _with_assignments(inputs.annotate(processed=processed_condition())).order_by(
        "-submitted_on", "-pk"
    )
    page = Paginator(inputs, INPUTS_PER_PAGE).get_page(request.GET.get("side"))
    workplaces = (
        list(filters.administration.workplaces.order_by("name").only("pk", "name"))
        if filters.administration
        else []
    )
    syntheses = (
        list(Synthesis.objects.filter(programme=programme).order_by("title").only("pk", "title"))
        if scope.is_hr
        else []
    )
    return render(
        request,
        "clarification/processing.html",
        {
            "programme": programme,
            "page": page,
            "filters": filters,
            "administrations": administrations,
            "workplaces": workplaces,
            "kinds": InputKind.choices,
            "forms": SuggestedForm.choices,
            "syntheses": syntheses,
            "can_edit": scope.is_hr,
            "can_see_groups": scope.everything,
            "here": request.get_full_path(),
            "active_nav": "processing",
        },
    )


@require_POST
def bulk_confirm(request):
    """Confirm the best suggestion of every input in the filtered list without a theme."""
    _require_hr(request.user)
    programme = _programme_or_404(request.user)
    administrations = list(followed_administrations(request.user))
    request.GET = request.POST  # the filters travel as hidden fields
    filters = Filters(request, programme, administrations)
    inputs = filters.apply(Input.objects.for_user(request.user).filter(programme=programme))
    done, left = processing.bulk_confirm_top(inputs=inputs, by=request.user)
    if done:
        messages.success(request, _("%(n)d forslag er bekræftet som inputtets tema.") % {"n": done})
    else:
        messages.info(request, _("Der var ingen forslag at bekræfte i listen."))
    if left:
        messages.info(
            request,
            _("Der er flere at bekræfte; tryk igen for de næste %(n)d.")
            % {"n": processing.BULK_LIMIT},
        )
    return redirect(f"{reverse('clarification:processing')}?{filters.querystring()}")


# --- One input ---------------------------------------------------------------------------------


def _answering_decisions(user, item) -> list:
    """The decisions the user may see that answer the input, directly or through a group."""
    from ..feedback import answering

    visible = Decision.objects.for_user(user).filter(programme_id=item.programme_id)
    found = answering(visible, [item.pk]).get(item.pk, set())
    return list(visible.filter(pk__in=found).order_by("title"))


def input_detail(request, pk):
    """One input with its suggestions, events, groups and similar inputs."""
    scope = _require_reader(request.user)
    item = get_object_or_404(
        _with_assignments(
            Input.objects.for_user(request.user).annotate(processed=processed_condition())
        ),
        pk=pk,
    )
    theme_pks = [
        a.theme_id for a in item.theme_assignments.all() if a.status != AssignmentStatus.REJECTED
    ]
    candidates = (
        Input.objects.for_user(request.user)
        .filter(
            Exists(
                ThemeAssignment.objects.filter(
                    input=OuterRef("pk"), theme_id__in=theme_pks
                ).exclude(status=AssignmentStatus.REJECTED)
            ),
            programme_id=item.programme_id,
        )
        .exclude(pk=item.pk)
        .select_related("workplace")
        .order_by("-pk")[:SIMILAR_CANDIDATES]
    )
    similar = suggestions.similar(suggestions.input_text(item), list(candidates))
    events = item.processing_events.select_related("actor", "theme", "synthesis")[:50]
    syntheses = (
        list(Synthesis.objects.filter(programme_id=item.programme_id).order_by("title"))
        if scope.is_hr
        else []
    )
    return render(
        request,
        "clarification/processing_input.html",
        {
            "item": item,
            "similar": similar,
            "events": events,
            "syntheses": syntheses,
            "decisions": _answering_decisions(request.user, item),
            "add_theme_form": AddThemeForm(programme=item.programme),
            "can_edit": scope.is_hr,
            "can_see_groups": scope.everything,
            "here": request.get_full_path(),
            "active_nav": "processing",
        },
    )


@require_POST
def decide(request, pk):
    """Confirm or reject one suggestion."""
    _require_hr(request.user)
    assignment = get_object_or_404(
        ThemeAssignment.objects.for_user(request.user).select_related("theme"), pk=pk
    )
    status = {
        "confirm": AssignmentStatus.CONFIRMED,
        "reject": AssignmentStatus.REJECTED,
    }.get(request.POST.get("decision", ""))
    if status is None:
        messages.error(request, _("Vælg bekræft eller afvis."))
    else:
        processing.decide(assignment=assignment, status=status, by=request.user)
        text = (
            _("Temaet „%(theme)s“ er bekræftet.")
            if status == AssignmentStatus.CONFIRMED
            else _("Temaet „%(theme)s“ er afvist.")
        )
        messages.success(request, text % {"theme": assignment.theme.name})
    return _back(
        request, reverse("clarification:processing-input", kwargs={"pk": assignment.input_id})
    )


@require_POST
def add_theme(request, pk):
    """Tie a theme the system did not suggest to the input."""
    _require_hr(request.user)
    item = get_object_or_404(Input.objects.for_user(request.user), pk=pk)
    form = AddThemeForm(request.POST, programme=item.programme)
    if form.is_valid():
        processing.add_theme(item=item, theme=form.cleaned_data["theme"], by=request.user)
        messages.success(
            request, _("Temaet „%(theme)s“ er tilføjet.") % {"theme": form.cleaned_data["theme"]}
        )
    else:
        messages.error(request, _("Vælg et tema fra listen."))
    return redirect("clarification:processing-input", pk=item.pk)


@require_POST
def mark_processed(request, pk):
    """Record that the input has been processed (its text stays as it was)."""
    _require_hr(request.user)
    item = get_object_or_404(Input.objects.for_user(request.user), pk=pk)
    processing.mark_processed(item=item, by=request.user)
    messages.success(request, _("Inputtet er markeret som behandlet."))
    return _back(request, reverse("clarification:processing-input", kwargs={"pk": item.pk}))


@require_POST
def group(request):
    """Put the chosen inputs in a group, existing or new."""
    _require_hr(request.user)
    programme = _programme_or_404(request.user)
    form = GroupForm(request.POST, programme=programme)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, reverse("clarification:processing"))
    synthesis = form.cleaned_data["synthesis"] or processing.save_synthesis(
        programme=programme,
        title=form.cleaned_data["new_title"].strip(),
        summary="",
        by=request.user,
    )
    inputs = Input.objects.for_user(request.user).filter(pk__in=form.cleaned_data["inputs"])
    added = processing.add_to_synthesis(synthesis=synthesis, inputs=inputs, by=request.user)
    messages.success(
        request,
        _("%(n)d input er lagt i syntesen „%(title)s“.") % {"n": added, "title": synthesis.title},
    )
    return redirect(synthesis)


# --- Groups (syntheses) --------------------------------------------------------------------------


def synthesis_list(request):
    """The groups of inputs; HR creates a new one here."""
    scope = _require_group_reader(request.user)
    programme = _programme_or_404(request.user)
    form = SynthesisForm()
    if request.method == "POST":
        _require_hr(request.user)
        form = SynthesisForm(request.POST)
        if form.is_valid():
            synthesis = processing.save_synthesis(
                programme=programme,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                by=request.user,
            )
            messages.success(request, _("Syntesen er oprettet."))
            return redirect(synthesis)
    syntheses = (
        Synthesis.objects.for_user(request.user)
        .filter(programme=programme)
        .annotate(n_inputs=Count("inputs"))
        .order_by("title")
    )
    return render(
        request,
        "clarification/synthesis_list.html",
        {
            "syntheses": syntheses,
            "form": form,
            "can_edit": scope.is_hr,
            "active_nav": "processing",
        },
    )


def synthesis_detail(request, pk):
    """A group: its title, summary and inputs; HR edits them here."""
    scope = _require_group_reader(request.user)
    synthesis = get_object_or_404(Synthesis.objects.for_user(request.user), pk=pk)
    form = SynthesisForm(instance=synthesis)
    if request.method == "POST":
        _require_hr(request.user)
        form = SynthesisForm(request.POST, instance=Synthesis.objects.get(pk=synthesis.pk))
        if form.is_valid():
            processing.save_synthesis(
                programme=synthesis.programme,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                by=request.user,
                synthesis=synthesis,
            )
            messages.success(request, _("Syntesen er gemt."))
            return redirect(synthesis)
    inputs = synthesis.inputs.select_related("workplace__administration").order_by("pk")
    events = synthesis.events.select_related("actor", "input")[:50]
    return render(
        request,
        "clarification/synthesis_detail.html",
        {
            "synthesis": synthesis,
            "inputs": inputs,
            "events": events,
            "form": form,
            "can_edit": scope.is_hr,
            "active_nav": "processing",
        },
    )


@require_POST
def synthesis_remove(request, pk, input_pk):
    """Take one input out of the group; the input itself is not changed."""
    _require_hr(request.user)
    synthesis = get_object_or_404(Synthesis.objects.for_user(request.user), pk=pk)
    item = get_object_or_404(Input.objects.for_user(request.user), pk=input_pk)
    if processing.remove_from_synthesis(synthesis=synthesis, item=item, by=request.user):
        messages.success(request, _("Inputtet er taget ud af syntesen."))
    return redirect(synthesis)


urlpatterns = [
    path("afklaring/bearbejdning/", workspace, name="processing"),
    path("afklaring/bearbejdning/bekraeft-forslag/", bulk_confirm, name="processing-bulk-confirm"),
    path("afklaring/bearbejdning/input/<int:pk>/", input_detail, name="processing-input"),
    path("afklaring/bearbejdning/forslag/<int:pk>/", decide, name="processing-decide"),
    path("afklaring/bearbejdning/input/<int:pk>/tema/", add_theme, name="processing-add-theme"),
    path(
        "afklaring/bearbejdning/input/<int:pk>/behandlet/", mark_processed, name="processing-mark"
    ),
    path("afklaring/bearbejdning/grupper/", group, name="processing-group"),
    path("afklaring/bearbejdning/synteser/", synthesis_list, name="synthesis-list"),
    path("afklaring/bearbejdning/synteser/<int:pk>/", synthesis_detail, name="synthesis-detail"),
    path(
        "afklaring/bearbejdning/synteser/<int:pk>/fjern/<int:input_pk>/",
        synthesis_remove,
        name="synthesis-remove",
    ),
]
