"""The cached programme outline is dropped whenever a part of the programme changes."""

import datetime

import pytest
from django.core.cache import cache

from programme import services
from programme.outline import outline_key, programme_outline
from tests.programme.factories import (
    MilestoneFactory,
    PhaseFactory,
    ProgrammeFactory,
    TierFactory,
    hr_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_outline_is_read_once_then_served_from_the_cache(django_assert_num_queries):
    programme = ProgrammeFactory()
    MilestoneFactory(programme=programme)
    programme_outline(programme)

    with django_assert_num_queries(0):
        outline = programme_outline(programme)

    assert [m.name for m in outline.milestones] == [programme.milestones.get().name]


def test_postponing_a_milestone_drops_the_cached_outline():
    programme = ProgrammeFactory()
    milestone = MilestoneFactory(programme=programme, planned_date=datetime.date(2030, 1, 1))
    programme_outline(programme)

    services.postpone_milestone(
        milestone=milestone,
        new_date=datetime.date(2030, 6, 1),
        reason="Udskudt grundet covid-19",
        by=hr_user(),
    )

    assert cache.get(outline_key(programme.pk)) is None
    moved = programme_outline(programme).milestones[0]
    assert moved.planned_date == datetime.date(2030, 6, 1)
    assert [p.reason for p in moved.postponements.all()] == ["Udskudt grundet covid-19"]


def test_changing_a_phases_tiers_drops_the_cached_outline():
    programme = ProgrammeFactory()
    tier = TierFactory(programme=programme, number=2, name="Ledere")
    phase = PhaseFactory(programme=programme)
    assert list(programme_outline(programme).phases[0].tiers.all()) == []

    phase.tiers.add(tier)

    assert list(programme_outline(programme).phases[0].tiers.all()) == [tier]


def test_a_rolled_back_change_keeps_the_cached_outline():
    programme = ProgrammeFactory(name="Før")
    programme_outline(programme)
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        TierFactory(programme=programme, number=9)
        raise RuntimeError

    assert cache.get(outline_key(programme.pk)) is not None
