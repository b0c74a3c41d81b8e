"""The cascade: readiness criteria, the pipeline per administration, and releasing a tier.

Tier 1 (fagchefforum) starts with the programme. Tier 2 (leaders) starts in an
administration when HR releases it there, normally once the tier's readiness criteria are
met; tier 3 (staff) follows tier 2 the same way. HR may release although criteria are
unmet, with a reason ("Frigiv alligevel"). Never out of order: tier 3 only after tier 2.

Criteria are data (`ReadinessCriterion` rows per programme and tier); each row's `kind`
names a check registered here with `register_criterion(key, label, check)`, where
`check(programme, administration, parameter) -> CriterionResult(met, value)`. A kind that
is configured but not registered shows as "ukendt kriterium" and is never met.

Registered here: `involvement_plan_approved`, `step_closed` (parameter: the step number),
`tier_released` (the tier above is released there) and `days_since_release` (parameter:
days since the tier above was released there); the last two are told the tier they guard.

Wired at merge: `kickoff_held` and `seminars_held` (parameter: at least n seminars) come
from `seminars.readiness` (`kickoff_held(programme) -> bool`,
`seminars_held(programme) -> int`); the seminars app registers them from its `ready()`
with `register_seminar_criteria(readiness)`.

A check must not cost a query per administration: the pipeline evaluates every
administration at once. Load the facts of the whole programme once with
`programme_fact(programme, name, loader)`, which keeps them on the programme object for
the rest of the request.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Administration, CascadeRelease, Programme, ReadinessCriterion, Tier

FIRST_RELEASED_TIER = 2


@dataclass(frozen=True)
class CriterionResult:
    met: bool
    value: str = ""


@dataclass(frozen=True)
class CriterionKind:
    key: str
    label: object  # a lazy string; may hold %(n)s for the parameter
    check: Callable[..., CriterionResult]
    needs_parameter: bool = False
    # Called with tier=<the tier being released> as well.
    per_tier: bool = False


_kinds: dict[str, CriterionKind] = {}


def register_criterion(
    key: str, label, check, *, needs_parameter: bool = False, per_tier: bool = False
) -> CriterionKind:
    """Make a criterion kind available to the programmes' configured criteria."""
    kind = CriterionKind(key, label, check, needs_parameter, per_tier)
    _kinds[key] = kind
    return kind


def registered_kinds() -> dict[str, CriterionKind]:
    return dict(_kinds)


def criterion_label(key: str, parameter: int | None) -> str:
    kind = _kinds.get(key)
    if kind is None:
        return _("Ukendt kriterium (%(key)s)") % {"key": key}
    return str(kind.label) % {"n": parameter if parameter is not None else "?"}


def validate_criterion(key: str, parameter: int | None) -> None:
    kind = _kinds.get(key)
    if kind is None:
        raise ValidationError(
            {"kind": _("Ukendt kriterium. Vælg et af: %(keys)s") % {"keys": ", ".join(_kinds)}}
        )
    if kind.needs_parameter and parameter is None:
        raise ValidationError({"parameter": _("Dette kriterium skal have en parameter.")})


def programme_fact(programme: Programme, name: str, loader: Callable[[], object]):
    """Return a fact about the whole programme, loading it once per programme object."""
    facts = programme.__dict__.setdefault("_cascade_facts", {})
    if name not in facts:
        facts[name] = loader()
    return facts[name]


# --- The criteria we can check now ----------------------------------------------------


def _approved_plans(programme) -> set[int]:
    from clarification.models import InvolvementPlan, PlanStatus

    return programme_fact(
        programme,
        "approved_plans",
        lambda: set(
            InvolvementPlan.objects.filter(programme=programme, status=PlanStatus.APPROVED)
            .order_by()
            .values_list("administration_id", flat=True)
        ),
    )


