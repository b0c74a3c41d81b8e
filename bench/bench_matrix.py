"""The theme × administration matrix at 2,000 workplaces and 150,000 inputs.

bench_coverage's organisation (six administrations, 2,000 workplaces, step 2 in
progress), topped up to 150,000 inputs, nine themes, and 60 % of the inputs with a
confirmed theme (some with two). Measured against baselines timed in the same run:

- direktionen's dashboard and the matrix page vs a trivial page through the same
  middleware (they read the snapshot, so their queries do not grow with the inputs);
- a full recompute (the numbers computed and a new snapshot stored) vs one raw GROUP BY
  of the same data (inputs and workplaces per theme and administration);
- the update after one new input: the input and its confirmed theme written, then the
  update its change queues (what the worker runs: that workplace recounted on top of the
  newest snapshot's per-workplace numbers), in milliseconds.
"""

import random
import statistics
import time

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, override_settings

from bench.bench_coverage import build_step_two, interleaved
from bench.harness import Measurement, QueryCounter, at_most, ratio_at_most, timed
from clarification import matrix
from clarification.models import (
    AssignmentStatus,
    Input,
    InputKind,
    InputSource,
    MatrixSnapshot,
    Theme,
    ThemeAssignment,
    ThemeKind,
)
from programme.access import RoleGroup
from programme.models import Programme, Workplace

INPUTS = 150_000
THEMES = 9
CONFIRMED_SHARE = 0.6
PAGE_TARGET = 10
RECOMPUTE_TARGET = 3
UPDATE_TARGET_MS = 50
QUERY_BUDGETS = {"dashboard": 25, "matrix": 12}


def build() -> tuple[Programme, dict[str, User]]:
    users = build_step_two()
    programme = Programme.objects.get(slug="bench-coverage")
    rng = random.Random(150)
    workplaces = list(Workplace.objects.values_list("pk", flat=True))
    missing = INPUTS - Input.objects.count()
    Input.objects.bulk_create(
        (
            Input(
                programme=programme,
                workplace_id=rng.choice(workplaces),
                source=InputSource.ANONYMOUS,
                kind=InputKind.IDEA,
                title=f"Input {n}",
                text="Mere tid til faglig sparring og dialog med borgerne.",
            )
            for n in range(missing)
        ),
        batch_size=10_000,
    )
    themes = Theme.objects.bulk_create(
        Theme(programme=programme, name=f"Tema {n}", kind=ThemeKind.THEME, position=n)
        for n in range(THEMES)
    )
    assignments = []
    for pk in Input.objects.values_list("pk", flat=True).iterator(chunk_size=10_000):
        if rng.random() < CONFIRMED_SHARE:
            for theme in rng.sample(themes, rng.choice((1, 1, 2))):
                assignments.append(
                    ThemeAssignment(
                        input_id=pk, theme=theme, status=AssignmentStatus.CONFIRMED, suggested=False
                    )
                )
    ThemeAssignment.objects.bulk_create(assignments, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    direktion = User.objects.create(username="bench-matrix-direktion")
    direktion.groups.add(Group.objects.get(name=RoleGroup.HR.value))
    users["direktion"] = direktion
    print(f"   {Input.objects.count()} inputs, {len(assignments)} confirmed theme assignments")
    return programme, users


RAW_GROUP_BY = """
SELECT a.theme_id, w.administration_id, COUNT(DISTINCT a.input_id), COUNT(DISTINCT i.workplace_id)
FROM clarification_themeassignment a
JOIN clarification_input i ON i.id = a.input_id
JOIN programme_workplace w ON w.id = i.workplace_id
WHERE a.status = %s AND i.programme_id = %s
GROUP BY a.theme_id, w.administration_id
"""


def raw_group_by(programme):
    with connection.cursor() as cursor:
        cursor.execute(RAW_GROUP_BY, [AssignmentStatus.CONFIRMED.value, programme.pk])
        return cursor.fetchall()


def full_recompute(programme):
    MatrixSnapshot.objects.filter(programme=programme).delete()
    return matrix.recompute(programme)


def update_after_one_input(programme, theme, workplace_id, rng) -> float:
    """Write one input with its confirmed theme, then run the update its change queues."""
    start = time.perf_counter()
    item = Input.objects.create(
        programme=programme,
        workplace_id=workplace_id,
        source=InputSource.ANONYMOUS,
        kind=InputKind.NEED,
        title=f"Nyt input {rng.random()}",
        text="Vi mangler tid til sparring.",
    )
    ThemeAssignment.objects.create(
        input=item, theme=theme, status=AssignmentStatus.CONFIRMED, suggested=False
    )
    _snapshot, created = matrix.update(programme, {workplace_id})
    assert created
    return time.perf_counter() - start


def run() -> list[Measurement]:
    programme, users = build()
    results = []
    matrix.recompute(programme)
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        for label, url, budget in [
            ("direktionens overblik (dashboard)", "/direktion/", QUERY_BUDGETS["dashboard"]),
            ("the matrix page", "/afklaring/matrix/", QUERY_BUDGETS["matrix"]),
        ]:
            client = Client()
            client.force_login(users["direktion"])
            assert client.get(url).status_code == 200
            with QueryCounter(connection) as queries:
                client.get(url)
            page_s, trivial_s = interleaved(
                lambda c=client, u=url: c.get(u), lambda c=client: c.get("/bench/trivial/")
            )
            results.append(
                ratio_at_most(f"{label} vs trivial", page_s, trivial_s, PAGE_TARGET, "trivial")
            )
            results.append(at_most(f"{label}: queries", queries.count, budget, "queries"))

    raw_s = statistics.median(timed(lambda: raw_group_by(programme)) for _ in range(5))
    full_s = statistics.median(timed(lambda: full_recompute(programme)) for _ in range(5))
    results.append(
        ratio_at_most(
            "full recompute of the matrix vs a raw GROUP BY",
            full_s,
            raw_s,
            RECOMPUTE_TARGET,
            "GROUP BY",
        )
    )
    rng = random.Random(1)
    theme = Theme.objects.filter(programme=programme).first()
    workplaces = list(Workplace.objects.values_list("pk", flat=True)[:50])
    times = [
        update_after_one_input(programme, theme, rng.choice(workplaces), rng) for _ in range(9)
    ]
    update_ms = statistics.median(times) * 1000
    results.append(
        at_most(
            "update after one new input (write + update), median",
            update_ms,
            UPDATE_TARGET_MS,
            "ms",
            f"p max {max(times) * 1000:.0f} ms over {len(times)} updates",
        )
    )
    return results
