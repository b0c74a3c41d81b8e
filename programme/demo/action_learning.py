"""Fagchefforum's action learning in the demo on 21 June 2021: four projects under way.

Alone and together, within and across administrations; cycles in every phase, one project
completed, and a few entries in each learning log. The demo's fagchef (the head of Børne-
og Kulturforvaltningen) is in two projects, the demo's direktør in one. Everything goes
through seminars.action_learning, so the rules hold; the dates are set afterwards to when
it happened, not when the demo was loaded.
"""

import datetime
from zoneinfo import ZoneInfo

from programme.models import ExternalPerson, Person, Programme
from seminars import action_learning as service
from seminars.models import ActionLearningProject, LearningLogEntry
from seminars.services import forum_members

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date

# title, problem, members (job titles; the first created it), facilitator's e-mail,
# the dates of each step the cycles took, completed on, log entries (author, day, text).
PROJECTS = [
    (
        "Faciliterende personalemøder",
        "Mine møder med skolelederne bliver til orienteringer fra mig. Hvordan leder jeg "
        "møder, hvor lederne selv tager ansvar for dagsordenen og løsningerne?",
        ["Børne- og kulturchef"],
        "",
        [
            D(2021, 3, 1),
            D(2021, 3, 8),
            D(2021, 3, 22),
            D(2021, 4, 12),
            D(2021, 4, 19),
            D(2021, 5, 3),
            D(2021, 5, 10),
        ],
        None,
        [
            (
                0,
                D(2021, 3, 22),
                "Første møde med tjek-ind og runder. Jeg talte halvt så "
                "meget som sidst – og det var ubehageligt at tåle stilheden.",
            ),
            (
                0,
                D(2021, 4, 19),
                "Refleksion: lederne tog ordet, da jeg lod beslutningerne "
                "ligge hos dem. Næste cyklus: beslutningsreferat skrevet af en leder.",
            ),
        ],
    ),
    (
        "Sammenhængende forløb for unge på kanten",
        "Unge mellem skole, jobcenter og socialforvaltning oplever tre indgange og tre "
        "planer. Hvordan leder vi på tværs, så de møder én plan?",
        ["Social- og sundhedschef", "Børne- og kulturchef", "Beskæftigelseschef"],
        "ms@nordvest-coaching.example",
        [D(2021, 3, 15), D(2021, 4, 6), D(2021, 5, 17)],
        None,
        [
            (
                1,
                D(2021, 4, 20),
                "Fælles sagsgennemgang af tre unge. Vi brugte forskellige "
                "ord for det samme – vi skal have et fælles sprog først.",
            ),
            (
                2,
                D(2021, 5, 25),
                "Observation: teamlederne venter på, at vi chefer bliver "
                "enige. Det er os, der er flaskehalsen.",
            ),
        ],
    ),
    (
        "Data i dialogen om kvalitet",
        "Vores ledelsesinformation bruges til kontrol, ikke til samtale. Hvordan bliver "
        "tallene et udgangspunkt for dialog med lederne?",
        ["Økonomi- og personalechef", "Teknisk chef"],
        "birgitte@hald-ledelse.example",
        [
            D(2021, 2, 15),
            D(2021, 3, 1),
            D(2021, 3, 29),
            D(2021, 4, 26),
            D(2021, 5, 10),
            D(2021, 5, 31),
        ],
        None,
        [
            (
                0,
                D(2021, 3, 30),
                "Vi viste tre nøgletal uden kommentarer og spurgte, hvad "
                "lederne så. Samtalen blev bedre end i et år.",
            ),
        ],
    ),
    (
        "Borgerdialog i budgetlægningen",
        "Budgettet bliver lagt, før borgerne bliver spurgt. Kan vi som direktion og "
        "fagchefer lede en budgetproces, der begynder med borgerne?",
        ["Kommunaldirektør", "Teknisk chef"],
        "jakob@dialogisk-coaching.example",
        [
            D(2021, 1, 25),
            D(2021, 2, 1),
            D(2021, 2, 15),
            D(2021, 3, 1),
            D(2021, 3, 8),
            D(2021, 3, 15),
            D(2021, 3, 29),
            D(2021, 4, 19),
            D(2021, 5, 3),
            D(2021, 5, 17),
        ],
        D(2021, 5, 31),
        [
            (
                1,
                D(2021, 3, 2),
                "Borgerværkstedet gav ideer, vi ikke havde set i "
                "forvaltningerne. Men vi inviterede de sædvanlige borgere.",
            ),
            (
                0,
                D(2021, 5, 18),
                "Anden runde nåede flere unge og ældre. Vi tager "
                "arbejdsformen med ind i budget 2022.",
            ),
        ],
    ),
]


def load_action_learning(*, programme: Programme) -> int:
    """Create the demo's projects once; return how many there are."""
    existing = ActionLearningProject.objects.filter(programme=programme)
    if existing.exists():
        return existing.count()
    people = {p.job_title: p for p in forum_members().order_by("employee_number")}
    coaches = {e.email: e for e in ExternalPerson.objects.filter(kind="coach")}
    for title, problem, titles, coach, steps, completed, entries in PROJECTS:
        members: list[Person] = [people[t] for t in titles if t in people]
        if not members:
            continue
        project = service.create_project(
            programme=programme,
            creator=members[0],
            title=title,
            problem=problem,
            members=members[1:],
            facilitator=coaches.get(coach),
        )
        for on in steps:
            cycle = project.cycles.order_by("-number").first()
            service.advance_cycle(project=project, expected=service.step_of(cycle), on=on)
        if completed is not None:
            service.complete_project(project=project, on=completed)
        for author, on, text in entries:
            entry = service.write_log_entry(
                project=project,
                author=members[author % len(members)],
                text=text,
                cycle=project.cycles.filter(plan_started_on__lte=on).order_by("-number").first(),
            )
            when = datetime.datetime.combine(on, datetime.time(16), tzinfo=CPH)
            LearningLogEntry.objects.filter(pk=entry.pk).update(created_at=when)
        created = datetime.datetime.combine(steps[0], datetime.time(9), tzinfo=CPH)
        ActionLearningProject.objects.filter(pk=project.pk).update(created_at=created)
        project.memberships.update(added_at=created)
    return existing.count()
