"""Seminar reminders: "seminar in 2 days" to the registered, with the agenda and an invitation.

Anchored to the seminar's start, so a moved seminar moves its reminders; the e-mail
carries the seminar as an iCalendar REQUEST (or CANCEL) with its current sequence.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from programme.models import ReminderRule
from programme.reminders import Audience, Recipient, register

from . import ical
from .models import AttendanceStatus, CoachingPolicy, CoachingSession, Seminar, SessionStatus

SEMINAR_SOON = "seminar.om-to-dage"


def _when(seminar: Seminar) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        local = timezone.localtime(seminar.starts_at)
        return formats.date_format(local, "DATETIME_FORMAT")


def registered(seminar: Seminar):
    agenda = [
        f"{block.starts:%H.%M} {block.title}"
        + (f" ({block.responsible})" if block.responsible else "")
        for block in seminar.agenda.all()
    ]
    rows = (
        seminar.attendances.filter(status=AttendanceStatus.REGISTERED, person__is_active=True)
        .exclude(person__email="")
        .values_list("person_id", "person__name", "person__email")
        .order_by("person_id")
    )
    for person_id, name, email in rows:
        yield Recipient(
            key=f"person:{person_id}",
            person_id=person_id,
            email=email,
            name=name,
            context={
                "navn": name,
                "seminar": str(seminar),
                "tidspunkt": _when(seminar),
                "sted": seminar.where,
                "program": agenda,
                "link": settings.SITE_URL.rstrip("/") + seminar.get_absolute_url(),
            },
        )


def invitation(seminar: Seminar, delivery):
    return [ical.attachment(seminar.as_meeting(attendees=[(delivery.name, delivery.email)]))]


SUBJECT = "Om to dage: {{ seminar }}"
BODY = """Kære {{ navn }}

Du er tilmeldt {{ seminar }}, {{ tidspunkt }}.
{% if sted %}Sted: {{ sted }}
{% endif %}
Program:
{% for punkt in program %}- {{ punkt }}
{% endfor %}
Se seminaret og materialet her: {{ link }}
Invitationen er vedhæftet, så du kan lægge den i din kalender.

Venlig hilsen
Personale & Udvikling
"""

SEMINAR_SOON_AUDIENCE = Audience(
    key=SEMINAR_SOON,
    label=_("Tilmeldte til et seminar (med program og kalenderinvitation)"),
    anchor_model=Seminar,
    anchor_date=lambda seminar: None if seminar.is_cancelled else seminar.starts_at,
    recipients=registered,
    attachments=invitation,
    default_subject=SUBJECT,
    default_body=BODY,
    variables={
        "navn": _("modtagerens navn"),
        "seminar": _("seminarets nummer og tema"),
        "tidspunkt": _("dato og klokkeslæt"),
        "sted": _("sted og/eller link"),
        "program": _("programpunkterne"),
        "link": _("adressen på seminarets side"),
    },
    example={
        "navn": "Anne Hansen",
        "seminar": "Seminar 3: Social kapital",
        "tidspunkt": "1. september 2021 09:00",
        "sted": "Rødovre Rådhus, mødesal 1",
        "program": ["09.00 Oplæg ved ekstern oplægsholder", "11.00 Refleksiv dialog"],
        "link": "https://eksempel.dk/seminarer/3/",
    },
)


def register_audiences() -> None:
    register(SEMINAR_SOON_AUDIENCE)
    register(COACHING_TOMORROW_AUDIENCE)
    register(ALLOWANCE_NOT_BOOKED_AUDIENCE)


@transaction.atomic
def ensure_default_rules(seminar: Seminar) -> ReminderRule:
    """Give the seminar its "2 days before" reminder once; HR may edit it afterwards."""
    anchor_type = ContentType.objects.get_for_model(Seminar)
    rule = ReminderRule.objects.filter(
        audience=SEMINAR_SOON, anchor_type=anchor_type, anchor_id=seminar.pk
    ).first()
    if rule is None:
        rule = ReminderRule.objects.create(
            name=f"{seminar}: påmindelse 2 dage før",
            audience=SEMINAR_SOON,
            anchor_type=anchor_type,
            anchor_id=seminar.pk,
            offset_days=-2,
            time_of_day=datetime.time(8, 0),
            subject=SUBJECT,
            body=BODY,
        )
    return rule


# --- Coaching ---------------------------------------------------------------------------

COACHING_TOMORROW = "coaching.i-morgen"
ALLOWANCE_NOT_BOOKED = "coaching.ikke-booket"


def _session_anchor_date(session):
    upcoming = (SessionStatus.PLANNED, SessionStatus.CONFIRMED)
    return session.starts_at if session.status in upcoming else None


def coaching_parties(session):
    """Both parties of a coaching session that is still to come."""
    when = _when(session)
    link = settings.SITE_URL.rstrip("/") + session.get_absolute_url()
    common = {
        "deltager": session.coachee.name,
        "coach": session.coach.name,
        "tidspunkt": when,
        "sted": session.place,
        "link": link,
    }
    person = session.coachee
    if person.is_active and person.email:
        yield Recipient(
            key=f"person:{person.pk}",
            person_id=person.pk,
            email=person.email,
            name=person.name,
            context={**common, "navn": person.name},
        )
    coach = session.coach
    if coach.is_active and coach.email:
        yield Recipient(
            key=f"external:{coach.pk}",
            person_id=None,
            email=coach.email,
            name=coach.name,
            context={**common, "navn": coach.name},
        )


def coaching_invitation(session, delivery):
    return [ical.attachment(session.as_meeting(attendees=[(delivery.name, delivery.email)]))]


COACHING_SUBJECT = "I morgen: coachingsamtale {{ tidspunkt }}"
COACHING_BODY = """Kære {{ navn }}

