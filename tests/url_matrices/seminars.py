"""Fagchefforum's seminars: HR, direktion and the fagchefer; not leaders, staff or coaches.

The seminar asked for has the whole forum invited (direktion's and fagchef A's people).
"""

import datetime

from django.core.files.base import ContentFile

from seminars import services
from seminars.models import Seminar, SeminarMaterial
from tests.url_matrices._rows import LOGIN, Row

FORUM = {
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
    "seminars:list": Row(FORUM),
    "seminars:detail": Row(FORUM),
    # A participant's own registration; HR is not invited (no attendance of its own): 404.
    "seminars:registration": Row(
        FORUM | {"fagchef": 302, "direktion": 302, "hr": 404},
        method="post",
        data={"action": "register"},
    ),
    "seminars:attendance": Row(FORUM | {"fagchef": 403, "direktion": 403}),
    "seminars:kickoff": Row(FORUM),
    # The seminar's files: for those who may see the seminar.
    "seminars:material": Row(FORUM),
}


def prepare(ctx):
    start = datetime.datetime(2030, 9, 1, 7, tzinfo=datetime.UTC)
    ctx["seminar"] = Seminar.objects.create(
        programme=ctx["programme"],
        number=1,
        theme="Social kapital",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
    )
    services.invite_forum(seminar=ctx["seminar"], by=ctx["users"]["hr"])
    ctx["material"] = SeminarMaterial(
        seminar=ctx["seminar"],
        title="Slides",
        original_name="slides.pdf",
        content_type="application/pdf",
        size=9,
    )
    ctx["material"].file.save("slides", ContentFile(b"%PDF-1.7\n"), save=True)


def url_kwargs(name, ctx):
    if name == "seminars:material":
        return {"pk": ctx["seminar"].pk, "material": ctx["material"].pk}
    return {} if name in ("seminars:list", "seminars:kickoff") else {"pk": ctx["seminar"].pk}
