"""Step 3, the processing workspace and the groups.

HR edits; direktionen reads everything; the fagchef of administration A and the leader of
wa1 read wa1's input (product.md: processing is "read own dept." / "read own"); staff and
coaches have no processing pages. The groups span administrations: HR and direktionen.
"""

from clarification.models import Input, Submission
from clarification.services import processing
from clarification.themes import seed_memo_themes
from tests.url_matrices._rows import LOGIN, Row

READERS = {
    "anonymous": LOGIN,
    "medarbejder": 403,
    "leder": 200,
    "fagchef": 200,
    "direktion": 200,
    "hr": 200,
    "coach": 403,
}
GROUP_READERS = READERS | {"leder": 403, "fagchef": 403}
# Every write is HR's; a successful one redirects back to the page it came from.
HR_WRITES = READERS | {"leder": 403, "fagchef": 403, "direktion": 403, "hr": 302}

PUBLIC = {}

MATRIX = {
    "clarification:processing": Row(READERS),
    "clarification:processing-input": Row(READERS),
    "clarification:processing-bulk-confirm": Row(HR_WRITES, method="post"),
    "clarification:processing-decide": Row(HR_WRITES, method="post", data={"decision": "confirm"}),
    "clarification:processing-add-theme": Row(HR_WRITES, method="post"),
    "clarification:processing-mark": Row(HR_WRITES, method="post"),
    "clarification:processing-group": Row(HR_WRITES, method="post"),
    "clarification:synthesis-list": Row(GROUP_READERS),
    "clarification:synthesis-detail": Row(GROUP_READERS),
    "clarification:synthesis-remove": Row(HR_WRITES, method="post"),
}


def prepare(ctx):
    """The memo's themes, an input at wa1 with suggestions, and a group holding it."""
    programme, org = ctx["programme"], ctx["org"]
    seed_memo_themes(programme)
    submission = Submission.objects.create(programme=programme, workplace=org["wa1"])
    item = Input.objects.create(
        programme=programme,
        workplace=org["wa1"],
        submission=submission,
        source="leder",
        kind="behov",
        title="Dialog med pårørende",
        text="Vi vil blive bedre til dialog med borgere og pårørende.",
    )
    processing.suggest_for_input(item.pk)
    synthesis = processing.save_synthesis(
        programme=programme, title="Pårørende", summary="", by=ctx["users"]["hr"]
    )
    processing.add_to_synthesis(
        synthesis=synthesis, inputs=Input.objects.filter(pk=item.pk), by=ctx["users"]["hr"]
    )
    ctx.update(item=item, synthesis=synthesis, assignment=item.theme_assignments.first())


def url_kwargs(name, ctx):
    return {
        "clarification:processing-input": {"pk": ctx["item"].pk},
        "clarification:processing-decide": {"pk": ctx["assignment"].pk},
        "clarification:processing-add-theme": {"pk": ctx["item"].pk},
        "clarification:processing-mark": {"pk": ctx["item"].pk},
        "clarification:synthesis-detail": {"pk": ctx["synthesis"].pk},
        "clarification:synthesis-remove": {"pk": ctx["synthesis"].pk, "input_pk": ctx["item"].pk},
    }.get(name, {})
