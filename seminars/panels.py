"""Direktionen's panels on fagchefforum: attendance, coaching in aggregate, action learning."""

from django.db.models import Count, F, Q
from django.utils import timezone

from programme.access import SMALL_GROUP_LIMIT

from .evaluation import closes_at, with_evaluation_summary
from .models import AttendanceStatus, CoachingSession, Seminar, SessionStatus
from .models.coaching import UPCOMING


def seminar_panel(programme) -> dict:
    """Return the context of templates/seminars/panels/seminars.html (one query)."""
    if programme is None:
        return {"seminars": []}
    seminars = list(
        with_evaluation_summary(Seminar.objects.filter(programme=programme))
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
    now = timezone.now()
    for seminar in seminars:
        # Neither the count nor the mean while the evaluation is open (a change between
        # two looks would be one person's answer) or below SMALL_GROUP_LIMIT answers.
        seminar.evaluation_shown = (
            seminar.evaluation_answers_count >= SMALL_GROUP_LIMIT and now >= closes_at(seminar)
        )
    return {"seminars": seminars, "held": len(held), "limit": SMALL_GROUP_LIMIT}


def coaching_panel(programme) -> dict:
    """Coaching per administration for direktionen: counts only, never who or what.

    One query. An administration with fewer than SMALL_GROUP_LIMIT participants would
    single people out (a department has a few heads), so those are pooled as "other
    administrations", and the pool is shown as "< 5" (None) when it is small too — then
    the totals are hidden as well, or they would give the pool away by subtraction.
    """
    if programme is None:
        return {"rows": []}
    found = list(
        CoachingSession.objects.filter(programme=programme)
        .values(administration=F("coachee__workplace__administration__name"))
        .annotate(
            people=Count("coachee", distinct=True),
            held=Count("pk", filter=Q(status=SessionStatus.HELD)),
            upcoming=Count("pk", filter=Q(status__in=UPCOMING)),
            participants=Count("coachee", filter=Q(status=SessionStatus.HELD), distinct=True),
        )
        .order_by("administration")
    )
    if not found:
        return {"rows": []}
    numbers = ("held", "upcoming", "participants")
    rows = [row for row in found if row["people"] >= SMALL_GROUP_LIMIT]
    small = [row for row in found if row["people"] < SMALL_GROUP_LIMIT]
    totals = {name: sum(row[name] for row in found) for name in numbers}
    if small:
        pool = {"administration": None, "pooled": True}
        pool_people = sum(row["people"] for row in small)
        for name in numbers:
            pool[name] = (
                sum(row[name] for row in small) if pool_people >= SMALL_GROUP_LIMIT else None
            )
        rows.append(pool)
        if pool_people < SMALL_GROUP_LIMIT and len(rows) > 1:
            totals = dict.fromkeys(numbers)
    if sum(row["people"] for row in found) < SMALL_GROUP_LIMIT:
        totals = dict.fromkeys(numbers)
    return {"rows": rows, **totals}


def action_learning_panel(programme) -> dict:
    """Return the context of templates/seminars/panels/action_learning.html (two queries).

    A project with members from several administrations counts once in each of them, and
    once in the total. Only counts: the panel never reads a project's log.
    """
    from .models import ActionLearningProject, ProjectMembership, ProjectStatus

    if programme is None:
        return {"projects": 0, "cycles_completed": 0, "rows": []}
    completed_cycles = Count("cycles", filter=Q(cycles__completed_on__isnull=False), distinct=True)
    totals = (
        ActionLearningProject.objects.filter(programme=programme, status=ProjectStatus.ACTIVE)
        .order_by()
        .aggregate(projects=Count("pk", distinct=True), cycles_completed=completed_cycles)
    )
    rows = list(
        ProjectMembership.objects.filter(
            project__programme=programme, project__status=ProjectStatus.ACTIVE
        )
        .values(name=F("person__workplace__administration__name"))
        .annotate(
            projects=Count("project", distinct=True),
            cycles_completed=Count(
                "project__cycles",
                filter=Q(project__cycles__completed_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    return {**totals, "rows": rows}
