"""Step 1 in the browser: a fagchef fills in and submits the involvement plan with the
keyboard (on a phone-sized screen), then HR approves it on behalf of fagchefforum."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clarification.models import InvolvementPlan, PlanStatus, StepState, StepStatus
from clarification.services.steps import ensure_steps, state_for
from tests.clarification.conftest import DEADLINES
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def design_open(journey_world):
    """Step 1 open in administration A, no plan yet."""
    steps = {
        s.number: s for s in ensure_steps(programme=journey_world["programme"], deadlines=DEADLINES)
    }
    state = state_for(step=steps[1], administration=journey_world["admin_a"])
    state.status = StepStatus.OPEN
    state.opened_at = timezone.now()
    state.save()
    return journey_world


def press_on(page: Page, locator, key: str = "Enter") -> None:
    """Move the keyboard focus to a control and press a key on it."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def type_into(page: Page, locator, text: str) -> None:
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.type(text)


def fits(page: Page, width: int) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_fagchef_submits_the_plan_and_hr_approves_it(page: Page, axe, design_open, live_server):
    world = design_open
    plan_path = f"/afklaring/inddragelsesplan/{world['admin_a'].code}/"
    heading = page.get_by_role("heading", level=1)

    # The fagchef signs in and opens their administration's plan on a phone.
    log_in(page, world["users"]["fagchef"].username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.set_viewport_size(PHONE)
    page.goto(plan_path)
    expect(heading).to_have_text("Inddragelsesplan")
    expect(
        page.get_by_text("Forvaltningen har ikke udfyldt sin inddragelsesplan endnu.")
    ).to_be_visible()
    assert fits(page, PHONE["width"])
    axe(page)

    press_on(page, page.get_by_role("link", name="Udfyld planen"))
    expect(heading).to_have_text("Rediger inddragelsesplan")
    assert fits(page, PHONE["width"])
    axe(page)

    # Methods: Workshop, then Tab on to MED-møde two boxes further; "Andet" with its text.
    press_on(page, page.get_by_label("Workshop", exact=True), "Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("MED-møde", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    press_on(page, page.get_by_label("Andet", exact=True), "Space")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Anden metode")).to_be_focused()
    page.keyboard.type("Walk & talk med teamene")
    # Only some workplaces take part: the arrow key moves the radio choice.
    press_on(page, page.get_by_label("Alle arbejdspladser i forvaltningen"), "ArrowDown")
    expect(page.get_by_label("Kun de arbejdspladser, der er valgt nedenfor")).to_be_checked()
    press_on(page, page.get_by_label("Valhøj Skole", exact=True), "Space")
    # Typed as the date field takes them; day and month are equal, so it does not matter
    # whether the browser puts the day or the month first.
    type_into(page, page.get_by_label("Fra", exact=True), "05052021")
    type_into(page, page.get_by_label("Til", exact=True), "06062021")
    expect(page.get_by_label("Fra", exact=True)).to_have_value("2021-05-05")
    expect(page.get_by_label("Til", exact=True)).to_have_value("2021-06-06")
    leader = world["leader_a"]
    press_on(page, page.get_by_label(f"{leader.name} (Valhøj Skole)"), "Space")
    type_into(
        page,
        page.get_by_label("Sådan inddrages MED"),
        "Forvaltnings-MED drøfter planen; lokal-MED deltager i workshops.",
    )
    type_into(page, page.get_by_label("Beskrivelse af processen"), "Workshops i april og maj.")
    press_on(page, page.get_by_role("button", name="Gem kladde"))

    expect(heading).to_have_text("Inddragelsesplan")
    expect(page.get_by_role("status").filter(has_text="Planen er gemt som kladde.")).to_be_visible()
    plan = page.get_by_role("region", name="Planen", exact=True)
    expect(plan).to_contain_text("Andet: Walk & talk med teamene")
    expect(plan).to_contain_text("Valhøj Skole")
    expect(plan).to_contain_text(leader.name)
    expect(plan).to_contain_text("5. maj 2021 – 6. juni 2021")
    assert fits(page, PHONE["width"])
    axe(page)

    press_on(page, page.get_by_role("button", name="Indsend"))
    expect(page.get_by_role("status").filter(has_text="Planen er indsendt.")).to_be_visible()
    expect(page.get_by_text("Indsendt", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Rediger planen")).to_have_count(0)
    axe(page)
    assert InvolvementPlan.objects.get().status == PlanStatus.SUBMITTED

    page.set_viewport_size(DESKTOP)
    press_on(page, page.get_by_role("button", name="Log ud"))
    expect(page).to_have_url(f"{live_server.url}/log-ind/")

    # HR approves on behalf of fagchefforum, with a comment.
    log_in(page, world["users"]["hr"].username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(plan_path)
    review = page.get_by_role("region", name="Behandl planen")
    expect(review).to_be_visible()
    axe(page)
    type_into(
        page, page.get_by_label("Kommentar til godkendelsen"), "Godkendt i fagchefforum 12. marts."
    )
    press_on(page, page.get_by_role("button", name="Godkend planen"))

    expect(
        page.get_by_role("status").filter(
            has_text=re.compile("Inddragelsesplanen for .+ er godkendt")
        )
    ).to_be_visible()
    expect(page.get_by_role("region", name="Behandl planen")).to_have_count(0)
    history = page.get_by_role("region", name="Historik", exact=True).first
    expect(history.get_by_role("listitem").first).to_contain_text(
        "Godkendt på vegne af fagchefforum"
    )
    expect(history.get_by_role("listitem").first).to_contain_text(
        "Godkendt i fagchefforum 12. marts."
    )
    axe(page)
    plan = InvolvementPlan.objects.get()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_by == world["users"]["hr"]

    # With the plan approved, HR signs step 1 off; step 2 opens in the administration.
    press_on(page, page.get_by_role("link", name="Afslut trin 1"))
    expect(heading).to_have_text(re.compile("^Afslut trin 1"))
    expect(page.get_by_text("Trin 2 åbnes derefter for forvaltningen.")).to_be_visible()
    axe(page)
    type_into(page, page.get_by_label("Kommentar til afslutningen"), "Planen er godkendt.")
    press_on(page, page.get_by_role("button", name="Afslut trinnet"))
    expect(page).to_have_url(f"{live_server.url}{plan_path}")
    expect(page.get_by_role("status").filter(has_text="og trin 2 er åbnet")).to_be_visible()
    expect(page.get_by_role("link", name="Rediger planen")).to_have_count(0)
    axe(page)
    state = StepState.objects.get(step__number=1, administration=world["admin_a"])
    assert (state.status, state.closed_by, state.sign_off_comment) == (
        StepStatus.CLOSED,
        world["users"]["hr"],
        "Planen er godkendt.",
    )


def test_hr_opens_step_2_early_with_a_reason(page: Page, axe, design_open, live_server):
    world = design_open
    log_in(page, world["users"]["hr"].username)
    expect(page).to_have_url(f"{live_server.url}/")
    page.set_viewport_size(PHONE)
    page.goto(f"/afklaring/trin/2/{world['admin_a'].code}/aabn/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Åbn trin 2"))
    assert fits(page, PHONE["width"])
    axe(page)

    # Without a reason the page says what is missing, next to the field.
    press_on(page, page.get_by_role("button", name="Åbn trinnet"))
    reason = page.get_by_label("Begrundelse for at åbne før tid")
    expect(page.get_by_text("Angiv en begrundelse for at åbne trinnet før tid.")).to_be_visible()
    axe(page)
    type_into(page, reason, "Forvaltningen vil holde workshops før sommerferien.")
    press_on(page, page.get_by_role("button", name="Åbn trinnet"))

    expect(page.get_by_role("status").filter(has_text="Trin 2 er åbnet for")).to_be_visible()
    axe(page)
    state = StepState.objects.get(step__number=2, administration=world["admin_a"])
    assert state.status == StepStatus.OPEN
    assert state.opened_early_reason == "Forvaltningen vil holde workshops før sommerferien."
