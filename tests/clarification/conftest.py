import datetime

import pytest

from clarification.models import StepNumber, StepStatus
from clarification.services.steps import ensure_steps, state_for

DEADLINES = {
    StepNumber.DESIGN: datetime.date(2021, 3, 31),
    StepNumber.EXECUTION: datetime.date(2021, 6, 30),
    StepNumber.PROCESSING: datetime.date(2021, 8, 31),
    StepNumber.DECISION: datetime.date(2021, 10, 31),
}


@pytest.fixture
def steps(programme, org):
    """The four steps; step 1 closed and step 2 open in both of `org`'s administrations."""
    created = {step.number: step for step in ensure_steps(programme=programme, deadlines=DEADLINES)}
    for administration in (org["admin_a"], org["admin_b"]):
        design = state_for(step=created[1], administration=administration)
        design.status = StepStatus.CLOSED
        design.closed_at = datetime.datetime(2021, 4, 1, 12, tzinfo=datetime.UTC)
        design.save()
        execution = state_for(step=created[2], administration=administration)
        execution.status = StepStatus.OPEN
        execution.save()
    return created
