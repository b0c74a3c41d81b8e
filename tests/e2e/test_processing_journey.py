"""HR processes the input: filters, confirms suggestions (one by keyboard), bulk-confirms and
groups inputs into a synthesis."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from clarification.models import AssignmentStatus, Input, Submission, Synthesis, ThemeAssignment
from clarification.services import processing
from clarification.themes import seed_memo_themes
from tests.e2e.conftest import log_in
from tests.e2e.test_leader_journey import heading, tab_to

pytestmark = pytest.mark.browser

DIALOGUE = "Dialogisk samspil med borgere"
TEXTS = [
    ("wa1", "Svære samtaler med pårørende", "Vi har brug for bedre dialog med de pårørende."),
    ("wa2", "Forældresamtaler", "Dialog med forældre om barnets trivsel, og borgerdialog."),
    ("wb1", "Borgeren med ved bordet", "Planlægning sammen med borgeren og de pårørende."),
    ("wa1", "Trivsel i personalegruppen", "Fællesskab og trivsel blandt kolleger."),
]


@pytest.fixture
def inputs(journey_world):
    programme = journey_world["programme"]
    seed_memo_themes(programme)
    items = []
    for key, title, text in TEXTS:
        submission, _created = Submission.objects.get_or_create(
            programme=programme, workplace=journey_world[key]
        )
        item = Input.objects.create(
            programme=programme,
            workplace=journey_world[key],
            submission=submission,
            source="leder",
            kind="behov",
            title=title,
            text=text,
        )
        processing.suggest_for_input(item.pk)
        items.append(item)
    return items


def test_hr_filters_confirms_bulk_confirms_and_groups(page: Page, axe, journey_world, inputs):
    log_in(page, journey_world["users"]["hr"].username)
    page.get_by_role("link", name="Bearbejdning").click()
    expect(heading(page)).to_have_text("Bearbejdning af input")
    expect(page.locator("#count")).to_have_text("4 input")
    axe(page)

    # Filter: administration A and the citizen-dialogue theme.
    page.get_by_label("Forvaltning").select_option(label=journey_world["admin_a"].name)
    page.get_by_label("Tema").select_option(label=DIALOGUE)
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.locator("#count")).to_have_text("2 input")
    expect(page).to_have_url(
        re.compile(r"administration=\d+.*theme=\d+|theme=\d+.*administration=\d+")
    )
    axe(page)

    # Confirm one suggestion with the keyboard alone.
    first = inputs[0]
    confirm = page.get_by_role(
        "button", name=re.compile(rf"^Bekræft {DIALOGUE} for {first.title}$")
    )
    tab_to(page, confirm, limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Temaet „{DIALOGUE}“ er bekræftet.")).to_be_visible()
    expect(page.locator("#count")).to_have_text("2 input")  # the filters were kept
    axe(page)
    assert ThemeAssignment.objects.get(input=first, theme__name=DIALOGUE).status == (
        AssignmentStatus.CONFIRMED
    )

    # Bulk-confirm the rest of the filtered list: only the other input of administration A.
    page.get_by_role("button", name=re.compile("Bekræft det bedste forslag")).click()
    expect(page.get_by_text("1 forslag er bekræftet som inputtets tema.")).to_be_visible()
    axe(page)
    confirmed = set(ThemeAssignment.objects.confirmed().values_list("input__title", flat=True))
    assert confirmed == {first.title, inputs[1].title}

    # Group the two into a new synthesis.
    page.get_by_label(f"Vælg „{first.title}“ til en syntese").check()
    page.get_by_label(f"Vælg „{inputs[1].title}“ til en syntese").check()
    page.get_by_label("eller titel på en ny syntese").fill("Samtaler med pårørende og forældre")
    page.get_by_role("button", name="Læg i syntese").click()
    expect(heading(page)).to_have_text("Samtaler med pårørende og forældre")
    expect(page.get_by_role("link", name=first.title)).to_be_visible()
    expect(page.get_by_role("link", name=inputs[1].title)).to_be_visible()
    axe(page)
    synthesis = Synthesis.objects.get()
    assert set(synthesis.inputs.values_list("pk", flat=True)) == {first.pk, inputs[1].pk}

    # Summarise it.
    page.get_by_label("Sammenfatning").fill("Pårørende og forældre ønsker mere dialog.")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text("Syntesen er gemt.")).to_be_visible()
    axe(page)

    # The input's page shows what happened to it, and similar inputs.
    page.get_by_role("link", name=first.title).click()
    expect(heading(page)).to_have_text(first.title)
    expect(page.get_by_text("Tema bekræftet")).to_be_visible()
    expect(page.get_by_text("Lagt i syntese")).to_be_visible()
    axe(page)

    page.goto(reverse("clarification:synthesis-list"))
    expect(page.get_by_role("link", name="Samtaler med pårørende og forældre")).to_be_visible()
    axe(page)
