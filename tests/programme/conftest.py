import pytest

from programme.access import RoleGroup
from programme.models import ExternalPerson, Role
from tests.programme.factories import (
    LeadershipFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    login_for,
)


@pytest.fixture
def coach(db):
    """An external coach's login: in the Coach group, not an employee."""
    user = UserFactory(username="coach", groups=[RoleGroup.COACH])
    ExternalPerson.objects.create(name="Coach Hansen", kind="coach", user=user)
    return user


@pytest.fixture
def loner(db):
    """A login in no group and with no person."""
    return UserFactory(username="ingen-rolle")


@pytest.fixture
def tree(org):
    """A unit with a child and a grandchild in administration A, each with staff.

    The top unit's leader also works there; the child unit has its own leader.
    """
    top = WorkplaceFactory(administration=org["admin_a"], name="Dagtilbud Øst")
    child = WorkplaceFactory(administration=org["admin_a"], name="Børnehaven Kirkebo", parent=top)
    grandchild = WorkplaceFactory(
        administration=org["admin_a"], name="Kirkebo Vuggestue", parent=child
    )
    top_leader = PersonFactory(workplace=top, role=Role.LEADER)
    LeadershipFactory(workplace=top, person=top_leader)
    child_leader = PersonFactory(workplace=child, role=Role.LEADER)
    LeadershipFactory(workplace=child, person=child_leader)
    return {
        "top": top,
        "child": child,
        "grandchild": grandchild,
        "top_leader": top_leader,
        "top_leader_user": login_for(top_leader),
        "child_leader": child_leader,
        "child_leader_user": login_for(child_leader),
        "grandchild_employee": PersonFactory(workplace=grandchild),
    }