def _closed_steps(programme) -> dict[int, dict[int, datetime.datetime]]:
    """Return {step number: {administration id: closed at}}."""
    from clarification.models import StepState, StepStatus

    def load():
        closed: dict[int, dict[int, datetime.datetime]] = {}
        rows = (
            StepState.objects.filter(step__programme=programme, status=StepStatus.CLOSED)
            .order_by()
            .values_list("step__number", "administration_id", "closed_at")
        )
        for number, administration_id, closed_at in rows:
            closed.setdefault(number, {})[administration_id] = closed_at
        return closed

    return programme_fact(programme, "closed_steps", load)


def _releases(programme) -> dict[tuple[int, int], CascadeRelease]:
    return programme_fact(
        programme,
        "releases",
        lambda: {
            (r.administration_id, r.tier): r
            for r in CascadeRelease.objects.filter(programme=programme)
            .select_related("released_by__person")
            .order_by()
        },
    )


def _today():
    return timezone.localdate()


def check_involvement_plan_approved(programme, administration, parameter) -> CriterionResult:
    met = administration.pk in _approved_plans(programme)
    return CriterionResult(met, _("Godkendt") if met else _("Ikke godkendt"))


def check_step_closed(programme, administration, parameter) -> CriterionResult:
    closed_at = _closed_steps(programme).get(parameter, {}).get(administration.pk)
    if closed_at is None:
        return CriterionResult(False, _("Ikke lukket"))
    return CriterionResult(True, _("Lukket %(date)s") % {"date": _short(closed_at)})


def check_tier_released(programme, administration, parameter, *, tier) -> CriterionResult:
    above = tier - 1
    if above < FIRST_RELEASED_TIER:
        return CriterionResult(True, _("Niveau 1 starter med forløbet"))
    release = _releases(programme).get((administration.pk, above))
    if release is None:
        return CriterionResult(False, _("Ikke frigivet"))
    return CriterionResult(True, _("Frigivet %(date)s") % {"date": _short(release.released_at)})


def check_days_since_release(programme, administration, parameter, *, tier) -> CriterionResult:
    above = tier - 1
    if above < FIRST_RELEASED_TIER:
        start = programme.starts_on
    else:
        release = _releases(programme).get((administration.pk, above))
        if release is None:
            return CriterionResult(False, _("Niveau %(n)s er ikke frigivet") % {"n": above})
        start = timezone.localdate(release.released_at)
    days = (_today() - start).days
    return CriterionResult(days >= (parameter or 0), _("%(days)s dage") % {"days": days})


def _short(moment) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localdate(moment)
    return date_format(moment, "SHORT_DATE_FORMAT")


register_criterion(
    "involvement_plan_approved",
    gettext_lazy("Forvaltningens inddragelsesplan er godkendt"),
    check_involvement_plan_approved,
)
register_criterion(
    "step_closed",
    gettext_lazy("Trin %(n)s i afklaringsfasen er lukket i forvaltningen"),
    check_step_closed,
    needs_parameter=True,
)
register_criterion(
    "tier_released",
    gettext_lazy("Niveauet over er frigivet i forvaltningen"),
    check_tier_released,
    per_tier=True,
)
register_criterion(
    "days_since_release",
    gettext_lazy("Mindst %(n)s dage siden niveauet over blev frigivet"),
    check_days_since_release,
    needs_parameter=True,
    per_tier=True,
)


def register_seminar_criteria(readiness) -> None:
    """Register the tier-1 seminar kinds from a module like `seminars.readiness`."""

    def kickoff_held(programme, administration, parameter):
        held = programme_fact(programme, "kickoff_held", lambda: readiness.kickoff_held(programme))
        return CriterionResult(bool(held), _("Afholdt") if held else _("Ikke afholdt"))

    def seminars_held(programme, administration, parameter):
        held = programme_fact(
            programme, "seminars_held", lambda: readiness.seminars_held(programme)
        )
        return CriterionResult(held >= (parameter or 0), _("%(n)s afholdt") % {"n": held})

    register_criterion("kickoff_held", gettext_lazy("Kick-off er afholdt"), kickoff_held)
    register_criterion(
        "seminars_held",
        gettext_lazy("Mindst %(n)s seminarer er afholdt"),
        seminars_held,
        needs_parameter=True,
    )


