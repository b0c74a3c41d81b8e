import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programme.models import (
    BudgetYear,
    Leadership,
    MedCommittee,
    MedLevel,
    Phase,
    Postponement,
    Programme,
    Role,
    Tier,
)
from programme.outline import programme_outline
from tests.programme.cascade_support import CASCADE_CONSTRAINT_VIOLATIONS
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    MilestoneFactory,
    PersonFactory,
    PhaseFactory,
    ProgrammeFactory,
    TierFactory,
    WorkplaceFactory,
)
from tests.reminders_support import REMINDER_CONSTRAINT_VIOLATIONS

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2021, 1, 1)
JUN_1 = datetime.date(2021, 6, 1)


# --- Constraints: each rule holds in the database and in full_clean -------------------


def own_parent():
    workplace = WorkplaceFactory()
    workplace.parent = workplace
    return workplace


def second_leadership():
    first = LeadershipFactory()
    return Leadership(workplace=first.workplace, person=first.person)


def administration_med_without_administration():
    return MedCommittee(name="Forvaltnings-MED uden forvaltning", level=MedLevel.ADMINISTRATION)


def programme_ending_before_start():
    return Programme(name="Baglæns", slug="baglaens", starts_on=JUN_1, ends_on=JAN_1)


def second_budget_year():
    first = BudgetYear.objects.create(programme=ProgrammeFactory(), year=2020, frame=2_000_000)
    return BudgetYear(programme=first.programme, year=2020, frame=1)


def negative_budget_year():
    return BudgetYear(programme=ProgrammeFactory(), year=2020, frame=-1)


def second_tier_number():
    first = TierFactory(number=1)
    return Tier(programme=first.programme, number=1, name="Dublet")


def second_phase_number():
    first = PhaseFactory(number=1)
    return Phase(programme=first.programme, number=1, name="Dublet")


def phase_planned_backwards():
    return Phase(
        programme=ProgrammeFactory(), number=1, name="F", planned_start=JUN_1, planned_end=JAN_1
    )


def phase_actually_backwards():
    return Phase(
        programme=ProgrammeFactory(), number=1, name="F", actual_start=JUN_1, actual_end=JAN_1
    )


def postponement_to_same_date():
    milestone = MilestoneFactory(planned_date=JUN_1)
    return Postponement(milestone=milestone, old_date=JUN_1, new_date=JUN_1, reason="Covid-19")


def postponement_without_reason():
    milestone = MilestoneFactory(planned_date=JUN_1)
    return Postponement(milestone=milestone, old_date=JUN_1, new_date=JAN_1, reason="")


VIOLATIONS = {
    "programme_workplace_not_own_parent": (
        own_parent,
        "En arbejdsplads kan ikke være sin egen overordnede.",
    ),
    "programme_leadership_unique_leader": (
        second_leadership,
        "Personen er allerede leder af arbejdspladsen.",
    ),
    "programme_medcommittee_administration_level_has_administration": (
        administration_med_without_administration,
        "Et forvaltnings-MED skal høre til en forvaltning.",
    ),
    "programme_programme_ends_after_start": (
        programme_ending_before_start,
        "Forløbet kan ikke slutte, før det starter.",
    ),
    "programme_budgetyear_unique_year": (
        second_budget_year,
        "Forløbet har allerede en ramme for dette år.",
    ),
    "programme_budgetyear_frame_not_negative": (
        negative_budget_year,
        "Rammen kan ikke være negativ.",
    ),
    "programme_tier_unique_number": (
        second_tier_number,
        "Forløbet har allerede et niveau med dette nummer.",
    ),
    "programme_phase_unique_number": (
        second_phase_number,
        "Forløbet har allerede en fase med dette nummer.",
    ),
    "programme_phase_planned_end_after_start": (
        phase_planned_backwards,
        "Planlagt slut kan ikke ligge før planlagt start.",
    ),
    "programme_phase_actual_end_after_start": (
        phase_actually_backwards,
        "Faktisk slut kan ikke ligge før faktisk start.",
    ),
    "programme_postponement_date_changes": (
        postponement_to_same_date,
        "Den nye dato skal være en anden end den gamle.",
    ),
    "programme_postponement_has_reason": (
        postponement_without_reason,
        "Angiv en begrundelse for udskydelsen.",
    ),
}


# The reminder models' rules are built in tests/reminders_support.py.
VIOLATIONS |= REMINDER_CONSTRAINT_VIOLATIONS
VIOLATIONS |= CASCADE_CONSTRAINT_VIOLATIONS


def test_every_constraint_of_the_programme_app_is_tested():
    declared = {
        constraint.name
        for model in apps.get_app_config("programme").get_models()
        for constraint in model._meta.constraints
    }
    assert declared == set(VIOLATIONS)


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_database_refuses_a_row_that_breaks_the_constraint(name):
    build, _message = VIOLATIONS[name]
    instance = build()
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_validating_the_constraints_names_the_broken_rule_in_danish(name):
    build, message = VIOLATIONS[name]
    instance = build()
    with pytest.raises(ValidationError) as error:
        instance.validate_constraints()
    assert error.value.messages == [message]


