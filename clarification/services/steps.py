"""The four steps: opening, closing with sign-off, and the gate every write passes.

Lock order: whenever two step states of one administration are locked in a transaction,
the lower step is locked first (`open_step` locks the previous step before its own,
`close_step` its own before the next), so an early open and a close never deadlock.
"""

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
    # Lock only the state row (`of`): locking the joined step row too would make every
    # write in every administration wait for each other. No ordering: `first()` would
    # join for the Meta ordering.
    state = next(
        iter(
            StepState.objects.select_for_update(of=("self",))
            .select_related("step", "administration")
            .filter(step__programme=programme, step__number=number, administration=administration)
            .order_by()[:1]
        ),
        None,
    )
    if state is None or state.status != StepStatus.OPEN:
        raise StepClosed(state, number)
    return state


def previous_is_closed(*, step: ClarificationStep, administration: Administration) -> bool:
    """Whether the step before this one is closed in the administration (step 1: always)."""
    if step.number == StepNumber.DESIGN:
        return True
    return StepState.objects.filter(
        step__programme_id=step.programme_id,
        step__number=step.number - 1,
        administration=administration,
        status=StepStatus.CLOSED,
    ).exists()


def _save_state(state: StepState, *, by, reason: str) -> None:
    # The history row names the user even outside a request (a task, the shell, a test).
    state._history_user = by
    state._change_reason = reason
    state.save()


@transaction.atomic
def open_step(
    *, step: ClarificationStep, administration: Administration, by, reason: str = ""
) -> StepState:
    """Open a step in an administration: after the previous one closed, or early with a reason."""
    previous = None
    if step.number > StepNumber.DESIGN:
        previous_step = ClarificationStep.objects.get(
            programme_id=step.programme_id, number=step.number - 1
        )
        previous = state_for(step=previous_step, administration=administration, lock=True)
    state = state_for(step=step, administration=administration, lock=True)
    values = {"number": step.number, "administration": administration}
    if state.status == StepStatus.OPEN:
        raise StepError(_("Trin %(number)s er allerede åbent for %(administration)s.") % values)
    if state.status == StepStatus.CLOSED:
        raise StepError(
            _("Trin %(number)s er afsluttet for %(administration)s og kan ikke åbnes igen.")
            % values
        )
    reason = reason.strip()
    early = previous is not None and previous.status != StepStatus.CLOSED
    if early and not reason:
        raise StepError(
            _("Trin %(number)s er ikke afsluttet. Angiv en begrundelse for at åbne før tid.")
            % {"number": step.number - 1}
        )
    state.status = StepStatus.OPEN
    state.opened_at = timezone.now()
    state.opened_by = by
    state.opened_early_reason = reason if early else ""
    _save_state(state, by=by, reason=_("Åbnet før tid") if early else _("Åbnet"))
    return state


@transaction.atomic
def close_step(
    *, step: ClarificationStep, administration: Administration, by, comment: str = ""
) -> StepState:
    """Close a step with a recorded sign-off; the next step opens in the administration.

    Raises StepClosed when the step is not open (not started yet, or already closed).
    """
    state = state_for(step=step, administration=administration, lock=True)
    if state.status != StepStatus.OPEN:
        state.administration = administration
        raise StepClosed(state, step.number)
    now = timezone.now()
    state.status = StepStatus.CLOSED
    state.closed_at = now
    state.closed_by = by
    state.sign_off_comment = comment.strip()
    _save_state(state, by=by, reason=_("Afsluttet"))
    following = ClarificationStep.objects.filter(
        programme_id=step.programme_id, number=step.number + 1
    ).first()
    if following is not None:
        next_state = state_for(step=following, administration=administration, lock=True)
        if next_state.status == StepStatus.NOT_STARTED:
            next_state.status = StepStatus.OPEN
            next_state.opened_at = now
            next_state.opened_by = by
            next_state.opened_early_reason = ""
            _save_state(
                next_state,
                by=by,
                reason=_("Åbnet, da trin %(number)s blev afsluttet") % {"number": step.number},
            )
    return state


@transaction.atomic
def move_deadline(*, step: ClarificationStep, deadline: datetime.date, by) -> ClarificationStep:
    """Move a step's deadline, recording who moved it from which date.

    Reminders are timed from the deadline stored here, so those not yet sent follow
    the new date.
    """
    step = ClarificationStep.objects.select_for_update().get(pk=step.pk)
    if step.deadline == deadline:
        return step
    old = step.deadline
    step.deadline = deadline
    step._history_user = by
    # ISO dates: the reason is stored once, in whatever language is active.
    step._change_reason = _("Frist flyttet fra %(old)s til %(new)s") % {
        "old": old.isoformat(),
        "new": deadline.isoformat(),
    }
    step.save(update_fields=["deadline"])
    return step
