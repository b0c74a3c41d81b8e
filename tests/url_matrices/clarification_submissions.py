"""Step 2 pages: the workplaces list, a workplace's page, its activities, input and files.

Every role asks for the first leader's workplace (wa1, administration A): the fagchef of
A, HR and direktionen read it; only its leader writes; staff and coaches have no step-2
pages at all.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from clarification.models import StepNumber, StepStatus
from clarification.services.steps import ensure_steps, state_for
from clarification.services.submissions import (
    InputItem,
    add_attachment,
    save_activity,
    save_inputs,
)
from tests.clarification.conftest import DEADLINES
from tests.url_matrices._rows import LOGIN, Row

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

READERS = {
    "anonymous": LOGIN,
    "medarbejder": 403,
    "leder": 200,
    "fagchef": 200,
    "direktion": 200,
    "hr": 200,
    "coach": 403,
}
LEADER_ONLY = READERS | {"fagchef": 403, "direktion": 403, "hr": 403}

PUBLIC = {}

MATRIX = {
    "clarification:workplaces": Row(READERS),
    "clarification:workplace": Row(READERS),
    "clarification:activity-create": Row(LEADER_ONLY),
    "clarification:activity-edit": Row(LEADER_ONLY),
    # GET asks for confirmation; the deletion itself is a POST.
    "clarification:activity-delete": Row(LEADER_ONLY),
    "clarification:inputs-edit": Row(LEADER_ONLY),
    "clarification:deliver": Row(LEADER_ONLY | {"leder": 302}, method="post"),
    "clarification:attachment-upload": Row(LEADER_ONLY),
    "clarification:attachment-download": Row(READERS),
    "clarification:attachment-delete": Row(LEADER_ONLY),
}


def prepare(ctx):
    """Step 2 open in administration A, and wa1 with an activity, an input and a file."""
    org, programme, leader = ctx["org"], ctx["programme"], ctx["users"]["leder"]
    steps = {step.number: step for step in ensure_steps(programme=programme, deadlines=DEADLINES)}
    state = state_for(step=steps[StepNumber.EXECUTION], administration=org["admin_a"])
    state.status = StepStatus.OPEN
    state.save()
    workplace = org["wa1"]
    activity = save_activity(
        programme=programme,
        workplace=workplace,
        data={"method": "workshop", "held_on": programme.starts_on, "staff_participants": 9},
        by=leader,
    )
    save_inputs(
        programme=programme,
        workplace=workplace,
        items=[_item("Behov for fælles sprog")],
        by=leader,
    )
    item = activity.submission.inputs.get()
    attachment = add_attachment(
        item=item, upload=SimpleUploadedFile("flipover.png", PNG), by=leader
    )
    ctx.update(activity=activity, item=item, attachment=attachment)


def _item(title):
    return InputItem(
        data={"kind": "behov", "title": title, "text": "Tekst", "suggested_form": "lokalt"}
    )


def url_kwargs(name, ctx):
    code = ctx["org"]["wa1"].code
    return {
        "clarification:workplaces": {},
        "clarification:workplace": {"code": code},
        "clarification:activity-create": {"code": code},
        "clarification:activity-edit": {"code": code, "pk": ctx["activity"].pk},
        "clarification:activity-delete": {"code": code, "pk": ctx["activity"].pk},
        "clarification:inputs-edit": {"code": code},
        "clarification:deliver": {"code": code},
        "clarification:attachment-upload": {"code": code, "pk": ctx["item"].pk},
        "clarification:attachment-download": {"pk": ctx["attachment"].pk},
        "clarification:attachment-delete": {"pk": ctx["attachment"].pk},
    }[name]
