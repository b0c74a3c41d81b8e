"""An employee gives input through the poster's link on a phone; the leader rotates the link."""

import datetime
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from clarification.models import Input, InputSource, StepNumber, StepStatus
from clarification.services.anonymous import get_or_create_link
from clarification.services.steps import close_step, ensure_steps, state_for
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
TEXT = (
    "Vi mangler tid til at lære af hinanden på tværs af vagtlagene. "
    "Et fast ugentligt møde på en halv time ville hjælpe."
)


@pytest.fixture
def link(org, programme):
    """Valhøj Skole's link, with step 2 open in its administration."""
    deadlines = {
        StepNumber.DESIGN: datetime.date(2021, 3, 31),
        StepNumber.EXECUTION: datetime.date(2021, 6, 30),
        StepNumber.PROCESSING: datetime.date(2021, 8, 31),
        StepNumber.DECISION: datetime.date(2021, 10, 31),
    }
    steps = {s.number: s for s in ensure_steps(programme=programme, deadlines=deadlines)}
    state = state_for(step=steps[StepNumber.EXECUTION], administration=org["admin_a"])
    state.status = StepStatus.OPEN
    state.save()
    return get_or_create_link(workplace=org["wa1"])


def page_width(page: Page) -> int:
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth")


def tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Press Tab until `target` has the focus; the hidden honeypot must never get it."""
    __tracebackhide__ = True
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id !== 'id_hjemmeside'")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_employee_gives_input_on_a_phone_with_the_keyboard_alone(page: Page, axe, link, org):
    page.set_viewport_size(PHONE)
    page.goto(f"/input/{link.token}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Giv dit input – anonymt")
    expect(page.get_by_text("Valhøj Skole")).to_be_visible()
    expect(page.get_by_role("link", name="Tilgængelighedserklæring")).to_be_visible()
    expect(page.get_by_role("button", name="Log ud")).to_have_count(0)
    assert page_width(page) <= PHONE["width"]
    axe(page)

    # The kind: Tab into the group, then the arrow keys choose.
    tab_to(page, page.get_by_label("Udfordring", exact=True))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Behov", exact=True)).to_be_checked()
    # Forget the title, write the text and send.
    tab_to(page, page.get_by_label("Dit input"))
    page.keyboard.type(TEXT)
    tab_to(page, page.get_by_role("button", name="Send dit input"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Skriv en kort overskrift.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Dit input er ikke sendt endnu")
    expect(page.get_by_label("Dit input")).to_have_value(TEXT)
    expect(page.get_by_label("Behov", exact=True)).to_be_checked()
    assert page_width(page) <= PHONE["width"]
    axe(page)
    assert not Input.objects.exists()

    tab_to(page, page.get_by_label("Overskrift"))
    page.keyboard.type("Tid til at lære af hinanden")
    # The suggested form: the group's checked radio ("Ved ikke") takes the focus.
    tab_to(page, page.get_by_label("Ved ikke", exact=True))
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Begge dele", exact=True)).to_be_checked()
    tab_to(page, page.get_by_label("Dine egne bud på temaer (valgfrit)"))
    page.keyboard.type("samarbejde, læring")
    tab_to(page, page.get_by_role("button", name="Send dit input"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for dit input!")
    expect(page.get_by_role("heading", name="Hvad sker der nu?")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    axe(page)
    item = Input.objects.get()
    assert item.workplace == org["wa1"]
    assert item.source == InputSource.ANONYMOUS
    assert (item.kind, item.suggested_form) == ("behov", "begge")
    assert item.title == "Tid til at lære af hinanden"
    assert item.text == TEXT
    assert item.theme_guesses == "samarbejde, læring"

    # Where the answer will come: the workplace's "I sagde — vi gør", reached by keyboard.
    feedback = page.get_by_role("link", name=re.compile("^I sagde — vi gør"))
    tab_to(page, feedback)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("I sagde — vi gør")
    expect(
        page.get_by_text("Direktionen har endnu ikke offentliggjort beslutninger")
    ).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    axe(page)


def test_leader_prints_the_poster_and_rotates_the_link_with_the_keyboard(
    page: Page, axe, page_problems, link, org, users, programme
):
    old_token = link.token
    page.set_viewport_size(PHONE)
    log_in(page, users["leder"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")

    page.goto(f"/afklaring/arbejdspladser/{org['wa1'].code}/skift-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skift linket til anonymt input")
    assert page_width(page) <= PHONE["width"]
    axe(page)
    poster = page.get_by_role("link", name="Hent plakaten (PDF)")
    response = page.request.get(poster.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    tab_to(page, page.get_by_role("button", name="Skift linket nu"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Linket er skiftet")).to_be_visible()
    axe(page)
    link.refresh_from_db()
    assert link.token != old_token

    # An employee with the old poster is told what to do.
    page.goto(f"/input/{old_token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Linket virker ikke længere")
    expect(page.get_by_text("Spørg din leder om den nye plakat")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    # Chromium reports the page's 404 status on the console: expected here, and only here.
    expected = f"status of 404 (Not Found) ({page.url})"
    assert [e for e in page_problems.console_errors if expected in e]
    page_problems.console_errors[:] = [e for e in page_problems.console_errors if expected not in e]
    axe(page)

    # When HR closes step 2, the new link says the form is closed.
    steps = {s.number: s for s in programme.clarification_steps.all()}
    close_step(step=steps[StepNumber.EXECUTION], administration=org["admin_a"], by=users["hr"])
    page.goto(f"/input/{link.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formularen er lukket")
    assert page_width(page) <= PHONE["width"]
    axe(page)
