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
from programme.reminders import Audience, Recipient, register, send_rule_now

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
    register(SEMINAR_INVITATION_AUDIENCE)
    register(COACHING_INVITATION_AUDIENCE)
    register(SEMINAR_EVALUATION_AUDIENCE)


@transaction.atomic
def ensure_default_rules(seminar: Seminar) -> ReminderRule:
    """Give the seminar its "2 days before" and "evaluation open" reminders once.

    HR may edit them afterwards. Returns the "2 days before" rule.
    """
    rule = _ensure_rule(
        seminar,
        audience=SEMINAR_SOON,
        name=f"{seminar}: påmindelse 2 dage før",
        offset_days=-2,
        time_of_day=datetime.time(8, 0),
        subject=SUBJECT,
        body=BODY,
    )
    _ensure_rule(
        seminar,
        audience=SEMINAR_EVALUATION,
        name=f"{seminar}: evalueringen er åben"[:200],
        offset_days=EVALUATION_OFFSET_DAYS,
        time_of_day=EVALUATION_TIME,
        subject=EVALUATION_SUBJECT,
        body=EVALUATION_BODY,
    )
    return rule


# --- The evaluation after a seminar ---------------------------------------------------

SEMINAR_EVALUATION = "seminar.evaluering"
# The morning after the seminar's day: after its end, however late it ran (due_at counts
# from the day the seminar ends, at this Danish time).
EVALUATION_OFFSET_DAYS = 1
EVALUATION_TIME = datetime.time(9, 0)


def evaluators_to_remind(seminar: Seminar):
    """Those who may answer the evaluation and have not (one query); none once it closed."""
    from .evaluation import closes_at, not_answered

    if seminar.is_cancelled or timezone.now() >= closes_at(seminar):
        return
    with translation.override(settings.LANGUAGE_CODE):
        deadline = formats.date_format(timezone.localtime(closes_at(seminar)), "DATETIME_FORMAT")
    link = settings.SITE_URL.rstrip("/") + reverse("evaluation:answer", args=[seminar.pk])
    rows = (
        not_answered(seminar)
        .filter(person__is_active=True)
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
                "frist": deadline,
                "link": link,
            },
        )


EVALUATION_SUBJECT = "Evaluér {{ seminar }}"
EVALUATION_BODY = """Kære {{ navn }}

Tak for din deltagelse i {{ seminar }}.
Evalueringen er åben nu. Den er kort og anonym: dit svar gemmes uden dit navn, og
resultaterne vises først, når evalueringen er lukket, og kun hvis mindst 5 har
svaret.

Svar her senest {{ frist }}: {{ link }}

Venlig hilsen
Personale & Udvikling
"""

SEMINAR_EVALUATION_AUDIENCE = Audience(
    key=SEMINAR_EVALUATION,
    label=_("Deltagere i et seminar, der ikke har evalueret det endnu"),
    anchor_model=Seminar,
    anchor_date=lambda seminar: None if seminar.is_cancelled else seminar.ends_at,
    recipients=evaluators_to_remind,
    default_subject=EVALUATION_SUBJECT,
    default_body=EVALUATION_BODY,
    variables={
        "navn": _("modtagerens navn"),
        "seminar": _("seminarets nummer og tema"),
        "frist": _("hvornår evalueringen lukker"),
        "link": _("adressen på evalueringen"),
    },
    example={
        "navn": "Anne Hansen",
        "seminar": "Seminar 3: Social kapital",
        "frist": "15. september 2021 15:00",
        "link": "https://eksempel.dk/seminarer/3/evaluering/",
    },
)


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
    # Lock the anchor's row: two first calls at once (a double-submitted invitation) make
    # one rule, not two that would each send everyone the e-mail.
    type(anchor).objects.select_for_update().filter(pk=anchor.pk).first()
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


# --- Invitations, updates and cancellations, sent when they happen ---------------------
#
# One rule per meeting, never due by itself (its anchor date is None): each change of the
# meeting sends it at once with send_rule_now(). A recipient's key carries the meeting's
# calendar sequence, so an invitation goes once to each new participant, and a move or a
# cancellation (a higher sequence) once more to everyone; a repeated call sends nothing.

SEMINAR_INVITATION = "seminar.invitation"
COACHING_INVITATION = "coaching.invitation"


def _change(meeting_cancelled: bool, sequence: int) -> str:
    if meeting_cancelled:
        return "aflyst"
    return "flyttet" if sequence else "ny"


def seminar_invitees(seminar: Seminar):
    """Everyone invited who has not been recorded as absent, keyed by calendar version."""
    rows = (
        seminar.attendances.filter(
            status__in=[AttendanceStatus.INVITED, AttendanceStatus.REGISTERED],
            person__is_active=True,
        )
        .exclude(person__email="")
        .values_list("person_id", "person__name", "person__email")
        .order_by("person_id")
    )
    change = _change(seminar.is_cancelled, seminar.sequence)
    for person_id, name, email in rows:
        yield Recipient(
            key=f"person:{person_id}:v{seminar.sequence}",
            person_id=person_id,
            email=email,
            name=name,
            context={
                "navn": name,
                "seminar": str(seminar),
                "tidspunkt": _when(seminar),
                "sted": seminar.where,
                "aendring": change,
                "link": settings.SITE_URL.rstrip("/") + seminar.get_absolute_url(),
            },
        )


