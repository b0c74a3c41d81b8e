"""The cascade's releases: when a lower tier starts in an administration, and why."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import scope_for
from .organisation import Administration
from .plan import Programme


class ReadinessCriterion(models.Model):
    """One condition a tier waits for in each administration before HR releases it.

    The kind names a check registered in code (programme/cascade.py); the rows are data,
    so each programme (and each municipality) configures its own criteria.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="readiness_criteria"
    )
    tier = models.PositiveSmallIntegerField(
        _("niveau, der frigives"), help_text=_("Nummeret på det niveau, kriteriet gælder for.")
    )
    kind = models.CharField(_("kriterium"), max_length=60)
    parameter = models.PositiveIntegerField(
        _("parameter"),
        null=True,
        blank=True,
        help_text=_("Fx antal seminarer, trinnummer eller antal dage, alt efter kriteriet."),
    )
    position = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)

    class Meta:
        verbose_name = _("parathedskriterium")
        verbose_name_plural = _("parathedskriterier")
        ordering = ["programme", "tier", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier__gte=2),
                name="%(app_label)s_%(class)s_tier_below_top",
                violation_error_message=_(
                    "Kun niveau 2 og derunder frigives; niveau 1 starter med forløbet."
                ),
            ),
        ]

    def __str__(self):
        from ..cascade import criterion_label

        return f"{self.tier}: {criterion_label(self.kind, self.parameter)}"

    def clean(self):
        from ..cascade import validate_criterion

        validate_criterion(self.kind, self.parameter)


class CascadeReleaseQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(administration_id__in=scope.administration_ids)
            | Q(administration__workplaces__pk__in=scope.workplace_ids)
        ).distinct()


class CascadeRelease(models.Model):
    """HR released a tier in an administration: who, when, and the criteria as they stood.

    A release is final: it starts the tier's work in the administration and people are
    told. There is one per programme, administration and tier, and it is never withdrawn
    or edited (the admin shows it read-only).
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="releases")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="releases"
    )
    tier = models.PositiveSmallIntegerField(_("niveau"))
    released_at = models.DateTimeField(_("frigivet"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frigivet af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # [{"kind", "label", "met", "value"}, ...] as evaluated at the moment of release.
    criteria = models.JSONField(_("kriterier ved frigivelsen"), default=list, blank=True)
    overridden = models.BooleanField(_("frigivet trods uopfyldte kriterier"), default=False)
    override_reason = models.TextField(_("begrundelse"), blank=True, default="")

    objects = CascadeReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("frigivelse")
        verbose_name_plural = _("frigivelser")
        ordering = ["programme", "administration__name", "tier"]
        constraints = [
            # Serves the race of two HR staff releasing at once: the second insert fails.
            models.UniqueConstraint(
                fields=["programme", "administration", "tier"],
                name="%(app_label)s_%(class)s_once_per_tier",
                violation_error_message=_("Niveauet er allerede frigivet i forvaltningen."),
            ),
            models.CheckConstraint(
                condition=Q(tier__gte=2),
                name="%(app_label)s_%(class)s_tier_below_top",
                violation_error_message=_(
                    "Kun niveau 2 og derunder frigives; niveau 1 starter med forløbet."
                ),
            ),
            models.CheckConstraint(
                condition=Q(overridden=False) | ~Q(override_reason=""),
                name="%(app_label)s_%(class)s_override_has_reason",
                violation_error_message=_(
                    "En frigivelse trods uopfyldte kriterier kræver en begrundelse."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.administration}: niveau {self.tier}"
