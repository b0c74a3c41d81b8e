"""The overview and coverage pages: for those who follow step 2, not for staff or coaches."""

from clarification.services.steps import ensure_steps
from tests.clarification.conftest import DEADLINES
from tests.url_matrices._rows import LOGIN, Row

FOLLOWERS_ONLY = {
    "anonymous": LOGIN,
    "medarbejder": 403,
    "leder": 200,
    "fagchef": 200,
    "direktion": 200,
    "hr": 200,
    "coach": 403,
}

PUBLIC = {}
MATRIX = {
    "clarification:overview": Row(FOLLOWERS_ONLY),
    "clarification:coverage": Row(FOLLOWERS_ONLY),
}


def prepare(ctx):
    ensure_steps(programme=ctx["programme"], deadlines=DEADLINES)


def url_kwargs(name, ctx):
    return {}
