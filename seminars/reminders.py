"""Seminar reminders: "seminar in 2 days" to the registered, with the agenda and an invitation.

Anchored to the seminar's start, so a moved seminar moves its reminders; the e-mail
carries the seminar as an iCalendar REQUEST (or CANCEL) with its current sequence.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from programme.models import ReminderRule
from programme.reminders import Audience, Recipient, register

from . import ical
from .models import AttendanceStatus, Seminar

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
