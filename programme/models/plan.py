"""The programme: its period and frames, the tiers of the cascade, phases and milestones."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..access import scope_for
from .organisation import Role, Workplace

# --- Programme ------------------------------------------------------------------------


class ProgrammeQuerySet(models.QuerySet):
    def for_user(self, user):
        # The programme is organisation-wide: everyone who takes part may read it; a login
        # in no role, or of someone who has left, may not.
        if not scope_for(user).takes_part:
            return self.none()
        return self.filter(is_active=True)

    def current(self, today: datetime.date | None = None):
        """Return the active programme running today, else the latest one."""
        today = today or timezone.localdate()
        running = models.ExpressionWrapper(
            Q(starts_on__lte=today, ends_on__gte=today), output_field=models.BooleanField()
        )
        return (
            self.filter(is_active=True)
            .annotate(running=running)
            .order_by("-running", "-starts_on")
            .first()
        )


class Programme(models.Model):
    """A development programme (udviklingsforløb) with its vision and period."""

    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn i adresser"), max_length=60, unique=True)
    vision = models.CharField(_("vision"), max_length=200, blank=True, default="")
    purpose = models.TextField(_("formål"), blank=True, default="")
    journal_number = models.CharField(_("journalnummer (J.nr.)"), max_length=40, blank=True)
    owner_unit = models.ForeignKey(
        Workplace,
        verbose_name=_("ansvarlig enhed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_programmes",
    )
    starts_on = models.DateField(_("starter"))
    ends_on = models.DateField(_("slutter"))
    is_active = models.BooleanField(_("aktiv"), default=True)
    cross_cutting_min_administrations = models.PositiveSmallIntegerField(
        _("tværgående fra antal forvaltninger"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Et tema er tværgående, når input med temaet kommer fra mindst så mange forvaltninger."
        ),
    )
    history = HistoricalRecords()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("udviklingsforløb")
        verbose_name_plural = _("udviklingsforløb")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Forløbet kan ikke slutte, før det starter."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme:programme-detail", kwargs={"slug": self.slug})

    def tier_for_role(self, role: str) -> "Tier | None":
        for tier in self.tiers.all():
            if role in tier.roles:
                return tier
        return None


class BudgetYear(models.Model):
    """The frame set aside for the programme in one budget year."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="budget_years")
    year = models.PositiveSmallIntegerField(_("år"))
    frame = models.DecimalField(_("ramme (kr.)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("budgetår")
        verbose_name_plural = _("budgetår")
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("Forløbet har allerede en ramme for dette år."),
            ),
            models.CheckConstraint(
                condition=Q(frame__gte=0),
                name="%(app_label)s_%(class)s_frame_not_negative",
                violation_error_message=_("Rammen kan ikke være negativ."),
            ),
        ]

    def __str__(self):
        return f"{self.programme}: {self.year}"


class Tier(models.Model):
    """A level of the cascade (fagchefforum, ledere, medarbejdere) and who belongs to it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("navn"), max_length=100)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    roles = models.JSONField(
        _("roller"),
        default=list,
        blank=True,
        help_text=_("De roller fra HR-data, der hører til dette niveau."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveauer")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Forløbet har allerede et niveau med dette nummer."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def clean(self):
        if not isinstance(self.roles, list) or not all(isinstance(r, str) for r in self.roles):
            raise ValidationError(
                {
                    "roles": _("Angiv rollerne som en liste, fx %(example)s.")
                    % {"example": '["leder"]'}
                }
            )
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError(
                {"roles": _("Ukendte roller: %(roles)s") % {"roles": ", ".join(sorted(unknown))}}
            )


class Phase(models.Model):
    """A phase of the programme for some tiers, with planned and actual dates."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("navn"), max_length=100)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    tiers = models.ManyToManyField(Tier, verbose_name=_("niveauer"), related_name="phases")
    planned_start = models.DateField(_("planlagt start"), null=True, blank=True)
    planned_end = models.DateField(_("planlagt slut"), null=True, blank=True)
    actual_start = models.DateField(_("faktisk start"), null=True, blank=True)
    actual_end = models.DateField(_("faktisk slut"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("faser")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Forløbet har allerede en fase med dette nummer."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="%(app_label)s_%(class)s_planned_end_after_start",
                violation_error_message=_("Planlagt slut kan ikke ligge før planlagt start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=models.F("actual_start")),
                name="%(app_label)s_%(class)s_actual_end_after_start",
                violation_error_message=_("Faktisk slut kan ikke ligge før faktisk start."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def status(self, today: datetime.date) -> str:
        if self.actual_end and self.actual_end <= today:
            return "done"
        if self.actual_start and self.actual_start <= today:
            return "running"
        return "planned"


class Milestone(models.Model):
    """A dated point in the plan; moving it is recorded as a postponement."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("niveau"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("fase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    original_date = models.DateField(_("oprindeligt planlagt"))
    planned_date = models.DateField(_("planlagt dato"))
    reached_on = models.DateField(_("nået den"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milepæl")
        verbose_name_plural = _("milepæle")
        ordering = ["programme", "planned_date"]
        indexes = [models.Index(fields=["programme", "planned_date"])]

    def __str__(self):
        return self.name

    @property
    def is_postponed(self) -> bool:
        return self.planned_date != self.original_date


class Postponement(models.Model):
    """One move of a milestone: from which date, to which, and why."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="postponements")
    old_date = models.DateField(_("fra dato"))
    new_date = models.DateField(_("til dato"))
    reason = models.TextField(_("begrundelse"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registreret af"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registreret"), default=timezone.now)

    class Meta:
        verbose_name = _("udskydelse")
        verbose_name_plural = _("udskydelser")
        ordering = ["milestone", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(new_date=models.F("old_date")),
                name="%(app_label)s_%(class)s_date_changes",
                violation_error_message=_("Den nye dato skal være en anden end den gamle."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="%(app_label)s_%(class)s_has_reason",
                violation_error_message=_("Angiv en begrundelse for udskydelsen."),
            ),
        ]

    def __str__(self):
        return f"{self.milestone}: {self.old_date} → {self.new_date}"
