"""Fagchefforum's seminars in the browser: a fagchef registers, HR records attendance."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from seminars import services
from seminars.models import Attendance, AttendanceStatus, Seminar
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def seminar(journey_world):
    start = datetime.datetime(2030, 9, 1, 7, tzinfo=datetime.UTC)
    planned = Seminar.objects.create(
        programme=journey_world["programme"],
        number=3,
        theme="Dialogisk samspil med borgere",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
    )
    services.invite_forum(seminar=planned, by=journey_world["users"]["hr"])
    return journey_world | {"seminar": planned}


def test_a_fagchef_registers_and_hr_records_attendance(page: Page, axe, seminar):
    log_in(page, seminar["users"]["fagchef"].username)
    page.locator("#main-nav").get_by_role("link", name="Seminarer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seminarer i fagchefforum")
    axe(page)
    page.get_by_role("link", name="Seminar 3: Dialogisk samspil med borgere").click()
    register = page.get_by_role("button", name="Tilmeld mig")
    register.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Du er tilmeldt.")).to_be_visible()
    expect(page.get_by_text("Din status: Tilmeldt")).to_be_visible()
    axe(page)
    page.context.clear_cookies()  # the next person at the same browser
    log_in(page, seminar["users"]["hr"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")
    page.goto(f"/seminarer/{seminar['seminar'].pk}/fremmoede/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitationer og fremmøde")
    axe(page)
    fagchef = seminar["fagchef_a"].name
    director = seminar["director"].name
    page.get_by_label(f"Status for {fagchef}").select_option(label="Deltog")
    page.get_by_label(f"Status for {director}").select_option(label="Fraværende")
    page.get_by_role("button", name="Gem fremmøde").click()
    expect(page.get_by_text("Skriv årsagen til fraværet.")).to_be_visible()
    expect(page.get_by_label(f"Status for {fagchef}")).to_have_value("deltog")
    axe(page)
    page.get_by_label(f"Årsag til fravær for {director}").fill("Byrådsmøde")
    page.get_by_label(f"Årsag til fravær for {director}").press("Enter")
    expect(page.get_by_text("Fremmødet er gemt.")).to_be_visible()
    axe(page)

    statuses = dict(
        Attendance.objects.filter(seminar=seminar["seminar"]).values_list("person", "status")
    )
    assert statuses[seminar["fagchef_a"].pk] == AttendanceStatus.ATTENDED
    assert statuses[seminar["director"].pk] == AttendanceStatus.ABSENT


def test_a_fagchef_proposes_and_ranks_themes(page: Page, axe, journey_world):
    from seminars.models import ProposalRank, ThemeProposal

    ThemeProposal.objects.create(
        programme=journey_world["programme"],
        proposer=journey_world["director"],
        title="Social kapital",
        why="Tillid og samarbejde bærer velfærdsfornyelsen.",
    )
    log_in(page, journey_world["users"]["fagchef"].username)
    page.locator("#main-nav").get_by_role("link", name="Seminarer").click()
    page.get_by_role("link", name="Kick-off: foreslå og ranger temaer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kick-off: temaer til seminarerne")
    axe(page)

    page.locator("#id_title").fill("Dialog med borgere")
    page.keyboard.press("Tab")
    page.keyboard.type("Borgerne skal være medskabere.")
    page.get_by_role("button", name="Foreslå temaet").press("Enter")
    expect(page.get_by_text("Dit forslag er med.")).to_be_visible()
    axe(page)

    page.get_by_label("Dialog med borgere").fill("1")
    page.get_by_label("Social kapital").fill("1")
    page.get_by_role("button", name="Gem rangering").click()
    expect(page.get_by_role("alert")).to_contain_text("uden at gentage en placering")
    axe(page)
    page.get_by_label("Social kapital").fill("2")
    page.get_by_label("Social kapital").press("Enter")
    expect(page.get_by_text("Din rangering er gemt.")).to_be_visible()
    axe(page)
    ranks = dict(ProposalRank.objects.values_list("proposal__title", "rank"))
    assert ranks == {"Dialog med borgere": 1, "Social kapital": 2}
