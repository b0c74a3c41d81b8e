"""Action learning: fagchef A's project; HR and direktion see the overview, not the project.

The project's page holds the learning log, so it answers 404 to everyone who is not a
member, HR and direktion included; leaders, staff and coaches are refused (403).
"""

from seminars import action_learning
from tests.url_matrices._rows import LOGIN, Row

OUTSIDERS = {"anonymous": LOGIN, "medarbejder": 403, "leder": 403, "coach": 403}
# Fagchef A is the project's only member.
MEMBER_ONLY = OUTSIDERS | {"fagchef": 200, "direktion": 404, "hr": 404}

PUBLIC = {}
MATRIX = {
    "action_learning:mine": Row(OUTSIDERS | {"fagchef": 200, "direktion": 200, "hr": 200}),
    # HR's programme staff take no part in fagchefforum, so they start no project.
    "action_learning:create": Row(OUTSIDERS | {"fagchef": 200, "direktion": 200, "hr": 403}),
    "action_learning:overview": Row(OUTSIDERS | {"fagchef": 403, "direktion": 200, "hr": 200}),
    "action_learning:detail": Row(MEMBER_ONLY),
    "action_learning:advance": Row(
        MEMBER_ONLY | {"fagchef": 302},
        method="post",
        data={"on": "2021-03-01", "cycle": "", "phase": ""},
    ),
    # No person chosen: the member gets the page back with the error.
    "action_learning:members": Row(MEMBER_ONLY, method="post"),
    "action_learning:complete": Row(MEMBER_ONLY | {"fagchef": 302}, method="post"),
}


def prepare(ctx):
    ctx["project"] = action_learning.create_project(
        programme=ctx["programme"],
        creator=ctx["org"]["fagchef_a"],
        title="Faciliterende personalemøder",
        problem="Mine møder er envejskommunikation.",
    )


def url_kwargs(name, ctx):
    if name in {"action_learning:mine", "action_learning:create", "action_learning:overview"}:
        return {}
    return {"pk": ctx["project"].pk}
