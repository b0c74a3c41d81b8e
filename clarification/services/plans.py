"""Step 1: the fagchef's involvement plan, its submission, and approval or return.

Every write takes the step-1 gate first (`require_open`, a row lock on the step's state
in the administration). That lock also serialises all writes of one administration's
plan, so two first saves cannot both create the plan.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import Administration, Person, Programme, Role, Workplace

from ..models import InvolvementPlan, Method, PlanStatus, StepNumber
from .steps import require_open


class PlanError(Exception):
    """A rule of the involvement plan was broken; the message is Danish and for the user."""


class PlanIncomplete(PlanError):
    """The plan lacks parts it needs before it can be submitted."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            _("Planen mangler: %(missing)s.") % {"missing": ", ".join(str(m) for m in missing)}
        )


@dataclass(frozen=True)
class PlanData:
    """What the fagchef fills in; never status, administration or sign-off."""

    methods: Sequence[str] = ()
    method_other: str = ""
    all_workplaces: bool = True
    workplaces: Sequence[Workplace] = ()
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    responsible_leaders: Sequence[Person] = ()
    med_involvement: str = ""
    description: str = ""


def missing_parts(plan: InvolvementPlan) -> list[str]:
    """Return what the plan still lacks before it can be submitted, in Danish.

    Reads the m2m fields through `.all()`, so a view that prefetched them asks nothing.
    """
    missing = []
    if not plan.methods:
        missing.append(_("metoder"))
    elif Method.OTHER in plan.methods and not plan.method_other:
        missing.append(_("beskrivelse af den anden metode"))
    if not plan.all_workplaces and not plan.workplaces.all():
        missing.append(_("deltagende arbejdspladser"))
    if plan.starts_on is None or plan.ends_on is None:
        missing.append(_("datoer (fra og til)"))
    if not plan.responsible_leaders.all():
        missing.append(_("ansvarlige ledere"))
    if not plan.med_involvement.strip():
        missing.append(_("hvordan MED inddrages"))
    return missing


def _check(data: PlanData, administration: Administration) -> None:
    """Reject data a form should already have rejected: the service owns the rules."""
    if set(data.methods) - set(Method.values):
        raise PlanError(_("Ukendt metode."))
    if Method.OTHER in data.methods and not data.method_other.strip():
        raise PlanError(_("Beskriv den anden metode."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise PlanError(_("Slutdatoen kan ikke ligge før startdatoen."))
    workplace_ids = {w.pk for w in data.workplaces}
    if workplace_ids and Workplace.objects.filter(
        pk__in=workplace_ids, administration=administration, is_active=True
    ).count() != len(workplace_ids):
        raise PlanError(_("Vælg kun aktive arbejdspladser i forvaltningen."))
    leader_ids = {p.pk for p in data.responsible_leaders}
    if leader_ids and Person.objects.filter(
        pk__in=leader_ids,
        is_active=True,
        role=Role.LEADER,
        workplace__administration=administration,
    ).count() != len(leader_ids):
        raise PlanError(_("Vælg kun aktive ledere i forvaltningen."))


def _save_with_history(plan: InvolvementPlan, *, by, reason: str) -> None:
    plan._history_user = by
    plan._change_reason = reason
    plan.save()


def _locked_plan(plan: InvolvementPlan) -> InvolvementPlan:
    return (
        InvolvementPlan.objects.select_for_update(of=("self",))
        .select_related("programme", "administration")
        .get(pk=plan.pk)
    )


@transaction.atomic
def save_plan(
    *, programme: Programme, administration: Administration, data: PlanData, by
) -> InvolvementPlan:
    """Save the administration's plan as a draft, creating it on the first save."""
    require_open(programme=programme, number=StepNumber.DESIGN, administration=administration)
    plan = (
        InvolvementPlan.objects.select_for_update()
        .filter(programme=programme, administration=administration)
        .first()
    ) or InvolvementPlan(programme=programme, administration=administration)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError(_("Planen er indsendt og kan ikke ændres."))
    _check(data, administration)
    methods = set(data.methods)
    plan.methods = [value for value in Method.values if value in methods]
    plan.method_other = data.method_other.strip() if Method.OTHER in methods else ""
    plan.all_workplaces = data.all_workplaces
    plan.starts_on = data.starts_on
    plan.ends_on = data.ends_on
    plan.med_involvement = data.med_involvement.strip()
    plan.description = data.description.strip()
    # One history row per save, holding the m2m fields as saved: without the flag the
    # first save() and each m2m set() would each write a row of their own.
    plan.skip_history_when_saving = True
    try:
        plan.save()
        plan.workplaces.set([] if data.all_workplaces else list(data.workplaces))
        plan.responsible_leaders.set(list(data.responsible_leaders))
    finally:
        del plan.skip_history_when_saving
    _save_with_history(plan, by=by, reason=_("Gemt"))
    return plan


@transaction.atomic
def submit_plan(*, plan: InvolvementPlan, by) -> InvolvementPlan:
    """Submit a complete draft for approval by fagchefforum."""
    require_open(
        programme=plan.programme, number=StepNumber.DESIGN, administration=plan.administration
    )
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError(_("Planen er allerede indsendt."))
    if missing := missing_parts(plan):
        raise PlanIncomplete(missing)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = by
    _save_with_history(plan, by=by, reason=_("Indsendt"))
    return plan


@transaction.atomic
def approve_plan(*, plan: InvolvementPlan, by, comment: str = "") -> InvolvementPlan:
    """Approve a submitted plan on behalf of fagchefforum, recording who, when and why."""
    require_open(
        programme=plan.programme, number=StepNumber.DESIGN, administration=plan.administration
    )
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanError(_("Kun en indsendt plan kan godkendes."))
    plan.status = PlanStatus.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = by
    plan.approval_comment = comment.strip()
    _save_with_history(plan, by=by, reason=_("Godkendt"))
    return plan


@transaction.atomic
def return_plan(*, plan: InvolvementPlan, by, comment: str) -> InvolvementPlan:
    """Send a submitted plan back to the fagchef as a draft, with the reason why.

    The comment is kept in `approval_comment` (the comment of the latest review); the
    history keeps every earlier one, with who and when.
    """
    comment = comment.strip()
    if not comment:
        raise PlanError(_("Skriv, hvad der skal rettes, før planen sendes tilbage."))
    require_open(
        programme=plan.programme, number=StepNumber.DESIGN, administration=plan.administration
    )
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanError(_("Kun en indsendt plan kan sendes tilbage."))
    plan.status = PlanStatus.DRAFT
    plan.submitted_at = None
    plan.submitted_by = None
    plan.approval_comment = comment
    _save_with_history(plan, by=by, reason=_("Sendt tilbage"))
    return plan
