"""Pages of the clarification phase: HR opens and closes a step in an administration."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programme.access import scope_for
from programme.models import Administration, Programme

from ..forms.steps import StepCloseForm, StepOpenForm
from ..models import (
    ClarificationStep,
    InvolvementPlan,
    PlanStatus,
    StepNumber,
    StepState,
    StepStatus,
)
from ..services.steps import StepError, close_step, open_step, previous_is_closed

# What opening a step lets people do, shown before HR confirms.
OPENS_FOR = {
    StepNumber.DESIGN: gettext_lazy(
        "Fagchefen kan udfylde og indsende forvaltningens inddragelsesplan."
    ),
    StepNumber.EXECUTION: gettext_lazy(
        "Lederne kan registrere afklaringsaktiviteter og indsende input, og medarbejderne "
        "kan give anonymt input via arbejdspladsens link."
    ),
    StepNumber.PROCESSING: gettext_lazy(
        "Personale & Udvikling kan bearbejde og tematisere forvaltningens input."
    ),
    StepNumber.DECISION: gettext_lazy(
        "Direktionen kan træffe beslutninger på baggrund af det bearbejdede input."
    ),
}
HISTORY_ROWS = 20


@dataclass
class StepPage:
    step: ClarificationStep
    administration: Administration
    state: StepState
    back_url: str


def _back_url(request, administration: Administration) -> str:
    """Return where to go after the page: a safe `next`, else the step overview."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    try:
        return reverse("clarification:overview")
    except NoReverseMatch:  # until the overview page exists
        return reverse("clarification:plan-detail", kwargs={"code": administration.code})


def _step_page(request, number: int, code: str) -> StepPage:
    """Fetch the step and administration for HR; 403 for other roles, 404 when unknown."""
    if not scope_for(request.user).is_hr:
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    step = get_object_or_404(ClarificationStep.objects.filter(programme=programme), number=number)
    administration = get_object_or_404(Administration.objects.for_user(request.user), code=code)
    state = (
        StepState.objects.for_user(request.user)
        .select_related("opened_by__person", "closed_by__person")
        .filter(step=step, administration=administration)
        .first()
    ) or StepState(step=step, administration=administration)
    return StepPage(step, administration, state, _back_url(request, administration))


def _history(state: StepState) -> list:
    if state.pk is None:
        return []
    return list(
        state.history.select_related("history_user__person").order_by(
            "-history_date", "-history_id"
        )[:HISTORY_ROWS]
    )


def _render(request, template: str, page: StepPage, form, **extra):
    return render(
        request,
        template,
        {
            "step": page.step,
            "administration": page.administration,
            "state": page.state,
            "back_url": page.back_url,
            "form": form,
            "opens_for": OPENS_FOR[page.step.number],
            "history": _history(page.state),
            **extra,
        },
    )


@require_http_methods(["GET", "POST"])
def step_open(request, number, code):
    """Confirm and open a step in an administration (early only with a reason)."""
    page = _step_page(request, number, code)
    early = not previous_is_closed(step=page.step, administration=page.administration)
    if page.state.status != StepStatus.NOT_STARTED:
        if request.method == "POST":
            messages.error(request, _("Trinnet kan kun åbnes, når det ikke er startet."))
            return redirect(request.get_full_path())
        return _render(request, "clarification/step_open.html", page, form=None, early=early)
    form = StepOpenForm(request.POST or None, early=early)
    if request.method == "POST" and form.is_valid():
        try:
            open_step(
                step=page.step,
                administration=page.administration,
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except StepError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Trin %(number)s er åbnet for %(administration)s.")
                % {"number": page.step.number, "administration": page.administration},
            )
            return redirect(page.back_url)
    return _render(request, "clarification/step_open.html", page, form=form, early=early)


@require_http_methods(["GET", "POST"])
def step_close(request, number, code):
    """Confirm and close a step with a sign-off; the next step opens."""
    page = _step_page(request, number, code)
    following = (
        StepState.objects.filter(
            step__programme_id=page.step.programme_id,
            step__number=page.step.number + 1,
            administration=page.administration,
        )
        .values_list("status", flat=True)
        .first()
    )
    extra = {
        "has_next": page.step.number < StepNumber.DECISION,
        "next_number": page.step.number + 1,
        "next_not_started": following in (None, StepStatus.NOT_STARTED),
        "next_opens_for": OPENS_FOR.get(page.step.number + 1, ""),
        "plan": _plan_of(page) if page.step.number == StepNumber.DESIGN else None,
    }
    extra["plan_approved"] = extra["plan"] is not None and extra["plan"].status == (
        PlanStatus.APPROVED
    )
    if page.state.status != StepStatus.OPEN:
        if request.method == "POST":
            messages.error(request, _("Kun et åbent trin kan afsluttes."))
            return redirect(request.get_full_path())
        return _render(request, "clarification/step_close.html", page, form=None, **extra)
    form = StepCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            close_step(
                step=page.step,
                administration=page.administration,
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except StepError as error:
            form.add_error(None, str(error))
        else:
            values = {
                "number": page.step.number,
                "administration": page.administration,
                "next": page.step.number + 1,
            }
            if extra["has_next"] and extra["next_not_started"]:
                message = _(
                    "Trin %(number)s er afsluttet for %(administration)s, "
                    "og trin %(next)s er åbnet."
                )
            else:
                message = _("Trin %(number)s er afsluttet for %(administration)s.")
            messages.success(request, message % values)
            return redirect(page.back_url)
    return _render(request, "clarification/step_close.html", page, form=form, **extra)


def _plan_of(page: StepPage) -> InvolvementPlan | None:
    return InvolvementPlan.objects.filter(
        programme_id=page.step.programme_id, administration=page.administration
    ).first()


urlpatterns = [
    path("afklaring/trin/<int:number>/<str:code>/aabn/", step_open, name="step-open"),
    path("afklaring/trin/<int:number>/<str:code>/afslut/", step_close, name="step-close"),
]
