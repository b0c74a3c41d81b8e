"""Direktionen opens its dashboard, then the whole matrix, and drills down into a cell."""

import re

import pytest
from playwright.sync_api import Page, expect

from clarification import matrix
from clarification.models import AssignmentStatus, Theme, ThemeAssignment, ThemeKind
from tests.e2e.conftest import log_in
from tests.e2e.test_overview import step_two  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def processed(step_two):  # noqa: F811
    programme = step_two["programme"]
    theme = Theme.objects.create(programme=programme, name="Social kapital", kind=ThemeKind.THEME)
    Theme.objects.create(programme=programme, name="Relationel koordinering", kind=ThemeKind.THEME)
    for item in programme.inputs.all():
        ThemeAssignment.objects.create(
            input=item, theme=theme, status=AssignmentStatus.CONFIRMED, suggested=False
        )
    matrix.recompute(programme)
    return step_two | {"theme": theme}


def test_direktion_follows_the_matrix_from_the_dashboard(page: Page, axe, processed):
    log_in(page, processed["users"]["direktion"].username)
    page.locator("#main-nav").get_by_role("link", name="Direktionens overblik").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Direktionens overblik")
    for name in ("Trinnene pr. forvaltning", "Tema × forvaltning", "Beslutninger (trin 4)"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    table = page.get_by_role("region", name="Hver celle")
    expect(table.get_by_role("row", name="Social kapital")).to_contain_text("5 input")
    axe(page)

    page.set_viewport_size({"width": 320, "height": 640})
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(page.url.replace("/direktion/", "/afklaring/matrix/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Temaer på tværs af forvaltningerne")
    expect(page.get_by_text("Kun bekræftede temaer tælles med")).to_be_visible()
    axe(page)

    cell = page.get_by_role("link", name=f"om Social kapital fra {processed['admin_a'].name}")
    cell.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        re.compile(rf"administration={processed['admin_a'].pk}&theme={processed['theme'].pk}$")
    )
    expect(page.locator("main")).to_contain_text("Behov for fælles sprog om borgerdialog")
    axe(page)
