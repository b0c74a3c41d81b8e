"""HR imports a Danish Excel staff list through the admin: dry run, errors, confirm."""

import pytest
from playwright.sync_api import Page, expect

from programme.models import ImportRun, Person
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser

# As Danish Excel saves "CSV (semikolonsepareret)": Windows-1252, ; and CRLF.
GOOD_FILE = (
    "Medarbejdernummer;Navn;E-mail;Stilling;Arbejdsplads;Rolle\r\n"
    "700001;Søren Ågård Jørgensen;soren@rodovre.example;Pædagog;{code};medarbejder\r\n"
    "700002;Æsa Øster;aesa@rodovre.example;Lærer;{code};medarbejder\r\n"
)
BAD_FILE = GOOD_FILE + "700003;Bent Uden Enhed;;Lærer;FINDES-IKKE;medarbejder\r\n"


def upload(page: Page, content: str, name: str) -> None:
    page.get_by_label("Fil:").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode("cp1252")}
    )
    page.get_by_label("Format:").select_option(label="csv")
    page.get_by_role("button", name="Prøvekør").click()


def test_hr_dry_runs_sees_the_bad_row_then_imports_a_windows_1252_staff_list(
    page: Page, axe, journey_world, org
):
    code = org["wa1"].code
    log_in(page, "hr")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Personer", exact=True).first.click()
    page.get_by_role("link", name="Importér").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import")
    expect(page.locator("#import-columns")).to_contain_text("Medarbejdernummer")
    axe(page)

    upload(page, BAD_FILE.format(code=code), "medarbejdere.csv")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("4")  # the Excel row number of the bad row
    expect(errors).to_contain_text("FINDES-IKKE")
    expect(page.get_by_role("button", name="Bekræft import")).to_have_count(0)
    axe(page)
    assert not Person.objects.filter(employee_number__startswith="7000").exists()

    upload(page, GOOD_FILE.format(code=code), "medarbejdere.csv")
    expect(page.locator(".import-new")).to_have_text("2")
    expect(page.locator("#import-sample")).to_contain_text("Søren Ågård Jørgensen")
    axe(page)
    page.get_by_role("button", name="Bekræft import").click()

    expect(page.locator(".messagelist")).to_be_visible()
    names = set(
        Person.objects.filter(employee_number__startswith="7000").values_list("name", flat=True)
    )
    assert names == {"Søren Ågård Jørgensen", "Æsa Øster"}
    run = ImportRun.objects.get()
    assert (run.file_name, run.new, run.imported_by.username) == ("medarbejdere.csv", 2, "hr")
