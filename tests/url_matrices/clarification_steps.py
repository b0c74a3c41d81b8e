"""Role × URL rows for the steps and the involvement plan (step 1).

Every role asks about administration A, where step 1 is open and the fagchef, the
leader, the employee and the director work. The plan is a draft; for approve and
return it has been submitted first.
"""

import datetime

from clarification.models import InvolvementPlan, Method, PlanStatus, StepNumber, StepStatus
from clarification.services.steps import ensure_steps, state_for
from tests.url_matrices._rows import LOGIN, Row

DEADLINES = {
    StepNumber.DESIGN: datetime.date(2021, 3, 31),
    StepNumber.EXECUTION: datetime.date(2021, 6, 30),
    StepNumber.PROCESSING: datetime.date(2021, 8, 31),
    StepNumber.DECISION: datetime.date(2021, 10, 31),
}


def only(role_status: dict[str, int], others: int) -> dict[str, int | str]:
    """Anonymous visitors go to the login page; the named roles get their status."""
    roles = ("medarbejder", "leder", "fagchef", "direktion", "hr", "coach")
    return {"anonymous": LOGIN} | {role: role_status.get(role, others) for role in roles}


PUBLIC = {}

MATRIX = {
    # HR opens and closes steps; nobody else may use these pages.
    "clarification:step-open": Row(only({"hr": 200}, 403)),
    "clarification:step-close": Row(only({"hr": 200}, 403)),
    # Read: HR, direktion, the fagchef and the leader of the administration.
    "clarification:plan-detail": Row(
        only({"leder": 200, "fagchef": 200, "direktion": 200, "hr": 200}, 403)
    ),
    # Edit and submit: the administration's own fagchef only.
    "clarification:plan-edit": Row(only({"fagchef": 200}, 403)),
    "clarification:plan-submit": Row(only({"fagchef": 302}, 403), method="post"),
    # Approve or return: HR and direktionen, on behalf of fagchefforum.
    "clarification:plan-approve": Row(
        only({"direktion": 302, "hr": 302}, 403), method="post", data={"approve-comment": "Fint"}
    ),
    "clarification:plan-return": Row(
        only({"direktion": 302, "hr": 302}, 403),
        method="post",
        data={"return-comment": "Tilføj datoer for MED-møderne."},
    ),
}


def prepare(ctx):
    steps = {s.number: s for s in ensure_steps(programme=ctx["programme"], deadlines=DEADLINES)}
    administration = ctx["org"]["admin_a"]
    design = state_for(step=steps[StepNumber.DESIGN], administration=administration)
    design.status = StepStatus.OPEN
    design.save()
    plan, _created = InvolvementPlan.objects.get_or_create(
        programme=ctx["programme"],
        administration=administration,
        defaults={
            "methods": [Method.WORKSHOP.value],
            "starts_on": datetime.date(2021, 4, 1),
            "ends_on": datetime.date(2021, 5, 31),
            "med_involvement": "Forvaltnings-MED drøfter planen.",
        },
    )
    plan.responsible_leaders.set([ctx["org"]["leader_a"]])


def url_kwargs(name, ctx):
    code = ctx["org"]["admin_a"].code
    if name in {"clarification:step-open", "clarification:step-close"}:
        # Step 1 is open (close it); step 2 has not started (open it early).
        return {"number": 1 if name.endswith("close") else 2, "code": code}
    if name in {"clarification:plan-approve", "clarification:plan-return"}:
        InvolvementPlan.objects.filter(administration__code=code).update(
            status=PlanStatus.SUBMITTED
        )
    return {"code": code}
