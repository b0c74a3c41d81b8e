"""Coverage of step 2 at 2,000 workplaces: the coverage page and the overview vs a trivial page.

Six administrations, 2,000 workplaces, about 80 % with a submission and 60 % delivered,
one to three activities each, leader inputs and anonymous inputs (about 15,000 inputs).
Each page is requested through the project's full middleware with the test client, and
so is the trivial page it is compared with (bench/urls.py), in alternation in the same run.
"Mit overblik" is measured here too, with its step-2 panel (bench_pages has no steps).
"""

import datetime
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from bench.harness import QueryCounter, at_most, ratio_at_most, timed
from clarification.coverage import FIGURES_KEY
from clarification.models import (
    Activity,
    Input,
    InputKind,
    InputSource,
    Method,
    StepStatus,
    Submission,
    SubmissionStatus,
)
from clarification.services.steps import ensure_steps, state_for
from programme import services
from programme.access import RoleGroup
from programme.models import Administration, Leadership, Person, Programme, Role, Workplace

WORKPLACES = 2_000
ADMINISTRATIONS = 6
TARGET_RATIO = 10
# The pinned budgets of tests/clarification/test_coverage.py (HR; a leader's scope adds
# two queries, and a leader's own units three more on the overview).
QUERY_BUDGETS = {"coverage": 13, "overview": 10}
DEADLINES = {
    1: datetime.date(2021, 3, 31),
    2: datetime.date(2021, 6, 30),
    3: datetime.date(2021, 8, 31),
    4: datetime.date(2021, 10, 31),
}


def build_step_two() -> dict[str, User]:
    """Create the organisation and step 2 in progress; return a login per role."""
    rng = random.Random(2021)
    administrations = Administration.objects.bulk_create(
        Administration(code=f"F{i}", name=f"Forvaltning {i}") for i in range(ADMINISTRATIONS)
    )
    workplaces = Workplace.objects.bulk_create(
        Workplace(
            code=f"W{i:05d}",
            name=f"Arbejdsplads {i}",
            administration=administrations[i % ADMINISTRATIONS],
            headcount=rng.randint(3, 60),
        )
        for i in range(WORKPLACES)
    )
    programme = Programme.objects.create(
        name="Udviklingsforløb",
        slug="bench-coverage",
        vision="Sammen om Rødovre",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2040, 12, 31),
    )
    steps = ensure_steps(programme=programme, deadlines=DEADLINES)
    now = datetime.datetime(2021, 5, 1, 12, tzinfo=datetime.UTC)
    for administration in administrations:
        design = state_for(step=steps[0], administration=administration)
        design.status, design.closed_at = StepStatus.CLOSED, now
        design.save()
        execution = state_for(step=steps[1], administration=administration)
        execution.status, execution.opened_at = StepStatus.OPEN, now
        execution.save()

    submissions = []
    for workplace in workplaces:
        draw = rng.random()
        if draw < 0.6:
            submissions.append(
                Submission(
                    programme=programme,
                    workplace=workplace,
                    status=SubmissionStatus.DELIVERED,
                    delivered_at=now,
                )
            )
        elif draw < 0.8:
            submissions.append(Submission(programme=programme, workplace=workplace))
    submissions = Submission.objects.bulk_create(submissions)
    activities, inputs = [], []
    for submission in submissions:
        for _n in range(rng.randint(1, 3)):
            activities.append(
                Activity(
                    submission=submission,
                    method=rng.choice(Method.values),
                    held_on=datetime.date(2021, 5, rng.randint(1, 28)),
                    staff_participants=rng.randint(2, 30),
                    med_involved=rng.random() < 0.3,
                )
            )
        for n in range(rng.randint(2, 6)):
            inputs.append(
                Input(
                    programme=programme,
                    workplace=submission.workplace,
                    submission=submission,
                    source=InputSource.LEADER,
                    kind=rng.choice(InputKind.values),
                    title=f"Input {n}",
                    text="Vi har brug for fælles sprog om borgerdialog.",
                )
            )
    for workplace in workplaces:
        for n in range(rng.randint(0, 8)):
            inputs.append(
                Input(
                    programme=programme,
                    workplace=workplace,
                    source=InputSource.ANONYMOUS,
                    kind=InputKind.IDEA,
                    title=f"Anonymt input {n}",
                    text="Mere tid til faglig sparring i hverdagen.",
                )
            )
    Activity.objects.bulk_create(activities, batch_size=5000)
    Input.objects.bulk_create(inputs, batch_size=5000)
    with connection.cursor() as cursor:
        # Table statistics, as autovacuum keeps them in production: without them PostgreSQL
        # takes the freshly loaded tables for empty and plans nested loops over them.
        cursor.execute("ANALYZE")

    fagchef = Person.objects.create(
        employee_number="F0", name="Fagchef", workplace=workplaces[0], role=Role.HEAD_OF_DEPARTMENT
    )
    leader = Person.objects.create(
        employee_number="L0", name="Leder", workplace=workplaces[1], role=Role.LEADER
    )
    Leadership.objects.create(workplace=workplaces[1], person=leader)
    services.refresh_organisation_snapshot()
    users = {}
    for key, group, person in [
        ("hr", RoleGroup.HR, None),
        ("fagchef", RoleGroup.HEAD_OF_DEPARTMENT, fagchef),
        ("leder", RoleGroup.LEADER, leader),
    ]:
        user = User.objects.create(username=f"bench-coverage-{key}")
        user.groups.add(Group.objects.get(name=group.value))
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        users[key] = user
    print(
        f"   {len(workplaces)} workplaces, {len(submissions)} submissions "
        f"({sum(s.status == SubmissionStatus.DELIVERED for s in submissions)} delivered), "
        f"{len(activities)} activities, {len(inputs)} inputs"
    )
    return users


