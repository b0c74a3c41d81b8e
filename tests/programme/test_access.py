"""Each family's `for_user()` and the scope behind it, per role (product.md's policy)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from programme.access import RoleGroup, scope_for
from programme.models import Administration, Person, Programme, Workplace
from tests.programme.factories import (
    LeadershipFactory,
    ProgrammeFactory,
    UserFactory,
    WorkplaceFactory,
)

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees it: no scope cached on the object yet."""
    return type(user).objects.get(pk=user.pk)


def visible(model, user):
    return set(model.objects.for_user(fresh(user)))


def deactivate(person):
    person.is_active = False
    person.save(update_fields=["is_active"])


# --- Administration -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_every_administration(users, org, role):
    assert visible(Administration, users[role]) == set(Administration.objects.all())


@pytest.mark.parametrize("role", ["fagchef", "leder", "medarbejder"])
def test_organisation_roles_see_only_their_own_administration(users, org, role):
    assert visible(Administration, users[role]) == {org["admin_a"]}


def test_administration_is_listed_once_for_a_leader_of_several_workplaces(users, org):
    LeadershipFactory(workplace=org["wa2"], person=org["leader_a"])
    assert list(Administration.objects.for_user(fresh(users["leder"]))) == [org["admin_a"]]


# --- Workplace ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_every_workplace(users, org, role):
    assert visible(Workplace, users[role]) == set(Workplace.objects.all())


def test_fagchef_sees_every_workplace_of_their_administration_only(users, org):
    assert visible(Workplace, users["fagchef"]) == {org["wa1"], org["wa2"]}


def test_leader_sees_the_workplace_they_lead_and_not_its_siblings(users, org):
    assert visible(Workplace, users["leder"]) == {org["wa1"]}


def test_employee_sees_only_their_own_workplace(users, org):
    assert visible(Workplace, users["medarbejder"]) == {org["wa1"]}


def test_leader_of_a_parent_unit_sees_every_unit_below_it(tree):
    assert visible(Workplace, tree["top_leader_user"]) == {
        tree["top"],
        tree["child"],
        tree["grandchild"],
    }


def test_leader_of_a_child_unit_does_not_see_the_parent(tree):
    assert visible(Workplace, tree["child_leader_user"]) == {tree["child"], tree["grandchild"]}


def test_leader_of_a_deep_tree_is_scoped_in_constant_queries(tree, django_assert_num_queries):
    deepest = tree["grandchild"]
    for _level in range(10):
        deepest = WorkplaceFactory(administration=deepest.administration, parent=deepest)
    user = fresh(tree["top_leader_user"])

    # The groups, the person, the units they lead, the tree: whatever its depth.
    with django_assert_num_queries(4):
        scope = scope_for(user)

    assert deepest.pk in scope.led_workplace_ids


# --- Person -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_every_person(users, org, role):
    assert visible(Person, users[role]) == set(Person.objects.all())


def test_fagchef_sees_the_people_of_their_administration_only(users, org):
    assert visible(Person, users["fagchef"]) == set(
        Person.objects.filter(workplace__administration=org["admin_a"])
    )
    assert org["employee_b"] not in visible(Person, users["fagchef"])


def test_leader_sees_the_staff_of_the_workplace_they_lead(users, org):
    assert visible(Person, users["leder"]) == {org["leader_a"], org["employee_a"]}


def test_leader_of_a_parent_unit_sees_the_staff_of_child_units(tree):
    assert tree["grandchild_employee"] in visible(Person, tree["top_leader_user"])
    assert tree["top_leader"] not in visible(Person, tree["child_leader_user"])


def test_employee_sees_only_themselves(users, org):
    assert visible(Person, users["medarbejder"]) == {org["employee_a"]}


# --- Programme ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef", "leder", "medarbejder"])
def test_every_role_sees_the_active_programme_only(users, programme, role):
    ProgrammeFactory(is_active=False)
    assert visible(Programme, users[role]) == {programme}


def test_coach_sees_the_programme(coach, programme):
    assert visible(Programme, coach) == {programme}


def test_anonymous_visitor_sees_no_programme(programme):
    assert not Programme.objects.for_user(AnonymousUser()).exists()


def test_login_in_no_group_sees_no_programme(loner, programme):
    assert visible(Programme, loner) == set()


def test_person_who_has_left_sees_no_programme(users, org, programme):
    deactivate(org["employee_a"])
    assert visible(Programme, users["medarbejder"]) == set()


# --- Nobody -------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Administration, Workplace, Person])
def test_login_in_no_group_sees_nothing_of_the_organisation(loner, org, model):
    assert visible(model, loner) == set()


@pytest.mark.parametrize("model", [Administration, Workplace, Person])
def test_coach_sees_nothing_of_the_organisation(coach, org, model):
    assert visible(model, coach) == set()


@pytest.mark.parametrize("model", [Administration, Workplace, Person])
def test_anonymous_visitor_sees_nothing_of_the_organisation(org, model):
    assert not model.objects.for_user(AnonymousUser()).exists()


@pytest.mark.parametrize("role", ["direktion", "fagchef", "leder", "medarbejder"])
@pytest.mark.parametrize("model", [Administration, Workplace, Person])
def test_person_who_has_left_sees_nothing_though_still_in_a_role_group(users, org, role, model):
    person = {
        "direktion": org["director"],
        "fagchef": org["fagchef_a"],
        "leder": org["leader_a"],
        "medarbejder": org["employee_a"],
    }[role]
    deactivate(person)
    assert users[role].groups.exists()

    assert visible(model, users[role]) == set()
    assert not scope_for(fresh(users[role])).takes_part


# --- The scope ----------------------------------------------------------------------


def test_scope_is_computed_once_per_user_object(users, django_assert_num_queries):
    user = fresh(users["leder"])
    scope = scope_for(user)
    with django_assert_num_queries(0):
        assert scope_for(user) is scope


def test_superuser_sees_everything_as_hr(org):
    superuser = UserFactory(username="it", is_superuser=True, is_staff=True)
    scope = scope_for(superuser)
    assert scope.everything
    assert scope.is_hr


@pytest.mark.parametrize(
    ("role", "takes_part"),
    [
        ("hr", True),
        ("direktion", True),
        ("fagchef", True),
        ("leder", True),
        ("medarbejder", True),
    ],
)
def test_every_role_takes_part(users, role, takes_part):
    assert scope_for(fresh(users[role])).takes_part is takes_part


def test_coach_takes_part_and_a_login_in_no_group_does_not(coach, loner):
    assert scope_for(coach).takes_part
    assert scope_for(coach).has(RoleGroup.COACH)
    assert not scope_for(loner).takes_part
