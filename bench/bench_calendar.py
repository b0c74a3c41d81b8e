"""A participant's calendar feed with 60 events, and the Kaskade page, vs a trivial page.

The participant is a fagchef invited to 30 seminars and with 30 coaching sessions, so the
feed is built by the real sources (seminars.services.meetings_for and
seminars.coaching.meetings_for). It is fetched anonymously by its token, as a calendar
client does, and compared with the trivial pages; the Kaskade page (HR, 60
administrations with their criteria and releases) with the signed-in trivial page.
"""

import datetime

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.utils.translation import gettext as _

from bench.bench_coverage import interleaved
from bench.harness import QueryCounter, at_most, ratio_at_most
from clarification.models import InvolvementPlan, PlanStatus
from programme.access import RoleGroup
from programme.models import (
    Administration,
    CascadeRelease,
    ExternalPerson,
    Person,
    Programme,
    ReadinessCriterion,
    Role,
    Tier,
    Workplace,
)
from seminars import ical
from seminars.calendar import FEED_NAME, feed_cache_key, rotate_feed_token
from seminars.models import Attendance, CoachingSession, Seminar, SessionStatus

EVENTS = 60
TARGET_RATIO = 5
PUBLIC_TARGET_RATIO = 10
# Like the coverage page (bench_coverage): a dashboard of every administration.
PIPELINE_TARGET_RATIO = 10
START = datetime.datetime(2031, 9, 1, 9, tzinfo=datetime.UTC)
# The feed's queries: the token, the seminars, the coaching sessions.
FEED_QUERIES = 3


def participant_with_meetings(programme, administration) -> User:
    """A fagchef with EVENTS / 2 seminars and EVENTS / 2 coaching sessions."""
    workplace = Workplace.objects.create(
        code="BENCH-CAL", name="Forvaltningens stab", administration=administration
    )
    user = User.objects.create(username="bench-calendar-fagchef")
    user.groups.add(Group.objects.get(name=RoleGroup.HEAD_OF_DEPARTMENT.value))
    person = Person.objects.create(
        employee_number="BENCH-CAL-1",
        name="Fagchef Feed",
        email="fagchef@bench.example",
        workplace=workplace,
        role=Role.HEAD_OF_DEPARTMENT,
        user=user,
    )
    half = EVENTS // 2
    seminars = Seminar.objects.bulk_create(
        Seminar(
            programme=programme,
            number=n + 1,
            theme=f"Tema {n + 1}",
            starts_at=START + datetime.timedelta(days=7 * n),
            ends_at=START + datetime.timedelta(days=7 * n, hours=6),
            place="Rødovre Rådhus, byrådssalen",
        )
        for n in range(half)
    )
    Attendance.objects.bulk_create(Attendance(seminar=s, person=person) for s in seminars)
    coach = ExternalPerson.objects.create(name="Coach Feed", kind="coach")
    CoachingSession.objects.bulk_create(
        CoachingSession(
            programme=programme,
            coachee=person,
            coach=coach,
            starts_at=START + datetime.timedelta(days=7 * n + 2),
            ends_at=START + datetime.timedelta(days=7 * n + 2, hours=1),
            place="Online",
            status=SessionStatus.CONFIRMED,
        )
        for n in range(half)
    )
    return user


def build() -> tuple[User, User, str]:
    programme = Programme.objects.create(
        name="Udviklingsforløb",
        slug="bench-calendar",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2040, 12, 31),
    )
    for number, name in [(1, "Fagchefforum"), (2, "Ledere"), (3, "Medarbejdere")]:
        Tier.objects.create(programme=programme, number=number, name=name)
    for position, (tier, kind, parameter) in enumerate(
        [(2, "involvement_plan_approved", None), (3, "tier_released", None), (3, "step_closed", 2)]
    ):
        ReadinessCriterion.objects.create(
            programme=programme, tier=tier, kind=kind, parameter=parameter, position=position
        )
    administrations = Administration.objects.bulk_create(
        Administration(code=f"B{i:03d}", name=f"Forvaltning {i}") for i in range(EVENTS)
    )
    InvolvementPlan.objects.bulk_create(
        InvolvementPlan(programme=programme, administration=a, status=PlanStatus.APPROVED)
        for a in administrations
    )
    hr = User.objects.create(username="bench-calendar-hr")
    hr.groups.add(Group.objects.get(name=RoleGroup.HR.value))
    CascadeRelease.objects.bulk_create(
        CascadeRelease(programme=programme, administration=a, tier=2, released_by=hr)
        for a in administrations
    )
    fagchef = participant_with_meetings(programme, administrations[0])
    return hr, fagchef, rotate_feed_token(user=fagchef)


def run():
    hr, fagchef, token = build()
    results = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        anonymous = Client()
        feed_url = f"/kalender/{token}.ics"
        response = anonymous.get(feed_url)
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"BEGIN:VEVENT") == EVENTS
        with QueryCounter(connection) as queries:
            anonymous.get(feed_url)
        signed_in = Client()
        signed_in.force_login(fagchef)
        feed_s, trivial_s = interleaved(
            lambda: anonymous.get(feed_url), lambda: signed_in.get("/bench/trivial/")
        )
        results.append(
            ratio_at_most(
                f"calendar feed, {EVENTS} events vs trivial",
                feed_s,
                trivial_s,
                TARGET_RATIO,
                "trivial",
            )
        )
        # The public trivial page reads nothing from the database; the feed's
        # queries alone cost a few times that page.
        feed_s, trivial_s = interleaved(
            lambda: anonymous.get(feed_url), lambda: anonymous.get("/bench/public-trivial/")
        )
        results.append(
            ratio_at_most(
                f"calendar feed, {EVENTS} events vs public trivial",
                feed_s,
                trivial_s,
                PUBLIC_TARGET_RATIO,
                "trivial",
            )
        )
        results.append(at_most("calendar feed: queries", queries.count, FEED_QUERIES, "queries"))
        owner = User.objects.get(pk=fagchef.pk)  # a fresh object: no cached scope
        cache_key, _digest = feed_cache_key(ical.meetings_for(owner), name=_(FEED_NAME))
        # The first request after a change renders the feed with icalendar (~10 ms for
        # 60 events); later polls of an unchanged feed get it from the cache.
        cold_s, trivial_s = interleaved(
            lambda: anonymous.get(feed_url),
            lambda: signed_in.get("/bench/trivial/"),
            setup=lambda: cache.delete(cache_key),
        )
        results.append(
            ratio_at_most(
                f"calendar feed, {EVENTS} events, just changed (rendered) vs trivial",
                cold_s,
                trivial_s,
                TARGET_RATIO,
                "trivial",
            )
        )

        client = Client()
        client.force_login(hr)
        assert client.get("/kaskade/").status_code == 200
        with QueryCounter(connection) as queries:
            client.get("/kaskade/")
        page_s, trivial_s = interleaved(
            lambda: client.get("/kaskade/"), lambda: client.get("/bench/trivial/")
        )
        results.append(
            ratio_at_most(
                f"Kaskade page, {EVENTS} administrations (HR) vs trivial",
                page_s,
                trivial_s,
                PIPELINE_TARGET_RATIO,
                "trivial",
            )
        )
        # The pinned budget of tests/programme/test_cascade.py.
        results.append(at_most("Kaskade page: queries", queries.count, 13, "queries"))
    return results
