"""Each role signs in with the keyboard, uses what its navigation offers and signs out."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import POSTPONEMENT_REASON, log_in

pytestmark = pytest.mark.browser

BOTH_ADMINISTRATIONS = ("Børne- og Kulturforvaltningen", "Social- og Sundhedsforvaltningen")
ALL_WORKPLACES = {
    "Valhøj Skole",
    "Børnehuset Sønderbo",
    "Plejecenter Ejbyhøj",
    "Hjemmeplejen Nord",
}


@dataclass(frozen=True)
class Journey:
    nav: tuple[str, ...]
    # What "Din del af forløbet" says about this person's tier.
    my_part: str
    # The counts table on "Mit overblik": its heading and the administrations it lists.
    counts: tuple[str, tuple[str, ...]] | None = None
    led_workplaces: tuple[str, ...] = ()
    # The workplaces "Organisation" lists, and the one the journey opens.
    organisation: frozenset[str] = frozenset()
    workplace: str | None = None
    sees_staff: bool = False


JOURNEYS = {
    "hr": Journey(
        nav=(
            "Mit overblik",
            "Forløbet",
            "Afklaringsfasen",
            "Bearbejdning",
            "Direktionens overblik",
            "Beslutninger",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Kaskade",
            "Min kalender",
            "Administration",
        ),
        my_part="Du følger hele forløbet på tværs af niveauerne.",
        counts=("Organisationen", BOTH_ADMINISTRATIONS),
        organisation=frozenset(ALL_WORKPLACES),
        workplace="Plejecenter Ejbyhøj",
        sees_staff=True,
    ),
    "direktion": Journey(
        nav=(
            "Mit overblik",
            "Forløbet",
            "Afklaringsfasen",
            "Direktionens overblik",
            "Beslutninger",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Kaskade",
            "Min kalender",
        ),
        my_part="Dit niveau: 1. Fagchefforum",
        counts=("Organisationen", BOTH_ADMINISTRATIONS),
        organisation=frozenset(ALL_WORKPLACES),
        workplace="Hjemmeplejen Nord",
        sees_staff=True,
    ),
    "fagchef": Journey(
        nav=(
            "Mit overblik",
            "Forløbet",
            "Afklaringsfasen",
            "Temaer på tværs",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Kaskade",
            "Min kalender",
        ),
        my_part="Dit niveau: 1. Fagchefforum",
        counts=("Din forvaltning", ("Børne- og Kulturforvaltningen",)),
        organisation=frozenset({"Valhøj Skole", "Børnehuset Sønderbo"}),
        workplace="Børnehuset Sønderbo",
        sees_staff=True,
    ),
    "leder": Journey(
        nav=(
            "Mit overblik",
            "Forløbet",
            "Afklaringsfasen",
            "Mine arbejdspladser (trin 2)",
            "Organisation",
            "Min kalender",
        ),
        my_part="Dit niveau: 2. Ledere",
        led_workplaces=("Valhøj Skole",),
        organisation=frozenset({"Valhøj Skole"}),
        workplace="Valhøj Skole",
        sees_staff=True,
    ),
    "medarbejder": Journey(
        nav=("Mit overblik", "Forløbet", "Min arbejdsplads", "Min kalender"),
        my_part="Dit niveau: 3. Medarbejdere",
        workplace="Valhøj Skole",
    ),
    "coach": Journey(
        nav=("Mit overblik", "Forløbet", "Coaching", "Min kalender"),
        my_part="Du er tilknyttet forløbet som coach for fagchefforum.",
    ),
}


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def nav_link(page: Page, name: str):
    return page.locator("#main-nav").get_by_role("link", name=name, exact=True)


def check_mit_overblik(page: Page, journey: Journey) -> None:
    expect(heading(page)).to_have_text("Mit overblik")
    expect(page.get_by_role("region", name="Din del af forløbet")).to_contain_text(journey.my_part)
    milestones = page.get_by_role("region", name="Næste milepæle")
    expect(milestones).to_contain_text("Fælles seminar for ledere")
    expect(milestones).to_contain_text(POSTPONEMENT_REASON)

    for name in ("Organisationen", "Din forvaltning"):
        # The section, and inside it the table's scroll box, which is a region of its own.
        table = page.get_by_role("region", name=name).first
        if journey.counts and journey.counts[0] == name:
            rows = table.locator("tbody th[scope=row]")
            expect(rows).to_have_text(list(journey.counts[1]))
        else:
            expect(table).to_have_count(0)

    led = page.get_by_role("region", name="Dine arbejdspladser")
    if journey.led_workplaces:
        expect(led.locator("tbody td:first-child")).to_have_text(list(journey.led_workplaces))
    else:
        expect(led).to_have_count(0)


def check_workplace(page: Page, journey: Journey, axe) -> None:
    expect(heading(page)).to_have_text(journey.workplace)
    staff = page.get_by_role("heading", name=re.compile(r"aktive? medarbejdere?$"))
    expect(staff).to_have_count(1 if journey.sees_staff else 0)
    axe(page)


@pytest.mark.parametrize("role", JOURNEYS)
def test_role_signs_in_navigates_and_signs_out(page: Page, axe, journey_world, live_server, role):
    journey = JOURNEYS[role]
    user = journey_world["users"][role]

    log_in(page, user.username)
    expect(page).to_have_url(f"{live_server.url}/")
    check_mit_overblik(page, journey)
    expect(page.locator("#main-nav .navbar-nav.me-auto .nav-link")).to_have_text(list(journey.nav))
    expect(nav_link(page, "Mit overblik")).to_have_attribute("aria-current", "page")
    axe(page)

    nav_link(page, "Forløbet").click()
    expect(heading(page)).to_have_text(journey_world["programme"].name)
    expect(nav_link(page, "Forløbet")).to_have_attribute("aria-current", "page")
    postponed = page.get_by_role("row", name=re.compile("Fælles seminar for ledere"))
    expect(postponed).to_contain_text(re.compile(rf"Flyttet fra .+ til .+: {POSTPONEMENT_REASON}"))
    axe(page)

    if "Organisation" in journey.nav:
        nav_link(page, "Organisation").click()
        expect(heading(page)).to_have_text("Organisation")
        workplaces = page.locator("table tbody td:first-child a")
        expect(workplaces).to_have_count(len(journey.organisation))
        assert set(workplaces.all_inner_texts()) == journey.organisation
        axe(page)
        workplaces.get_by_text(journey.workplace, exact=True).click()
        check_workplace(page, journey, axe)
    if "Min arbejdsplads" in journey.nav:
        nav_link(page, "Min arbejdsplads").click()
        expect(nav_link(page, "Min arbejdsplads")).to_have_attribute("aria-current", "page")
        check_workplace(page, journey, axe)

    if "Administration" in journey.nav:
        nav_link(page, "Administration").click()
        expect(page).to_have_url(f"{live_server.url}/admin/")
        expect(heading(page)).to_have_text("Personale & Udvikling")
        expect(page.get_by_role("link", name="Personer", exact=True)).to_be_visible()
        axe(page)
        page.get_by_role("link", name="Milepæle", exact=True).click()
        expect(page.get_by_role("link", name="Fælles seminar for ledere")).to_be_visible()
        axe(page)
        page.get_by_role("link", name="Se side").click()
        expect(heading(page)).to_have_text("Mit overblik")

    page.get_by_role("button", name="Log ud").click()
    expect(page).to_have_url(f"{live_server.url}/log-ind/")
    expect(heading(page)).to_have_text("Log ind")
    # The session is gone: the overview sends the visitor back to the login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/log-ind/\?next=/$"))
