"""Step 4: direktionen's meetings and decisions, and their publication back to the workplaces."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.access import scope_for
from programme.models import Administration, Person, Programme, Workplace

from .intake import Input
from .processing import Synthesis, Theme


class DecisionKind(models.TextChoices):
    COURSE = "undervisning", _("Undervisningsforløb")
    LOCAL = "lokalt", _("Lokalt udviklingsforløb")
    BOTH = "begge", _("Begge dele")
    NO_ACTION = "ingen", _("Ingen handling")


class DecisionState(models.TextChoices):
    DRAFT = "kladde", _("Kladde")
    PROPOSED = "indstillet", _("Indstillet til direktionen")
    ADOPTED = "vedtaget", _("Vedtaget")
    REJECTED = "afvist", _("Afvist")
    DEFERRED = "udsat", _("Udsat")


class DirektionMeeting(models.Model):
    """A dated meeting of direktionen at which decisions are taken."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="direktion_meetings"
    )
    held_on = models.DateField(_("mødedato"))
    title = models.CharField(_("titel"), max_length=200, blank=True, default="")
    notes = models.TextField(_("noter"), blank=True, default="")

    class Meta:
        verbose_name = _("direktionsmøde")
        verbose_name_plural = _("direktionsmøder")
        ordering = ["programme", "-held_on"]

    def __str__(self):
        return self.title or _("Direktionsmøde %(date)s") % {"date": f"{self.held_on:%d-%m-%Y}"}


class DecisionQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR and direktion see every decision; others the published ones that concern them.

        A decision concerns a leader or an employee when it names their workplace (or one
        the leader leads), or answers an input from it, directly or through a group; a
        fagchef, when it does so for any unit of their administration.
        """
        scope = scope_for(user)
        if scope.everything:
            return self
        # One subquery per link table, not joins: joined, a decision citing hundreds of
        # inputs across many units became as many rows for DISTINCT to fold back.
        units, administrations = scope.workplace_ids, scope.administration_ids
        model = self.model
        by_administration = model.administrations.through.objects.filter(
            administration_id__in=administrations
        )
        by_workplace = model.workplaces.through.objects.filter(
            Q(workplace_id__in=units) | Q(workplace__administration_id__in=administrations)
        )
        concerned_inputs = Q(input__workplace_id__in=units) | Q(
            input__workplace__administration_id__in=administrations
        )
        by_input = model.inputs.through.objects.filter(concerned_inputs)
        groups = model.syntheses.field.related_model.inputs.through.objects.filter(concerned_inputs)
        by_group = model.syntheses.through.objects.filter(
            synthesis_id__in=groups.values("synthesis_id")
        )
        return self.filter(state=DecisionState.ADOPTED, published_at__isnull=False).filter(
            Q(pk__in=by_administration.values("decision_id"))
            | Q(pk__in=by_workplace.values("decision_id"))
            | Q(pk__in=by_input.values("decision_id"))
            | Q(pk__in=by_group.values("decision_id"))
        )


class Decision(models.Model):
    """A decision proposal HR drafts and direktionen adopts, rejects or defers."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("titel"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=DecisionKind.choices)
    rationale = models.TextField(_("begrundelse"))
    next_steps = models.TextField(_("det sker nu"), blank=True, default="")
    state = models.CharField(
        _("status"), max_length=12, choices=DecisionState.choices, default=DecisionState.DRAFT
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("temaer"), blank=True, related_name="decisions"
    )
    syntheses = models.ManyToManyField(
        Synthesis, verbose_name=_("synteser"), blank=True, related_name="decisions"
    )
    inputs = models.ManyToManyField(
        Input, verbose_name=_("input"), blank=True, related_name="decisions"
    )
    administrations = models.ManyToManyField(
        Administration, verbose_name=_("forvaltninger"), blank=True, related_name="decisions"
    )
    workplaces = models.ManyToManyField(
        Workplace, verbose_name=_("arbejdspladser"), blank=True, related_name="decisions"
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("ansvarlig"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_decisions",
    )
    estimated_cost = models.DecimalField(
        _("anslået udgift (kr.)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    review_on = models.DateField(_("opfølgningsdato"), null=True, blank=True)
    meeting = models.ForeignKey(
        DirektionMeeting,
        verbose_name=_("direktionsmøde"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    decided_at = models.DateTimeField(_("besluttet"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[themes, syntheses, inputs, administrations, workplaces])

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("beslutning")
        verbose_name_plural = _("beslutninger")
        ordering = ["programme", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["vedtaget", "afvist", "udsat"])
                | (Q(meeting__isnull=False) & Q(decided_at__isnull=False)),
                name="%(app_label)s_%(class)s_decided_at_a_meeting",
                violation_error_message=_(
                    "En beslutning træffes på et direktionsmøde og skal have et tidspunkt."
                ),
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(state="vedtaget"),
                name="%(app_label)s_%(class)s_only_adopted_published",
                violation_error_message=_("Kun vedtagne beslutninger kan offentliggøres."),
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="%(app_label)s_%(class)s_cost_not_negative",
                violation_error_message=_("Den anslåede udgift kan ikke være negativ."),
            ),
        ]

    def __str__(self):
        return self.title


class DecisionEvent(models.Model):
    """One change of a decision's state: from, to, who, when, at which meeting, why."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("fra"), max_length=12, choices=DecisionState.choices)
    to_state = models.CharField(_("til"), max_length=12, choices=DecisionState.choices)
    meeting = models.ForeignKey(
        DirektionMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    comment = models.TextField(_("kommentar"), blank=True, default="")

    class Meta:
        verbose_name = _("beslutningshændelse")
        verbose_name_plural = _("beslutningshændelser")
        ordering = ["decision", "at", "pk"]

    def __str__(self):
        return f"{self.decision}: {self.from_state} → {self.to_state}"


class Publication(models.Model):
    """One publication of adopted decisions ("I sagde — vi gør").

    It is the anchor of the feedback e-mails: the notification mechanism sends one e-mail
    per cited workplace per publication, under a unique key.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="publications")
    decisions = models.ManyToManyField(
        Decision, verbose_name=_("beslutninger"), related_name="publications"
    )
    published_at = models.DateTimeField(_("offentliggjort"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("besked til arbejdspladserne"), blank=True, default="")

    class Meta:
        verbose_name = _("offentliggørelse")
        verbose_name_plural = _("offentliggørelser")
        ordering = ["programme", "-published_at"]

    def __str__(self):
        return f"{self.programme}: {self.published_at:%d-%m-%Y %H:%M}"
