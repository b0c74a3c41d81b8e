"""HR plans a seminar in the admin (times, place, agenda, material), invites the forum with
one action, and the seminar appears to a fagchef with its material."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from seminars.models import AgendaBlock, Attendance, Seminar
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_hr_plans_a_seminar_in_the_admin_and_invites_the_forum(page: Page, axe, journey_world):
    day = timezone.localdate() + datetime.timedelta(days=40)
    log_in(page, "hr")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Seminarer", exact=True).first.click()
    page.get_by_role("link", name="Tilføj seminar").click()
    axe(page)
    page.get_by_label("Udviklingsforløb:").select_option(index=1)
    page.get_by_label("Nummer:").fill("4")
    page.get_by_label("Tema:").fill("Relationel koordinering")
    page.locator("input[name=starts_at_0]").fill(day.strftime("%d.%m.%Y"))
    page.locator("input[name=starts_at_1]").fill("09:00")
    page.locator("input[name=ends_at_0]").fill(day.strftime("%d.%m.%Y"))
    page.locator("input[name=ends_at_1]").fill("08:00")
    page.get_by_label("Sted:").fill("Rødovre Rådhus, byrådssalen")
    page.locator("#agenda-group .add-row a").click()
    page.locator("input[name=agenda-0-starts]").fill("09:00")
    page.locator("select[name=agenda-0-kind]").select_option(value="oplaeg")
    page.locator("input[name=agenda-0-title]").fill("Oplæg om relationel koordinering")
    page.locator("#materials-group .add-row a").click()
    page.locator("input[name=materials-0-title]").fill("Slides")
    page.locator("input[name=materials-0-file]").set_input_files(
        {"name": "slides.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 slides"}
    )
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text("Seminaret skal slutte efter, det starter.")).to_be_visible()
    axe(page)
    page.locator("input[name=ends_at_1]").fill("15:00")
    page.locator("input[name=materials-0-file]").set_input_files(
        {"name": "slides.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 slides"}
    )
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("blev tilføjet")

    seminar = Seminar.objects.get(number=4)
    assert AgendaBlock.objects.filter(seminar=seminar).count() == 1
    assert seminar.materials.get().original_name == "slides.pdf"
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option(
        label="Invitér hele fagchefforum til de valgte seminarer"
    )
    page.get_by_role("button", name="Kør").click()
    expect(page.locator(".messagelist")).to_contain_text("invitationer er sendt")
    axe(page)
    invited = set(Attendance.objects.filter(seminar=seminar).values_list("person", flat=True))
    assert invited == {journey_world["fagchef_a"].pk, journey_world["director"].pk}

    page.context.clear_cookies()
    log_in(page, journey_world["users"]["fagchef"].username)
    page.locator("#main-nav").get_by_role("link", name="Seminarer").click()
    page.get_by_role("link", name="Seminar 4: Relationel koordinering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seminar 4: Relationel koordinering")
    expect(page.get_by_role("link", name="Slides")).to_be_visible()
    axe(page)


def test_hr_plans_a_coaching_session_in_the_admin(page: Page, axe, journey_world):
    from seminars.models import CoachingSession

    day = timezone.localdate() + datetime.timedelta(days=12)
    log_in(page, "hr")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Coachingsamtaler", exact=True).first.click()
    axe(page)
    page.get_by_role("link", name="Tilføj coachingsamtale").click()
    axe(page)
    page.locator("select[name=programme]").select_option(index=1)
    page.locator("select[name=coach]").select_option(label="Karen Coach (Coach)")
    page.get_by_role("combobox", name="Deltager").click()
    page.keyboard.type(journey_world["fagchef_a"].name[:6])
    page.get_by_role("option", name=journey_world["fagchef_a"].name).click()
    for field, value in [
        ("starts_at_0", day.strftime("%d.%m.%Y")),
        ("starts_at_1", "10:00"),
        ("ends_at_0", day.strftime("%d.%m.%Y")),
        ("ends_at_1", "11:00"),
        ("place", "Rådhuset, lokale 2.14"),
    ]:
        page.locator(f"input[name={field}]").fill(value)
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("blev tilføjet")
    axe(page)

    session = CoachingSession.objects.get()
    assert session.coachee == journey_world["fagchef_a"]
    assert session.status == "planlagt"
    assert list(session.events.values_list("to_status", flat=True)) == ["planlagt"]
