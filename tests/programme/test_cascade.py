"""The cascade: criteria as data, the pipeline, releasing a tier, and Mit overblik."""

import datetime
import types

import pytest
from django.urls import reverse
from django.utils import timezone

from clarification.models import PlanStatus, StepNumber, StepStatus
from programme import cascade
from programme.models import CascadeRelease, ReadinessCriterion
from tests.clarification.factories import (
    ClarificationStepFactory,
    InvolvementPlanFactory,
    StepStateFactory,
)
from tests.clarification.test_plans import run_at_once
from tests.programme.factories import AdministrationFactory, PhaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(programme):
    """Tier 2: plan approved. Tier 3: tier 2 released and step 2 closed."""
    rows = [
        (2, "involvement_plan_approved", None),
        (3, "tier_released", None),
        (3, "step_closed", 2),
    ]
    return [
        ReadinessCriterion.objects.create(
            programme=programme, tier=tier, kind=kind, parameter=parameter, position=n
        )
        for n, (tier, kind, parameter) in enumerate(rows)
    ]


def approve_plan(programme, administration):
    return InvolvementPlanFactory(
        programme=programme, administration=administration, status=PlanStatus.APPROVED
    )


def close_step_two(programme, administration):
    step = ClarificationStepFactory(programme=programme, number=StepNumber.EXECUTION)
    StepStateFactory(
        step=step, administration=administration, status=StepStatus.CLOSED, closed_at=timezone.now()
    )


def row_for(programme, administration):
    return next(r for r in cascade.pipeline(programme) if r.administration == administration)


# --- Criteria ----------------------------------------------------------------------------


def test_tier_two_is_ready_only_when_its_criteria_are_met(programme, org, criteria):
    admin = org["admin_a"]
    tier_two = row_for(programme, admin).tiers[1]
    assert tier_two.status == cascade.Status.NOT_READY
    assert [(c.label, c.met) for c in tier_two.criteria] == [
        ("Forvaltningens inddragelsesplan er godkendt", False)
    ]

    approve_plan(programme, admin)

    tier_two = row_for(programme, admin).tiers[1]
    assert tier_two.status == cascade.Status.READY
    assert tier_two.criteria[0].met and tier_two.criteria[0].value == "Godkendt"
    assert row_for(programme, org["admin_b"]).tiers[1].status == cascade.Status.NOT_READY


def test_an_unregistered_kind_shows_as_unknown_and_unmet(programme, org):
    # A kind another installation configured but no app here registers.
    ReadinessCriterion.objects.create(programme=programme, tier=2, kind="budget_approved")

    tier_two = row_for(programme, org["admin_a"]).tiers[1]

    assert tier_two.status == cascade.Status.NOT_READY
    (criterion,) = tier_two.criteria
    assert criterion.met is False
    assert criterion.value == "ukendt kriterium"


def test_seminar_kinds_registered_from_the_readiness_module(programme, org):
    readiness = types.SimpleNamespace(
        kickoff_held=lambda programme: True, seminars_held=lambda programme: 1
    )
    # The seminars app registers the real ones; put them back afterwards.
    registered = {key: cascade._kinds.get(key) for key in ("kickoff_held", "seminars_held")}
    cascade.register_seminar_criteria(readiness)
    try:
        ReadinessCriterion.objects.create(programme=programme, tier=2, kind="kickoff_held")
        ReadinessCriterion.objects.create(
            programme=programme, tier=2, kind="seminars_held", parameter=2, position=1
        )
        criteria = row_for(programme, org["admin_a"]).tiers[1].criteria
    finally:
        for key, kind in registered.items():
            if kind is None:
                cascade._kinds.pop(key, None)
            else:
                cascade._kinds[key] = kind

    assert [(c.label, c.met, c.value) for c in criteria] == [
        ("Kick-off er afholdt", True, "Afholdt"),
        ("Mindst 2 seminarer er afholdt", False, "1 afholdt"),
    ]


def test_days_since_release_counts_from_the_tier_above(programme, org, users):
    ReadinessCriterion.objects.create(
        programme=programme, tier=3, kind="days_since_release", parameter=14
    )
    admin = org["admin_a"]
    release = cascade.release_tier(
        programme=programme, administration=admin, tier=2, by=users["hr"]
    )
    CascadeRelease.objects.filter(pk=release.pk).update(
        released_at=timezone.now() - datetime.timedelta(days=15)
    )

    (criterion,) = row_for(programme, admin).tiers[2].criteria

    assert criterion.met and criterion.value == "15 dage"


