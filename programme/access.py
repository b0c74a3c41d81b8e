"""Who may see what: the roles as Django groups and the scope every `for_user()` reads.

The policy is the table in docs/product.md. Each model family has one `for_user()`
QuerySet method; all of them start from `scope_for(user)`, which is computed once per
request and cached on the user object.
"""

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

    def has(self, group: RoleGroup) -> bool:
        return group.value in self.groups

    @property
    def is_hr(self) -> bool:
        return self.has(RoleGroup.HR)

    @property
    def is_direction(self) -> bool:
        return self.has(RoleGroup.DIRECTION)


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
    from .models import Person, Workplace

    groups = frozenset(user.groups.values_list("name", flat=True))
    if user.is_superuser or RoleGroup.HR in groups or RoleGroup.DIRECTION in groups:
        person = Person.objects.filter(user=user).only("pk").first()
        return Scope(
            groups=groups | ({RoleGroup.HR.value} if user.is_superuser else set()),
            everything=True,
            person_id=person.pk if person else None,
        )

    person = (
        Person.objects.filter(user=user, is_active=True)
        .select_related("workplace")
        .only("pk", "workplace__administration_id")
        .first()
    )
    if person is None:
        return Scope(groups=groups)

    administration_ids: set[int] = set()
    led: set[int] = set()
    seen: set[int] = set()
    if RoleGroup.HEAD_OF_DEPARTMENT in groups and person.workplace_id:
        administration_ids.add(person.workplace.administration_id)
    if RoleGroup.LEADER in groups:
        # A leader sees the units they lead and the units below them.
        frontier = set(
            Workplace.objects.filter(leaderships__person=person).values_list("pk", flat=True)
        )
        while frontier:
            led |= frontier
            frontier = (
                set(Workplace.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
                - led
            )
    if person.workplace_id:
        seen.add(person.workplace_id)
    return Scope(
        groups=groups,
        person_id=person.pk,
        administration_ids=frozenset(administration_ids),
        led_workplace_ids=frozenset(led),
        workplace_ids=frozenset(led | seen),
    )


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
    ],
    RoleGroup.DIRECTION: [("programme", "view_*")],
    RoleGroup.HEAD_OF_DEPARTMENT: [],
    RoleGroup.LEADER: [],
    RoleGroup.EMPLOYEE: [],
    RoleGroup.COACH: [],
}
