"""Action learning in the browser: a fagchef starts a project and writes in its log.

With the keyboard alone, at 320 px for the project page; axe-core on every page and
state (the list, the form with errors, the project, HR's overview, direktionen's panel).
"""

import pytest
from playwright.sync_api import Page, expect

from seminars import action_learning
from seminars.models import ActionLearningProject, LearningLogEntry
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

SECRET = "Jeg talte halvt så meget som sidst"


def page_width(page: Page) -> int:
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth")


def press(page: Page, name: str) -> None:
    """Reach a button by focus and press it with Enter, as a keyboard user does."""
    page.get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")


def test_a_fagchef_creates_a_project_and_writes_in_its_log(page: Page, axe, journey_world):
    log_in(page, journey_world["users"]["fagchef"].username)
    page.locator("#main-nav").get_by_role("link", name="Seminarer").click()
    page.get_by_role("link", name="Min aktionslæring").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min aktionslæring")
    axe(page)

    page.get_by_role("link", name="Opret et projekt").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nyt aktionslæringsprojekt")
    # First without a title: the errors come back in Danish, and what was typed stays.
    page.get_by_label("Problemformulering").focus()
    page.keyboard.type("Mine møder er envejskommunikation.")
    press(page, "Opret projektet")
    expect(page.get_by_text("Giv projektet en titel.")).to_be_visible()
    expect(page.get_by_label("Problemformulering")).to_have_value(
        "Mine møder er envejskommunikation."
    )
    axe(page)
    page.get_by_label("Titel").focus()
    page.keyboard.type("Faciliterende personalemøder")
    page.get_by_label(journey_world["director"].name, exact=False).focus()
    page.keyboard.press("Space")
    press(page, "Opret projektet")
    expect(page.get_by_text("Projektet er oprettet.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faciliterende personalemøder")
    axe(page)

    press(page, "Begynd cyklus 1 med at planlægge")
    expect(page.get_by_text("Cyklussen er rykket videre.")).to_be_visible()
    expect(page.get_by_text("Planlæg: i gang")).to_be_visible()
    page.get_by_label("Hvad har du gjort, set og lært?").focus()
    page.keyboard.type(SECRET)
    press(page, "Gem i loggen")
    expect(page.get_by_text("Dit indlæg er gemt i læringsloggen.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(SECRET)
    axe(page)

    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page_width(page) <= 320
    axe(page)

    project = ActionLearningProject.objects.get()
    assert set(project.members.all()) == {journey_world["fagchef_a"], journey_world["director"]}
    entry = LearningLogEntry.objects.get()
    assert (entry.text, entry.cycle.number, entry.phase) == (SECRET, 1, "planlaeg")


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_the_projects_without_the_log(page: Page, axe, journey_world, role):
    project = action_learning.create_project(
        programme=journey_world["programme"],
        creator=journey_world["fagchef_a"],
        title="Faciliterende personalemøder",
        problem="Mine møder er envejskommunikation.",
    )
    action_learning.write_log_entry(project=project, author=journey_world["fagchef_a"], text=SECRET)
    log_in(page, journey_world["users"][role].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")

    page.goto("/aktionslaering/alle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktionslæring i fagchefforum")
    expect(page.get_by_role("main")).to_contain_text("Faciliterende personalemøder")
    expect(page.get_by_role("main")).not_to_contain_text(SECRET)
    axe(page)

    page.goto("/direktion/")
    panel = page.get_by_role("region", name="Aktionslæringsprojekter i gang")
    expect(panel).to_contain_text("1 aktivt projekt")
    axe(page)
    # The project's page, with its log, is the members' (asked outside the page, where a
    # 404 would count as a console error).
    assert page.request.get(project.get_absolute_url()).status == 404
