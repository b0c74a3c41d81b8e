"""HR releases tier 2 in an administration and its leader sees it; a user rotates their feed."""

import re

import pytest
from playwright.sync_api import Page, expect

from clarification.models import PlanStatus
from programme.models import CascadeRelease, ReadinessCriterion
from seminars.models import CalendarFeedToken
from tests.clarification.factories import InvolvementPlanFactory
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def nav_link(page: Page, name: str):
    return page.locator("#main-nav").get_by_role("link", name=name, exact=True)


def test_hr_releases_tier_two_and_the_leader_sees_it(
    page: Page, axe, journey_world, live_server, browser
):
    programme, admin_a = journey_world["programme"], journey_world["admin_a"]
    ReadinessCriterion.objects.create(programme=programme, tier=2, kind="involvement_plan_approved")
    InvolvementPlanFactory(programme=programme, administration=admin_a, status=PlanStatus.APPROVED)
    users = journey_world["users"]

    # The leader first: not started yet, with the planned start.
    leader_context = browser.new_context(locale="da-DK", base_url=live_server.url)
    leader_page = leader_context.new_page()
    log_in(leader_page, users["leder"].username)
    expect(leader_page.locator("#tier-status")).to_contain_text(
        re.compile(r"Ikke startet endnu – planlagt fra .+ \(Afklaring\)")
    )

    log_in(page, users["hr"].username)
    nav_link(page, "Kaskade").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kaskade")
    axe(page)
    row_a = page.get_by_role("row", name=re.compile("Børne- og Kulturforvaltningen"))
    row_b = page.get_by_role("row", name=re.compile("Social- og Sundhedsforvaltningen"))
    expect(row_a).to_contain_text("Klar til frigivelse")
    expect(row_b).to_contain_text("Ikke klar")
    expect(row_b.get_by_role("link", name=re.compile("^Frigiv alligevel"))).to_have_count(1)

    # Release by keyboard: focus the link, Enter, then the confirmation's button.
    release = row_a.get_by_role("link", name=re.compile("^Frigiv niveau 2"))
    release.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Frigiv niveau 2: Ledere")
    axe(page)
    assert not CascadeRelease.objects.exists()
    page.get_by_role("button", name="Frigiv", exact=True).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Kaskade")
    expect(page.get_by_role("alert").or_(page.locator(".messages"))).to_contain_text(
        "Niveau 2 (Ledere) er frigivet i Børne- og Kulturforvaltningen."
    )
    expect(row_a).to_contain_text("Frigivet")
    axe(page)
    release_row = CascadeRelease.objects.get()
    assert release_row.administration == admin_a and release_row.released_by == users["hr"]

    # The override needs a reason: empty first, then with one.
    row_b.get_by_role("link", name=re.compile("^Frigiv alligevel")).click()
    page.get_by_role("button", name="Frigiv alligevel").click()
    expect(page.get_by_text("Angiv en begrundelse for at frigive")).to_be_visible()
    axe(page)
    page.get_by_label(re.compile("Begrundelse for at frigive alligevel")).fill(
        "Direktionen har besluttet at starte lederne før sommerferien."
    )
    page.get_by_role("button", name="Frigiv alligevel").click()
    expect(row_b).to_contain_text("Direktionen har besluttet at starte lederne")
    assert CascadeRelease.objects.get(administration=journey_world["admin_b"]).overridden

    leader_page.reload()
    expect(leader_page.locator("#tier-status")).to_contain_text(re.compile(r"Frigivet \d+\."))
    leader_context.close()


def test_user_opens_min_kalender_and_rotates_the_link(page: Page, axe, journey_world, live_server):
    user = journey_world["users"]["medarbejder"]
    log_in(page, user.username)
    nav_link(page, "Min kalender").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min kalender")
    expect(page.get_by_role("heading", name="Sådan abonnerer du i Outlook")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Lav min kalenderadresse").focus()
    page.keyboard.press("Enter")
    webcal = page.locator("#feed-webcal")
    expect(webcal).to_have_value(re.compile(r"^webcal://.+/kalender/.+\.ics$"))
    first = page.locator("#feed-https").input_value()
    axe(page)
    assert page.request.get(first).status == 200

    page.get_by_role("button", name="Lav en ny adresse").click()
    expect(page.locator(".messages")).to_contain_text("Den gamle virker ikke længere.")
    second = page.locator("#feed-https").input_value()
    assert second != first
    assert page.request.get(first).status == 404
    assert page.request.get(second).status == 200
    axe(page)

    page.reload()
    expect(page.locator("#feed-webcal")).to_have_count(0)
    page.get_by_role("button", name="Tilbagekald adressen").click()
    expect(page.locator(".messages")).to_contain_text("Kalenderadressen er tilbagekaldt.")
    assert page.request.get(second).status == 404
    assert CalendarFeedToken.objects.filter(user=user).active().count() == 0
    axe(page)
