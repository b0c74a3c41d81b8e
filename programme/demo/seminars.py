"""Fagchefforum in the demo on 21 June 2021: the kick-off and three of five seminars held.

Themes from the memo, one external expert per seminar with a fee, an agenda of input,
reflective dialogue and action learning; the whole forum invited, attendance recorded for
the held meetings (with a few absences and their reasons), and registrations for the
next seminar. Everything goes through the services, so the histories are real.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from programme.models import Administration, ExternalPerson, Programme
from seminars import evaluation, reminders, services
from seminars.models import (
    AgendaBlock,
    AttendanceStatus,
    ChefgroupMeeting,
    ExpertEngagement,
    ProposalRank,
    Seminar,
    SeminarKind,
    ThemeProposal,
)

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
CHEFGROUP = [
    (
        datetime.date(2021, 3, 10),
        "Mødekulturen i forvaltningen",
        "Faciliteringsværktøjerne fra seminar 1: tjek-ind, runder og beslutningsreferat.",
        "Hver leder prøver en faciliteret personalemødedagsorden inden april.",
    ),
    (
        datetime.date(2021, 4, 21),
        "Samskabelse med borgere i budgetarbejdet",
        "Samskabelsesmodellen fra seminar 2 brugt til at planlægge et borgerværksted.",
        "Borgerværksted i maj; erfaringer deles i næste chefgruppe.",
    ),
]
# The kick-off's proposals (title, why); the first five became the seminars' themes.
PROPOSALS = [
    (
        "Faciliterende lederskab",
        "Vi skal lede processer, hvor medarbejdere og borgere selv finder løsningerne.",
    ),
    (
        "Metoder til innovation og samskabelse",
        "Velfærdsfornyelse kræver, at vi prøver nyt sammen med borgerne.",
    ),
    (
        "Dialogisk samspil med borgere",
        "Borgerne skal opleve at blive hørt og være medskabere af velfærden.",
    ),
    (
        "Relationel koordinering",
        "Opgaverne går på tværs; vi skal koordinere gennem relationer, ikke kun systemer.",
    ),
    ("Social kapital", "Tillid, retfærdighed og samarbejde bærer kerneopgaven."),
    ("Refleksivitet i mødet med borgeren", "Vi skal kunne se vores egen praksis udefra."),
    ("Data og digitalisering i ledelse", "Data kan understøtte dialogen om kvalitet."),
    ("Ledelse af forandringer", "Fornyelse er forandring; den skal ledes bevidst."),
]


def _load_proposals(programme: Programme) -> dict[str, ThemeProposal]:
    """The members' proposals and ballots at the kick-off (a fixed, varied order each)."""
    members = list(services.forum_members().order_by("pk"))
    proposals = {}
    for n, (title, why) in enumerate(PROPOSALS):
        proposals[title] = ThemeProposal.objects.create(
            programme=programme,
            proposer=members[n % len(members)],
            title=title,
            why=why,
            created_at=datetime.datetime(2021, 1, 12, 9, n, tzinfo=CPH),
        )
    titles = list(proposals)
    for m, member in enumerate(members):
        # Everyone's order is the list rotated a little: the first five lead overall.
        order = titles[:5][m % 5 :] + titles[:5][: m % 5] + titles[5:]
        ProposalRank.objects.bulk_create(
            ProposalRank(proposal=proposals[title], ranker=member, rank=rank)
            for rank, title in enumerate(order, start=1)
        )
    return proposals


def load_seminars(*, programme: Programme, hr) -> int:
    """Create the forum's meetings once; return how many there are."""
    if Seminar.objects.filter(programme=programme).exists():
        return Seminar.objects.filter(programme=programme).count()
    proposals = _load_proposals(programme)
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
        if theme in proposals:
            seminar.proposals.add(proposals[theme])
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
    _load_chefgroup_logs(programme)
    _load_evaluations(programme)
    return Seminar.objects.filter(programme=programme).count()


def _load_chefgroup_logs(programme: Programme) -> None:
    """Two meetings in each administration's chefgruppe, using what the seminars gave."""
    held = list(Seminar.objects.filter(programme=programme, kind=SeminarKind.SEMINAR)[:3])
    for administration in Administration.objects.filter(is_active=True).order_by("code"):
        for n, (day, topic, used, follow_up) in enumerate(CHEFGROUP):
            meeting = ChefgroupMeeting.objects.create(
                programme=programme,
                administration=administration,
                held_on=day,
                topic=topic,
                knowledge_used=used,
                follow_ups=follow_up,
            )
            meeting.seminars.add(held[n])


# How many answered each held seminar's evaluation: seminar 2's three stay hidden (< 5).
EVALUATIONS = {1: 6, 2: 3, 3: 5}
TAKEAWAYS = [
    "Tjek-ind og runder på mine egne ledermøder.",
    "At stille spørgsmål i stedet for at komme med svarene.",
    "Et nyt blik på, hvad borgerne selv kan bidrage med.",
    "",
    "Refleksionsmodellen til næste aktionslæringscyklus.",
]
IMPROVEMENTS = ["Mere tid til den refleksive dialog.", "", "", "Færre slides, flere cases."]


def _load_evaluations(programme: Programme) -> None:
    """Answers to the evaluations of seminars 1-3 from the first who attended each."""
    for seminar in Seminar.objects.filter(programme=programme, number__in=EVALUATIONS):
        attendances = evaluation.evaluators(seminar).select_related("person").order_by("pk")
        answered_on = seminar.ends_at + datetime.timedelta(days=1)
        for n, attendance in enumerate(attendances[: EVALUATIONS[seminar.number]]):
            evaluation.submit_evaluation(
                seminar=seminar,
                person=attendance.person,
                answers={
                    "benefit": 3 + (n + seminar.number) % 3,
                    "relevance": 4 + n % 2,
                    "input_quality": 2 + (n * seminar.number) % 4,
                    "dialogue": 3 + n % 3,
                    "takeaway": TAKEAWAYS[n % len(TAKEAWAYS)],
                    "improvement": IMPROVEMENTS[n % len(IMPROVEMENTS)],
                },
                now=answered_on,
            )