# --- Evaluation and the pipeline --------------------------------------------------------


@dataclass(frozen=True)
class Evaluated:
    kind: str
    label: str
    met: bool
    value: str

    def as_snapshot(self) -> dict:
        return {"kind": self.kind, "label": self.label, "met": self.met, "value": self.value}


def evaluate(
    criterion: ReadinessCriterion, programme: Programme, administration: Administration
) -> Evaluated:
    kind = _kinds.get(criterion.kind)
    label = criterion_label(criterion.kind, criterion.parameter)
    if kind is None:
        return Evaluated(criterion.kind, label, False, _("ukendt kriterium"))
    extra = {"tier": criterion.tier} if kind.per_tier else {}
    result = kind.check(programme, administration, criterion.parameter, **extra)
    return Evaluated(criterion.kind, label, result.met, result.value)


class Status(StrEnum):
    STARTED = "started"  # tier 1: runs from the programme's start
    RELEASED = "released"
    READY = "ready"
    NOT_READY = "not_ready"
    # The tier above is not released yet: not even an override may release this one.
    WAITING = "waiting"


STATUS_LABELS = {
    Status.STARTED: gettext_lazy("Startet"),
    Status.RELEASED: gettext_lazy("Frigivet"),
    Status.READY: gettext_lazy("Klar til frigivelse"),
    Status.NOT_READY: gettext_lazy("Ikke klar"),
    Status.WAITING: gettext_lazy("Venter på niveauet over"),
}


@dataclass
class TierState:
    number: int
    name: str
    status: Status
    criteria: list[Evaluated] = field(default_factory=list)
    release: CascadeRelease | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def may_release(self) -> bool:
        return self.status in {Status.READY, Status.NOT_READY}


@dataclass
class PipelineRow:
    administration: Administration
    tiers: list[TierState]


def _criteria_by_tier(programme) -> dict[int, list[ReadinessCriterion]]:
    def load():
        by_tier: dict[int, list[ReadinessCriterion]] = {}
        for criterion in programme.readiness_criteria.order_by("tier", "position", "pk"):
            by_tier.setdefault(criterion.tier, []).append(criterion)
        return by_tier

    return programme_fact(programme, "criteria", load)


def tiers_of(programme) -> list[Tier]:
    return programme_fact(programme, "tiers", lambda: list(programme.tiers.order_by("number")))


def tier_state(programme, administration, tier: Tier) -> TierState:
    """Return where one tier stands in one administration."""
    if tier.number < FIRST_RELEASED_TIER:
        return TierState(tier.number, tier.name, Status.STARTED)
    release = _releases(programme).get((administration.pk, tier.number))
    if release is not None:
        return TierState(
            tier.number,
            tier.name,
            Status.RELEASED,
            criteria=[Evaluated(**row) for row in release.criteria],
            release=release,
        )
    criteria = [
        evaluate(c, programme, administration)
        for c in _criteria_by_tier(programme).get(tier.number, [])
    ]
    above = tier.number - 1
    if above >= FIRST_RELEASED_TIER and (administration.pk, above) not in _releases(programme):
        status = Status.WAITING
    elif all(c.met for c in criteria):
        status = Status.READY
    else:
        status = Status.NOT_READY
    return TierState(tier.number, tier.name, status, criteria=criteria)


def pipeline(programme: Programme, administrations=None) -> list[PipelineRow]:
    """Return each active administration's tiers with their status, in a constant number of queries.

    `administrations` narrows the rows (a fagchef sees their own); by default all active.
    """
    programme.__dict__.pop("_cascade_facts", None)  # facts as they stand now
    if administrations is None:
        administrations = Administration.objects.active()
    administrations = list(administrations.order_by("name"))
    tiers = tiers_of(programme)
    return [
        PipelineRow(administration, [tier_state(programme, administration, t) for t in tiers])
        for administration in administrations
    ]


