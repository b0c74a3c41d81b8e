"""The evaluation after a seminar: fagchefforum's members who see the seminar; 404 otherwise.

The seminar asked for ended yesterday and has the whole forum invited, fagchef A attended:
the form is open to them; direktion (only invited) and HR get the page that says why they
cannot answer. Leaders, staff and coaches are refused (403).
"""

import datetime

from django.utils import timezone

from seminars import services
from seminars.models import Attendance, AttendanceStatus, Seminar
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
    "evaluation:answer": Row(FORUM),
    "evaluation:results": Row(FORUM),
}


def prepare(ctx):
    start = timezone.now() - datetime.timedelta(days=1)
    ctx["seminar"] = Seminar.objects.create(
        programme=ctx["programme"],
        number=1,
        theme="Social kapital",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
    )
    services.invite_forum(seminar=ctx["seminar"], by=ctx["users"]["hr"])
    Attendance.objects.filter(seminar=ctx["seminar"], person=ctx["org"]["fagchef_a"]).update(
        status=AttendanceStatus.ATTENDED
    )


def url_kwargs(name, ctx):
    return {"pk": ctx["seminar"].pk}
