"""The cascade of the demo, as it stood on 21 June 2021.

Criteria: tier 2 (leaders) waits for the kick-off, at least two seminars and the
administration's approved involvement plan; tier 3 (staff) for tier 2's release and the
close of step 2. Leaders were released in four administrations in the weeks before their
kick-off events on 4 May; Børne- og Kulturforvaltningen has not been released yet, so the
demo's HR login can release it and the demo leader there sees it happen. Staff were
released early in one administration, by override with a reason (step 2 is still open).

The seminar kinds (`kickoff_held`, `seminars_held`) are registered by the seminars app,
whose demo (programme/demo/seminars.py) runs first, so the tier-2 releases below meet
their criteria; were they unmet, a release would be recorded as an override with
`PENDING_SEMINARS_REASON`. Everything goes through `release_tier`, so the snapshots are
real; only the dates are set back to 2021.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from programme import cascade
from programme.models import Administration, CascadeRelease, Programme, ReadinessCriterion

D = datetime.date
CRITERIA = [
    # tier, kind, parameter
    (2, "kickoff_held", None),
    (2, "seminars_held", 2),
    (2, "involvement_plan_approved", None),
    (3, "tier_released", None),
    (3, "step_closed", 2),
]
# administration code: (tier, released on, override reason or "")
RELEASES = [
    ("BIF", 2, D(2021, 4, 19), ""),
    ("SSF", 2, D(2021, 4, 26), ""),
    ("TEK", 2, D(2021, 4, 28), ""),
    ("OEP", 2, D(2021, 5, 3), ""),
    (
        "SSF",
        3,
        D(2021, 6, 14),
        "Medarbejderne på plejecentrene har allerede været med i afklaringsaktiviteterne, "
        "og forvaltnings-MED har bedt om at komme i gang før sommerferien. Trin 2 lukkes "
        "først 25. juni.",
    ),
]
PENDING_SEMINARS_REASON = (
    "Kick-off og de første seminarer i fagchefforum er afholdt, men registreres endnu "
    "ikke i systemet."
)


@transaction.atomic
def load_cascade(*, programme: Programme, hr) -> int:
    """Configure the demo's criteria and releases; a rerun adds nothing. Return the releases."""
    for position, (tier, kind, parameter) in enumerate(CRITERIA):
        ReadinessCriterion.objects.get_or_create(
            programme=programme,
            tier=tier,
            kind=kind,
            defaults={"parameter": parameter, "position": position},
        )
    administrations = {a.code: a for a in Administration.objects.filter(is_active=True)}
    for code, tier, day, reason in RELEASES:
        administration = administrations.get(code)
        if administration is None:
            continue
        if CascadeRelease.objects.filter(
            programme=programme, administration=administration, tier=tier
        ).exists():
            continue
        try:
            release = cascade.release_tier(
                programme=programme, administration=administration, tier=tier, by=hr, reason=reason
            )
        except cascade.ReleaseError:
            release = cascade.release_tier(
                programme=programme,
                administration=administration,
                tier=tier,
                by=hr,
                reason=PENDING_SEMINARS_REASON,
            )
        released_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        CascadeRelease.objects.filter(pk=release.pk).update(released_at=released_at)
        cascade.forget_releases(programme.pk)
    return CascadeRelease.objects.filter(programme=programme).count()
