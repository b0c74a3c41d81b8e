"""What fagchefforum's members do with their action learning: the writes, with their rules.

Members are fagchefer and direktører (seminars.services.FORUM_ROLES). Any member of a
project may add and remove members, move its cycle on, write in the log and complete it.
Writes that two members could make at the same moment lock the project row first, so
they happen one after the other; moving a cycle on names the step it means ("cycle 2
from act"), so the same click twice, or two members' clicks at once, move it once.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import Person

from .models import (
    ActionLearningProject,
    CyclePhase,
    LearningCycle,
    LearningLogEntry,
    ProjectMembership,
    ProjectStatus,
)
from .models.action_learning import PHASE_ORDER, PHASE_STARTED
from .services import forum_members


class ActionLearningError(Exception):
    """A change the project does not allow; the message is Danish."""


def _check_members(people) -> None:
    allowed = set(
        forum_members().filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    outsiders = [p.name for p in people if p.pk not in allowed]
    if outsiders:
        raise ActionLearningError(
            _("Kun fagchefforums medlemmer kan være med: %(names)s.")
            % {"names": ", ".join(outsiders)}
        )


@transaction.atomic
def create_project(
    *, programme, creator: Person, title: str, problem: str, members=(), facilitator=None
) -> ActionLearningProject:
    """Create a project with its creator as a member, and the other members given."""
    people = [creator, *(p for p in members if p.pk != creator.pk)]
    _check_members(people)
    project = ActionLearningProject.objects.create(
        programme=programme,
        title=title,
        problem=problem,
        facilitator=facilitator,
        created_by=creator,
    )
    ProjectMembership.objects.bulk_create(
        ProjectMembership(project=project, person=person) for person in people
    )
    return project


def _locked(project) -> ActionLearningProject:
    # Every write that reads the project's state first takes this lock, so two members'
    # changes to the same project run one after the other.
    return ActionLearningProject.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def add_member(*, project, person: Person) -> bool:
    """Add a forum member to the project; return whether they were new."""
    project = _locked(project)
    if not project.is_active:
        raise ActionLearningError(_("Projektet er afsluttet."))
    _check_members([person])
    _membership, created = ProjectMembership.objects.get_or_create(project=project, person=person)
    return created


@transaction.atomic
def remove_member(*, project, person: Person) -> bool:
    """Remove a member; a project keeps at least one. Return whether they were a member."""
    project = _locked(project)
    memberships = ProjectMembership.objects.filter(project=project)
    if not memberships.filter(person=person).exists():
        return False
    if memberships.count() == 1:
        raise ActionLearningError(_("Et projekt har mindst ét medlem."))
    memberships.filter(person=person).delete()
    return True


# The step of a project whose last cycle is completed: the next step starts a new cycle.
COMPLETED = "afsluttet"


def step_of(cycle: LearningCycle | None) -> tuple[int | None, str]:
    """Return where a project stands, given its last cycle: (number, phase or COMPLETED)."""
    if cycle is None:
        return None, ""
    return cycle.number, COMPLETED if cycle.is_completed else cycle.phase


@transaction.atomic
def advance_cycle(
    *, project, expected: tuple[int | None, str], on: datetime.date
) -> tuple[LearningCycle, bool]:
    """Take the project one step on: plan → act → observe → reflect → completed → new cycle.

    `expected` is the step the member saw (step_of the last cycle); if the project has moved on
    since, nothing changes and the second value is False.
    """
    project = _locked(project)
    if not project.is_active:
        raise ActionLearningError(_("Projektet er afsluttet."))
    cycle = project.cycles.order_by("-number").first()
    if step_of(cycle) != tuple(expected):
        return cycle, False
    if on > timezone.localdate():
        raise ActionLearningError(_("Datoen kan ikke ligge i fremtiden."))
    if cycle is not None and on < cycle.last_date:
        raise ActionLearningError(
            _("Datoen kan ikke ligge før %(date)s, hvor forrige fase begyndte.")
            % {"date": f"{cycle.last_date:%d-%m-%Y}"}
        )
    if cycle is None or cycle.is_completed:
        number = 1 if cycle is None else cycle.number + 1
        return LearningCycle.objects.create(
            project=project, number=number, plan_started_on=on
        ), True
    if cycle.phase == CyclePhase.REFLECT:
        cycle.completed_on = on
        cycle.save(update_fields=["completed_on"])
        return cycle, True
    following = PHASE_ORDER[PHASE_ORDER.index(CyclePhase(cycle.phase)) + 1]
    cycle.phase = following
    setattr(cycle, PHASE_STARTED[following], on)
    cycle.save(update_fields=["phase", PHASE_STARTED[following]])
    return cycle, True


@transaction.atomic
def write_log_entry(
    *, project, author: Person, text: str, cycle: LearningCycle | None = None, phase: str = ""
) -> LearningLogEntry:
    """Add an entry to the project's learning log; only a member writes in it."""
    if not ProjectMembership.objects.filter(project=project, person=author).exists():
        raise ActionLearningError(_("Kun projektets medlemmer skriver i loggen."))
    if cycle is not None and cycle.project_id != project.pk:
        raise ActionLearningError(_("Cyklussen hører ikke til projektet."))
    return LearningLogEntry.objects.create(
        project=project, author=author, text=text, cycle=cycle, phase=phase if cycle else ""
    )


@transaction.atomic
def complete_project(*, project, on: datetime.date | None = None) -> ActionLearningProject:
    """Mark the project completed (once); its cycles and log stay as they are."""
    project = _locked(project)
    if not project.is_active:
        return project
    project.status = ProjectStatus.COMPLETED
    project.completed_on = on or timezone.localdate()
    project.save(update_fields=["status", "completed_on"])
    return project
