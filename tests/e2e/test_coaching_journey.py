"""Coaching in the browser: the coach offers a time, a fagchef books it and writes a note,
the coach reads the shared note and writes their own, HR sees the session without notes."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from programme.models import ExternalPerson
from seminars.models import CoachingNote, CoachingSession, NoteRead, SessionStatus
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

PARTICIPANT_NOTE = "Jeg vil øve mig i at lytte, før jeg konkluderer i chefgruppen."
COACH_NOTE = "Fokus næste gang: hvad chefgruppen selv bemærker."


def test_a_fagchef_books_a_coaching_session_and_both_parties_write_notes(
    page: Page, axe, journey_world
):
    users = journey_world["users"]
    day = timezone.localdate() + datetime.timedelta(days=10)

    log_in(page, users["coach"].username)
    page.locator("#main-nav").get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine coachingsamtaler")
    axe(page)
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Fra kl.").fill("10:00")
    page.get_by_label("Til kl.").fill("09:00")
    page.get_by_label("Sted eller link").fill("Rådhuset, lokale 2.14")
    page.get_by_label("Sted eller link").press("Enter")
    expect(page.get_by_text("Samtalen skal slutte efter, den starter.")).to_be_visible()
    expect(page.get_by_label("Sted eller link")).to_have_value("Rådhuset, lokale 2.14")
    axe(page)
    page.get_by_label("Til kl.").fill("11:00")
    page.get_by_label("Til kl.").press("Enter")
    expect(page.get_by_text("Tiden er tilbudt deltagerne.")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, users["fagchef"].username)
    page.locator("#main-nav").get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min coaching")
    expect(page.locator("#allowance")).to_contain_text("Du har brugt 0 af 3 samtaler.")
    axe(page)
    book = page.get_by_role("button", name="Book")
    book.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Samtalen er booket.")).to_be_visible()
    expect(page.locator("#session-status")).to_have_text("Bekræftet")
    page.get_by_label("Dine noter").fill(PARTICIPANT_NOTE)
    page.get_by_label("Del mine noter med coachen").check()
    page.get_by_role("button", name="Gem noter").click()
    expect(page.get_by_text("Dine noter er gemt.")).to_be_visible()
    expect(page.get_by_label("Dine noter")).to_have_value(PARTICIPANT_NOTE)
    axe(page)
    page.context.clear_cookies()

    log_in(page, users["coach"].username)
    page.get_by_role("link", name="Se dine coachingsamtaler og tilbyd tider").click()
    page.locator("table a").first.click()
    expect(page.get_by_text(PARTICIPANT_NOTE)).to_be_visible()
    page.get_by_label("Dine noter").fill(COACH_NOTE)
    page.get_by_label("Dine noter").press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Dine noter er gemt.")).to_be_visible()
    axe(page)
    page.context.clear_cookies()

    log_in(page, users["hr"].username)
    page.locator("#main-nav").get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching: oversigt")
    axe(page)
    page.locator("#all-sessions-caption").locator("xpath=..").locator("a").first.click()
    expect(page.locator("#session-status")).to_have_text("Bekræftet")
    axe(page)
    assert PARTICIPANT_NOTE not in page.content() and COACH_NOTE not in page.content()

    session = CoachingSession.objects.get()
    assert session.coach == ExternalPerson.objects.get(user=users["coach"])
    assert session.status == SessionStatus.CONFIRMED
    assert CoachingNote.objects.filter(session=session).count() == 2
    assert not NoteRead.objects.filter(reader=users["hr"]).exists()
