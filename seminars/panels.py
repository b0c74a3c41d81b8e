"""Direktionen's panel on fagchefforum: the meetings held and the attendance at each."""

from django.db.models import Count, Q

from .models import AttendanceStatus, Seminar


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
