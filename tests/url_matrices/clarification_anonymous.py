"""Anonymous input: the public form and thank-you page, the poster and rotating the link.

Each role asks for its own workplace (tests/test_url_matrix.py's role_context): the
employee's own unit answers 403 (seen, not theirs to print), the coach's 404 (not seen).
"""

import datetime

from clarification.models import StepNumber, StepStatus
from clarification.services.anonymous import get_or_create_link
from clarification.services.steps import ensure_steps, state_for
from tests.url_matrices._rows import LOGIN, Row

PUBLIC = {
    "clarification:anonymous-input": Row({"anonymous": 200}),
    "clarification:anonymous-thanks": Row({"anonymous": 200}),
}

MATRIX = {
    # The leader and HR print it; direktionen and the administration's fagchef may too.
    "clarification:poster": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 200,
            "fagchef": 200,
            "direktion": 200,
            "hr": 200,
            "coach": 404,
        }
    ),
    # Only the workplace's leader and HR rotate the link (product policy).
    "clarification:rotate-link": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 302,
            "fagchef": 403,
            "direktion": 403,
            "hr": 302,
            "coach": 404,
        },
        method="post",
    ),
}

DEADLINES = {
    StepNumber.DESIGN: datetime.date(2021, 3, 31),
    StepNumber.EXECUTION: datetime.date(2021, 6, 30),
    StepNumber.PROCESSING: datetime.date(2021, 8, 31),
    StepNumber.DECISION: datetime.date(2021, 10, 31),
}


def prepare(ctx):
    """Give the role's workplace its link and open step 2 in its administration."""
    steps = {s.number: s for s in ensure_steps(programme=ctx["programme"], deadlines=DEADLINES)}
    state = state_for(
        step=steps[StepNumber.EXECUTION], administration=ctx["workplace"].administration
    )
    state.status = StepStatus.OPEN
    state.save()
    ctx["link"] = get_or_create_link(workplace=ctx["workplace"])


def url_kwargs(name, ctx):
    if name.startswith("clarification:anonymous-"):
        return {"token": ctx["link"].token}
    return {"code": ctx["workplace"].code}
