"""Step 4's pages: HR drafts decisions, direktionen takes and publishes them.

Every decision is fetched through Decision.objects.for_user(), so a decision the user
may not see answers 404. Drafting is HR's; adopting, rejecting, deferring and publishing
are direktionen's (403 for everyone else, HR included).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme.access import scope_for
from programme.models import Programme

from ..forms.decisions import DecideForm, DecisionForm, PublishForm
from ..models import Decision, DecisionEvent, DecisionState, Input
from ..services import decisions as service


def _programme(request) -> Programme:
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise PermissionDenied
    return programme


def _require_participant(user) -> None:
    """Decisions are read by HR, direktion, fagchefer, leaders and staff; not by coaches."""
    scope = scope_for(user)
    if scope.person_id is None and not scope.everything:
        raise PermissionDenied


def decision_list(request):
    """HR and direktion: every decision by state; others: the published ones that concern them."""
    _require_participant(request.user)
    programme = _programme(request)
    decisions = (
        Decision.objects.for_user(request.user)
        .filter(programme=programme)
        .select_related("owner", "meeting")
        .prefetch_related("themes")
        .order_by("state", "-created_at")
    )
    groups = []
    for value, label in DecisionState.choices:
        found = [d for d in decisions if d.state == value]
        if found:
            groups.append((label, found))
    return render(
        request,
        "clarification/decisions/list.html",
        {
            "groups": groups,
            "may_draft": service.may_draft(request.user),
            "active_nav": "decisions",
        },
    )


def _decision(request, pk) -> Decision:
    return get_object_or_404(
        Decision.objects.for_user(request.user).select_related("owner", "meeting", "programme"),
        pk=pk,
    )


def decision_detail(request, pk, *, decide_form=None, publish_form=None):
    _require_participant(request.user)
    decision = _decision(request, pk)
    inputs = (
        Input.objects.for_user(request.user)
        .filter(decisions=decision)
        .select_related("workplace__administration")
        .order_by("workplace__name", "pk")
    )
    may_decide = service.may_decide(request.user)
    context = {
        "decision": decision,
        "inputs": inputs,
        "themes": decision.themes.all(),
        "syntheses": decision.syntheses.prefetch_related(
            Prefetch("inputs", queryset=Input.objects.for_user(request.user).only("pk", "title"))
        ),
        "administrations": decision.administrations.all(),
        "workplaces": decision.workplaces.all(),
        "events": DecisionEvent.objects.filter(decision=decision)
        .select_related("actor", "meeting")
        .order_by("at", "pk"),
        "may_draft": service.may_draft(request.user),
        "may_decide": may_decide,
        "decide_form": decide_form or DecideForm(),
        "publish_form": publish_form or PublishForm(),
        "active_nav": "decisions",
    }
    return render(request, "clarification/decisions/detail.html", context)


def decision_form(request, pk=None):
    """HR drafts a decision (or edits a draft): what it answers and whom it concerns."""
    if not service.may_draft(request.user):
        raise PermissionDenied
    programme = _programme(request)
    decision = _decision(request, pk) if pk is not None else None
    if decision is not None and decision.state not in (
        DecisionState.DRAFT,
        DecisionState.DEFERRED,
    ):
        messages.error(request, _("Kun kladder og udsatte beslutninger kan ændres."))
        return redirect("clarification:decision", pk=decision.pk)
    form = DecisionForm(
        request.POST or None,
        instance=decision,
        programme=programme,
        user_inputs=Input.objects.for_user(request.user),
    )
    if request.method == "POST" and form.is_valid():
        created = form.save(commit=False)
        if decision is None:
            created.programme = programme
            created.created_by = request.user
        created.save()
        form.save_m2m()
        form.save(commit=True)
        messages.success(request, _("Beslutningsforslaget er gemt som kladde."))
        return redirect("clarification:decision", pk=created.pk)
    return render(
        request,
        "clarification/decisions/form.html",
        {"form": form, "decision": decision, "active_nav": "decisions"},
    )


@require_POST
def decision_propose(request, pk):
    if not service.may_draft(request.user):
        raise PermissionDenied
    decision = _decision(request, pk)
    try:
        service.propose(decision=decision, by=request.user)
    except service.DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Beslutningen er indstillet til direktionen."))
    return redirect("clarification:decision", pk=decision.pk)


@require_POST
def decision_decide(request, pk):
    if not service.may_decide(request.user):
        raise PermissionDenied
    decision = _decision(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return decision_detail(request, pk, decide_form=form)
    try:
        service.decide(
            decision=decision,
            to_state=form.cleaned_data["state"],
            held_on=form.cleaned_data["held_on"],
            by=request.user,
            comment=form.cleaned_data["comment"],
        )
    except service.DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Direktionens beslutning er registreret."))
    return redirect("clarification:decision", pk=decision.pk)


@require_POST
def decision_publish(request, pk):
    if not service.may_decide(request.user):
        raise PermissionDenied
    decision = _decision(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return decision_detail(request, pk, publish_form=form)
    try:
        service.publish(
            programme=decision.programme,
            decisions=[decision],
            by=request.user,
            message=form.cleaned_data["message"],
        )
    except service.DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Beslutningen er offentliggjort. Lederne af de arbejdspladser, hvis input den "
                "svarer på, får en e-mail med et link til «I sagde — vi gør»."
            ),
        )
    return redirect("clarification:decision", pk=decision.pk)


urlpatterns = [
    path("afklaring/beslutninger/", decision_list, name="decisions"),
    path("afklaring/beslutninger/ny/", decision_form, name="decision-create"),
    path("afklaring/beslutninger/<int:pk>/", decision_detail, name="decision"),
    path("afklaring/beslutninger/<int:pk>/ret/", decision_form, name="decision-edit"),
    path("afklaring/beslutninger/<int:pk>/indstil/", decision_propose, name="decision-propose"),
    path("afklaring/beslutninger/<int:pk>/beslut/", decision_decide, name="decision-decide"),
    path(
        "afklaring/beslutninger/<int:pk>/offentliggoer/", decision_publish, name="decision-publish"
    ),
]
