"""Direktion follows the clarification phase: the overview and the coverage page, at any width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clarification.models import StepStatus, SubmissionStatus
from clarification.services.steps import ensure_steps, state_for
from tests.clarification.conftest import DEADLINES
from tests.clarification.factories import (
    ActivityFactory,
    AnonymousInputFactory,
    InputFactory,
    SubmissionFactory,
)
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

# The scroll box of each table, and whether it and the page scroll sideways.
SCROLL_BOXES = """() => {
  const root = document.documentElement;
  return {
    pageOverflows: root.scrollWidth > root.clientWidth,
    boxes: [...document.querySelectorAll("main [role=region][tabindex='0']")].map((box) => ({
      name: box.getAttribute("aria-labelledby"),
      scrolls: box.scrollWidth > box.clientWidth,
      table: box.querySelector("table") !== null,
    })),
  };
}"""


@pytest.fixture
def step_two(journey_world):
    """Step 1 closed and step 2 open; one workplace delivered, one with a draft."""
    programme = journey_world["programme"]
    steps = {s.number: s for s in ensure_steps(programme=programme, deadlines=DEADLINES)}
    for administration in (journey_world["admin_a"], journey_world["admin_b"]):
        design = state_for(step=steps[1], administration=administration)
        design.status, design.closed_at = StepStatus.CLOSED, timezone.now()
        design.save()
        execution = state_for(step=steps[2], administration=administration)
        execution.status = StepStatus.OPEN
        execution.save()
    delivered = SubmissionFactory(
        programme=programme,
        workplace=journey_world["wa1"],
        status=SubmissionStatus.DELIVERED,
        delivered_at=datetime.datetime(2021, 5, 20, 10, tzinfo=datetime.UTC),
    )
    ActivityFactory(submission=delivered, staff_participants=14, med_involved=True)
    InputFactory.create_batch(3, submission=delivered)
    AnonymousInputFactory.create_batch(2, programme=programme, workplace=journey_world["wa1"])
    ActivityFactory(
        submission=SubmissionFactory(programme=programme, workplace=journey_world["wb1"]),
        staff_participants=3,
    )
    return journey_world


def check_tables_scroll_in_their_boxes(page: Page) -> None:
    page.wait_for_load_state("load")
    layout = page.evaluate(SCROLL_BOXES)
    assert not layout["pageOverflows"], "the page scrolls sideways"
    assert layout["boxes"], "no table scroll box"
    for box in layout["boxes"]:
        assert box["table"], box
        assert box["scrolls"], f"{box['name']} does not need to scroll at this width"


def scroll_first_box_with_keyboard(page: Page) -> None:
    box = page.locator("main [role=region][tabindex='0']").first
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.activeElement.scrollLeft > 0", polling=100, timeout=2_000
    )


def test_direktion_follows_the_clarification_phase_on_a_phone(
    page: Page, axe, step_two, live_server
):
    log_in(page, step_two["users"]["direktion"].username)
    page.locator("#main-nav").get_by_role("link", name="Afklaringsfasen", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Afklaringsfasen")
    expect(page.locator("#main-nav").get_by_role("link", name="Afklaringsfasen")).to_have_attribute(
        "aria-current", "page"
    )
    steps = page.get_by_role("region", name="Status for hvert trin")
    name_a, name_b = step_two["admin_a"].name, step_two["admin_b"].name
    expect(steps.get_by_role("row", name=name_a)).to_contain_text("Lukket")
    expect(steps.get_by_role("row", name=name_a)).to_contain_text("Åben")
    coverage = page.get_by_role("region", name="Afleveringer, aktiviteter og input")
    expect(coverage.get_by_role("row", name=name_a)).to_contain_text("1 af 2")
    # 2 anonymous inputs and 3 staff reached in administration B: fewer than five.
    expect(coverage.get_by_role("row", name=name_a)).to_contain_text("færre end 5")
    expect(coverage.get_by_role("row", name=name_b)).to_contain_text("færre end 5")
    # Direktion follows; opening and closing steps is HR's.
    expect(page.get_by_role("link", name="Afslut", exact=False)).to_have_count(0)
    axe(page)

    page.set_viewport_size({"width": 320, "height": 640})
    check_tables_scroll_in_their_boxes(page)
    scroll_first_box_with_keyboard(page)
    axe(page)

    coverage.get_by_role("link", name=f"Se arbejdspladser i {name_a}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dækning pr. arbejdsplads")
    rows = page.get_by_role("region", name="Trin 2 pr. arbejdsplads").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Valhøj Skole")).to_contain_text("Afleveret")
    check_tables_scroll_in_their_boxes(page)
    axe(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("Aflevering").select_option(label="Har ikke afleveret")
    page.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Børnehuset Sønderbo")
    axe(page)
