"""The evaluation after a seminar in the browser: a fagchef answers with the keyboard alone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from seminars import services
from seminars.models import Attendance, AttendanceStatus, EvaluationAnswer, Seminar
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def held(journey_world):
    """A seminar that ended yesterday: fagchef A attended, four others have answered."""
    start = timezone.now() - datetime.timedelta(days=1)
    seminar = Seminar.objects.create(
        programme=journey_world["programme"],
        number=2,
        theme="Metoder til innovation og samskabelse",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
    )
    services.invite_forum(seminar=seminar, by=journey_world["users"]["hr"])
    Attendance.objects.filter(seminar=seminar).update(status=AttendanceStatus.ATTENDED)
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(
            seminar=seminar,
            benefit=value,
            relevance=4,
            input_quality=3,
            dialogue=5,
            takeaway=f"Samskabelsesmodellen {value}",
        )
        for value in (2, 3, 4, 5)
    )
    return journey_world | {"seminar": seminar}


def choose(page: Page, question: str, value: int) -> None:
    """Reach the question's first option, select it with Space, move with the arrow keys."""
    page.get_by_role("group", name=question).get_by_role("radio", name="1", exact=True).focus()
    page.keyboard.press("Space")
    for _ in range(value - 1):
        page.keyboard.press("ArrowRight")
    expect(
        page.get_by_role("group", name=question).get_by_role("radio", name=str(value), exact=True)
    ).to_be_checked()


def test_a_fagchef_evaluates_a_seminar_with_the_keyboard_and_reads_the_results(
    page: Page, axe, held
):
    log_in(page, held["users"]["fagchef"].username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mit overblik")
    page.goto(held["seminar"].get_absolute_url())
    link = page.get_by_role("link", name="Evaluér seminaret")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluering af seminaret")
    axe(page)

    # Only the first question, and a comment: the form answers with errors, keeping both.
    choose(page, "Udbytte for min ledelse", 4)
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(page.get_by_label("Det tager jeg med")).to_be_focused()
    page.keyboard.type("Tjek-ind og runder")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send evalueringen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Dit svar er ikke gemt.")
    expect(page.get_by_text("Vælg et svar fra 1 til 5.")).to_have_count(3)
    expect(
        page.get_by_role("group", name="Udbytte for min ledelse").get_by_role(
            "radio", name="4", exact=True
        )
    ).to_be_checked()
    expect(page.get_by_label("Det tager jeg med")).to_have_value("Tjek-ind og runder")
    axe(page)

    choose(page, "Relevans for velfærdsfornyelsen", 5)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the next question's first option
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    choose(page, "Den refleksive dialog", 4)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Mere tid til dialogen")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Tak for dit svar. Det er gemt uden dit navn.")).to_be_visible()
    axe(page)

    results = page.get_by_role("link", name="Se resultaterne af evalueringen")
    results.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evalueringens resultater")
    # Nothing while the evaluation is open: a change between two looks would be one answer.
    expect(page.get_by_text("Resultaterne vises, når evalueringen er lukket")).to_be_visible()
    expect(page.get_by_text("Tjek-ind og runder")).to_have_count(0)
    axe(page)
    Seminar.objects.filter(pk=held["seminar"].pk).update(evaluation_days=0)  # now closed
    page.reload()
    expect(page.get_by_text("5 har svaret.")).to_be_visible()
    expect(page.get_by_text("Tjek-ind og runder")).to_be_visible()
    expect(page.get_by_text("Mere tid til dialogen")).to_be_visible()
    axe(page)

    mine = EvaluationAnswer.objects.get(takeaway="Tjek-ind og runder")
    assert (mine.benefit, mine.relevance, mine.input_quality, mine.dialogue) == (4, 5, 3, 4)
    assert mine.improvement == "Mere tid til dialogen"
