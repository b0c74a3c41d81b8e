"""Step 3: themes, the suggestions that tie inputs to them, groups of inputs, and snapshots.

Processing never changes an input: a theme is tied to an input by a `ThemeAssignment`, a
group (`Synthesis`) points at inputs, and every action is kept as a `ProcessingEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.access import scope_for
from programme.models import Programme

from .intake import Input


class ThemeKind(models.TextChoices):
    THEME = "tema", _("Tema")
    AIM = "sigte", _("Sigte")


class Theme(models.Model):
    """A theme of the programme's taxonomy (HR edits it; seeded from the memo)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("overordnet tema"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("art"), max_length=10, choices=ThemeKind.choices)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    # One keyword or phrase per line; used by the suggestions.
    keywords = models.TextField(_("nøgleord"), blank=True, default="")
    position = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # The learned profile: in how many confirmed inputs each stem occurs, and how many
    # inputs that is. Kept current by the confirmations (services/processing.py); not in
    # the history, which records what HR edits.
    learned_terms = models.JSONField(_("lærte ord"), default=dict, blank=True, editable=False)
    learned_count = models.PositiveIntegerField(
        _("bekræftede input lært af"), default=0, editable=False
    )
    # Changes with every edit and every learned confirmation: the suggestions' cache key.
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["learned_terms", "learned_count", "updated_at"])

    class Meta:
        verbose_name = _("tema")
        verbose_name_plural = _("temaer")
        ordering = ["programme", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("Forløbet har allerede et tema med dette navn."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class AssignmentStatus(models.TextChoices):
    SUGGESTED = "foreslaaet", _("Foreslået")
    CONFIRMED = "bekraeftet", _("Bekræftet")
    REJECTED = "afvist", _("Afvist")


class ThemeAssignmentQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(input__workplace__administration_id__in=scope.administration_ids)
            | Q(input__workplace_id__in=scope.led_workplace_ids)
        )

    def confirmed(self):
        return self.filter(status=AssignmentStatus.CONFIRMED)


class ThemeAssignment(models.Model):
    """A theme suggested for an input (with why and how sure), or confirmed/rejected by a person.

    A suggestion that a person has decided on is never overwritten by a new suggestion run;
    `score` and `matched_terms` are kept as the explanation shown next to it.
    """

    input = models.ForeignKey(Input, on_delete=models.CASCADE, related_name="theme_assignments")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.SUGGESTED,
    )
    suggested = models.BooleanField(_("foreslået af systemet"), default=True)
    score = models.FloatField(_("score"), default=0.0)
    rank = models.PositiveSmallIntegerField(_("placering"), null=True, blank=True)
    matched_terms = models.JSONField(_("ord der matchede"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("afgjort"), null=True, blank=True)
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)

    objects = ThemeAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("temaforslag")
        verbose_name_plural = _("temaforslag")
        ordering = ["input", "rank", "-score"]
        indexes = [models.Index(fields=["theme", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["input", "theme"],
                name="%(app_label)s_%(class)s_unique_theme",
                violation_error_message=_("Inputtet har allerede dette tema."),
            ),
        ]

    def __str__(self):
        return f"{self.input} → {self.theme} ({self.get_status_display()})"


class SynthesisQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.none()


class Synthesis(models.Model):
    """A group of inputs across workplaces, titled and summarised by HR.

    The inputs are only pointed at: grouping never changes or deletes them, and an input
    can belong to more than one group.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="syntheses")
    title = models.CharField(_("titel"), max_length=200)
    summary = models.TextField(_("sammenfatning"), blank=True, default="")
    inputs = models.ManyToManyField(
        Input, verbose_name=_("input"), blank=True, related_name="syntheses"
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("temaer"), blank=True, related_name="syntheses"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[inputs, themes])

    objects = SynthesisQuerySet.as_manager()

    class Meta:
        verbose_name = _("syntese")
        verbose_name_plural = _("synteser")
        ordering = ["programme", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("clarification:synthesis-detail", kwargs={"pk": self.pk})


class ProcessingAction(models.TextChoices):
    SUGGESTED = "foreslaaet", _("Temaer foreslået")
    CONFIRMED = "bekraeftet", _("Tema bekræftet")
    REJECTED = "afvist", _("Tema afvist")
    THEME_ADDED = "tema_tilfoejet", _("Tema tilføjet")
    GROUPED = "grupperet", _("Lagt i syntese")
    UNGROUPED = "taget_ud", _("Taget ud af syntese")
    SYNTHESIS_CREATED = "syntese_oprettet", _("Syntese oprettet")
    SYNTHESIS_CHANGED = "syntese_aendret", _("Syntese ændret")
    MARKED_PROCESSED = "behandlet", _("Markeret som behandlet")


class ProcessingEvent(models.Model):
    """One processing action: who did what to which input or group, and when."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="processing_events"
    )
    action = models.CharField(_("handling"), max_length=20, choices=ProcessingAction.choices)
    input = models.ForeignKey(
        Input, on_delete=models.CASCADE, null=True, blank=True, related_name="processing_events"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    synthesis = models.ForeignKey(
        Synthesis, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)

    class Meta:
        verbose_name = _("behandlingshandling")
        verbose_name_plural = _("behandlingshandlinger")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["programme", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d-%m-%Y %H:%M}"


class MatrixSnapshot(models.Model):
    """The theme × administration aggregates as Celery last computed them.

    Pages and the direktion dashboard read the newest snapshot, never the raw rows.
    `data` holds plain numbers per theme and administration; `source_version` says which
    state of the inputs it was computed from, so a recompute of an unchanged state is a
    no-op.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="matrix_snapshots"
    )
    computed_at = models.DateTimeField(_("beregnet"), default=timezone.now)
    source_version = models.CharField(_("datagrundlag"), max_length=64)
    data = models.JSONField(_("tal"), default=dict)
    # The per-workplace counts `data` is summed from, so that a change at one workplace
    # is recounted without reading every input (clarification.matrix.update).
    detail = models.JSONField(_("tal pr. arbejdsplads"), default=dict, blank=True)

    class Meta:
        verbose_name = _("matrixopgørelse")
        verbose_name_plural = _("matrixopgørelser")
        ordering = ["programme", "-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self):
        return f"{self.programme}: {self.computed_at:%d-%m-%Y %H:%M}"
