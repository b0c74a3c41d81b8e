"""What HR, participants and coaches do with coaching: book, plan, change status, write notes.

Booking and planning count the participant's allowance under a lock on the participant's
row, so two bookings at once cannot both take the last session; the database refuses a
second booking of one offered time and a coach booked twice at the same start. Every
status change is kept as a CoachingSessionEvent. A note's text is read only through
`read_notes()`, which logs each read.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.access import RoleGroup, scope_for
from programme.imports.formats import CSVFormat, escape_formula
from programme.models import ExternalPerson, Person, Programme

from . import ical
from .models import (
    CoachingNote,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    NoteAuthor,
    NoteRead,
    ReadPurpose,
    SessionStatus,
)
from .models.coaching import MEETING_FIELDS as SESSION_MEETING_FIELDS
from .models.coaching import NOT_CANCELLED, UPCOMING, session_meeting
from .services import FORUM_ROLES, forum_members


class CoachingError(Exception):
    """A booking or change coaching does not allow; the message is Danish."""


# Who may move a session from one status to another. HR may also correct a recorded
# outcome (held ↔ no-show); a cancelled session stays cancelled (book a new one).
PARTY_CHANGES = {
    "coach": {
        SessionStatus.PLANNED: {SessionStatus.CONFIRMED, SessionStatus.CANCELLED},
        SessionStatus.CONFIRMED: {
            SessionStatus.HELD,
            SessionStatus.NO_SHOW,
            SessionStatus.CANCELLED,
        },
    },
    "coachee": {
        SessionStatus.PLANNED: {SessionStatus.CONFIRMED, SessionStatus.CANCELLED},
        SessionStatus.CONFIRMED: {SessionStatus.CANCELLED},
    },
}
HR_CHANGES = {
    SessionStatus.PLANNED: {
        SessionStatus.CONFIRMED,
        SessionStatus.HELD,
        SessionStatus.NO_SHOW,
        SessionStatus.CANCELLED,
    },
    SessionStatus.CONFIRMED: {
        SessionStatus.PLANNED,
        SessionStatus.HELD,
        SessionStatus.NO_SHOW,
        SessionStatus.CANCELLED,
    },
    SessionStatus.HELD: {SessionStatus.NO_SHOW},
    SessionStatus.NO_SHOW: {SessionStatus.HELD},
}
# Outcomes can be recorded only once the session has started.
OUTCOMES = {SessionStatus.HELD, SessionStatus.NO_SHOW}


def policy_for(programme: Programme) -> CoachingPolicy:
    """The programme's coaching terms (the defaults until HR changes them)."""
    policy, _created = CoachingPolicy.objects.get_or_create(programme=programme)
    policy.programme = programme
    return policy


def is_participant(scope) -> bool:
    """Fagchefforum's members have a coaching allowance."""
    return scope.person is not None and scope.person.role in FORUM_ROLES


def coach_of(user) -> ExternalPerson | None:
    """The active coach behind this login, if it has the Coach role."""
    if not scope_for(user).has(RoleGroup.COACH):
        return None
    return ExternalPerson.objects.filter(user=user, kind="coach", is_active=True).first()


def is_coach(user) -> bool:
    return coach_of(user) is not None


@dataclass(frozen=True)
class Allowance:
    total: int
    used: int
    expires_on: datetime.date

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)


def counts(policy: CoachingPolicy, status: str) -> bool:
    """Whether a session in this status uses one of the participant's sessions."""
    return status in policy.counted_statuses()


def allowance(policy: CoachingPolicy, person_id: int) -> Allowance:
    used = CoachingSession.objects.using_allowance(policy).filter(coachee_id=person_id).count()
    return Allowance(policy.sessions_per_participant, used, policy.expires_on)