# --- Releasing a tier -------------------------------------------------------------------


class ReleaseError(Exception):
    """A release that may not happen; the message is for the user (Danish)."""


@transaction.atomic
def release_tier(
    *, programme: Programme, administration: Administration, tier: int, by, reason: str = ""
) -> CascadeRelease:
    """Release a tier in an administration once, recording the criteria as they stand.

    Unmet criteria need a reason (an override). Two releases at once: the administration
    row is locked, so the second waits, then finds the first's release and fails.
    """
    Administration.objects.select_for_update().filter(pk=administration.pk).first()
    # Fresh facts: the lock may have waited for another release.
    programme = Programme.objects.get(pk=programme.pk)
    tiers = {t.number: t for t in tiers_of(programme)}
    if tier not in tiers or tier < FIRST_RELEASED_TIER:
        raise ReleaseError(_("Niveau %(n)s kan ikke frigives.") % {"n": tier})
    state = tier_state(programme, administration, tiers[tier])
    if state.status == Status.RELEASED:
        raise ReleaseError(
            _("Niveau %(n)s er allerede frigivet i %(administration)s.")
            % {"n": tier, "administration": administration}
        )
    if state.status == Status.WAITING:
        raise ReleaseError(
            _("Niveau %(above)s skal frigives i forvaltningen, før niveau %(n)s kan frigives.")
            % {"above": tier - 1, "n": tier}
        )
    reason = reason.strip()
    overridden = state.status == Status.NOT_READY
    if overridden and not reason:
        raise ReleaseError(
            _("Kriterierne er ikke opfyldt. Angiv en begrundelse for at frigive alligevel.")
        )
    forget_releases(programme.pk)
    try:
        with transaction.atomic():
            return CascadeRelease.objects.create(
                programme=programme,
                administration=administration,
                tier=tier,
                released_by=by,
                criteria=[c.as_snapshot() for c in state.criteria],
                overridden=overridden,
                override_reason=reason if overridden else "",
            )
    except IntegrityError as error:
        raise ReleaseError(
            _("Niveau %(n)s er allerede frigivet i %(administration)s.")
            % {"n": tier, "administration": administration}
        ) from error


# --- A person's own tier on "Mit overblik" ----------------------------------------------


@dataclass(frozen=True)
class ExpectedStart:
    date: datetime.date
    label: str  # the phase or milestone the date comes from


def expected_start(outline, tier: Tier) -> ExpectedStart | None:
    """Return when the tier is planned to start: its first phase, else its first milestone."""
    for phase in outline.phases:
        if phase.planned_start and any(t.pk == tier.pk for t in phase.tiers.all()):
            return ExpectedStart(phase.planned_start, phase.name)
    dates = [m for m in outline.milestones if m.tier_id == tier.pk]
    if dates:
        first = min(dates, key=lambda m: m.planned_date)
        return ExpectedStart(first.planned_date, first.name)
    return None


# "Mit overblik" asks on every visit whether the person's tier is released; releases
# happen a few times a year. The programme's release dates are kept in the cache and
# dropped when a release is recorded (at once, and again after the commit, so a reader
# between the two cannot keep the old state).
RELEASES_SECONDS = 10 * 60


def releases_key(programme_id: int) -> str:
    return f"programme:{programme_id}:releases:v1"


def forget_releases(programme_id: int) -> None:
    cache.delete(releases_key(programme_id))
    transaction.on_commit(lambda: cache.delete(releases_key(programme_id)))


def released_at(programme, administration_id: int, tier: int) -> datetime.datetime | None:
    """Return when the tier was released in the administration, or None; cached."""
    key = releases_key(programme.pk)
    dates = cache.get(key)
    if dates is None:
        dates = {
            (administration_id, number): at
            for administration_id, number, at in CascadeRelease.objects.filter(
                programme=programme
            ).values_list("administration_id", "tier", "released_at")
        }
        cache.set(key, dates, RELEASES_SECONDS)
    return dates.get((administration_id, tier))
