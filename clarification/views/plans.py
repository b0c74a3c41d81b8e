"""Pages of the clarification phase: the involvement plan of step 1, per administration.

HR and direktionen read every plan and approve or return submitted ones (on behalf of
fagchefforum); the fagchef edits and submits their own administration's plan; a leader
reads their own administration's plan. Staff and coaches have no part here (403).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from programme.access import RoleGroup, Scope, scope_for
from programme.models import Administration, Person, Programme, Role, Workplace

from ..forms.plans import PlanApproveForm, PlanForm, PlanReturnForm
from ..models import InvolvementPlan, Method, PlanStatus, StepNumber, StepState, StepStatus
from ..services.plans import (
    PlanError,
    approve_plan,
    missing_parts,
    return_plan,
    save_plan,
    submit_plan,
)
from ..services.steps import StepClosed
from . import step_closed_response

HISTORY_ROWS = 50

# The event a history row records, told by the status before and after it.
EVENTS = {
    (None, PlanStatus.DRAFT): ("created", gettext_lazy("Oprettet som kladde")),
    (PlanStatus.DRAFT, PlanStatus.SUBMITTED): ("submitted", gettext_lazy("Indsendt")),
    (PlanStatus.SUBMITTED, PlanStatus.APPROVED): (
        "approved",
        gettext_lazy("Godkendt på vegne af fagchefforum"),
    ),
    (PlanStatus.SUBMITTED, PlanStatus.DRAFT): (
        "returned",
        gettext_lazy("Sendt tilbage til fagchefen"),
    ),
}
CHANGED = ("changed", gettext_lazy("Ændret"))


@dataclass
class PlanPage:
    """What every plan page needs: who asks, about which administration, in which state."""

    user: object
    scope: Scope
    programme: Programme
    administration: Administration
    plan: InvolvementPlan | None
    state: StepState | None

    @property
    def step_open(self) -> bool:
        return self.state is not None and self.state.status == StepStatus.OPEN

    @property
    def is_own_fagchef(self) -> bool:
        return (
            self.scope.has(RoleGroup.HEAD_OF_DEPARTMENT)
            and self.administration.pk in self.scope.administration_ids
        )

    @property
    def is_reviewer(self) -> bool:
        return self.scope.is_hr or self.scope.is_direction

    @property
    def is_draft(self) -> bool:
        return self.plan is None or self.plan.status == PlanStatus.DRAFT

    @property
    def may_edit(self) -> bool:
        return self.is_own_fagchef and self.step_open and self.is_draft

    @property
    def is_submitted(self) -> bool:
        return self.plan is not None and self.plan.status == PlanStatus.SUBMITTED

    @property
    def may_review(self) -> bool:
        return self.is_reviewer and self.step_open and self.is_submitted

    @property
    def detail_url(self) -> str:
        return reverse("clarification:plan-detail", kwargs={"code": self.administration.code})


def _may_read(scope: Scope) -> bool:
    return scope.everything or bool(scope.administration_ids or scope.led_workplace_ids)


def _plan_page(request, code: str, *, prefetch: bool = False) -> PlanPage:
    """Fetch the administration and its plan as the user may see them (403/404 otherwise)."""
    scope = scope_for(request.user)
    if not _may_read(scope):
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    administration = get_object_or_404(Administration.objects.for_user(request.user), code=code)
    plans = InvolvementPlan.objects.for_user(request.user).select_related(
        "submitted_by__person", "approved_by__person"
    )
    if prefetch:
        plans = plans.prefetch_related(
            Prefetch("workplaces", queryset=Workplace.objects.order_by("name")),
            Prefetch(
                "responsible_leaders",
                queryset=Person.objects.select_related("workplace").order_by("name"),
            ),
        )
    plan = plans.filter(programme=programme, administration=administration).first()
    if (
        plan is None
        and InvolvementPlan.objects.filter(
            programme=programme, administration=administration
        ).exists()
    ):
        raise Http404  # a plan this user may not read (a leader's own, unled workplace)
    state = (
        StepState.objects.for_user(request.user)
        .filter(step__programme=programme, step__number=StepNumber.DESIGN)
        .filter(administration=administration)
        .select_related("step")
        .first()
    )
    return PlanPage(request.user, scope, programme, administration, plan, state)


def _who(user) -> str:
    if user is None:
        return "–"
    person = getattr(user, "person", None)
    return person.name if person else (user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class PlanEvent:
    when: object
    who: str
    kind: str
    what: str
    status: str
    comment: str


def plan_history(plan: InvolvementPlan | None) -> list[PlanEvent]:
    """Return the plan's history, newest first, told as events (who, when, what)."""
    if plan is None:
        return []
    rows = list(
        plan.history.select_related("history_user__person").order_by(
            "-history_date", "-history_id"
        )[: HISTORY_ROWS + 1]
    )
    events = []
    for row, older in zip(rows[:HISTORY_ROWS], [*rows[1:], None], strict=False):
        if older is None and len(rows) > HISTORY_ROWS:
            kind, what = CHANGED  # the row before it is beyond the page
        else:
            kind, what = EVENTS.get((older.status if older else None, row.status), CHANGED)
        events.append(
            PlanEvent(
                when=row.history_date,
                who=_who(row.history_user),
                kind=kind,
                what=str(what),
                status=row.get_status_display(),
                comment=row.approval_comment if kind in {"approved", "returned"} else "",
            )
        )
    return events