def allowances(policy: CoachingPolicy):
    """Every forum member with the sessions they have used (one query)."""
    counted = CoachingSession.objects.using_allowance(policy).values("pk")
    return (
        forum_members()
        .select_related("workplace__administration")
        .annotate(
            used=Count("coaching_sessions", filter=Q(coaching_sessions__pk__in=counted)),
            held=Count(
                "coaching_sessions",
                filter=Q(
                    coaching_sessions__programme_id=policy.programme_id,
                    coaching_sessions__status=SessionStatus.HELD,
                ),
            ),
        )
        .order_by("name")
    )


def check_allowance(policy: CoachingPolicy, person: Person, starts_at) -> None:
    if person.role not in FORUM_ROLES or not person.is_active:
        raise CoachingError(_("Kun fagchefforums deltagere har coachingsamtaler."))
    if timezone.localtime(starts_at).date() > policy.expires_on:
        raise CoachingError(
            _("Samtalerne skal holdes, inden forløbet slutter den %(date)s.")
            % {"date": policy.expires_on.strftime("%d.%m.%Y")}
        )
    if allowance(policy, person.pk).remaining <= 0:
        raise CoachingError(
            _("%(name)s har brugt alle %(n)s samtaler.")
            % {"name": person.name, "n": policy.sessions_per_participant}
        )


def _record(session, before, by, reason="") -> None:
    CoachingSessionEvent.objects.create(
        session=session, from_status=before, to_status=session.status, reason=reason, actor=by
    )


def _create(**fields) -> CoachingSession:
    try:
        with transaction.atomic():
            return CoachingSession.objects.create(**fields)
    except IntegrityError as error:
        raise CoachingError(_("Tiden er allerede optaget. Vælg en anden tid.")) from error


def book(*, slot: CoachingSlot, by) -> CoachingSession:
    """The signed-in participant books a coach's offered time; the coach offered it, so
    the session is confirmed at once."""
    from . import reminders

    scope = scope_for(by)
    if not is_participant(scope):
        raise PermissionDenied
    with transaction.atomic():
        # One booking at a time per participant: the allowance is counted under this lock.
        person = Person.objects.select_for_update().get(pk=scope.person_id)
        slot = CoachingSlot.objects.select_for_update().select_related("coach").get(pk=slot.pk)
        programme = Programme.objects.get(pk=slot.programme_id)
        if slot.starts_at <= timezone.now() or not slot.coach.is_active or not programme.is_active:
            raise CoachingError(_("Tiden kan ikke længere bookes."))
        if slot.sessions.filter(status__in=NOT_CANCELLED).exists():
            raise CoachingError(_("Tiden er allerede booket. Vælg en anden tid."))
        policy = policy_for(programme)
        check_allowance(policy, person, slot.starts_at)
        session = _create(
            programme_id=slot.programme_id,
            coachee=person,
            coach=slot.coach,
            slot=slot,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            place=slot.place,
            status=SessionStatus.CONFIRMED,
            created_by=by,
        )
        _record(session, "", by)
        reminders.ensure_coaching_rule(session)
        reminders.announce(session, by=by)
    return session


def plan(*, programme, coachee: Person, coach: ExternalPerson, starts_at, ends_at, place, by):
    """HR plans a session for a participant (planned until the coach or participant confirms)."""
    from . import reminders

    if not scope_for(by).is_hr:
        raise PermissionDenied
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=coachee.pk)
        check_allowance(policy_for(programme), person, starts_at)
        session = _create(
            programme=programme,
            coachee=person,
            coach=coach,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            created_by=by,
        )
        _record(session, "", by)
        reminders.ensure_coaching_rule(session)
        reminders.announce(session, by=by)
    return session


