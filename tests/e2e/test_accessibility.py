"""Keyboard, small screens, focus, the accessibility statement and the login errors."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

# Where the focus is and how it is drawn, for the element that has it.
FOCUSED_ELEMENT = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
    inMain: el.closest("main") !== null,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    visible: box.width > 0 && box.height > 0,
  };
}"""


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED_ELEMENT)


def page_width(page: Page) -> int:
    """The width of the laid-out page, which exceeds the viewport if it scrolls sideways."""
    # The DOM is there before the stylesheets are; measure once they have loaded.
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("role", ["hr", "leder", "medarbejder"])
def test_mit_overblik_fits_320px_and_menu_opens_with_keyboard(
    page: Page, axe, journey_world, live_server, role
):
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, journey_world["users"][role].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")
    assert page_width(page) <= 320

    toggler = page.get_by_role("button", name="Vis menu")
    menu_link = page.locator("#main-nav").get_by_role("link", name="Forløbet")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu_link).to_be_hidden()
    # Skip link, brand, then the menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(toggler).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu_link).to_be_visible()
    axe(page)

    page.keyboard.press("Tab")
    expect(page.locator("#main-nav").get_by_role("link", name="Mit overblik")).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(journey_world["programme"].name)
    assert page_width(page) <= 320
    axe(page)


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(page: Page, journey_world):
    log_in(page, journey_world["users"]["leder"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Spring til indhold")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["inMain"], focused(page)


def test_accessibility_statement_is_linked_from_the_footer(page: Page, axe):
    page.goto("/log-ind/")
    axe(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Tilgængelighedserklæring").click()
    expect(page).to_have_url(re.compile(r"/tilgaengelighed/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgængelighedserklæring")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    axe(page)


def test_wrong_password_shows_danish_error_and_keeps_username(page: Page, axe, journey_world):
    username = journey_world["users"]["leder"].username
    log_in(page, username, "forkert-adgangskode")

    expect(page).to_have_url(re.compile(r"/log-ind/$"))
    expect(page.get_by_role("main")).to_contain_text(
        "Brugernavn eller adgangskode er forkert. Bemærk, at der skelnes mellem store og små "
        "bogstaver."
    )
    expect(page.get_by_label("Brugernavn")).to_have_value(username)
    expect(page.get_by_label("Adgangskode")).to_have_value("")
    axe(page)


def test_every_tab_stop_on_mit_overblik_shows_its_focus(page: Page, journey_world):
    log_in(page, journey_world["users"]["hr"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")

    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stops and stop == stops[0]:
            break
        stops.append(stop)
        if stop["tag"] == "body":
            break
    invisible = [s for s in stops if s["tag"] != "body" and not (s["outline"] or s["shadow"])]
    assert not invisible, f"focus not drawn on: {invisible}"
    reached = {s["text"] for s in stops}
    for control in ("Spring til indhold", "Forløbet", "Administration", "Log ud", "Skift"):
        assert control in reached, f"{control!r} not reachable with Tab: {sorted(reached)}"
