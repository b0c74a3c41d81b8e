"""Action learning (aktionslæring) in fagchefforum: projects, their cycles and learning log.

A project is a problem from the members' own leadership practice, worked on alone or with
others, within or across administrations. It goes through cycles of plan → act → observe
→ reflect; each cycle keeps the date each phase began and the date it was completed.

The learning log is the members' alone. HR and direktion see that a project exists, who
its members are and how many cycles it has completed; nobody but the members reads the
log: not HR, not direktion, not a superuser through the pages, and the admin has no
page for it (seminars.admin registers no log).
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.access import scope_for
from programme.models import ExternalPerson, Person, Programme


class ProjectStatus(models.TextChoices):
    ACTIVE = "aktiv", _("Aktiv")
    COMPLETED = "afsluttet", _("Afsluttet")


class CyclePhase(models.TextChoices):
    """The four phases of a cycle, in the order a cycle goes through them."""

    PLAN = "planlaeg", _("Planlæg")
    ACT = "handl", _("Handl")
    OBSERVE = "observer", _("Observér")
    REFLECT = "reflekter", _("Reflektér")


# The date field that records when each phase began.
PHASE_STARTED = {
    CyclePhase.PLAN: "plan_started_on",
    CyclePhase.ACT: "act_started_on",
    CyclePhase.OBSERVE: "observe_started_on",
    CyclePhase.REFLECT: "reflect_started_on",
}
PHASE_ORDER = list(CyclePhase)


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR and direktion see every project (not its log); a member their own."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id is None:
            return self.none()
        return self.with_member(scope.person_id)

    def with_member(self, person_id):
        """The projects the person is a member of (the pages that hold the log)."""
        if person_id is None:
            return self.none()
        return self.filter(memberships__person_id=person_id)

    def active(self):
        return self.filter(status=ProjectStatus.ACTIVE)

    def with_progress(self):
        """Annotate the number of completed cycles (`cycles_completed`)."""
        return self.annotate(
            cycles_completed=models.Count(
                "cycles", filter=Q(cycles__completed_on__isnull=False), distinct=True
            )
        )


class ActionLearningProject(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="action_learning_projects"
    )
    title = models.CharField(_("titel"), max_length=200)
    problem = models.TextField(_("problemformulering"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    members = models.ManyToManyField(
        Person,
        through="seminars.ProjectMembership",
        verbose_name=_("medlemmer"),
        related_name="action_learning_projects",
    )
    # An external facilitator (a coach or a process consultant engaged by HR), never a
    # Person: a facilitator helps the members but is not one of them and so never reads
    # the log, and an ExternalPerson has no place in any for_user() that could let them.
    facilitator = models.ForeignKey(
        ExternalPerson,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitated_projects",
    )
    created_by = models.ForeignKey(
        Person, verbose_name=_("oprettet af"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    completed_on = models.DateField(_("afsluttet den"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("aktionslæringsprojekt")
        verbose_name_plural = _("aktionslæringsprojekter")
        ordering = ["programme", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="afsluttet", completed_on__isnull=False)
                | Q(status="aktiv", completed_on__isnull=True),
                name="%(app_label)s_%(class)s_completed_has_date",
                violation_error_message=_(
                    "Et afsluttet projekt har en afslutningsdato; et aktivt har ingen."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("action_learning:detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == ProjectStatus.ACTIVE


class ProjectMembership(models.Model):
    project = models.ForeignKey(
        ActionLearningProject, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="action_learning_memberships"
    )
    added_at = models.DateTimeField(_("tilføjet"), default=timezone.now)

    class Meta:
        verbose_name = _("medlem af aktionslæringsprojekt")
        verbose_name_plural = _("medlemmer af aktionslæringsprojekt")
        ordering = ["project", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("Personen er allerede medlem af projektet."),
            ),
        ]

    def __str__(self):
        return f"{self.person.name}: {self.project}"


class LearningCycle(models.Model):
    """One cycle of a project: the phase it has reached and the date each phase began.

    The constraints keep the phases in order: a phase has a date exactly when the cycle
    has reached it, the dates never go backwards, and only a cycle in reflection can be
    completed. A project has at most one cycle that is not completed.
    """

    project = models.ForeignKey(
        ActionLearningProject, on_delete=models.PROTECT, related_name="cycles"
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    phase = models.CharField(
        _("fase"), max_length=10, choices=CyclePhase.choices, default=CyclePhase.PLAN
    )
    plan_started_on = models.DateField(_("planlægning begyndt"))
    act_started_on = models.DateField(_("handling begyndt"), null=True, blank=True)
    observe_started_on = models.DateField(_("observation begyndt"), null=True, blank=True)
    reflect_started_on = models.DateField(_("refleksion begyndt"), null=True, blank=True)
    completed_on = models.DateField(_("afsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("aktionslæringscyklus")
        verbose_name_plural = _("aktionslæringscyklusser")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Projektet har allerede en cyklus med dette nummer."),
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(completed_on__isnull=True),
                name="%(app_label)s_%(class)s_one_open_cycle",
                violation_error_message=_("Projektet har allerede en igangværende cyklus."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_from_one",
                violation_error_message=_("Cyklerne tælles fra 1."),
            ),
            # The phase reached and the dates agree: every phase up to the current one
            # has begun, none after it has.
            models.CheckConstraint(
                condition=Q(
                    phase="planlaeg",
                    act_started_on__isnull=True,
                    observe_started_on__isnull=True,
                    reflect_started_on__isnull=True,
                )
                | Q(
                    phase="handl",
                    act_started_on__isnull=False,
                    observe_started_on__isnull=True,
                    reflect_started_on__isnull=True,
                )
                | Q(
                    phase="observer",
                    act_started_on__isnull=False,
                    observe_started_on__isnull=False,
                    reflect_started_on__isnull=True,
                )
                | Q(
                    phase="reflekter",
                    act_started_on__isnull=False,
                    observe_started_on__isnull=False,
                    reflect_started_on__isnull=False,
                ),
                name="%(app_label)s_%(class)s_phases_in_order",
                violation_error_message=_(
                    "En cyklus går gennem planlæg, handl, observér og reflektér i den rækkefølge."
                ),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(phase="reflekter"),
                name="%(app_label)s_%(class)s_completed_after_reflection",
                violation_error_message=_("En cyklus afsluttes først efter refleksionen."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(act_started_on__isnull=True)
                    | Q(act_started_on__gte=models.F("plan_started_on"))
                )
                & (
                    Q(observe_started_on__isnull=True)
                    | Q(observe_started_on__gte=models.F("act_started_on"))
                )
                & (
                    Q(reflect_started_on__isnull=True)
                    | Q(reflect_started_on__gte=models.F("observe_started_on"))
                )
                & (
                    Q(completed_on__isnull=True)
                    | Q(completed_on__gte=models.F("reflect_started_on"))
                ),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message=_("En fase kan ikke begynde før den forrige."),
            ),
        ]

    def __str__(self):
        return _("Cyklus %(number)s: %(phase)s") % {
            "number": self.number,
            "phase": self.get_phase_display(),
        }

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None

    @property
    def last_date(self):
        """The date of the last step the cycle took (a new step may not come before it)."""
        return self.completed_on or getattr(self, PHASE_STARTED[CyclePhase(self.phase)])

    def phases(self) -> list[dict]:
        """Each phase with its date and whether it is done, current or still to come."""
        current = PHASE_ORDER.index(CyclePhase(self.phase))
        rows = []
        for n, phase in enumerate(PHASE_ORDER):
            if n < current or (n == current and self.is_completed):
                state = "done"
            elif n == current:
                state = "current"
            else:
                state = "todo"
            rows.append(
                {"phase": phase, "started_on": getattr(self, PHASE_STARTED[phase]), "state": state}
            )
        return rows


class LearningLogQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only the project's members read its log: no role sees another's log."""
        person_id = scope_for(user).person_id
        if person_id is None:
            return self.none()
        return self.filter(project__memberships__person_id=person_id)


