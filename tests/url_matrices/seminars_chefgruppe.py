"""The chefgruppe log of administration A (fagchef A's); HR and direktion read all."""

import datetime

from seminars.models import ChefgroupMeeting
from tests.url_matrices._rows import LOGIN, Row

READERS = {
    "anonymous": LOGIN,
    "medarbejder": 403,
    "leder": 403,
    "fagchef": 200,
    "direktion": 200,
    "hr": 200,
    "coach": 403,
}

PUBLIC = {}
MATRIX = {
    # A fagchef is sent straight to their own administration's log.
    "chefgruppe:index": Row(READERS | {"fagchef": 302}),
    "chefgruppe:log": Row(READERS),
    "chefgruppe:edit": Row(READERS),
}


def prepare(ctx):
    ctx["meeting"] = ChefgroupMeeting.objects.create(
        programme=ctx["programme"],
        administration=ctx["org"]["admin_a"],
        held_on=datetime.date(2021, 3, 1),
        topic="Mødekultur",
    )


def url_kwargs(name, ctx):
    code = ctx["org"]["admin_a"].code
    return {
        "chefgruppe:log": {"code": code},
        "chefgruppe:edit": {"code": code, "pk": ctx["meeting"].pk},
    }.get(name, {})