def allowed_changes(session: CoachingSession, user) -> set[str]:
    """The statuses this user may move the session to now."""
    scope = scope_for(user)
    if scope.is_hr:
        allowed = set(HR_CHANGES.get(session.status, ()))
    else:
        allowed = set()
        if session.coachee_id == scope.person_id:
            allowed |= PARTY_CHANGES["coachee"].get(session.status, set())
        if scope.has(RoleGroup.COACH) and session.coach.user_id == user.pk:
            allowed |= PARTY_CHANGES["coach"].get(session.status, set())
    if session.starts_at > timezone.now():
        allowed -= OUTCOMES
    elif not scope.is_hr:
        # A session that has started is not cancelled by a party: it was held or missed.
        allowed.discard(SessionStatus.CANCELLED)
    return allowed


def set_status(*, session: CoachingSession, status: str, by, reason: str = ""):
    from . import reminders

    with transaction.atomic():
        session = (
            CoachingSession.objects.select_for_update(of=("self",))
            .select_related("coach", "programme")
            .get(pk=session.pk)
        )
        if session.status == status:
            return session
        if status not in allowed_changes(session, by):
            raise CoachingError(
                _("Samtalen kan ikke ændres fra %(from)s til %(to)s.")
                % {
                    "from": session.get_status_display(),
                    "to": SessionStatus(status).label,
                }
            )
        before = session.status
        policy = policy_for(session.programme)
        if counts(policy, status) and not counts(policy, before):
            # E.g. HR corrects a no-show that did not use a session to "held": the session
            # starts to count, so the allowance is checked as for a new one.
            person = Person.objects.select_for_update().get(pk=session.coachee_id)
            check_allowance(policy, person, session.starts_at)
        session.status = status
        if status == SessionStatus.CANCELLED:
            # Calendars replace the meeting with its cancellation.
            session.sequence += 1
        session._history_user = by
        session.save(update_fields=["status", "sequence"])
        _record(session, before, by, reason)
        if status == SessionStatus.CANCELLED:
            reminders.announce(session, by=by)
    return session


def check_move(session: CoachingSession, starts_at, ends_at) -> None:
    """Raise CoachingError if the session may not move to these times."""
    if session.status not in UPCOMING:
        raise CoachingError(_("Kun en kommende samtale kan flyttes."))
    if ends_at <= starts_at:
        raise CoachingError(_("Samtalen skal slutte efter, den starter."))
    expires_on = session.programme.ends_on
    if timezone.localtime(starts_at).date() > expires_on:
        raise CoachingError(
            _("Samtalerne skal holdes, inden forløbet slutter den %(date)s.")
            % {"date": expires_on.strftime("%d.%m.%Y")}
        )
    clash = CoachingSession.objects.filter(
        coach_id=session.coach_id, starts_at=starts_at, status__in=UPCOMING
    ).exclude(pk=session.pk)
    if clash.exists():
        raise CoachingError(_("Coachen har allerede en samtale på det tidspunkt."))


def move(*, session: CoachingSession, starts_at, ends_at, by, place: str | None = None):
    """Give a session new times; the old ones stay in its history, calendars follow."""
    from . import reminders

    if not scope_for(by).is_hr:
        raise PermissionDenied
    with transaction.atomic():
        session = (
            CoachingSession.objects.select_for_update(of=("self",))
            .select_related("programme")
            .get(pk=session.pk)
        )
        check_move(session, starts_at, ends_at)
        new_place = session.place if place is None else place
        if (session.starts_at, session.ends_at, session.place) == (starts_at, ends_at, new_place):
            return session
        session.starts_at, session.ends_at, session.place = starts_at, ends_at, new_place
        session.sequence += 1
        session._history_user = by
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError as error:
            raise CoachingError(_("Coachen har allerede en samtale på det tidspunkt.")) from error
        reminders.announce(session, by=by)
    return session


def offer_slot(*, coach: ExternalPerson, programme, starts_at, ends_at, place) -> CoachingSlot:
    if starts_at <= timezone.now():
        raise CoachingError(_("Tilbyd en tid i fremtiden."))
    if timezone.localtime(starts_at).date() > programme.ends_on:
        raise CoachingError(_("Tiden ligger efter forløbets afslutning."))
    try:
        with transaction.atomic():
            return CoachingSlot.objects.create(
                programme=programme, coach=coach, starts_at=starts_at, ends_at=ends_at, place=place
            )
    except IntegrityError as error:
        raise CoachingError(_("Du tilbyder allerede en tid, der starter da.")) from error