class LearningLogEntry(models.Model):
    """One entry in a project's learning log, written by a member, read by the members.

    Not called LogEntry: that is the admin's own action log (django.contrib.admin).
    Entries are not edited or kept in a history; the log is a diary, written forwards.
    """

    project = models.ForeignKey(
        ActionLearningProject, on_delete=models.PROTECT, related_name="log_entries"
    )
    author = models.ForeignKey(
        Person, verbose_name=_("skrevet af"), on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        LearningCycle,
        verbose_name=_("cyklus"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="log_entries",
    )
    phase = models.CharField(
        _("fase"), max_length=10, choices=CyclePhase.choices, blank=True, default=""
    )
    text = models.TextField(_("hvad har du lært?"), max_length=8000)
    created_at = models.DateTimeField(_("skrevet"), default=timezone.now)

    objects = LearningLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("indlæg i læringsloggen")
        verbose_name_plural = _("indlæg i læringsloggen")
        ordering = ["project", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_has_text",
                violation_error_message=_("Skriv indlægget."),
            ),
            models.CheckConstraint(
                condition=Q(phase="") | Q(cycle__isnull=False),
                name="%(app_label)s_%(class)s_phase_needs_cycle",
                violation_error_message=_("En fase hører til en cyklus."),
            ),
        ]

    def __str__(self):
        # Never the text: this string shows wherever the entry is named (deletions, logs).
        return _("Indlæg af %(author)s, %(date)s") % {
            "author": self.author.name,
            "date": f"{timezone.localtime(self.created_at):%d-%m-%Y}",
        }