def test_a_criterion_kind_must_be_registered_and_have_its_parameter(programme):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReadinessCriterion(programme=programme, tier=2, kind="findes_ikke").full_clean()
    with pytest.raises(ValidationError):
        ReadinessCriterion(programme=programme, tier=3, kind="step_closed").full_clean()
    ReadinessCriterion(programme=programme, tier=3, kind="step_closed", parameter=2).full_clean()


# --- Releasing -----------------------------------------------------------------------------


def test_release_records_who_when_and_the_criteria_as_they_stood(programme, org, users, criteria):
    admin = org["admin_a"]
    approve_plan(programme, admin)

    release = cascade.release_tier(
        programme=programme, administration=admin, tier=2, by=users["hr"]
    )

    assert release.released_by == users["hr"]
    assert release.released_at is not None
    assert release.overridden is False and release.override_reason == ""
    assert release.criteria == [
        {
            "kind": "involvement_plan_approved",
            "label": "Forvaltningens inddragelsesplan er godkendt",
            "met": True,
            "value": "Godkendt",
        }
    ]


def test_unmet_criteria_need_a_reason_to_override(programme, org, users, criteria):
    admin = org["admin_a"]
    with pytest.raises(cascade.ReleaseError, match="Angiv en begrundelse"):
        cascade.release_tier(
            programme=programme, administration=admin, tier=2, by=users["hr"], reason="  "
        )
    assert not CascadeRelease.objects.exists()

    release = cascade.release_tier(
        programme=programme,
        administration=admin,
        tier=2,
        by=users["hr"],
        reason="Direktionen vil starte lederne før sommerferien.",
    )

    assert release.overridden is True
    assert release.override_reason == "Direktionen vil starte lederne før sommerferien."
    assert release.criteria[0]["met"] is False


def test_a_tier_is_released_once(programme, org, users):
    cascade.release_tier(programme=programme, administration=org["admin_a"], tier=2, by=users["hr"])

    with pytest.raises(cascade.ReleaseError, match="allerede frigivet"):
        cascade.release_tier(
            programme=programme, administration=org["admin_a"], tier=2, by=users["hr"]
        )
    assert CascadeRelease.objects.count() == 1


def test_tier_three_only_after_tier_two(programme, org, users, criteria):
    admin = org["admin_a"]
    close_step_two(programme, admin)
    assert row_for(programme, admin).tiers[2].status == cascade.Status.WAITING
    with pytest.raises(cascade.ReleaseError, match="Niveau 2 skal frigives"):
        cascade.release_tier(
            programme=programme, administration=admin, tier=3, by=users["hr"], reason="Hurtigt"
        )

    approve_plan(programme, admin)
    cascade.release_tier(programme=programme, administration=admin, tier=2, by=users["hr"])

    assert row_for(programme, admin).tiers[2].status == cascade.Status.READY
    release = cascade.release_tier(
        programme=programme, administration=admin, tier=3, by=users["hr"]
    )
    assert [c["met"] for c in release.criteria] == [True, True]
    assert row_for(programme, admin).tiers[2].status == cascade.Status.RELEASED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_record_one(programme, org, users):
    def release():
        return cascade.release_tier(
            programme=programme, administration=org["admin_a"], tier=2, by=users["hr"]
        )

    results = run_at_once(release, release)

    assert CascadeRelease.objects.count() == 1
    assert sorted(type(r).__name__ for r in results) == ["CascadeRelease", "ReleaseError"]


# --- Pages -----------------------------------------------------------------------------


def release_url(administration, tier=2):
    return reverse("programme:cascade-release", kwargs={"code": administration.code, "tier": tier})