def withdraw_slot(*, slot: CoachingSlot) -> bool:
    """Take back an offered time nobody has booked; return whether it was withdrawn."""
    with transaction.atomic():
        slot = CoachingSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.sessions.filter(status__in=NOT_CANCELLED).exists():
            return False
        slot.sessions.update(slot=None)
        slot.delete()
    return True


# --- Notes ------------------------------------------------------------------------------


def party_of(session: CoachingSession, user) -> str | None:
    """Which side of the session this user is on: a NoteAuthor value, or None."""
    scope = scope_for(user)
    if scope.person_id is not None and session.coachee_id == scope.person_id:
        return NoteAuthor.PARTICIPANT
    if scope.has(RoleGroup.COACH) and session.coach.user_id == user.pk and session.coach.is_active:
        return NoteAuthor.COACH
    return None


def save_note(*, session: CoachingSession, by, text: str, shared: bool = False):
    """Write the user's own note on the session (their side's one note)."""
    author = party_of(session, by)
    if author is None:
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise CoachingError(_("Skriv noten, før du gemmer."))
    note, _created = CoachingNote.objects.update_or_create(
        session=session,
        author=author,
        defaults={
            "text": text,
            "shared_with_coach": shared and author == NoteAuthor.PARTICIPANT,
        },
    )
    return note


def read_notes(*, session: CoachingSession, user) -> list[CoachingNote]:
    """Return the notes on the session this user may read, and log each read."""
    notes = list(CoachingNote.objects.for_user(user).filter(session=session).order_by("author"))
    if notes:
        author = party_of(session, user)
        NoteRead.objects.bulk_create(
            NoteRead(
                note=note,
                reader=user,
                coachee_id=session.coachee_id,
                purpose=ReadPurpose.OWN if note.author == author else ReadPurpose.SHARED,
            )
            for note in notes
        )
    return notes


# --- Calendar feed ----------------------------------------------------------------------


def meetings_for(user):
    """The user's coaching sessions, as participant or coach, for their calendar (one query).

    Read as plain values: building 30 sessions with their two parties as model instances
    cost more than the rest of the feed.
    """
    rows = (
        CoachingSession.objects.filter(
            Q(coachee__user=user, coachee__is_active=True)
            | Q(coach__user=user, coach__is_active=True)
        )
        .exclude(status=SessionStatus.NO_SHOW)
        .order_by()
        .values_list(*SESSION_MEETING_FIELDS)
    )
    url = ical.absolute_url_maker("coaching:session")
    return [
        session_meeting(
            pk=pk,
            sequence=sequence,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            status=status,
            coachee=coachee,
            coach=coach,
            url=url(pk),
        )
        for pk, sequence, starts_at, ends_at, place, status, coachee, coach in rows
    ]


def sessions_csv(sessions) -> bytes:
    """Sessions for HR's spreadsheet: dates, the two parties and the status — no notes."""
    headers = [_("Starter"), _("Slutter"), _("Deltager"), _("Coach"), _("Sted"), _("Status")]
    rows = (
        [
            timezone.localtime(s.starts_at).strftime("%d.%m.%Y %H.%M"),
            timezone.localtime(s.ends_at).strftime("%d.%m.%Y %H.%M"),
            s.coachee.name,
            s.coach.name,
            s.place,
            s.get_status_display(),
        ]
        for s in sessions.select_related("coachee", "coach").order_by("starts_at")
    )
    escaped = ([escape_formula(value) for value in row] for row in rows)
    return CSVFormat().write([escape_formula(h) for h in headers], escaped)
