"""Direktionen's panels on fagchefforum: meetings and attendance, coaching in aggregate."""

from django.db.models import Count, F, Q

from .models import AttendanceStatus, CoachingSession, Seminar, SessionStatus
from .models.coaching import UPCOMING


def seminar_panel(programme) -> dict:
    """Return the context of templates/seminars/panels/seminars.html (one query)."""
    if programme is None:
        return {"seminars": []}
    seminars = list(
        Seminar.objects.filter(programme=programme)
        .annotate(
            invited=Count("attendances"),
            attended=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED)),
            absent=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ABSENT)),
            registered=Count(
                "attendances", filter=Q(attendances__status=AttendanceStatus.REGISTERED)
            ),
        )
        .order_by("starts_at")
    )
    held = [s for s in seminars if s.attended]
    return {"seminars": seminars, "held": len(held)}


def coaching_panel(programme) -> dict:
    """Coaching sessions per administration: counts only, never who or what (one query)."""
    if programme is None:
        return {"rows": []}
    rows = list(
        CoachingSession.objects.filter(programme=programme)
        .values(administration=F("coachee__workplace__administration__name"))
        .annotate(
            held=Count("pk", filter=Q(status=SessionStatus.HELD)),
            upcoming=Count("pk", filter=Q(status__in=UPCOMING)),
            participants=Count("coachee", filter=Q(status=SessionStatus.HELD), distinct=True),
        )
        .order_by("administration")
    )
    return {
        "rows": rows,
        "held": sum(row["held"] for row in rows),
        "upcoming": sum(row["upcoming"] for row in rows),
    }
