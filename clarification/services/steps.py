"""The four steps: opening, closing with sign-off, and the gate every write passes."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import Administration, Programme

from ..models import ClarificationStep, StepNumber, StepState, StepStatus


class StepError(Exception):
    """A step-related rule was broken; the message is Danish and meant for the user."""


class StepClosed(StepError):
    """A write needs a step that is not open in the administration."""

    def __init__(self, state: StepState | None, number: int):
        self.state = state
        self.number = number
        if state is not None and state.status == StepStatus.CLOSED:
            message = _("Trin %(number)s er afsluttet for %(administration)s.") % {
                "number": number,
                "administration": state.administration,
            }
        else:
            message = _("Trin %(number)s er ikke åbnet endnu.") % {"number": number}
        super().__init__(message)


@transaction.atomic
def ensure_steps(
    *, programme: Programme, deadlines: dict[int, datetime.date]
) -> list[ClarificationStep]:
    """Create the four steps of a programme (idempotent), with their deadlines."""
    steps = []
    for number in StepNumber:
        step, _created = ClarificationStep.objects.get_or_create(
            programme=programme,
            number=number,
            defaults={"name": number.label, "deadline": deadlines[number]},
        )
        steps.append(step)
    return steps


def state_for(*, step: ClarificationStep, administration: Administration, lock=False) -> StepState:
    """Return the step's state in the administration, creating "not started" if missing."""
    states = StepState.objects.select_for_update() if lock else StepState.objects
    state, _created = states.get_or_create(step=step, administration=administration)
    return state


def require_open(*, programme: Programme, number: int, administration: Administration) -> StepState:
    """Lock and return the step's state; raise StepClosed unless it is open.

    Call inside the transaction of the write it guards: the row lock makes a write and
    a concurrent close agree (the write finishes first, or sees the step closed).
    """
    state = (
        StepState.objects.select_for_update()
        .select_related("step", "administration")
        .filter(step__programme=programme, step__number=number, administration=administration)
        .first()
    )
    if state is None or state.status != StepStatus.OPEN:
        raise StepClosed(state, number)
    return state


@transaction.atomic
def open_step(
    *, step: ClarificationStep, administration: Administration, by, reason: str = ""
) -> StepState:
    """Open a step in an administration: after the previous one closed, or early with a reason."""
    state = state_for(step=step, administration=administration, lock=True)
    if state.status != StepStatus.NOT_STARTED:
        raise StepError(_("Trinnet er allerede åbnet i forvaltningen."))
    reason = reason.strip()
    if step.number > 1:
        previous = state_for(
            step=step.programme.clarification_steps.get(number=step.number - 1),
            administration=administration,
        )
        if previous.status != StepStatus.CLOSED and not reason:
            raise StepError(
                _("Trin %(number)s er ikke afsluttet. Angiv en begrundelse for at åbne før tid.")
                % {"number": step.number - 1}
            )
        if previous.status == StepStatus.CLOSED:
            reason = ""
    state.status = StepStatus.OPEN
    state.opened_at = timezone.now()
    state.opened_by = by
    state.opened_early_reason = reason
    state.save()
    return state


@transaction.atomic
def close_step(
    *, step: ClarificationStep, administration: Administration, by, comment: str = ""
) -> StepState:
    """Close a step with a recorded sign-off; the next step opens in the administration."""
    state = state_for(step=step, administration=administration, lock=True)
    if state.status != StepStatus.OPEN:
        raise StepError(_("Kun et åbent trin kan afsluttes."))
    now = timezone.now()
    state.status = StepStatus.CLOSED
    state.closed_at = now
    state.closed_by = by
    state.sign_off_comment = comment.strip()
    state.save()
    following = step.programme.clarification_steps.filter(number=step.number + 1).first()
    if following is not None:
        next_state = state_for(step=following, administration=administration, lock=True)
        if next_state.status == StepStatus.NOT_STARTED:
            next_state.status = StepStatus.OPEN
            next_state.opened_at = now
            next_state.opened_by = by
            next_state.save()
    return state


@transaction.atomic
def move_deadline(*, step: ClarificationStep, deadline: datetime.date, by) -> ClarificationStep:
    """Move a step's deadline; reminders not yet sent follow the new date."""
    step = ClarificationStep.objects.select_for_update().get(pk=step.pk)
    step.deadline = deadline
    step._change_reason = _("Frist flyttet")
    step.save(update_fields=["deadline"])
    return step
