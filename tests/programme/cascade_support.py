"""Rows that break each rule of the cascade models, for tests/programme/test_models.py."""

from programme.models import Administration, CascadeRelease, Programme, ReadinessCriterion
from tests.programme.factories import AdministrationFactory, ProgrammeFactory, UserFactory


def _release(**fields) -> CascadeRelease:
    programme = Programme.objects.first() or ProgrammeFactory()
    administration = Administration.objects.first() or AdministrationFactory()
    defaults = {
        "programme": programme,
        "administration": administration,
        "tier": 2,
        "released_by": UserFactory(),
    }
    return CascadeRelease(**(defaults | fields))


def second_release_of_a_tier():
    _release().save()
    return _release()


def release_of_tier_one():
    return _release(tier=1)


def override_without_reason():
    return _release(overridden=True, override_reason="")


def criterion_for_tier_one():
    return ReadinessCriterion(
        programme=ProgrammeFactory(), tier=1, kind="involvement_plan_approved"
    )


TOP_TIER = "Kun niveau 2 og derunder frigives; niveau 1 starter med forløbet."
CASCADE_CONSTRAINT_VIOLATIONS = {
    "programme_cascaderelease_once_per_tier": (
        second_release_of_a_tier,
        "Niveauet er allerede frigivet i forvaltningen.",
    ),
    "programme_cascaderelease_tier_below_top": (release_of_tier_one, TOP_TIER),
    "programme_cascaderelease_override_has_reason": (
        override_without_reason,
        "En frigivelse trods uopfyldte kriterier kræver en begrundelse.",
    ),
    "programme_readinesscriterion_tier_below_top": (criterion_for_tier_one, TOP_TIER),
}
