"""Fagchefforum in the demo on 21 June 2021: the kick-off and three of five seminars held.

Themes from the memo, one external expert per seminar with a fee, an agenda of input,
reflective dialogue and action learning; the whole forum invited, attendance recorded for
the held meetings (with a few absences and their reasons), and registrations for the
next seminar. Everything goes through the services, so the histories are real.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from programme.models import ExternalPerson, Programme
from seminars import reminders, services
from seminars.models import AgendaBlock, AttendanceStatus, ExpertEngagement, Seminar, SeminarKind

CPH = ZoneInfo("Europe/Copenhagen")
# number (None: the kick-off), theme, day, expert's e-mail, topic, fee, held
MEETINGS = [
    (
        None,
        "Velfærdsfornyelse i Sammen om Rødovre",
        datetime.date(2021, 1, 20),
        "hv@ledelsesinstitut.example",
        "Ledelse af velfærdsfornyelse",
        "18000.00",
        True,
    ),
    (
        1,
        "Faciliterende lederskab",
        datetime.date(2021, 2, 24),
        "hv@ledelsesinstitut.example",
        "Den faciliterende leder",
        "24000.00",
        True,
    ),
    (
        2,
        "Metoder til innovation og samskabelse",
        datetime.date(2021, 3, 31),
        "signe@samskabelse.example",
        "Samskabelse i praksis",
        "26500.00",
        True,
    ),
    (
        3,
        "Dialogisk samspil med borgere",
        datetime.date(2021, 5, 26),
        "kd@dialogisk-praksis.example",
        "Dialogiske metoder",
        "22000.00",
        True,
    ),
    (
        4,
        "Relationel koordinering",
        datetime.date(2021, 9, 8),
        "lotte@relationel-velfaerd.example",
        "Relationel koordinering på tværs",
        "25000.00",
        False,
    ),
    (
        5,
        "Social kapital",
        datetime.date(2021, 11, 10),
        "tk@socialkapital.example",
        "Tillid, retfærdighed og samarbejde",
        "25000.00",
        False,
    ),
]
AGENDA = [
    (datetime.time(9, 0), "oplaeg", "Oplæg: teori, metoder og værktøjer"),
    (datetime.time(11, 0), "dialog", "Refleksiv dialog i fagchefforum"),
    (datetime.time(13, 30), "aktionslaering", "Hvad betyder det for min aktionslæring?"),
]
ABSENCES = ["Byrådsmøde", "Sygdom", "Ferie"]


def load_seminars(*, programme: Programme, hr) -> int:
    """Create the forum's meetings once; return how many there are."""
    if Seminar.objects.filter(programme=programme).exists():
        return Seminar.objects.filter(programme=programme).count()
    experts = {e.email: e for e in ExternalPerson.objects.filter(kind="ekspert")}
    for number, theme, day, email, topic, fee, held in MEETINGS:
        start = datetime.datetime.combine(day, datetime.time(9), tzinfo=CPH)
        seminar = Seminar.objects.create(
            programme=programme,
            kind=SeminarKind.KICKOFF if number is None else SeminarKind.SEMINAR,
            number=number,
            theme=theme,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=6),
            place="Rødovre Rådhus, byrådssalen" if number != 3 else "",
            format="fysisk" if number != 3 else "virtuelt",
            online_url="" if number != 3 else "https://moede.example/fagchefforum-3",
        )
        if email in experts:
            ExpertEngagement.objects.create(
                seminar=seminar, expert=experts[email], topic=topic, fee=Decimal(fee)
            )
        AgendaBlock.objects.bulk_create(
            AgendaBlock(seminar=seminar, starts=at, kind=kind, title=title)
            for at, kind, title in AGENDA
        )
        services.invite_forum(seminar=seminar, by=hr)
        reminders.ensure_default_rules(seminar)
        for n, attendance in enumerate(seminar.attendances.order_by("person_id")):
            if held:
                absent = n % 7 == 3
                services.set_status(
                    attendance=attendance,
                    status=AttendanceStatus.ABSENT if absent else AttendanceStatus.ATTENDED,
                    reason=ABSENCES[n % len(ABSENCES)] if absent else "",
                    by=hr,
                )
            elif number == 4 and n % 2 == 0:
                services.set_status(
                    attendance=attendance, status=AttendanceStatus.REGISTERED, by=hr
                )
    return Seminar.objects.filter(programme=programme).count()
