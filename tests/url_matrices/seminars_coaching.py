"""Coaching: fagchef A's session with the coach; a free time the coach offers.

A participant (fagchef, direktør) uses Min coaching and books; the coach has their own
page; HR has the overview. A session answers its two parties and HR, 404 to anyone else.
"""

import datetime

from django.utils import timezone

from programme.models import ExternalPerson
from seminars.models import CoachingSession, CoachingSlot, SessionStatus
from tests.url_matrices._rows import LOGIN, Row

NOBODY_ELSE = {"anonymous": LOGIN, "medarbejder": 403, "leder": 403}

PUBLIC = {}
MATRIX = {
    # HR is sent to the overview, a coach to their own page.
    "coaching:mine": Row(NOBODY_ELSE | {"fagchef": 200, "direktion": 200, "hr": 302, "coach": 302}),
    "coaching:book": Row(
        NOBODY_ELSE | {"fagchef": 302, "direktion": 302, "hr": 403, "coach": 403},
        method="post",
    ),
    "coaching:session": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 404,
            "leder": 404,
            "fagchef": 200,
            "direktion": 404,
            "hr": 200,
            "coach": 200,
        }
    ),
    "coaching:coach": Row(
        NOBODY_ELSE | {"fagchef": 403, "direktion": 403, "hr": 403, "coach": 200}
    ),
    "coaching:withdraw": Row(
        NOBODY_ELSE | {"fagchef": 403, "direktion": 403, "hr": 403, "coach": 302},
        method="post",
    ),
    "coaching:overview": Row(
        NOBODY_ELSE | {"fagchef": 403, "direktion": 403, "hr": 200, "coach": 403}
    ),
}


def prepare(ctx):
    coach = ExternalPerson.objects.get(user__username="coach")
    start = timezone.now() + datetime.timedelta(days=14)
    ctx["slot"] = CoachingSlot.objects.create(
        programme=ctx["programme"],
        coach=coach,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Rådhuset",
    )
    ctx["session"] = CoachingSession.objects.create(
        programme=ctx["programme"],
        coachee=ctx["org"]["fagchef_a"],
        coach=coach,
        starts_at=start + datetime.timedelta(days=1),
        ends_at=start + datetime.timedelta(days=1, hours=1),
        place="Rådhuset",
        status=SessionStatus.CONFIRMED,
    )


def url_kwargs(name, ctx):
    return {
        "coaching:book": {"pk": ctx["slot"].pk},
        "coaching:session": {"pk": ctx["session"].pk},
        "coaching:withdraw": {"pk": ctx["slot"].pk},
    }.get(name, {})