def _detail_context(page: PlanPage, **forms) -> dict:
    plan = page.plan
    history = plan_history(plan)
    last_review = next((e for e in history if e.kind in {"approved", "returned"}), None)
    context = {
        "page": page,
        "plan": plan,
        "administration": page.administration,
        "state": page.state,
        "history": history,
        "methods": _method_labels(plan) if plan else [],
        "missing": missing_parts(plan) if plan and page.may_edit else [],
        # The fagchef sees why the plan came back while it is a draft again.
        "returned": last_review
        if plan
        and plan.status == PlanStatus.DRAFT
        and last_review
        and last_review.kind == "returned"
        else None,
        "approve_form": forms.get("approve_form") or PlanApproveForm(prefix="approve"),
        "return_form": forms.get("return_form") or PlanReturnForm(prefix="return"),
        "active_nav": "clarification",
    }
    if plan and plan.all_workplaces:
        context["workplace_count"] = (
            Workplace.objects.for_user(page.user)
            .active()
            .filter(administration=page.administration)
            .count()
        )
    return context


def _method_labels(plan: InvolvementPlan) -> list[str]:
    labels = []
    for value in plan.methods:
        if value == Method.OTHER and plan.method_other:
            labels.append(_("Andet: %(method)s") % {"method": plan.method_other})
        elif value in Method.values:
            labels.append(str(Method(value).label))
    return labels


@require_safe
def plan_detail(request, code):
    """The administration's involvement plan, its status and its history."""
    page = _plan_page(request, code, prefetch=True)
    return render(request, "clarification/plan_detail.html", _detail_context(page))


@require_http_methods(["GET", "POST"])
def plan_edit(request, code):
    """The fagchef fills in their administration's plan while step 1 is open."""
    page = _plan_page(request, code, prefetch=True)
    if not page.is_own_fagchef:
        raise PermissionDenied
    if not page.step_open:
        return step_closed_response(
            request, StepClosed(page.state, StepNumber.DESIGN), back_url=page.detail_url
        )
    if not page.is_draft:
        messages.info(request, _("Planen er indsendt og kan ikke ændres."))
        return redirect(page.detail_url)
    form = PlanForm(
        request.POST or None,
        plan=page.plan,
        workplaces=Workplace.objects.for_user(request.user)
        .active()
        .filter(administration=page.administration)
        .select_related("parent")
        .order_by("name"),
        leaders=Person.objects.for_user(request.user)
        .active()
        .filter(role=Role.LEADER, workplace__administration=page.administration)
        .select_related("workplace")
        .order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_plan(
                programme=page.programme,
                administration=page.administration,
                data=form.plan_data(),
                by=request.user,
            )
        except StepClosed as error:
            return step_closed_response(request, error, back_url=page.detail_url)
        except PlanError as error:
            messages.error(request, str(error))
            return redirect(page.detail_url)
        messages.success(request, _("Planen er gemt som kladde."))
        return redirect(page.detail_url)
    return render(
        request,
        "clarification/plan_edit.html",
        {
            "page": page,
            "form": form,
            "administration": page.administration,
            "active_nav": "clarification",
        },
    )


def _plan_or_404(page: PlanPage) -> InvolvementPlan:
    if page.plan is None:
        raise Http404
    return page.plan


@require_POST
def plan_submit(request, code):
    """The fagchef submits the draft for approval."""
    page = _plan_page(request, code)
    if not page.is_own_fagchef:
        raise PermissionDenied
    plan = _plan_or_404(page)
    try:
        submit_plan(plan=plan, by=request.user)
    except StepClosed as error:
        return step_closed_response(request, error, back_url=page.detail_url)
    except PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Planen er indsendt. Den godkendes på vegne af fagchefforum."))
    return redirect(page.detail_url)


def _review(request, code, *, form_class, prefix, service, success):
    page = _plan_page(request, code, prefetch=True)
    if not page.is_reviewer:
        raise PermissionDenied
    plan = _plan_or_404(page)
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        context = _detail_context(page, **{f"{prefix}_form": form})
        return render(request, "clarification/plan_detail.html", context)
    try:
        service(plan=plan, by=request.user, comment=form.cleaned_data["comment"])
    except StepClosed as error:
        return step_closed_response(request, error, back_url=page.detail_url)
    except PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"administration": page.administration})
    return redirect(page.detail_url)


@require_POST
def plan_approve(request, code):
    """HR or direktionen approve a submitted plan on behalf of fagchefforum."""
    return _review(
        request,
        code,
        form_class=PlanApproveForm,
        prefix="approve",
        service=approve_plan,
        success=_("Inddragelsesplanen for %(administration)s er godkendt."),
    )


@require_POST
def plan_return(request, code):
    """HR or direktionen send a submitted plan back to the fagchef with a comment."""
    return _review(
        request,
        code,
        form_class=PlanReturnForm,
        prefix="return",
        service=return_plan,
        success=_("Inddragelsesplanen for %(administration)s er sendt tilbage til fagchefen."),
    )


urlpatterns = [
    path("afklaring/inddragelsesplan/<str:code>/", plan_detail, name="plan-detail"),
    path("afklaring/inddragelsesplan/<str:code>/rediger/", plan_edit, name="plan-edit"),
    path("afklaring/inddragelsesplan/<str:code>/indsend/", plan_submit, name="plan-submit"),
    path("afklaring/inddragelsesplan/<str:code>/godkend/", plan_approve, name="plan-approve"),
    path("afklaring/inddragelsesplan/<str:code>/send-tilbage/", plan_return, name="plan-return"),
]
