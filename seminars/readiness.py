"""Facts about tier 1 that the cascade's readiness criteria read (programme.cascade).

A meeting counts as held when it has ended, was not cancelled and someone's attendance
was recorded for it.
"""

from django.utils import timezone

from .models import AttendanceStatus, Seminar, SeminarKind


def _held(programme):
    return Seminar.objects.filter(
        programme=programme,
        is_cancelled=False,
        ends_at__lt=timezone.now(),
        attendances__status=AttendanceStatus.ATTENDED,
    ).distinct()


def kickoff_held(programme) -> bool:
    return _held(programme).filter(kind=SeminarKind.KICKOFF).exists()


def seminars_held(programme) -> int:
    return _held(programme).filter(kind=SeminarKind.SEMINAR).count()
