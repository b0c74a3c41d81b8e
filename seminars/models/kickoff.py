"""The kick-off process: seminar themes proposed by fagchefforum's members and ranked.

Each member proposes themes and ranks all proposals (1 = best). The result is a Borda
count (seminars.kickoff.borda); HR sets the five seminars' themes from it and records on
each seminar the proposals it took up (Seminar.proposals).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import Person, Programme


class ThemeProposal(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="theme_proposals"
    )
    proposer = models.ForeignKey(
        Person, verbose_name=_("foreslået af"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tema"), max_length=200)
    why = models.TextField(
        _("hvorfor er temaet vigtigt for at lede velfærdsfornyelsen i Sammen om Rødovre?"),
        max_length=2000,
    )
    created_at = models.DateTimeField(_("foreslået"), default=timezone.now)

    class Meta:
        verbose_name = _("temaforslag til seminarerne")
        verbose_name_plural = _("temaforslag til seminarerne")
        ordering = ["programme", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "title"],
                name="%(app_label)s_%(class)s_unique_title",
                violation_error_message=_("Temaet er allerede foreslået."),
            ),
        ]

    def __str__(self):
        return self.title


class ProposalRank(models.Model):
    """One member's rank of one proposal (1 = the theme they want most)."""

    proposal = models.ForeignKey(ThemeProposal, on_delete=models.CASCADE, related_name="ranks")
    ranker = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("placering"))

    class Meta:
        verbose_name = _("placering af temaforslag")
        verbose_name_plural = _("placeringer af temaforslag")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "ranker"],
                name="%(app_label)s_%(class)s_unique_ranker",
                violation_error_message=_("Du har allerede placeret dette forslag."),
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1),
                name="%(app_label)s_%(class)s_rank_from_one",
                violation_error_message=_("Placeringen starter ved 1."),
            ),
        ]

    def __str__(self):
        return f"{self.ranker}: {self.proposal} ({self.rank})"