def interleaved(page, trivial, *, rounds: int = 8, repeat: int = 4, setup=None):
    """Return the median times of a page and the trivial page, timed in alternation.

    Other work on the machine then weighs on both alike, not on whichever ran during it.
    """
    page_times, trivial_times = [], []
    for _round in range(rounds):
        page_times.append(timed(page, repeat=repeat, setup=setup))
        trivial_times.append(timed(trivial, repeat=repeat))
    return statistics.median(page_times), statistics.median(trivial_times)


@dataclass(frozen=True)
class Page:
    label: str
    role: str
    url: str
    queries: int
    target: float = TARGET_RATIO
    # Run before each request (not timed).
    setup: Callable[[], object] | None = None


COVERAGE = "/afklaring/daekning/"
OVERVIEW = "/afklaring/oversigt/"
PAGES = [
    Page("coverage page, first page (HR)", "hr", COVERAGE, QUERY_BUDGETS["coverage"]),
    Page("coverage page, one administration (HR)", "hr", f"{COVERAGE}?forvaltning=F3", 13),
    Page("coverage page, not delivered, page 3 (HR)", "hr", f"{COVERAGE}?afleveret=nej&side=3", 13),
    Page("coverage page (leder)", "leder", COVERAGE, QUERY_BUDGETS["coverage"] + 2),
    Page("overview (HR)", "hr", OVERVIEW, QUERY_BUDGETS["overview"]),
    # The totals are cached until the next write; this is the request that counts them.
    Page(
        "overview (HR), totals not cached",
        "hr",
        OVERVIEW,
        QUERY_BUDGETS["overview"] + 3,
        setup=lambda: cache.delete(FIGURES_KEY),
    ),
    Page("overview (fagchef)", "fagchef", OVERVIEW, QUERY_BUDGETS["overview"]),
    Page("overview (leder)", "leder", OVERVIEW, QUERY_BUDGETS["overview"] + 5),
    # Mit overblik with its step-2 panel, against bench_pages' target for it.
    Page("Mit overblik with step 2 (HR)", "hr", "/", 20, target=5),
    Page("Mit overblik with step 2 (leder)", "leder", "/", 20, target=5),
]


def run():
    users = build_step_two()
    results = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        for page in PAGES:
            client = Client()
            client.force_login(users[page.role])
            response = client.get(page.url)
            assert response.status_code == 200, (page.url, response.status_code)
            if page.setup is not None:
                page.setup()
            with QueryCounter(connection) as queries:
                client.get(page.url)
            page_s, trivial_s = interleaved(
                lambda c=client, u=page.url: c.get(u),
                lambda c=client: c.get("/bench/trivial/"),
                setup=page.setup,
            )
            results.append(
                ratio_at_most(f"{page.label} vs trivial", page_s, trivial_s, page.target, "trivial")
            )
            results.append(
                at_most(f"{page.label}: queries", queries.count, page.queries, "queries")
            )
    return results
