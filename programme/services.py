"""Writes on the organisation and the programme that carry rules or side effects."""

import datetime
from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import GROUP_FOR_PERSON_ROLE, GROUP_PERMISSIONS, RoleGroup
from .models import (
    Administration,
    AdministrationSnapshot,
    Leadership,
    Milestone,
    Person,
    Postponement,
    Workplace,
)


class MilestoneNotMoved(ValueError):
    """The new date of a postponement is the date the milestone already has."""


def ensure_role_groups(*, using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions of the policy."""
    permissions = list(
        Permission.objects.using(using)
        .select_related("content_type")
        .values_list("pk", "content_type__app_label", "codename")
    )
    for group_name, patterns in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=group_name.value)
        wanted = {
            pk
            for pk, app_label, codename in permissions
            for pattern_app, pattern in patterns
            if app_label == pattern_app and fnmatchcase(codename, pattern)
        }
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)


@transaction.atomic
def sync_person_groups(*, person: Person) -> None:
    """Put the person's login in the group of their HR role, and out of the other ones."""
    user = person.user
    if user is None:
        return
    role_groups = {group.value for group in GROUP_FOR_PERSON_ROLE.values()}
    wanted = GROUP_FOR_PERSON_ROLE[person.role].value if person.is_active else None
    current = set(user.groups.filter(name__in=role_groups).values_list("name", flat=True))
    stale = current - {wanted}
    if stale:
        user.groups.remove(*Group.objects.filter(name__in=stale))
    if wanted and wanted not in current:
        user.groups.add(Group.objects.get(name=wanted))


@transaction.atomic
def grant_hr(*, user) -> None:
    """Make a login an HR administrator: the HR group and access to the admin."""
    user.groups.add(Group.objects.get(name=RoleGroup.HR.value))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def set_leaders(*, workplace: Workplace, people: list[Person]) -> None:
    """Make exactly these people the leaders of the workplace."""
    wanted = {person.pk for person in people}
    current = set(workplace.leaderships.values_list("person_id", flat=True))
    workplace.leaderships.filter(person_id__in=current - wanted).delete()
    # One save per new leader rather than bulk_create, which would skip the history rows.
    for pk in sorted(wanted - current):
        Leadership.objects.create(workplace=workplace, person_id=pk)


@transaction.atomic
def postpone_milestone(
    *, milestone: Milestone, new_date: datetime.date, reason: str, by
) -> Postponement:
    """Move a milestone to a new date and record the old date and the reason."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if new_date == milestone.planned_date:
        raise MilestoneNotMoved(_("Milepælen ligger allerede på denne dato."))
    postponement = Postponement.objects.create(
        milestone=milestone,
        old_date=milestone.planned_date,
        new_date=new_date,
        reason=reason.strip(),
        recorded_by=by,
    )
    milestone.planned_date = new_date
    milestone._change_reason = reason.strip()
    milestone.save(update_fields=["planned_date"])
    return postponement


def refresh_organisation_snapshot() -> int:
    """Recount people, leaders and workplaces per administration; return the rows written.

    One upsert per administration, so two concurrent runs write the same numbers and
    never collide on the unique administration key.
    """
    now = timezone.now()
    counts = Administration.objects.annotate(
        n_workplaces=Count("workplaces", filter=Q(workplaces__is_active=True), distinct=True),
        n_headcount=Sum("workplaces__headcount", filter=Q(workplaces__is_active=True)),
    ).values("pk", "n_workplaces", "n_headcount")
    people = dict(
        Person.objects.filter(is_active=True, workplace__is_active=True)
        .values_list("workplace__administration_id")
        .annotate(n=Count("pk"))
        .values_list("workplace__administration_id", "n")
    )
    leaders = dict(
        Leadership.objects.filter(person__is_active=True, workplace__is_active=True)
        .values_list("workplace__administration_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("workplace__administration_id", "n")
    )
    rows = [
        AdministrationSnapshot(
            administration_id=row["pk"],
            workplaces=row["n_workplaces"],
            headcount=row["n_headcount"] or 0,
            people=people.get(row["pk"], 0),
            leaders=leaders.get(row["pk"], 0),
            computed_at=now,
        )
        for row in counts
    ]
    AdministrationSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["administration"],
        update_fields=["workplaces", "headcount", "people", "leaders", "computed_at"],
    )
    return len(rows)