Husk coachingsamtalen mellem {{ deltager }} og {{ coach }} {{ tidspunkt }}.
Sted: {{ sted }}

Samtalen og dine egne noter: {{ link }}
Invitationen er vedhæftet, så du kan lægge den i din kalender.

Venlig hilsen
Personale & Udvikling
"""


def _sessions():
    return CoachingSession.objects.select_related("coachee", "coach")


COACHING_TOMORROW_AUDIENCE = Audience(
    key=COACHING_TOMORROW,
    label=_("Begge parter i en coachingsamtale (med kalenderinvitation)"),
    anchor_model=CoachingSession,
    anchor_date=_session_anchor_date,
    recipients=coaching_parties,
    anchors=_sessions,
    attachments=coaching_invitation,
    default_subject=COACHING_SUBJECT,
    default_body=COACHING_BODY,
    variables={
        "navn": _("modtagerens navn"),
        "deltager": _("deltagerens navn"),
        "coach": _("coachens navn"),
        "tidspunkt": _("dato og klokkeslæt"),
        "sted": _("sted og/eller link"),
        "link": _("adressen på samtalens side"),
    },
    example={
        "navn": "Anne Hansen",
        "deltager": "Anne Hansen",
        "coach": "Birgitte Lykke Hald",
        "tidspunkt": "2. september 2021 10:00",
        "sted": "Rødovre Rådhus, lokale 2.14",
        "link": "https://eksempel.dk/coaching/samtaler/7/",
    },
)


def not_fully_booked(policy):
    """Fagchefforum's members who have not booked all their sessions (two queries)."""
    from .coaching import allowances

    total = policy.sessions_per_participant
    link = settings.SITE_URL.rstrip("/") + reverse("coaching:mine")
    for person in allowances(policy).exclude(email="").filter(used__lt=total):
        yield Recipient(
            key=f"person:{person.pk}",
            person_id=person.pk,
            email=person.email,
            name=person.name,
            context={
                "navn": person.name,
                "booket": person.used,
                "i_alt": total,
                "tilbage": total - person.used,
                "udloeber": formats.date_format(policy.expires_on, "DATE_FORMAT"),
                "link": link,
            },
        )


ALLOWANCE_SUBJECT = "Du har {{ tilbage }} coachingsamtaler, der ikke er booket"
ALLOWANCE_BODY = """Kære {{ navn }}

Du har booket {{ booket }} af dine {{ i_alt }} coachingsamtaler.
Book de sidste {{ tilbage }} hos en af coacherne her: {{ link }}
Samtalerne skal holdes senest {{ udloeber }}.

Venlig hilsen
Personale & Udvikling
"""


ALLOWANCE_NOT_BOOKED_AUDIENCE = Audience(
    key=ALLOWANCE_NOT_BOOKED,
    label=_("Deltagere i fagchefforum, der ikke har booket alle coachingsamtaler"),
    anchor_model=CoachingPolicy,
    anchor_date=lambda policy: policy.book_by,
    recipients=not_fully_booked,
    default_subject=ALLOWANCE_SUBJECT,
    default_body=ALLOWANCE_BODY,
    variables={
        "navn": _("modtagerens navn"),
        "booket": _("antal bookede samtaler"),
        "i_alt": _("antal samtaler i alt"),
        "tilbage": _("antal samtaler, der ikke er booket"),
        "udloeber": _("forløbets sidste dag"),
        "link": _("adressen på siden Min coaching"),
    },
    example={
        "navn": "Anne Hansen",
        "booket": 1,
        "i_alt": 3,
        "tilbage": 2,
        "udloeber": "31. december 2021",
        "link": "https://eksempel.dk/coaching/",
    },
)


def _ensure_rule(anchor, *, audience, name, offset_days, time_of_day, subject, body):
    anchor_type = ContentType.objects.get_for_model(type(anchor))
    rule = ReminderRule.objects.filter(
        audience=audience, anchor_type=anchor_type, anchor_id=anchor.pk
    ).first()
    if rule is None:
        rule = ReminderRule.objects.create(
            name=name,
            audience=audience,
            anchor_type=anchor_type,
            anchor_id=anchor.pk,
            offset_days=offset_days,
            time_of_day=time_of_day,
            subject=subject,
            body=body,
        )
    return rule


@transaction.atomic
def ensure_coaching_rule(session) -> ReminderRule:
    """Give the session its "coaching tomorrow" reminder once (noon the day before)."""
    return _ensure_rule(
        session,
        audience=COACHING_TOMORROW,
        name=f"Coaching {session.pk}: påmindelse dagen før",
        offset_days=-1,
        time_of_day=datetime.time(12, 0),
        subject=COACHING_SUBJECT,
        body=COACHING_BODY,
    )


@transaction.atomic
def ensure_allowance_rule(policy) -> ReminderRule | None:
    """Give the coaching terms their "not yet booked" reminder once HR sets a date."""
    if policy.book_by is None:
        return None
    return _ensure_rule(
        policy,
        audience=ALLOWANCE_NOT_BOOKED,
        name=f"{policy}: påmindelse om booking",
        offset_days=0,
        time_of_day=datetime.time(9, 0),
        subject=ALLOWANCE_SUBJECT,
        body=ALLOWANCE_BODY,
    )
