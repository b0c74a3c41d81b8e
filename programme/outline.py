"""A programme's structure for the overview pages, cached until it changes.

Tiers, phases, milestones with their moves and budget frames change a few times a year
but are on every "Mit overblik". They are read in one go, kept in the cache, and dropped
when any of them is saved or deleted (after the transaction commits, so a reader never
caches what a rolled-back write left behind). The time limit bounds the one race left: a
reader that loaded the old rows just before a write and stored them just after it.
"""

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import BudgetYear, Milestone, Phase, Postponement, Programme, Tier

OUTLINE_SECONDS = 10 * 60


@dataclass
class Outline:
    tiers: list[Tier] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    budget_years: list[BudgetYear] = field(default_factory=list)
    # Changes whenever the outline is rebuilt: part of the key of cached page fragments.
    version: str = field(default_factory=lambda: uuid.uuid4().hex)

    def pending_milestones(self, limit: int) -> list[Milestone]:
        """The next milestones not yet reached, overdue ones first (by planned date)."""
        return [m for m in self.milestones if m.reached_on is None][:limit]


def outline_key(programme_id: int) -> str:
    return f"programme:{programme_id}:outline:v1"


def programme_outline(programme: Programme) -> Outline:
    """Return the programme's tiers, phases, milestones and frames, from the cache if there."""
    key = outline_key(programme.pk)
    outline = cache.get(key)
    if outline is None:
        tiers = list(programme.tiers.order_by("number"))
        outline = Outline(
            tiers=tiers,
            phases=list(
                programme.phases.order_by("number").prefetch_related(
                    Prefetch("tiers", queryset=Tier.objects.order_by("number"))
                )
            ),
            milestones=list(
                programme.milestones.select_related("tier", "phase")
                .prefetch_related(
                    Prefetch("postponements", queryset=Postponement.objects.order_by("recorded_at"))
                )
                .order_by("planned_date", "pk")
            ),
            budget_years=list(programme.budget_years.order_by("year")),
        )
        cache.set(key, outline, OUTLINE_SECONDS)
    return outline


def forget_outline(programme_id: int | None) -> None:
    if programme_id is not None:
        transaction.on_commit(lambda: cache.delete(outline_key(programme_id)))


def _programme_changed(sender, instance, **kwargs):
    forget_outline(instance.pk)


def _part_changed(sender, instance, **kwargs):
    forget_outline(instance.programme_id)


def _postponement_changed(sender, instance, **kwargs):
    programme_id = (
        Milestone.objects.filter(pk=instance.milestone_id).values_list("programme_id", flat=True)
    ).first()
    forget_outline(programme_id)


def _phase_tiers_changed(sender, instance, **kwargs):
    forget_outline(instance.programme_id)


def connect() -> None:
    """Drop a programme's cached outline whenever one of its parts changes."""
    for signal in (post_save, post_delete):
        signal.connect(_programme_changed, sender=Programme, dispatch_uid=f"outline-p-{signal}")
        for model in (Tier, Phase, Milestone, BudgetYear):
            signal.connect(
                _part_changed, sender=model, dispatch_uid=f"outline-{model.__name__}-{signal}"
            )
        signal.connect(
            _postponement_changed, sender=Postponement, dispatch_uid=f"outline-pp-{signal}"
        )
    m2m_changed.connect(
        _phase_tiers_changed, sender=Phase.tiers.through, dispatch_uid="outline-phase-tiers"
    )
