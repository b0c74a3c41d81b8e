"""Step 4 in the browser: HR drafts, a direktion member adopts and publishes, the leader reads.

Each page is checked with axe-core; the forms are filled and sent by keyboard.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from clarification.models import Decision, DecisionState, Synthesis, Theme, ThemeKind
from tests.clarification.factories import InputFactory, SubmissionFactory
from tests.e2e.conftest import AXE_SCRIPT, AXE_URL, log_in
from tests.reminders_support import eager_tasks

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("eager_tasks")]
__all__ = ["eager_tasks"]


def other_person(browser, live_server) -> Page:
    """A second person in their own browser context, with axe-core served like `page`'s."""
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.route(
        AXE_URL, lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript")
    )
    return context.new_page()


@pytest.fixture
def processed(journey_world):
    programme = journey_world["programme"]
    theme = Theme.objects.create(
        programme=programme, name="Dialogisk samspil med borgere", kind=ThemeKind.THEME
    )
    submission = SubmissionFactory(programme=programme, workplace=journey_world["wa1"])
    item = InputFactory(submission=submission, title="Mere tid til borgerdialog")
    InputFactory(submission=submission, title="Bedre vagtplaner")
    group = Synthesis.objects.create(programme=programme, title="Borgerdialog på tværs")
    group.inputs.add(item)
    return journey_world | {"theme": theme, "group": group, "item": item}


def test_hr_drafts_direktion_adopts_and_publishes_and_the_leader_reads(
    page: Page, axe, processed, live_server, browser
):
    log_in(page, processed["users"]["hr"].username)
    page.locator("#main-nav").get_by_role("link", name="Beslutninger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beslutninger")
    axe(page)
    page.get_by_role("link", name="Nyt beslutningsforslag").click()
    axe(page)

    page.get_by_label("Titel").fill("Undervisningsforløb i borgerdialog")
    page.keyboard.press("Tab")
    page.get_by_label("Type").select_option(label="Undervisningsforløb")
    page.get_by_label("Begrundelse").fill("Mange arbejdspladser beder om det.")
    page.get_by_label("Det sker nu").fill("Forløbet starter i oktober.")
    page.get_by_label("Dialogisk samspil med borgere").check()
    page.get_by_label("Borgerdialog på tværs").check()
    page.get_by_label("Input, den svarer på (numre)").fill(f"{processed['item'].pk}, x")
    page.get_by_label("Anslået udgift (kr.)").fill("250.000,00")
    page.get_by_label("Anslået udgift (kr.)").press("Enter")

    # A bad number: a Danish message, and everything typed is still there.
    expect(page.get_by_text("x er ikke et nummer")).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value("Undervisningsforløb i borgerdialog")
    axe(page)
    page.get_by_label("Input, den svarer på (numre)").fill(str(processed["item"].pk))
    page.get_by_role("button", name="Gem kladde").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Undervisningsforløb i borgerdialog")
    expect(page.get_by_text("250.000,00 kr.")).to_be_visible()
    page.get_by_role("button", name="Indstil til direktionen").click()
    expect(page.get_by_text("indstillet til direktionen", exact=False).first).to_be_visible()
    axe(page)

    direktion = other_person(browser, live_server)
    log_in(direktion, processed["users"]["direktion"].username)
    direktion.locator("#main-nav").get_by_role("link", name="Beslutninger").click()
    direktion.get_by_role("link", name="Undervisningsforløb i borgerdialog").click()
    direktion.get_by_label("Vedtag").check()
    direktion.get_by_label("Direktionsmødets dato").fill("2021-09-14")
    direktion.get_by_label("Kommentar").fill("Godt arbejde")
    direktion.get_by_role("button", name="Registrér beslutningen").click()
    expect(direktion.get_by_text("Direktionens beslutning er registreret.")).to_be_visible()
    axe(direktion)
    direktion.get_by_label("Besked til arbejdspladserne").fill("Tak for jeres input.")
    direktion.get_by_role("button", name="Offentliggør beslutningen").click()
    expect(direktion.get_by_text("Beslutningen er offentliggjort.")).to_be_visible()
    axe(direktion)
    assert Decision.objects.get().state == DecisionState.ADOPTED

    # The leader of the contributing workplace follows the link in the e-mail.
    message = next(m for m in mail.outbox if processed["leader_a"].email in m.to[0])
    link = re.search(r"https?://\S+/i-sagde-vi-goer/", message.body).group(0)
    leader = other_person(browser, live_server)
    log_in(leader, processed["users"]["leder"].username)
    expect(leader.get_by_role("heading", level=1)).to_have_text("Mit overblik")
    axe(leader)
    leader.get_by_role("link", name=f"I sagde — vi gør: {processed['wa1'].name}").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("I sagde — vi gør")
    assert leader.url == link.replace(link.split("/afklaring")[0], live_server.url)
    # The workplace's own page leads there too.
    leader.goto(f"/afklaring/arbejdspladser/{processed['wa1'].code}/")
    axe(leader)
    leader.get_by_role("link", name="Se, hvad der kom ud af jeres input").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("I sagde — vi gør")
    expect(leader.get_by_role("heading", name="Undervisningsforløb i borgerdialog")).to_be_visible()
    expect(leader.get_by_text("Ingen beslutning svarer endnu på dette input")).to_be_visible()
    axe(leader)
    direktion.context.close()
    leader.context.close()
