import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache

from programme.models import Role
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    ProgrammeFactory,
    TierFactory,
    WorkplaceFactory,
    hr_user,
    login_for,
)


@pytest.fixture
def org(db):
    """Two administrations with two workplaces each; a leader and an employee in each."""
    admin_a, admin_b = (
        AdministrationFactory(name="Børne- og Kulturforvaltningen"),
        (AdministrationFactory(name="Social- og Sundhedsforvaltningen")),
    )
    wa1 = WorkplaceFactory(administration=admin_a, name="Valhøj Skole")
    wa2 = WorkplaceFactory(administration=admin_a, name="Børnehuset Sønderbo")
    wb1 = WorkplaceFactory(administration=admin_b, name="Plejecenter Ejbyhøj")
    wb2 = WorkplaceFactory(administration=admin_b, name="Hjemmeplejen Nord")
    leader_a = LeadershipFactory(workplace=wa1).person
    leader_a.workplace = wa1
    leader_a.save()
    leader_b = LeadershipFactory(workplace=wb1).person
    leader_b.workplace = wb1
    leader_b.save()
    return {
        "admin_a": admin_a,
        "admin_b": admin_b,
        "wa1": wa1,
        "wa2": wa2,
        "wb1": wb1,
        "wb2": wb2,
        "leader_a": leader_a,
        "leader_b": leader_b,
        "employee_a": PersonFactory(workplace=wa1),
        "employee_b": PersonFactory(workplace=wb1),
        "fagchef_a": PersonFactory(workplace=wa2, role=Role.HEAD_OF_DEPARTMENT),
        "director": PersonFactory(workplace=wa2, role=Role.DIRECTOR),
    }


@pytest.fixture
def users(org):
    """One login per role, tied to the people of `org`."""
    return {
        "hr": hr_user(),
        "direktion": login_for(org["director"]),
        "fagchef": login_for(org["fagchef_a"]),
        "leder": login_for(org["leader_a"]),
        "medarbejder": login_for(org["employee_a"]),
        "leder_b": login_for(org["leader_b"]),
    }


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory()
    TierFactory(programme=programme, number=1, name="Fagchefforum", roles=["direktoer", "fagchef"])
    TierFactory(programme=programme, number=2, name="Ledere", roles=["leder"])
    TierFactory(programme=programme, number=3, name="Medarbejdere", roles=["medarbejder"])
    return programme


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: with Redis (CI) the cache outlives a test."""
    yield
    cache.clear()


def _missing_service(marker: str) -> str | None:
    """Why a test with this marker cannot run here, or None when it can."""
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL: set DATABASE_URL"
    if marker == "worker" and not settings.CELERY_BROKER_URL:
        return "needs a Celery broker: set CELERY_BROKER_URL (Redis)"
    if marker == "browser" and not shutil.which("chromium"):
        return "needs Debian's chromium"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip tests whose services are missing locally; in CI a missing service is an error."""
    for item in items:
        for marker in ("postgres", "worker", "browser"):
            if item.get_closest_marker(marker) is None:
                continue
            reason = _missing_service(marker)
            if reason is None:
                continue
            if os.environ.get("CI"):
                raise pytest.UsageError(f"{item.nodeid}: {reason} (CI runs every test)")
            item.add_marker(pytest.mark.skip(reason=reason))