def test_hr_releases_through_the_confirmation_page(client, programme, org, users, criteria):
    approve_plan(programme, org["admin_a"])
    client.force_login(users["hr"])
    page = client.get(reverse("programme:cascade")).content.decode()
    assert release_url(org["admin_a"]) in page

    confirm = client.get(release_url(org["admin_a"]))
    assert "Det sker, når du frigiver" in confirm.content.decode()
    assert not CascadeRelease.objects.exists()  # GET changes nothing

    response = client.post(release_url(org["admin_a"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("programme:cascade")
    assert "Niveau 2 (Ledere) er frigivet i Børne- og Kulturforvaltningen." in (
        response.content.decode()
    )
    assert CascadeRelease.objects.get().administration == org["admin_a"]


def test_override_without_reason_rerenders_with_a_danish_error(
    client, programme, org, users, criteria
):
    client.force_login(users["hr"])

    response = client.post(release_url(org["admin_a"]), {"reason": ""})

    assert response.status_code == 200
    assert "Angiv en begrundelse for at frigive" in response.content.decode()
    assert not CascadeRelease.objects.exists()

    response = client.post(release_url(org["admin_a"]), {"reason": "Klar i praksis"})
    assert response.status_code == 302
    assert CascadeRelease.objects.get().override_reason == "Klar i praksis"


def test_fagchef_sees_own_row_and_cannot_release(client, programme, org, users):
    client.force_login(users["fagchef"])
    rows = client.get(reverse("programme:cascade")).context["rows"]
    assert [r.administration for r in rows] == [org["admin_a"]]
    assert client.post(release_url(org["admin_a"])).status_code == 403
    assert client.post(release_url(org["admin_b"])).status_code == 404
    assert not CascadeRelease.objects.exists()


def test_direktion_sees_every_row_read_only(client, programme, org, users):
    client.force_login(users["direktion"])
    response = client.get(reverse("programme:cascade"))
    assert {r.administration for r in response.context["rows"]} == {
        org["admin_a"],
        org["admin_b"],
    }
    assert "frigiv/" not in response.content.decode()
    assert client.post(release_url(org["admin_a"])).status_code == 403


def test_pipeline_queries_do_not_grow_with_administrations(
    client, programme, org, users, criteria, django_assert_num_queries
):
    def grow(n):
        for _n in range(n):
            admin = AdministrationFactory()
            approve_plan(programme, admin)
            close_step_two(programme, admin)
            cascade.release_tier(programme=programme, administration=admin, tier=2, by=users["hr"])

    client.force_login(users["hr"])
    grow(1)
    client.get(reverse("programme:cascade"))
    # User, groups, person, programme, administrations, tiers, releases, criteria,
    # approved plans, closed steps; the session's save (savepoint, update, release).
    with django_assert_num_queries(13):
        client.get(reverse("programme:cascade"))
    grow(5)
    with django_assert_num_queries(13):
        response = client.get(reverse("programme:cascade"))
    assert len(response.context["rows"]) == 8


# --- Mit overblik ------------------------------------------------------------------------


def test_leader_sees_not_started_with_timing_then_released(client, programme, org, users):
    phase = PhaseFactory(programme=programme, number=1, planned_start=datetime.date(2021, 4, 19))
    phase.tiers.set(programme.tiers.filter(number__in=[2, 3]))
    client.force_login(users["leder"])

    page = client.get(reverse("programme:home")).content.decode()
    assert "Ikke startet endnu" in page
    assert "planlagt fra 19. april 2021" in page

    cascade.release_tier(programme=programme, administration=org["admin_a"], tier=2, by=users["hr"])
    page = client.get(reverse("programme:home")).content.decode()
    assert "Ikke startet endnu" not in page
    assert f"Frigivet {timezone.localdate():%-d}." in page

    # Staff (tier 3) in the same administration are still waiting.
    client.force_login(users["medarbejder"])
    assert "Ikke startet endnu" in client.get(reverse("programme:home")).content.decode()


def test_a_released_tier_shows_the_criteria_as_they_stood(programme, org, users, criteria):
    admin = org["admin_a"]
    plan = approve_plan(programme, admin)
    cascade.release_tier(programme=programme, administration=admin, tier=2, by=users["hr"])
    plan.status = PlanStatus.DRAFT
    plan.save()

    tier_two = row_for(programme, admin).tiers[1]

    assert tier_two.status == cascade.Status.RELEASED
    assert [(c.label, c.met) for c in tier_two.criteria] == [
        ("Forvaltningens inddragelsesplan er godkendt", True)
    ]


def test_releasing_again_from_the_page_changes_nothing(client, programme, org, users):
    cascade.release_tier(programme=programme, administration=org["admin_a"], tier=2, by=users["hr"])
    client.force_login(users["hr"])

    page = client.get(release_url(org["admin_a"])).content.decode()
    assert "Niveauet blev frigivet" in page
    response = client.post(release_url(org["admin_a"]), {"reason": "Igen"}, follow=True)

    assert "Niveauet kan ikke frigives i forvaltningen lige nu." in response.content.decode()
    assert CascadeRelease.objects.count() == 1


def test_release_page_for_tier_one_or_an_unknown_tier_is_404(client, programme, org, users):
    client.force_login(users["hr"])
    assert client.get(release_url(org["admin_a"], tier=1)).status_code == 404
    assert client.get(release_url(org["admin_a"], tier=7)).status_code == 404
