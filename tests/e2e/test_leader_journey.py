"""A leader registers an activity (keyboard only), writes three inputs and delivers."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from clarification.models import Activity, Input, StepNumber, StepStatus, Submission
from clarification.services.steps import ensure_steps, state_for
from programme.models import MedCommittee
from tests.clarification.conftest import DEADLINES
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def step_two_open(journey_world):
    """The four steps; step 1 closed and step 2 open in both administrations."""
    steps = {
        s.number: s for s in ensure_steps(programme=journey_world["programme"], deadlines=DEADLINES)
    }
    for administration in (journey_world["admin_a"], journey_world["admin_b"]):
        design = state_for(step=steps[StepNumber.DESIGN], administration=administration)
        design.status = StepStatus.CLOSED
        design.closed_at = timezone.now()
        design.save()
        execution = state_for(step=steps[StepNumber.EXECUTION], administration=administration)
        execution.status = StepStatus.OPEN
        execution.save()
    committee = MedCommittee.objects.create(name="Lokal-MED Valhøj Skole", level="lokal")
    committee.workplaces.add(journey_world["wa1"])
    return steps


def recent_date_with_day_equal_to_month() -> datetime.date:
    today = timezone.localdate()
    return max(
        day
        for year in (today.year - 1, today.year)
        for month in range(1, 13)
        if (day := datetime.date(year, month, month)) <= today
    )


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def field(scope: Page | Locator, label: str) -> Locator:
    """The form field with this label (required fields carry crispy-forms' asterisk)."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until the target has the focus; fail if it is not reachable."""
    __tracebackhide__ = True
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"not reachable with Tab: {target}")


def press_tab_to(page: Page, target: Locator) -> None:
    """The next Tab lands on the target: the form's order is the reading order."""
    __tracebackhide__ = True
    page.keyboard.press("Tab")
    expect(target).to_be_focused()


def scroll_width(page: Page) -> int:
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth")


def item(page: Page, n: int) -> Locator:
    return page.locator("fieldset.input-item").nth(n)


def fill_item(page: Page, n: int, kind: str, title: str, text: str, form: str) -> None:
    fieldset = item(page, n)
    field(fieldset, "Type").select_option(label=kind)
    field(fieldset, "Overskrift").fill(title)
    field(fieldset, "Beskrivelse").fill(text)
    field(fieldset, "Foreslået form").select_option(label=form)


