import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission

from programme import services
from programme.access import RoleGroup
from programme.models import (
    Administration,
    AdministrationSnapshot,
    Leadership,
    Milestone,
    Postponement,
    Role,
)
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    login_for,
)

pytestmark = pytest.mark.django_db


# --- ensure_role_groups ---------------------------------------------------------------


def permissions_by_group():
    return {
        group.name: set(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.all()
    }


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= {g.value for g in RoleGroup}


def test_ensure_role_groups_is_idempotent():
    before = permissions_by_group()
    services.ensure_role_groups()
    services.ensure_role_groups()
    assert permissions_by_group() == before


def test_ensure_role_groups_takes_back_a_permission_given_by_hand():
    leader = Group.objects.get(name=RoleGroup.LEADER)
    leader.permissions.add(Permission.objects.get(codename="change_person"))
    services.ensure_role_groups()
    assert not leader.permissions.exists()


@pytest.mark.parametrize("model", ["administration", "workplace", "person"])
def test_hr_may_import_and_export(model):
    hr = permissions_by_group()[RoleGroup.HR]
    assert ("programme", f"import_{model}") in hr
    assert ("programme", f"export_{model}") in hr


def test_hr_has_every_permission_of_the_programme_app():
    hr = permissions_by_group()[RoleGroup.HR]
    every = set(
        Permission.objects.filter(content_type__app_label="programme").values_list(
            "content_type__app_label", "codename"
        )
    )
    assert every <= hr


def test_direktion_may_only_view():
    direktion = permissions_by_group()[RoleGroup.DIRECTION]
    assert ("programme", "view_person") in direktion
    assert all(codename.startswith("view_") for _app, codename in direktion)


@pytest.mark.parametrize(
    "group", [RoleGroup.HEAD_OF_DEPARTMENT, RoleGroup.LEADER, RoleGroup.EMPLOYEE, RoleGroup.COACH]
)
def test_other_roles_have_no_model_permission(group):
    assert permissions_by_group()[group] == set()


# --- sync_person_groups ---------------------------------------------------------------


def role_groups_of(user):
    return set(user.groups.values_list("name", flat=True))


def test_changed_role_moves_the_login_to_the_new_role_group():
    person = PersonFactory(role=Role.EMPLOYEE)
    user = login_for(person)
    person.role = Role.LEADER
    person.save()

    services.sync_person_groups(person=person)

    assert role_groups_of(user) == {RoleGroup.LEADER}


def test_person_who_leaves_loses_the_role_group_but_keeps_hr_and_coach():
    person = PersonFactory(role=Role.LEADER)
    user = login_for(person, extra_groups=[RoleGroup.HR, RoleGroup.COACH])
    person.is_active = False
    person.save()

    services.sync_person_groups(person=person)

    assert role_groups_of(user) == {RoleGroup.HR, RoleGroup.COACH}


def test_login_without_a_group_gets_the_role_group():
    user = UserFactory()
    person = PersonFactory(role=Role.HEAD_OF_DEPARTMENT, user=user)
    services.sync_person_groups(person=person)
    assert role_groups_of(user) == {RoleGroup.HEAD_OF_DEPARTMENT}


def test_person_without_login_is_left_alone():
    person = PersonFactory(role=Role.LEADER)
    services.sync_person_groups(person=person)
    assert not Group.objects.get(name=RoleGroup.LEADER).user_set.exists()


# --- set_leaders ----------------------------------------------------------------------


def test_set_leaders_makes_exactly_these_people_leaders():
    workplace = WorkplaceFactory()
    stays, goes = LeadershipFactory(workplace=workplace).person, PersonFactory()
    LeadershipFactory(workplace=workplace, person=goes)
    new = PersonFactory()

    services.set_leaders(workplace=workplace, people=[stays, new])

    assert set(workplace.leaders.all()) == {stays, new}


def test_set_leaders_records_history_of_added_and_removed_leaders():
    workplace = WorkplaceFactory()
    old, new = PersonFactory(), PersonFactory()
    services.set_leaders(workplace=workplace, people=[old])
    services.set_leaders(workplace=workplace, people=[new])

    history = Leadership.history.filter(workplace_id=workplace.pk)
    assert set(history.values_list("person_id", "history_type")) == {
        (old.pk, "+"),
        (old.pk, "-"),
        (new.pk, "+"),
    }


def test_set_leaders_with_the_same_people_changes_nothing():
    leadership = LeadershipFactory()
    services.set_leaders(workplace=leadership.workplace, people=[leadership.person])
    assert list(Leadership.objects.all()) == [leadership]


# --- postpone_milestone ---------------------------------------------------------------

JUN_1 = datetime.date(2021, 6, 1)
SEP_1 = datetime.date(2021, 9, 1)


def test_postponing_records_the_move_and_keeps_the_original_date():
    milestone = MilestoneFactory(planned_date=JUN_1)
    hr = UserFactory()

    postponement = services.postpone_milestone(
        milestone=milestone, new_date=SEP_1, reason="  Udskudt grundet covid-19 ", by=hr
    )

    milestone.refresh_from_db()
    assert (postponement.old_date, postponement.new_date) == (JUN_1, SEP_1)
    assert postponement.reason == "Udskudt grundet covid-19"
    assert postponement.recorded_by == hr
    assert (milestone.planned_date, milestone.original_date) == (SEP_1, JUN_1)
    latest = milestone.history.latest()
    assert latest.planned_date == SEP_1
    assert latest.history_change_reason == "Udskudt grundet covid-19"


def test_second_postponement_starts_from_the_moved_date():
    milestone = MilestoneFactory(planned_date=JUN_1)
    services.postpone_milestone(milestone=milestone, new_date=SEP_1, reason="Covid-19", by=None)
    later = datetime.date(2021, 11, 1)
    second = services.postpone_milestone(
        milestone=milestone, new_date=later, reason="Igen", by=None
    )
    assert (second.old_date, second.new_date) == (SEP_1, later)
    assert Milestone.objects.get().original_date == JUN_1


def test_postponing_to_the_same_date_is_refused_and_writes_nothing():
    milestone = MilestoneFactory(planned_date=JUN_1)
    versions = milestone.history.count()

    with pytest.raises(services.MilestoneNotMoved):
        services.postpone_milestone(milestone=milestone, new_date=JUN_1, reason="Ingen", by=None)

    assert not Postponement.objects.exists()
    assert milestone.history.count() == versions


# --- refresh_organisation_snapshot ----------------------------------------------------


@pytest.fixture
def organisation():
    """Two administrations with active and inactive workplaces, people and leaders."""
    a, b = AdministrationFactory(), AdministrationFactory()
    open_a = WorkplaceFactory(administration=a, headcount=30)
    other_a = WorkplaceFactory(administration=a, headcount=12)
    closed_a = WorkplaceFactory(administration=a, headcount=99, is_active=False)
    PersonFactory.create_batch(4, workplace=open_a)
    PersonFactory.create_batch(2, workplace=other_a)
    PersonFactory(workplace=open_a, is_active=False)
    PersonFactory.create_batch(3, workplace=closed_a)
    leader = PersonFactory(workplace=open_a, role=Role.LEADER)
    LeadershipFactory(workplace=open_a, person=leader)
    LeadershipFactory(workplace=other_a, person=leader)  # one person, counted once
    LeadershipFactory(workplace=other_a, person=PersonFactory(workplace=other_a, is_active=False))
    LeadershipFactory(workplace=closed_a, person=PersonFactory(workplace=closed_a))
    return a, b


def snapshot_rows():
    return list(
        AdministrationSnapshot.objects.order_by("administration_id").values(
            "administration_id", "workplaces", "people", "leaders", "headcount", "computed_at"
        )
    )


def test_snapshot_counts_only_active_people_and_workplaces(organisation):
    a, b = organisation
    services.refresh_organisation_snapshot()

    snapshot = AdministrationSnapshot.objects.get(administration=a)
    assert snapshot.workplaces == 2
    assert snapshot.headcount == 42
    assert snapshot.people == 7  # 4 + 2 + the leader; not the inactive or the closed unit's
    assert snapshot.leaders == 1
    empty = AdministrationSnapshot.objects.get(administration=b)
    assert (empty.workplaces, empty.people, empty.leaders, empty.headcount) == (0, 0, 0, 0)


def test_snapshot_run_twice_gives_identical_rows_one_per_administration(organisation):
    with time_machine.travel(datetime.datetime(2021, 6, 1, 8, tzinfo=datetime.UTC), tick=False):
        first_count = services.refresh_organisation_snapshot()
        first = snapshot_rows()
        second_count = services.refresh_organisation_snapshot()

    assert first_count == second_count == Administration.objects.count()
    assert snapshot_rows() == first
    assert [row["administration_id"] for row in first] == sorted(
        Administration.objects.values_list("pk", flat=True)
    )


def test_snapshot_follows_changes_on_the_next_run(organisation):
    a, _b = organisation
    services.refresh_organisation_snapshot()
    PersonFactory.create_batch(5, workplace=a.workplaces.filter(is_active=True).first())

    services.refresh_organisation_snapshot()

    assert AdministrationSnapshot.objects.get(administration=a).people == 12
