"""Step 4: decisions (HR drafts, direktionen decides and publishes) and "I sagde — vi gør".

The decision asked for is a draft: HR and direktionen see it, the others do not (404) —
they see only published decisions that concern them. Each role asks for the feedback page
of its own workplace (tests/test_url_matrix.py's role_context).
"""

from clarification.models import Decision, DecisionKind
from clarification.services.anonymous import get_or_create_link
from clarification.services.steps import ensure_steps
from tests.clarification.conftest import DEADLINES
from tests.url_matrices._rows import LOGIN, Row

READERS = {
    "anonymous": LOGIN,
    "medarbejder": 200,
    "leder": 200,
    "fagchef": 200,
    "direktion": 200,
    "hr": 200,
    "coach": 403,
}
HR_ONLY = READERS | {"medarbejder": 403, "leder": 403, "fagchef": 403, "direktion": 403}
DIREKTION_ONLY = HR_ONLY | {"hr": 403}

PUBLIC = {"clarification:anonymous-feedback": Row({"anonymous": 200})}

MATRIX = {
    "clarification:decisions": Row(READERS),
    "clarification:decision-create": Row(HR_ONLY),
    "clarification:decision": Row(READERS | {"medarbejder": 404, "leder": 404, "fagchef": 404}),
    "clarification:decision-edit": Row(HR_ONLY),
    # Writes answer with a redirect back to the decision (with a message when refused).
    "clarification:decision-propose": Row(HR_ONLY | {"hr": 302}, method="post"),
    "clarification:decision-decide": Row(
        DIREKTION_ONLY | {"direktion": 302},
        method="post",
        data={"state": "vedtaget", "held_on": "2021-09-14"},
    ),
    "clarification:decision-publish": Row(DIREKTION_ONLY | {"direktion": 302}, method="post"),
    "clarification:feedback": Row(READERS | {"medarbejder": 403}),
}


def prepare(ctx):
    ensure_steps(programme=ctx["programme"], deadlines=DEADLINES)
    ctx["decision"] = Decision.objects.create(
        programme=ctx["programme"], title="Kursus", kind=DecisionKind.COURSE, rationale="x"
    )
    ctx["link"] = get_or_create_link(workplace=ctx["workplace"])


def url_kwargs(name, ctx):
    if name == "clarification:anonymous-feedback":
        return {"token": ctx["link"].token}
    if name == "clarification:feedback":
        return {"code": ctx["workplace"].code}
    if name.startswith("clarification:decision-") and name != "clarification:decision-create":
        return {"pk": ctx["decision"].pk}
    if name == "clarification:decision":
        return {"pk": ctx["decision"].pk}
    return {}
