"""Who may see what: the roles as Django groups and the scope every `for_user()` reads.

The policy is the table in docs/product.md. Each model family has one `for_user()`
QuerySet method; all of them start from `scope_for(user)`, which is computed once per
request and cached on the user object.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum


class RoleGroup(StrEnum):
    """The Django groups that carry the programme's roles (group name = value)."""

    HR = "HR"
    DIRECTION = "Direktion"
    HEAD_OF_DEPARTMENT = "Fagchef"
    LEADER = "Leder"
    EMPLOYEE = "Medarbejder"
    COACH = "Coach"


# The group a person's HR role places them in. HR and Coach are granted by hand.
GROUP_FOR_PERSON_ROLE = {
    "direktoer": RoleGroup.DIRECTION,
    "fagchef": RoleGroup.HEAD_OF_DEPARTMENT,
    "leder": RoleGroup.LEADER,
    "medarbejder": RoleGroup.EMPLOYEE,
}

# A breakdown that could single out fewer people than this is shown as "< 5" (product.md).
SMALL_GROUP_LIMIT = 5


@dataclass(frozen=True)
class Scope:
    """What one user may see of the organisation."""

    groups: frozenset[str] = frozenset()
    everything: bool = False
    person_id: int | None = None
    administration_ids: frozenset[int] = frozenset()
    # Workplaces seen as leader (with their staff) or as an employee (without).
    led_workplace_ids: frozenset[int] = frozenset()
    workplace_ids: frozenset[int] = field(default=frozenset())
    # The Person behind the login, with workplace and administration loaded, for the pages.
    person: object | None = field(default=None, compare=False, repr=False)

    def has(self, group: RoleGroup) -> bool:
        return group.value in self.groups

    @property
    def is_hr(self) -> bool:
        return self.has(RoleGroup.HR)

    @property
    def is_direction(self) -> bool:
        return self.has(RoleGroup.DIRECTION)

    @property
    def takes_part(self) -> bool:
        """Whether the user has any part in the programme: HR, an active person or a coach."""
        return self.everything or self.person_id is not None or self.has(RoleGroup.COACH)


NO_SCOPE = Scope()


def scope_for(user) -> Scope:
    """Return the user's scope, computing it at most once per user object."""
    if user is None or not user.is_authenticated:
        return NO_SCOPE
    cached = getattr(user, "_programme_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._programme_scope = scope
    return scope


def _compute_scope(user) -> Scope:
    from .models import Person

    groups = frozenset(user.groups.values_list("name", flat=True))
    people = Person.objects.filter(user=user).select_related("workplace__administration")
    if user.is_superuser or RoleGroup.HR in groups:
        person = people.order_by().first()
        return Scope(
            groups=groups | ({RoleGroup.HR.value} if user.is_superuser else set()),
            everything=True,
            person_id=person.pk if person else None,
            person=person,
        )

    person = people.filter(is_active=True).order_by().first()
    if person is None:
        # The roles from HR data belong to an active person. Someone who has left keeps
        # no scope, even while their login is still in a role group (the groups are
        # synchronised by HR's import, which may not have run yet).
        return Scope(groups=groups - _PERSON_ROLE_GROUPS)
    if RoleGroup.DIRECTION in groups:
        return Scope(groups=groups, everything=True, person_id=person.pk, person=person)

    administration_ids: set[int] = set()
    led: set[int] = set()
    seen: set[int] = set()
    if RoleGroup.HEAD_OF_DEPARTMENT in groups and person.workplace_id:
        administration_ids.add(person.workplace.administration_id)
    if RoleGroup.LEADER in groups:
        led = _led_workplace_ids(person)
    if person.workplace_id:
        seen.add(person.workplace_id)
    return Scope(
        groups=groups,
        person_id=person.pk,
        administration_ids=frozenset(administration_ids),
        led_workplace_ids=frozenset(led),
        workplace_ids=frozenset(led | seen),
        person=person,
    )


_PERSON_ROLE_GROUPS = frozenset(group.value for group in GROUP_FOR_PERSON_ROLE.values())


def _led_workplace_ids(person) -> set[int]:
    """Return the units the person leads and every unit below them."""
    from .models import Workplace

    roots = set(
        Workplace.objects.filter(leaderships__person=person).order_by().values_list("pk", flat=True)
    )
    if not roots:
        return set()
    # One query for the whole tree, walked here, so the number of queries does not grow
    # with the depth of the organisation (a municipality has at most a few thousand units).
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in (
        Workplace.objects.filter(parent__isnull=False).order_by().values_list("pk", "parent_id")
    ):
        children[parent_id].append(pk)
    led: set[int] = set()
    frontier = roots
    while frontier:
        led |= frontier
        frontier = {child for pk in frontier for child in children[pk]} - led
    return led


# Model permissions per group, as (app_label, codename pattern) pairs; "*" matches all
# of an app's permissions, "view_*" all of its view permissions. Pages check the scope,
# the admin checks these. Only HR reaches the admin (is_staff) and imports or exports.
GROUP_PERMISSIONS: dict[RoleGroup, list[tuple[str, str]]] = {
    RoleGroup.HR: [
        ("programme", "*"),
        ("clarification", "*"),
        ("seminars", "*"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
        ("auth", "view_group"),
        # The lockout page sends a locked-out user to HR, who lifts the lock by deleting
        # the attempt. The access logs (addresses, times) stay with IT's superusers.
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
    ],
    RoleGroup.DIRECTION: [("programme", "view_*")],
    RoleGroup.HEAD_OF_DEPARTMENT: [],
    RoleGroup.LEADER: [],
    RoleGroup.EMPLOYEE: [],
    RoleGroup.COACH: [],
}