INVITATION_SUBJECT = (
    "{% if aendring == 'aflyst' %}Aflyst{% elif aendring == 'flyttet' %}Flyttet"
    "{% else %}Invitation{% endif %}: {{ seminar }}"
)
INVITATION_BODY = (
    "Kære {{ navn }}\n\n"
    "{% if aendring == 'aflyst' %}{{ seminar }} {{ tidspunkt }} er aflyst. "
    "Den vedhæftede aflysning fjerner mødet fra din kalender."
    "{% elif aendring == 'flyttet' %}{{ seminar }} er flyttet til {{ tidspunkt }}."
    "{% if sted %} Sted: {{ sted }}.{% endif %} "
    "Den vedhæftede opdatering flytter mødet i din kalender."
    "{% else %}Du er inviteret til {{ seminar }}, {{ tidspunkt }}."
    "{% if sted %} Sted: {{ sted }}.{% endif %} "
    "Invitationen er vedhæftet, så du kan lægge den i din kalender.{% endif %}\n\n"
    "Seminaret, programmet og din tilmelding: {{ link }}\n\n"
    "Venlig hilsen\nPersonale & Udvikling\n"
)
INVITATION_VARIABLES = {
    "navn": _("modtagerens navn"),
    "tidspunkt": _("dato og klokkeslæt"),
    "sted": _("sted og/eller link"),
    "aendring": _("«ny», «flyttet» eller «aflyst»"),
    "link": _("adressen på mødets side"),
}

SEMINAR_INVITATION_AUDIENCE = Audience(
    key=SEMINAR_INVITATION,
    label=_("Inviterede til et seminar: invitation, flytning og aflysning (sendes straks)"),
    anchor_model=Seminar,
    anchor_date=lambda seminar: None,
    recipients=seminar_invitees,
    attachments=invitation,
    default_subject=INVITATION_SUBJECT,
    default_body=INVITATION_BODY,
    variables=INVITATION_VARIABLES | {"seminar": _("seminarets nummer og tema")},
    example={
        "navn": "Anne Hansen",
        "seminar": "Seminar 3: Social kapital",
        "tidspunkt": "1. september 2021 09:00",
        "sted": "Rødovre Rådhus, mødesal 1",
        "aendring": "flyttet",
        "link": "https://eksempel.dk/seminarer/3/",
    },
)


def coaching_invitees(session):
    """Both parties of a session, keyed by calendar version."""
    change = _change(session.status == SessionStatus.CANCELLED, session.sequence)
    for recipient in coaching_parties(session):
        yield Recipient(
            key=f"{recipient.key}:v{session.sequence}",
            person_id=recipient.person_id,
            email=recipient.email,
            name=recipient.name,
            context={**recipient.context, "aendring": change},
        )


COACHING_INVITATION_SUBJECT = (
    "{% if aendring == 'aflyst' %}Aflyst{% elif aendring == 'flyttet' %}Flyttet"
    "{% else %}Booket{% endif %}: coachingsamtale {{ tidspunkt }}"
)
COACHING_INVITATION_BODY = (
    "Kære {{ navn }}\n\n"
    "{% if aendring == 'aflyst' %}Coachingsamtalen mellem {{ deltager }} og {{ coach }} "
    "{{ tidspunkt }} er aflyst. Den vedhæftede aflysning fjerner den fra din kalender."
    "{% elif aendring == 'flyttet' %}Coachingsamtalen mellem {{ deltager }} og {{ coach }} "
    "er flyttet til {{ tidspunkt }}. Sted: {{ sted }}."
    "{% else %}Der er booket en coachingsamtale mellem {{ deltager }} og {{ coach }} "
    "{{ tidspunkt }}. Sted: {{ sted }}.{% endif %}\n\n"
    "Samtalen: {{ link }}\n\n"
    "Venlig hilsen\nPersonale & Udvikling\n"
)

COACHING_INVITATION_AUDIENCE = Audience(
    key=COACHING_INVITATION,
    label=_("Begge parter i en coachingsamtale: booking, flytning og aflysning (sendes straks)"),
    anchor_model=CoachingSession,
    anchor_date=lambda session: None,
    recipients=coaching_invitees,
    anchors=_sessions,
    attachments=coaching_invitation,
    default_subject=COACHING_INVITATION_SUBJECT,
    default_body=COACHING_INVITATION_BODY,
    variables=INVITATION_VARIABLES
    | {"deltager": _("deltagerens navn"), "coach": _("coachens navn")},
    example={
        "navn": "Anne Hansen",
        "deltager": "Anne Hansen",
        "coach": "Birgitte Lykke Hald",
        "tidspunkt": "2. september 2021 10:00",
        "sted": "Rødovre Rådhus, lokale 2.14",
        "aendring": "ny",
        "link": "https://eksempel.dk/coaching/samtaler/7/",
    },
)


def announce(anchor, *, by) -> None:
    """Send the meeting's invitation, update or cancellation to whoever has not had this
    version, after the surrounding transaction commits. A meeting that is over gets none."""
    if anchor.ends_at <= timezone.now():
        return
    if isinstance(anchor, Seminar):
        key, subject, body = SEMINAR_INVITATION, INVITATION_SUBJECT, INVITATION_BODY
    else:
        key = COACHING_INVITATION
        subject, body = COACHING_INVITATION_SUBJECT, COACHING_INVITATION_BODY
    with transaction.atomic():
        rule = _ensure_rule(
            anchor,
            audience=key,
            name=f"{anchor}: invitation og ændringer"[:200],
            offset_days=0,
            time_of_day=datetime.time(0, 0),
            subject=subject,
            body=body,
        )
    transaction.on_commit(lambda: send_rule_now(rule=rule, by=by))
