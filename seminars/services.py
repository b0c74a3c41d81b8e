"""What HR and participants do with seminars: invite, register, record attendance, move.

Every status change is kept as an AttendanceEvent; moving or cancelling a seminar bumps
its iCalendar sequence, and its reminders follow the new date by themselves (the reminder
sweep reads the seminar's current start). Inviting, moving and cancelling send the
invitation, update or cancellation at once (seminars.reminders.announce).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from programme.access import scope_for
from programme.models import Person, Role

from . import ical, reminders
from .models import Attendance, AttendanceEvent, AttendanceStatus, Seminar
from .models.seminars import MEETING_FIELDS, seminar_meeting

# Who takes part in fagchefforum's seminars (product.md: direktionen and the fagchefer).
FORUM_ROLES = (Role.DIRECTOR, Role.HEAD_OF_DEPARTMENT)
# What a participant may do with their own invitation; the rest is HR's.
OWN_CHANGES = {
    AttendanceStatus.INVITED: {AttendanceStatus.REGISTERED},
    AttendanceStatus.REGISTERED: {AttendanceStatus.INVITED},
}


class AttendanceError(Exception):
    """A change the attendance does not allow; the message is Danish."""


def is_forum_member(scope) -> bool:
    """Whether the user takes part in fagchefforum's pages: HR, direktion or a fagchef."""
    return scope.everything or (scope.person is not None and scope.person.role in FORUM_ROLES)


def forum_members():
    return Person.objects.filter(is_active=True, role__in=FORUM_ROLES)


@transaction.atomic
def invite_forum(*, seminar: Seminar, by) -> int:
    """Invite every active member of fagchefforum not yet invited; return how many."""
    invited = set(seminar.attendances.values_list("person_id", flat=True))
    created = Attendance.objects.bulk_create(
        Attendance(seminar=seminar, person=person)
        for person in forum_members().exclude(pk__in=invited)
    )
    AttendanceEvent.objects.bulk_create(
        AttendanceEvent(attendance=a, to_status=AttendanceStatus.INVITED, actor=by) for a in created
    )
    if created:
        reminders.announce(seminar, by=by)
    return len(created)


def set_status(*, attendance: Attendance, status: str, by, reason: str = "") -> Attendance:
    """Change one participant's status and keep the change; HR may set any status."""
    scope = scope_for(by)
    own = attendance.person_id == scope.person_id
    allowed = own and status in OWN_CHANGES.get(attendance.status, set())
    if not (scope.is_hr or allowed):
        raise PermissionDenied
    if status == AttendanceStatus.ABSENT and not reason.strip():
        raise AttendanceError(_("Skriv årsagen til fraværet."))
    if status != AttendanceStatus.ABSENT:
        reason = ""
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if attendance.status == status and attendance.absence_reason == reason:
            return attendance
        before = attendance.status
        attendance.status = status
        attendance.absence_reason = reason
        attendance.save(update_fields=["status", "absence_reason", "updated_at"])
        AttendanceEvent.objects.create(
            attendance=attendance, from_status=before, to_status=status, reason=reason, actor=by
        )
    return attendance


@transaction.atomic
def move(*, seminar: Seminar, starts_at, ends_at, by, reason: str = "") -> Seminar:
    """Give the seminar new times; the old ones stay in its history."""
    seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
    if (seminar.starts_at, seminar.ends_at) == (starts_at, ends_at):
        return seminar
    seminar.starts_at, seminar.ends_at = starts_at, ends_at
    seminar.sequence += 1
    seminar._history_user = by
    seminar._change_reason = reason or _("Flyttet")
    seminar.save()
    reminders.announce(seminar, by=by)
    return seminar


@transaction.atomic
def cancel(*, seminar: Seminar, by, reason: str = "") -> Seminar:
    seminar = Seminar.objects.select_for_update().get(pk=seminar.pk)
    if seminar.is_cancelled:
        return seminar
    seminar.is_cancelled = True
    seminar.sequence += 1
    seminar._history_user = by
    seminar._change_reason = reason or _("Aflyst")
    seminar.save()
    reminders.announce(seminar, by=by)
    return seminar


def meetings_for(user):
    """The user's seminars for their calendar feed (one query, no model instances)."""
    rows = (
        Seminar.objects.filter(
            attendances__person__user=user,
            attendances__person__is_active=True,
            attendances__status__in=[
                AttendanceStatus.INVITED,
                AttendanceStatus.REGISTERED,
                AttendanceStatus.ATTENDED,
            ],
        )
        .order_by()
        .values_list(*MEETING_FIELDS)
        .distinct()
    )
    url = ical.absolute_url_maker("seminars:detail")
    return [
        seminar_meeting(**dict(zip(MEETING_FIELDS, row, strict=True)), url=url(row[0]))
        for row in rows
    ]
