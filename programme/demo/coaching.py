"""Coaching in the demo on 21 June 2021: sessions in every state, notes on both sides.

Each member of fagchefforum has three sessions with one of the three coaches. The first
(March–April) was held or missed, the second (May–June) held, cancelled or still to come,
the third is booked for the autumn. The demo's fagchef is coached by the demo's coach, and
both have written notes, the fagchef's shared with the coach. The coach offers a few free
autumn times. The sessions are planned and changed through the services, so histories
and reminders are real; the events are dated to the sessions, not to the loading.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from programme.models import ExternalPerson, Programme
from seminars import coaching, services
from seminars.models import (
    CoachingNote,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    NoteAuthor,
    SessionStatus,
)
from seminars.reminders import ensure_allowance_rule

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date
BOOK_BY = D(2021, 9, 1)
COACH_PLACES = {
    0: "Rødovre Rådhus, mødelokale 2.14",
    1: "Online (Teams)",
    2: "Rødovre Bibliotek, grupperum 3",
}
PARTICIPANT_NOTE = (
    "Min aktionslæring: hvordan faciliterer jeg dialogen i chefgruppen uden at tage over? "
    "Jeg prøver at stille ét åbent spørgsmål mere, før jeg konkluderer. Næste skridt: "
    "observere to møder og skrive ned, hvornår jeg afbryder."
)
COACH_NOTE = (
    "Arbejdede med forskellen på at løse og at facilitere. Aftale: en lille forandring i "
    "mødeformen, som kan observeres. Følg op på, hvad chefgruppen selv bemærker."
)


def _at(day: D, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CPH)


def _session_plan(m: int) -> list[tuple[datetime.datetime, str]]:
    """Member m's three sessions: when, and the status each had on 21 June 2021."""
    first = _at(D(2021, 3, 8) + datetime.timedelta(days=2 * m), 9 + m % 3 * 2)
    second = _at(D(2021, 5, 10) + datetime.timedelta(days=3 * m), 10 + m % 3 * 2)
    third = _at(D(2021, 9, 6) + datetime.timedelta(days=2 * m), 9 + m % 3 * 2)
    first_status = SessionStatus.NO_SHOW if m % 6 == 5 else SessionStatus.HELD
    if second.date() >= D(2021, 6, 21):
        second_status = SessionStatus.CONFIRMED
    elif m % 5 == 1:
        second_status = SessionStatus.CANCELLED
    else:
        second_status = SessionStatus.HELD
    third_status = SessionStatus.PLANNED if m % 2 else SessionStatus.CONFIRMED
    return [(first, first_status), (second, second_status), (third, third_status)]


def load_coaching(*, programme: Programme, hr) -> int:
    """Create the coaching once; return how many sessions there are."""
    existing = CoachingSession.objects.filter(programme=programme)
    if existing.exists():
        return existing.count()
    policy, _created = CoachingPolicy.objects.get_or_create(programme=programme)
    policy.book_by = BOOK_BY
    policy.save()
    ensure_allowance_rule(policy)

    coaches = list(ExternalPerson.objects.filter(kind="coach").order_by("pk"))
    demo_coach = next((c for c in coaches if c.user_id), coaches[0])
    coaches.remove(demo_coach)
    coaches.insert(0, demo_coach)
    demo_fagchef = get_user_model().objects.filter(username="fagchef").first()
    members = list(services.forum_members().order_by("pk"))
    for m, member in enumerate(members):
        is_demo_fagchef = demo_fagchef is not None and member.user_id == demo_fagchef.pk
        c = 0 if is_demo_fagchef else m % len(coaches)
        coach = coaches[c]
        for start, status in _session_plan(m):
            session = coaching.plan(
                programme=programme,
                coachee=member,
                coach=coach,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                place=COACH_PLACES[c],
                by=hr,
            )
            for step in _steps_to(status):
                # HR records the outcomes from the coaches' reports.
                coaching.set_status(session=session, status=step, by=hr)
            if is_demo_fagchef and status == SessionStatus.HELD:
                CoachingNote.objects.create(
                    session=session,
                    author=NoteAuthor.PARTICIPANT,
                    text=PARTICIPANT_NOTE,
                    shared_with_coach=True,
                )
                CoachingNote.objects.create(
                    session=session, author=NoteAuthor.COACH, text=COACH_NOTE
                )
    # The history is dated to the sessions, a week before each, not to the loading.
    events = list(
        CoachingSessionEvent.objects.filter(session__programme=programme).select_related("session")
    )
    for event in events:
        planned = event.session.starts_at - datetime.timedelta(days=7)
        event.at = planned if not event.from_status else event.session.ends_at
    CoachingSessionEvent.objects.bulk_update(events, ["at"])
    for day in (D(2021, 10, 4), D(2021, 10, 11), D(2021, 10, 18)):
        CoachingSlot.objects.create(
            programme=programme,
            coach=demo_coach,
            starts_at=_at(day, 13),
            ends_at=_at(day, 14),
            place=COACH_PLACES[0],
        )
    return existing.count()


def _steps_to(status: str) -> list[str]:
    if status == SessionStatus.PLANNED:
        return []
    if status in (SessionStatus.CONFIRMED, SessionStatus.CANCELLED):
        return [status]
    return [SessionStatus.CONFIRMED, status]