def test_leader_registers_an_activity_writes_three_inputs_and_delivers(
    page: Page, axe, journey_world, step_two_open, live_server
):
    workplace = journey_world["wa1"]
    log_in(page, journey_world["users"]["leder"].username)
    expect(heading(page)).to_have_text("Mit overblik")

    # The list of the workplaces the leader may open for step 2.
    page.goto("/afklaring/arbejdspladser/")
    expect(heading(page)).to_have_text("Afklaring: arbejdspladser")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ikke påbegyndt")
    axe(page)
    page.get_by_role("link", name=workplace.name, exact=True).click()
    expect(heading(page)).to_have_text(workplace.name)
    expect(page.locator("#delivery-status")).to_contain_text("Ikke påbegyndt")
    axe(page)

    # The activity, with the keyboard alone: reach the link, then every field in order.
    create = page.get_by_role("link", name="Registrér aktivitet")
    tab_to(page, create)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Registrér aktivitet")
    axe(page)
    method = field(page, "Metode")
    tab_to(page, method)
    # A closed select takes typed letters: "W" picks "Workshop".
    page.keyboard.type("W")
    expect(method).to_have_value("workshop")
    press_tab_to(page, field(page, "Anden metode"))
    press_tab_to(page, field(page, "Dato"))
    # Day and month alike, so the date reads the same whichever of the two the browser's
    # locale puts first (Danish or the headless default, American).
    held_on = recent_date_with_day_equal_to_month()
    page.keyboard.type(held_on.strftime("%d%m%Y"))
    expect(field(page, "Dato")).to_have_value(held_on.isoformat())
    # Chromium's date field keeps Tab for its own parts, so allow a press or two more.
    tab_to(page, field(page, "Medarbejdere, der deltog"), limit=4)
    page.keyboard.type("17")
    press_tab_to(page, field(page, "Ledere, der deltog"))
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    press_tab_to(page, field(page, "MED var inddraget"))
    page.keyboard.press("Space")
    expect(field(page, "MED var inddraget")).to_be_checked()
    committee = field(page, "MED-udvalg")
    press_tab_to(page, committee)
    page.keyboard.type("Lokal")
    expect(committee).to_have_value(str(MedCommittee.objects.get().pk))
    press_tab_to(page, field(page, "Noter"))
    page.keyboard.type("Workshop om samarbejde på tværs af årgangene.")
    press_tab_to(page, page.get_by_role("button", name="Gem aktivitet"))
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text(workplace.name)
    expect(
        page.get_by_role("status").filter(has_text="Aktiviteten er registreret.")
    ).to_be_visible()
    activities = page.get_by_role("region", name="Aktiviteter", exact=True)
    expect(activities).to_contain_text("Workshop")
    expect(activities).to_contain_text("Lokal-MED Valhøj Skole")
    axe(page)

    # Three inputs on a phone: two, then more fields, then the third.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Skriv input").click()
    expect(heading(page)).to_have_text("Input")
    expect(page.locator("fieldset.input-item")).to_have_count(3)
    assert scroll_width(page) <= PHONE["width"]
    axe(page)
    fill_item(
        page,
        0,
        "Udfordring",
        "Svært at dele viden mellem afdelingerne",
        "Vi mangler faste fora, hvor lærere og pædagoger deler erfaringer.",
        "Lokalt udviklingsforløb",
    )
    fill_item(
        page,
        1,
        "Behov",
        "Kompetencer i borgerdialog",
        "Flere oplever svære samtaler med forældre og ønsker redskaber.",
        "Undervisningsforløb",
    )
    page.get_by_role("button", name="Gem og tilføj flere felter").click()

    expect(heading(page)).to_have_text("Input")
    expect(page.locator("fieldset.input-item")).to_have_count(6)
    expect(field(item(page, 0), "Overskrift")).to_have_value(
        "Svært at dele viden mellem afdelingerne"
    )
    expect(field(item(page, 1), "Overskrift")).to_have_value("Kompetencer i borgerdialog")
    expect(page).to_have_url(re.compile(r"\?felter=4#nye-felter$"))
    assert scroll_width(page) <= PHONE["width"]
    axe(page)
    fill_item(
        page,
        2,
        "Idé",
        "Fælles pædagogisk dag",
        "En årlig dag, hvor hele skolen arbejder med samme tema.",
        "Begge dele",
    )
    field(item(page, 2), "Egne bud på temaer").fill("Samarbejde, læring")
    page.get_by_role("button", name="Gem kladde").click()

    expect(heading(page)).to_have_text(workplace.name)
    inputs = page.get_by_role("region", name="Input", exact=True)
    expect(inputs.get_by_role("article")).to_have_count(3)
    expect(page.locator("#delivery-status")).to_contain_text("Kladde")
    assert scroll_width(page) <= PHONE["width"]
    axe(page)

    page.get_by_role("button", name="Aflever input").click()
    expect(page.locator("#delivery-status")).to_contain_text("Afleveret")
    expect(page.get_by_role("status").filter(has_text="er afleveret. Tak!")).to_be_visible()
    expect(page.get_by_role("button", name="Aflever input")).to_have_count(0)
    axe(page)

    submission = Submission.objects.get(workplace=workplace)
    assert submission.is_delivered
    assert submission.delivered_by == journey_world["users"]["leder"]
    assert Activity.objects.get(submission=submission).staff_participants == 17
    assert list(Input.objects.filter(submission=submission).values_list("kind", flat=True)) == [
        "udfordring",
        "behov",
        "ide",
    ]
