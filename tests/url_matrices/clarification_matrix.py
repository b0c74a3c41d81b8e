"""The theme × administration matrix and direktionen's dashboard."""

from tests.url_matrices._rows import LOGIN, Row

PUBLIC = {}
MATRIX = {
    # Processing (step 3) is read by direktion, edited by HR, read by a fagchef for their
    # own administration (their column); leaders read their own inputs elsewhere.
    "clarification:matrix": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 403,
            "fagchef": 200,
            "direktion": 200,
            "hr": 200,
            "coach": 403,
        }
    ),
    "clarification:dashboard": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 403,
            "fagchef": 403,
            "direktion": 200,
            "hr": 200,
            "coach": 403,
        }
    ),
    # Meeting papers: HR and direktion. The matrix export needs a computed matrix; the
    # input export needs only the programme.
    "clarification:export": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 403,
            "fagchef": 403,
            "direktion": 200,
            "hr": 200,
            "coach": 403,
        }
    ),
}


def url_kwargs(name, ctx):
    if name == "clarification:export":
        return {"what": "input", "fmt": "csv"}
    return {}