# A required field is checked before the rules: full_clean says so, in Danish.
FIELD_ERRORS = {"programme_postponement_has_reason": "Dette felt kan ikke være tomt."}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_full_clean_names_the_broken_rule_in_danish(name):
    build, message = VIOLATIONS[name]
    instance = build()
    with pytest.raises(ValidationError) as error:
        instance.full_clean()
    assert FIELD_ERRORS.get(name, message) in error.value.messages


def test_a_workplace_without_parent_passes_the_own_parent_rule():
    workplace = WorkplaceFactory(parent=None)
    workplace.full_clean()
    child = WorkplaceFactory(parent=workplace)
    child.full_clean()


def test_local_med_committee_needs_no_administration():
    MedCommittee.objects.create(name="Lokal-MED Valhøj", level=MedLevel.LOCAL)


# --- Tier.clean -----------------------------------------------------------------------


def test_tier_accepts_the_roles_from_hr_data():
    tier = TierFactory.build(programme=ProgrammeFactory(), roles=[Role.DIRECTOR, Role.LEADER])
    tier.full_clean()


def test_tier_rejects_unknown_roles_in_danish():
    tier = TierFactory.build(programme=ProgrammeFactory(), roles=["leder", "chef", "borgmester"])
    with pytest.raises(ValidationError) as error:
        tier.full_clean()
    assert error.value.message_dict["roles"] == ["Ukendte roller: borgmester, chef"]


def test_tier_rejects_roles_that_are_not_a_list():
    tier = TierFactory.build(programme=ProgrammeFactory(), roles={"leder": True})
    with pytest.raises(ValidationError) as error:
        tier.full_clean()
    assert "roles" in error.value.message_dict


def test_tier_rejects_a_number_as_roles_with_a_form_error():
    tier = TierFactory.build(programme=ProgrammeFactory(), roles=5)
    with pytest.raises(ValidationError):
        tier.full_clean()


# --- Programme.objects.current() --------------------------------------------------------


def test_current_programme_is_the_one_running_today():
    ProgrammeFactory(starts_on=datetime.date(2018, 1, 1), ends_on=datetime.date(2019, 12, 31))
    running = ProgrammeFactory(starts_on=JAN_1, ends_on=datetime.date(2022, 12, 31))
    ProgrammeFactory(starts_on=datetime.date(2023, 1, 1), ends_on=datetime.date(2024, 12, 31))
    assert Programme.objects.current(today=JUN_1) == running


def test_current_programme_falls_back_to_the_latest_when_none_runs_today():
    ProgrammeFactory(starts_on=datetime.date(2018, 1, 1), ends_on=datetime.date(2019, 12, 31))
    latest = ProgrammeFactory(
        starts_on=datetime.date(2023, 1, 1), ends_on=datetime.date(2024, 1, 1)
    )
    assert Programme.objects.current(today=JUN_1) == latest


def test_current_programme_ignores_inactive_programmes():
    ProgrammeFactory(starts_on=JAN_1, ends_on=datetime.date(2022, 12, 31), is_active=False)
    assert Programme.objects.current(today=JUN_1) is None


def test_current_programme_prefers_the_latest_started_of_two_running():
    ProgrammeFactory(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2022, 12, 31))
    newer = ProgrammeFactory(starts_on=JAN_1, ends_on=datetime.date(2021, 12, 31))
    assert Programme.objects.current(today=JUN_1) == newer


# --- Milestones -------------------------------------------------------------------------


def test_pending_milestones_are_the_unreached_ones_overdue_first_in_date_order():
    programme = ProgrammeFactory()
    later = MilestoneFactory(programme=programme, planned_date=datetime.date(2021, 9, 1))
    today = MilestoneFactory(programme=programme, planned_date=JUN_1)
    overdue = MilestoneFactory(programme=programme, planned_date=datetime.date(2021, 5, 31))
    MilestoneFactory(programme=programme, planned_date=datetime.date(2021, 7, 1), reached_on=JUN_1)

    pending = programme_outline(programme).pending_milestones(limit=5)

    assert pending == [overdue, today, later]


def test_milestone_is_postponed_when_planned_date_left_the_original():
    milestone = MilestoneFactory(planned_date=JUN_1)
    assert not milestone.is_postponed
    milestone.planned_date = datetime.date(2021, 9, 1)
    assert milestone.is_postponed


# --- Small behaviours -------------------------------------------------------------------


def test_phase_status_follows_the_actual_dates():
    phase = PhaseFactory.build(actual_start=JAN_1, actual_end=JUN_1)
    assert phase.status(datetime.date(2020, 12, 31)) == "planned"
    assert phase.status(JAN_1) == "running"
    assert phase.status(JUN_1) == "done"


def test_person_administration_is_their_workplaces():
    administration = AdministrationFactory()
    person = PersonFactory(workplace=WorkplaceFactory(administration=administration))
    assert person.administration == administration
    assert PersonFactory(workplace=None).administration is None


def test_programme_tier_for_role():
    programme = ProgrammeFactory()
    leaders = TierFactory(programme=programme, number=2, roles=[Role.LEADER])
    assert programme.tier_for_role(Role.LEADER) == leaders
    assert programme.tier_for_role(Role.EMPLOYEE) is None


def test_changes_to_people_are_kept_in_history():
    person = PersonFactory(job_title="Pædagog")
    person.job_title = "Souschef"
    person.save()
    assert [h.job_title for h in person.history.order_by("history_date")] == [
        "Pædagog",
        "Souschef",
    ]
