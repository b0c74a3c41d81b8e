"""A participant's calendar feed with 60 events, and the Kaskade page, vs a trivial page.

The seminars and coaching sessions that will fill real feeds belong to other parts of the
app, so a bench-only feed source stands in for them: it reads 60 rows of a real model
(`CascadeRelease`, one per administration, released by the participant) in one query and
turns each into a `Meeting`. The feed is fetched anonymously by its token, as a calendar
client does, and compared with the public trivial page; the Kaskade page (HR, 60
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
from programme.models import Administration, CascadeRelease, Programme, ReadinessCriterion, Tier
from seminars import ical
from seminars.calendar import FEED_NAME, feed_cache_key, rotate_feed_token

EVENTS = 60
TARGET_RATIO = 5
PUBLIC_TARGET_RATIO = 10
# Like the coverage page (bench_coverage): a dashboard of every administration.
PIPELINE_TARGET_RATIO = 10
START = datetime.datetime(2021, 9, 1, 9, tzinfo=datetime.UTC)


def releases_as_meetings(user):
    """The bench-only source: one meeting per release the user made, in one query.

    It reads only the columns a meeting needs (`values_list`): building 60 model
    instances would cost more than the rest of the request.
    """
    rows = (
        CascadeRelease.objects.filter(released_by=user)
        .order_by("pk")
        .values_list("pk", "administration__name")
    )
    return [
        ical.Meeting(
            uid=ical.uid_for("bench-release", pk),
            sequence=0,
            start=START + datetime.timedelta(days=n),
            end=START + datetime.timedelta(days=n, hours=3),
            summary=f"Opstart: {name}",
            location="Rødovre Rådhus, mødesal 1",
            description="Kick-off for lederne i forvaltningen.",
        )
        for n, (pk, name) in enumerate(rows)
    ]


def build() -> tuple[User, str]:
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
    return hr, rotate_feed_token(user=hr)


def run():
    hr, token = build()
    ical.register_feed_source(releases_as_meetings)
    results = []
    try:
        with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
            anonymous = Client()
            feed_url = f"/kalender/{token}.ics"
            response = anonymous.get(feed_url)
            assert response.status_code == 200, response.status_code
            assert response.content.count(b"BEGIN:VEVENT") == EVENTS
            with QueryCounter(connection) as queries:
                anonymous.get(feed_url)
            signed_in = Client()
            signed_in.force_login(hr)
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
            # The public trivial page reads nothing from the database; the feed's two
            # queries (token, meetings) alone cost a few times that page.
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
            results.append(at_most("calendar feed: queries", queries.count, 2, "queries"))
            cache_key, _digest = feed_cache_key(ical.meetings_for(hr), name=_(FEED_NAME))
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
    finally:
        ical._feed_sources.remove(releases_as_meetings)
    return results
