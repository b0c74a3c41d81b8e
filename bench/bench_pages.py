"""Pages at the size of the largest municipality: 45,000 people in 2,000 workplaces."""

import datetime
import random

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, override_settings

from bench.harness import QueryCounter, at_most, ratio_at_most, timed
from programme import services
from programme.access import RoleGroup
from programme.models import (
    Administration,
    Leadership,
    Milestone,
    Person,
    Phase,
    Programme,
    Role,
    Tier,
    Workplace,
)

PEOPLE = 45_000
WORKPLACES = 2_000
ADMINISTRATIONS = 6


def build_organisation() -> dict[str, User]:
    rng = random.Random(2020)
    administrations = Administration.objects.bulk_create(
        Administration(code=f"F{i}", name=f"Forvaltning {i}") for i in range(ADMINISTRATIONS)
    )
    workplaces = Workplace.objects.bulk_create(
        Workplace(
            code=f"W{i:05d}",
            name=f"Arbejdsplads {i}",
            administration=administrations[i % ADMINISTRATIONS],
            headcount=PEOPLE // WORKPLACES,
        )
        for i in range(WORKPLACES)
    )
    people = Person.objects.bulk_create(
        (
            Person(
                employee_number=f"{i:07d}",
                name=f"Person {i}",
                workplace=workplaces[i % WORKPLACES],
                role=Role.LEADER if i < WORKPLACES else Role.EMPLOYEE,
            )
            for i in range(PEOPLE)
        ),
        batch_size=5000,
    )
    Leadership.objects.bulk_create(
        Leadership(workplace=workplaces[i], person=people[i]) for i in range(WORKPLACES)
    )
    programme = Programme.objects.create(
        name="Udviklingsforløb",
        slug="bench",
        vision="Sammen om Rødovre",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2040, 12, 31),
    )
    tiers = [
        Tier.objects.create(programme=programme, number=n, name=name, roles=roles)
        for n, name, roles in [
            (1, "Fagchefforum", ["direktoer", "fagchef"]),
            (2, "Ledere", ["leder"]),
            (3, "Medarbejdere", ["medarbejder"]),
        ]
    ]
    for n in range(1, 4):
        Phase.objects.create(programme=programme, number=n, name=f"Fase {n}").tiers.set(tiers[1:])
    for n in range(40):
        day = datetime.date(2030, 1, 1) + datetime.timedelta(days=rng.randint(0, 3000))
        Milestone.objects.create(
            programme=programme, name=f"M{n}", original_date=day, planned_date=day
        )
    services.refresh_organisation_snapshot()

    fagchef = Person.objects.create(
        employee_number="F0", name="Fagchef", workplace=workplaces[0], role=Role.HEAD_OF_DEPARTMENT
    )
    users = {}
    for key, group, person in [
        ("hr", RoleGroup.HR, None),
        ("fagchef", RoleGroup.HEAD_OF_DEPARTMENT, fagchef),
        ("leder", RoleGroup.LEADER, people[0]),
        ("medarbejder", RoleGroup.EMPLOYEE, people[-1]),
    ]:
        user = User.objects.create(username=f"bench-{key}")
        user.groups.add(Group.objects.get(name=group.value))
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        users[key] = user
    return users


def run():
    users = build_organisation()
    results = []
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            assert client.get("/").status_code == 200
            with QueryCounter(connection) as queries:
                client.get("/")
            home = timed(lambda c=client: c.get("/"), repeat=30)
            trivial = timed(lambda c=client: c.get("/bench/trivial/"), repeat=30)
            results.append(
                ratio_at_most(f"Mit overblik ({role}) vs trivial page", home, trivial, 5, "trivial")
            )
            results.append(at_most(f"Mit overblik ({role}) queries", queries.count, 20, "queries"))
    return results
