"""HR import and export of administrations, workplaces and people (CSV and XLSX, in the admin)."""

import codecs
import csv
import io
import os
import struct
import tempfile
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.access import RoleGroup
from programme.imports.columns import PERSON_COLUMNS, columns_markdown, header_key
from programme.imports.errors import ImportFileError
from programme.imports.xlsx import xlsx_records
from programme.models import (
    Administration,
    AdministrationSnapshot,
    ImportRun,
    Leadership,
    Person,
    Role,
    Workplace,
)
from programme.resources import AdministrationResource, PersonResource, WorkplaceResource
from programme.tasks import refresh_organisation_snapshot
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    hr_user,
    login_for,
)

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = [
    "Medarbejdernummer",
    "Navn",
    "E-mail",
    "Stilling",
    "Arbejdsplads",
    "Rolle",
    "Leder for",
    "Aktiv",
]


# --- helpers ---------------------------------------------------------------------------


def csv_bytes(rows, *, delimiter=";", encoding="cp1252", bom=b""):
    text = "".join(delimiter.join(cells) + "\r\n" for cells in rows)
    return bom + text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(resource_class, data: bytes, kind: str = "csv"):
    formats = {fmt.title: fmt for fmt in resource_class.get_import_formats()}
    return formats[kind]().create_dataset(data)


def run_import(resource_class, data, *, kind="csv", dry_run=False, user=None, complete=False):
    """Run what the admin's confirm step runs: create_dataset, then import_data."""
    dataset = read(resource_class, data, kind)
    return resource_class(complete_list=complete).import_data(
        dataset,
        dry_run=dry_run,
        user=user,
        file_name=f"hr.{kind}",
        rollback_on_validation_errors=True,
    )


def errors_by_row(result) -> dict[int, list[str]]:
    return {row.number: row.non_field_specific_errors for row in result.invalid_rows}


def person_row(number, name, *, email="", title="", workplace="W1", role="", leads="", active=""):
    return [number, name, email, title, workplace, role, leads, active]


@pytest.fixture
def hr(db):
    return hr_user()


@pytest.fixture
def units(db):
    """Two administrations with three workplaces; W2 lies under W1."""
    bkf = AdministrationFactory(code="BKF", name="Børne- og Kulturforvaltningen")
    ssf = AdministrationFactory(code="SSF", name="Social- og Sundhedsforvaltningen")
    w1 = WorkplaceFactory(code="W1", name="Valhøj Skole", administration=bkf)
    w2 = WorkplaceFactory(code="W2", name="Børnehuset Sønderbo", administration=bkf, parent=w1)
    w3 = WorkplaceFactory(code="W3", name="Plejecenter Ejbyhøj", administration=ssf)
    return {"bkf": bkf, "ssf": ssf, "w1": w1, "w2": w2, "w3": w3}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = content
    return zip_of(members)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n'
    b"<!-- Excel would never write this -->\n"
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


# --- reading files as HR systems and Excel write them ----------------------------------


def test_windows_1252_semicolon_file_keeps_danish_letters(units, hr):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Søren Ærø Åberg", email="soren@rk.dk", title="Pædagog"),
            person_row("1002", "Øjvind Bæk", workplace="W3", role="Leder"),
        ],
        encoding="cp1252",
    )
    assert "Søren".encode("cp1252") in data  # really Windows-1252, not UTF-8

    result = run_import(PersonResource, data, user=hr)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.new == 2
    assert Person.objects.get(employee_number="1001").name == "Søren Ærø Åberg"
    assert Person.objects.get(employee_number="1001").job_title == "Pædagog"
    assert Person.objects.get(employee_number="1002").name == "Øjvind Bæk"


def test_utf8_bom_comma_file_imports(units, hr):
    data = csv_bytes(
        [PEOPLE_HEADER, person_row("1001", "Åse Ørum", title='"Lærer, dansk"')],
        delimiter=",",
        encoding="utf-8",
        bom=codecs.BOM_UTF8,
    )

    result = run_import(PersonResource, data, user=hr)

    person = Person.objects.get(employee_number="1001")
    assert result.new == 1
    assert (person.name, person.job_title) == ("Åse Ørum", "Lærer, dansk")


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", b"", "\t"), ("utf-16-le", codecs.BOM_UTF16_LE, ";"), ("utf-8", b"", ",")],
)
def test_other_encodings_and_delimiters_import(units, hr, encoding, bom, delimiter):
    data = csv_bytes(
        [PEOPLE_HEADER, person_row("1001", "Bjørn Kærgård")],
        delimiter=delimiter,
        encoding=encoding,
        bom=bom,
    )

    run_import(PersonResource, data, user=hr)

    assert Person.objects.get(employee_number="1001").name == "Bjørn Kærgård"


def test_excel_sep_hint_line_sets_the_delimiter_and_is_not_a_row(units):
    data = b"sep=,\r\n" + csv_bytes(
        [PEOPLE_HEADER, person_row("1001", "Ida; Holm", workplace="NOPE")], delimiter=","
    )

    result = run_import(PersonResource, data, dry_run=True)

    assert errors_by_row(result) == {2: ["Ukendt arbejdsplads «NOPE»."]}
    assert result.invalid_rows[0].values == ("1001", "Ida; Holm")


def test_double_converted_file_is_refused_rather_than_stored_as_mojibake(units):
    data = csv_bytes([PEOPLE_HEADER, person_row("1001", "SÃ¸ren")], encoding="utf-8")

    with pytest.raises(ImportFileError, match="forvanskede bogstaver"):
        read(PersonResource, data)


def test_xlsx_file_imports_with_numbers_as_text(units, hr):
    data = xlsx_bytes(
        [
            PEOPLE_HEADER,
            [1001, "Mette Frølund", "mette@rk.dk", "Leder", "W1", "leder", None, "ja"],
            [1002, "Jørgen Ølgaard", None, "Pædagog", "W1", None, None, True],
        ]
    )

    result = run_import(PersonResource, data, kind="xlsx", user=hr)

    assert result.new == 2
    mette = Person.objects.get(employee_number="1001")
    assert (mette.name, mette.role, mette.workplace.code) == ("Mette Frølund", "leder", "W1")
    assert Person.objects.get(employee_number="1002").is_active is True


def test_headers_match_aliases_whatever_case_spacing_and_accents(units, hr):
    data = csv_bytes(
        [
            [" MEDARB.NR. ", "fornavn", "EFTERNAVN", "e mail", "Stillingsbetegnelse", "enhedskode"],
            ["2001", "Ærlige", "Åsmund", "a@rk.dk", "Leder", "W3"],
        ]
    )

    result = run_import(PersonResource, data, user=hr)

    person = Person.objects.get(employee_number="2001")
    assert result.new == 1
    assert (person.name, person.email, person.workplace.code) == ("Ærlige Åsmund", "a@rk.dk", "W3")
    assert header_key("Lønnummer") == header_key("loennummer") == header_key("LØNNUMMER")


def test_unknown_columns_are_listed_not_imported(units, hr):
    data = csv_bytes([["Lønnummer", "Navn", "Skostørrelse"], ["3001", "Ida Holm", "38"]])

    result = run_import(PersonResource, data, dry_run=True)

    assert result.ignored_columns == ["Skostørrelse"]
    assert result.new == 1


def test_empty_rows_are_skipped_and_row_numbers_follow_excel(units):
    data = csv_bytes(
        [PEOPLE_HEADER, person_row("1001", "Ida"), [""] * 8, person_row("1002", "Bo", role="x")]
    )

    result = run_import(PersonResource, data, dry_run=True)

    # Header = row 1, Ida = row 2, the blank line = row 3, Bo = row 4.
    assert list(errors_by_row(result)) == [4]


# --- validation: every bad row, with its row number and a Danish reason ----------------


def test_one_bad_row_writes_nothing_and_names_the_row(units, hr):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Anne Jensen"),
            person_row("1002", "Bo Hansen"),
            person_row("1003", "Carl Berg", workplace="X99"),
        ]
    )

    result = run_import(PersonResource, data, user=hr)

    assert errors_by_row(result) == {4: ["Ukendt arbejdsplads «X99»."]}
    assert result.invalid_rows[0].values == ("1003", "Carl Berg")
    assert not Person.objects.exists()
    assert not Person.history.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (person_row("", "Uden Nummer"), "Medarbejdernummer mangler."),
        (person_row("1005", ""), "Navn mangler."),
        (person_row("1005", "Ida", email="ida@"), "Ugyldig e-mailadresse «ida@»."),
        (person_row("1005", "Ida", workplace="Q1"), "Ukendt arbejdsplads «Q1»."),
        (person_row("1005", "Ida", role="chef"), "Ukendt rolle «chef»."),
        (person_row("1005", "Ida", leads="W1|Q2"), "Ukendt arbejdsplads «Q2» i «Leder for»."),
        (person_row("1005", "Ida", active="måske"), "Ugyldig værdi «måske» i «Aktiv»."),
        (person_row("1" * 21, "Ida"), "Medarbejdernummer er for lang (21 tegn; højst 20)."),
    ],
)
def test_bad_person_rows_are_reported_in_danish(units, row, reason):
    data = csv_bytes([PEOPLE_HEADER, person_row("1001", "God Række"), row])

    result = run_import(PersonResource, data)

    [messages] = errors_by_row(result).values()
    assert list(errors_by_row(result)) == [3]
    assert any(message.startswith(reason) for message in messages), messages
    assert not Person.objects.exists()


def test_duplicate_employee_number_names_both_rows(units):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Anne"),
            person_row("1002", "Bo"),
            person_row("1001", "Anne Igen"),
        ]
    )

    result = run_import(PersonResource, data)

    message = "Medarbejdernummer «1001» står flere gange i filen (række 2 og 4)."
    assert errors_by_row(result) == {2: [message], 4: [message]}


def test_every_bad_row_is_reported_not_just_the_first(units):
    rows = [PEOPLE_HEADER] + [
        person_row(str(1000 + n), f"P{n}", workplace="NOPE") for n in range(150)
    ]

    result = run_import(PersonResource, csv_bytes(rows))

    assert result.invalid == 150
    assert sorted(errors_by_row(result)) == list(range(2, 152))


def test_a_conflict_while_writing_rolls_back_the_whole_file(units, hr):
    class RacedPersonResource(PersonResource):
        def plan(self, rows, *, present):
            plan = super().plan(rows, present=present)
            # Another HR user's import creates 1003 between our plan and our writes.
            PersonFactory(employee_number="1003", workplace=units["w1"])
            return plan

    data = csv_bytes([PEOPLE_HEADER] + [person_row(f"100{n}", f"P{n}") for n in range(1, 6)])
    dataset = read(PersonResource, data)

    result = RacedPersonResource().import_data(dataset, user=hr, file_name="hr.csv")

    [error] = result.base_errors
    assert str(error.error).startswith("Importen kunne ikke gemmes, og intet er ændret")
    # Here the intruder shares our transaction, so the rollback takes it too: nothing stays.
    assert not Person.objects.exists()
    assert not Person.history.filter(history_change_reason="Import: hr.csv").exists()
    assert not ImportRun.objects.exists()


def test_leading_zeros_lost_by_excel_are_caught(units):
    PersonFactory(employee_number="000123", workplace=units["w1"])

    result = run_import(PersonResource, csv_bytes([PEOPLE_HEADER, person_row("123", "Ida")]))

    [[message]] = errors_by_row(result).values()
    assert "000123" in message and "foranstillede nuller" in message


WORKPLACE_HEADER = ["Enhedskode", "Navn", "Forvaltning", "Overordnet enhed", "Antal ansatte"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["N1", "Ny", "BKF", "", "-3"], "Normering kan ikke være negativ (-3)."),
        (["N1", "Ny", "BKF", "", "mange"], "Normering skal være et helt tal, ikke «mange»."),
        (["N1", "Ny", "XXX", "", "1"], "Ukendt forvaltning «XXX»."),
        (["N1", "Ny", "", "", "1"], "Forvaltning mangler."),
        (["N1", "Ny", "BKF", "N1", "1"], "En enhed kan ikke være sin egen overordnede enhed."),
        (["N1", "Ny", "BKF", "ZZ", "1"], "Ukendt overordnet enhed «ZZ»."),
        (["", "Ny", "BKF", "", "1"], "Kode mangler."),
    ],
)
def test_bad_workplace_rows_are_reported_in_danish(units, row, reason):
    result = run_import(WorkplaceResource, csv_bytes([WORKPLACE_HEADER, row]))

    assert errors_by_row(result) == {2: [reason]}
    assert not Workplace.objects.filter(name="Ny").exists()


def test_parent_cycle_is_reported_on_every_row_in_it(units):
    # W1 is W2's parent in the database; the file makes W2 W1's parent: a loop.
    data = csv_bytes(
        [
            WORKPLACE_HEADER,
            ["W1", "Valhøj Skole", "BKF", "W2", "10"],
            ["W3", "Plejecenter Ejbyhøj", "SSF", "", "5"],
        ]
    )

    result = run_import(WorkplaceResource, data)

    assert errors_by_row(result) == {2: ["Overordnede enheder danner en løkke: W1 → W2 → W1."]}


def test_parent_may_be_a_later_row_of_the_same_file(units, hr):
    data = csv_bytes(
        [
            WORKPLACE_HEADER,
            ["N2", "Vuggestuen Stjernen", "BKF", "N1", "12"],
            ["N1", "Dagtilbud Vest", "bkf", "", "3"],
            ["N3", "Hjemmeplejen Syd", "Social- og Sundhedsforvaltningen", "W3", "40"],
        ]
    )

    result = run_import(WorkplaceResource, data, user=hr)

    assert result.new == 3
    assert Workplace.objects.get(code="N2").parent.code == "N1"
    assert Workplace.objects.get(code="N1").administration.code == "BKF"
    assert Workplace.objects.get(code="N3").parent.code == "W3"
    assert Workplace.history.filter(code="N2", history_type="+").get().parent_id is not None


def test_administration_names_must_stay_unique(units):
    data = csv_bytes(
        [
            ["Forvaltningskode", "Forvaltning", "Kort navn"],
            ["NY", "Social- og Sundhedsforvaltningen", "SSF"],
            ["A1", "Samme Navn", ""],
            ["A2", "Samme Navn", ""],
        ]
    )

    result = run_import(AdministrationResource, data)

    taken = (
        "Navnet «Social- og Sundhedsforvaltningen» bruges allerede af forvaltningen med kode SSF."
    )
    assert errors_by_row(result) == {
        2: [taken],
        3: ["Navn «Samme Navn» står flere gange i filen (række 3 og 4)."],
        4: ["Navn «Samme Navn» står flere gange i filen (række 3 og 4)."],
    }


def test_administrations_import_and_update(units, hr):
    data = csv_bytes(
        [
            ["Kode", "Navn", "Kort navn"],
            ["BKF", "Børne- og Kulturforvaltningen", "BKF"],
            ["TMF", "Teknik og Miljø", ""],
        ]
    )

    result = run_import(AdministrationResource, data, user=hr)

    assert (result.new, result.updated, result.unchanged) == (1, 1, 0)
    assert Administration.objects.get(code="BKF").short_name == "BKF"
    assert Administration.objects.get(code="TMF").name == "Teknik og Miljø"


# --- upsert, idempotence, history -----------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(units, hr):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Anne Jensen", role="leder"),
            person_row("1002", "Bo Hansen", email="bo@rk.dk", title="Pædagog", leads="W2,W3"),
        ]
    )
    run_import(PersonResource, data, user=hr)
    history = (Person.history.count(), Leadership.history.count())

    result = run_import(PersonResource, data, user=hr)

    assert (result.new, result.updated, result.unchanged, result.deactivated) == (0, 0, 2, 0)
    assert (Person.history.count(), Leadership.history.count()) == history
    assert Person.objects.count() == 2


def test_changes_update_by_employee_number_and_history_names_importer_and_file(units, hr):
    person = PersonFactory(employee_number="1001", name="Anne Jensen", workplace=units["w1"])
    data = csv_bytes([PEOPLE_HEADER, person_row("1001", "Anne Jensen-Holm", workplace="W3")])

    result = run_import(PersonResource, data, user=hr)

    person.refresh_from_db()
    assert (result.updated, person.name, person.workplace.code) == (1, "Anne Jensen-Holm", "W3")
    latest = person.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == hr
    assert latest.history_change_reason == "Import: hr.csv"
    [change] = result.sample
    assert ("Navn", "Anne Jensen", "Anne Jensen-Holm") in change.details
    assert ("Arbejdsplads", "W1", "W3") in change.details


def test_imported_history_shows_in_the_admin_history_view(client, units, hr):
    data = csv_bytes([PEOPLE_HEADER, person_row("1001", "Åse Ørum", active="nej")])
    before = timezone.now()
    run_import(PersonResource, data, user=hr)
    person = Person.objects.get(employee_number="1001")

    record = person.history.get()
    assert before <= record.history_date <= timezone.now()
    assert record.deactivated_at == person.deactivated_at is not None
    client.force_login(hr)
    page = client.get(reverse("admin:programme_person_history", args=[person.pk]))
    assert page.status_code == 200
    assert "Import: hr.csv" in page.content.decode()


def test_a_long_file_name_is_cut_to_fit_the_history_reason(units, hr):
    dataset = read(PersonResource, csv_bytes([PEOPLE_HEADER, person_row("1001", "Ida")]))
    name = "personaleliste-" + "x" * 300 + ".csv"

    result = PersonResource().import_data(dataset, user=hr, file_name=name)

    assert result.new == 1
    reason = Person.history.get().history_change_reason
    assert reason.startswith("Import: personaleliste-xxx") and len(reason) == 100
    assert ImportRun.objects.get().file_name == name[:255]


def test_absent_columns_keep_existing_values(units, hr):
    PersonFactory(
        employee_number="1001", name="Anne", email="anne@rk.dk", job_title="Leder", role="leder"
    )

    result = run_import(PersonResource, csv_bytes([["Lønnummer", "Navn"], ["1001", "Anne"]]))

    person = Person.objects.get(employee_number="1001")
    assert result.unchanged == 1
    assert (person.email, person.job_title, person.role) == ("anne@rk.dk", "Leder", "leder")


def test_leader_leads_own_workplace_unless_leder_for_says_otherwise(units, hr):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Leder Selv", workplace="W1", role="Leder"),
            person_row("1002", "Leder Flere", workplace="W1", role="leder", leads="W2 | W3"),
            person_row("1003", "Fagchef", workplace="W1", role="fagchef"),
        ]
    )

    run_import(PersonResource, data, user=hr)

    def led(number):
        return set(
            Leadership.objects.filter(person__employee_number=number).values_list(
                "workplace__code", flat=True
            )
        )

    assert (led("1001"), led("1002"), led("1003")) == ({"W1"}, {"W2", "W3"}, set())
    assert Leadership.history.filter(history_change_reason="Import: hr.csv").count() == 3

    # Demoted: the leadership goes, with a history row naming the importer.
    demoted = csv_bytes([PEOPLE_HEADER, person_row("1001", "Leder Selv", role="medarbejder")])
    run_import(PersonResource, demoted, user=hr)
    assert led("1001") == set()
    assert Leadership.history.filter(history_type="-", history_user=hr).count() == 1


def test_role_and_active_changes_move_logins_between_groups(units, hr):
    employee = PersonFactory(employee_number="1001", workplace=units["w1"], role=Role.EMPLOYEE)
    employee_user = login_for(employee)
    leaving = PersonFactory(employee_number="1002", workplace=units["w1"])
    leaving_user = login_for(leaving)
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", employee.name, email=employee.email, title="Pædagog", role="Leder"),
            person_row("1002", leaving.name, email=leaving.email, title="Pædagog", active="nej"),
        ]
    )

    run_import(PersonResource, data, user=hr)

    assert list(employee_user.groups.values_list("name", flat=True)) == [RoleGroup.LEADER.value]
    assert not leaving_user.groups.exists()
    assert Person.objects.get(employee_number="1002").deactivated_at is not None


def test_import_queries_do_not_grow_with_the_number_of_rows(units, hr):
    def queries_for(count, offset):
        people = [
            PersonFactory(employee_number=str(offset + n), workplace=units["w1"])
            for n in range(count)
        ]
        for person in people[: count // 2]:
            login_for(person)
        rows = (
            [PEOPLE_HEADER]
            + [
                person_row(p.employee_number, p.name, email=p.email, title="Pædagog", role="leder")
                for p in people[:1]
            ]
            + [
                person_row(p.employee_number, p.name + " X", email=p.email, title="Pædagog")
                for p in people[1:]
            ]
        )
        rows += [person_row(str(offset + 900 + n), f"Ny {n}") for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            result = run_import(PersonResource, csv_bytes(rows), user=hr)
        assert result.updated == count and result.new == count
        return len(captured)

    # One person changes role (and login group) in both files; the rest only change name.
    assert queries_for(4, 10_000) == queries_for(40, 20_000)


# --- complete staff list ---------------------------------------------------------------


def test_complete_list_deactivates_people_missing_from_the_file(units, hr):
    stays = PersonFactory(employee_number="1001", name="Bliver", workplace=units["w1"])
    leaves = PersonFactory(employee_number="1002", name="Rejser", workplace=units["w1"])
    gone_before = PersonFactory(employee_number="1003", workplace=units["w1"], is_active=False)
    data = csv_bytes([["Medarbejdernummer", "Navn"], ["1001", "Bliver"]])

    dry = run_import(PersonResource, data, dry_run=True, complete=True)
    assert (dry.unchanged, dry.deactivated) == (1, 1)
    assert [change.key for change in dry.deactivated_sample] == ["1002"]
    assert Person.objects.get(pk=leaves.pk).is_active

    result = run_import(PersonResource, data, user=hr, complete=True)

    leaves.refresh_from_db()
    assert result.deactivated == 1
    assert not leaves.is_active and leaves.deactivated_at is not None
    assert Person.objects.filter(pk__in=[stays.pk, leaves.pk, gone_before.pk]).count() == 3
    assert leaves.history.latest().history_change_reason == "Import: hr.csv"
    assert ImportRun.objects.get().complete_list is True
    assert run_import(PersonResource, data, user=hr, complete=True).deactivated == 0


def test_without_complete_list_people_missing_from_the_file_stay_active(units, hr):
    PersonFactory(employee_number="1002", workplace=units["w1"])

    result = run_import(PersonResource, csv_bytes([["Medarbejdernummer", "Navn"], ["1001", "Ny"]]))

    assert result.deactivated == 0
    assert Person.objects.get(employee_number="1002").is_active


# --- hostile and broken files ----------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("csv", PNG, "Filen er et PNG-billede, ikke en CSV-fil."),
        ("csv", PDF, "Filen er en PDF-fil, ikke en CSV-fil."),
        ("csv", xlsx_bytes([PEOPLE_HEADER]), "Filen er en Excel-fil (XLSX), ikke en CSV-fil."),
        ("csv", b"\x00\x01\x02\x03binary", "Filen er en binær fil, ikke tekst, ikke en CSV-fil."),
        ("xlsx", PNG, "Filen er et PNG-billede, ikke en Excel-fil (XLSX)."),
        ("xlsx", b"Medarbejdernummer;Navn\n1;A\n", "Filen er en tekstfil (fx CSV)"),
        ("xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "gamle Excel-format (.xls)"),
        ("xlsx", b"PK\x03\x04" + b"\x13\x37" * 300, "zip-arkivet er beskadiget"),
        ("xlsx", zip_of({"word/document.xml": b"<w/>"}), "ikke en Excel-projektmappe"),
        ("csv", b"", "Filen er tom."),
        ("csv", b"\r\n;;;\r\n", "Filen er tom."),
        ("csv", b"Medarbejdernummer;Navn\r\n", "ingen rækker med data"),
        (
            "csv",
            b"Adresse;Telefon;Afdeling\r\n1;A;B\r\n",
            "Filen mangler de påkrævede kolonner: «Medarbejdernummer», «Navn» (eller "
            "«Fornavn» og «Efternavn»).",
        ),
    ],
)
def test_unreadable_files_get_a_clear_danish_message(kind, data, message):
    with pytest.raises(ImportFileError) as refused:
        read(PersonResource, data, kind)

    assert message in str(refused.value)


def test_oversize_file_is_refused_before_it_is_parsed(settings):
    settings.IMPORT_MAX_BYTES = 1024
    data = csv_bytes([PEOPLE_HEADER] + [person_row(str(n), "Navn") for n in range(100)])

    with pytest.raises(ImportFileError, match=r"Filen er for stor \(0,0 MB\)"):
        read(PersonResource, data)


def test_csv_with_an_endless_line_is_refused_in_bounded_memory():
    data = b"Medarbejdernummer;Navn\r\n1;" + b";" * (5 * 1024 * 1024)

    tracemalloc.start()
    with pytest.raises(ImportFileError, match="linje på over"):
        read(PersonResource, data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 40 * 1024 * 1024


def test_csv_with_too_many_columns_is_refused():
    header = ";".join(["Medarbejdernummer", "Navn"] + [f"X{n}" for n in range(200)])

    with pytest.raises(ImportFileError, match="202 kolonner; højst 100"):
        read(PersonResource, f"{header}\r\n1;A\r\n".encode())


def test_zip_bomb_by_compression_ratio_is_refused_quickly_in_bounded_memory():
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet>"
            + b" " * (20 * 1024 * 1024)
            + b"</worksheet>",
        }
    )
    assert len(bomb) < 100_000

    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="zip-bombe"):
        read(PersonResource, bomb, "xlsx")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 5 * 1024 * 1024


def test_zip_bomb_by_declared_size_is_refused_before_unpacking():
    data = bytearray(xlsx_bytes([PEOPLE_HEADER]))
    # Claim 300 MB for the first member in the central directory (offset 24: size unpacked).
    entry = data.find(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = struct.pack("<I", 300 * 1024 * 1024)

    with pytest.raises(ImportFileError, match="udpakket og afvises"):
        read(PersonResource, bytes(data), "xlsx")


def test_billion_laughs_in_an_xlsx_is_refused(units):
    valid = xlsx_bytes([PEOPLE_HEADER, person_row("1001", "Ida")])
    hostile = replace_member(valid, "xl/worksheets/sheet1.xml", BILLION_LAUGHS)

    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="DTD"):
        read(PersonResource, hostile, "xlsx")

    assert time.perf_counter() - started < 2
    assert not Person.objects.exists()


def test_openpyxl_parses_with_defusedxml_even_without_our_dtd_check():
    """Defence in depth: were our DTD check bypassed, defusedxml still refuses entities."""
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")
    assert functions.fromstring.__module__.startswith("defusedxml")
    hostile = replace_member(xlsx_bytes([["a"]]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)

    with pytest.raises(ImportFileError):
        list(xlsx_records(hostile))


# --- export ----------------------------------------------------------------------------

FORMULAE = ["=SUM(A1:A9)", "+4512345678", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def export_people(kind: str) -> bytes:
    formats = {fmt.title: fmt for fmt in PersonResource.get_import_formats()}
    dataset = PersonResource().export(queryset=Person.objects.order_by("employee_number"))
    return formats[kind]().export_data(dataset)


def test_csv_export_escapes_formulae_in_every_text_cell(units):
    for n, text in enumerate(FORMULAE):
        PersonFactory(employee_number=f"{n:04d}", name=text, job_title=text, workplace=units["w1"])

    data = export_people("csv")

    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [
        column.label for column in PERSON_COLUMNS if column.key not in {"first_name", "last_name"}
    ]
    assert [row[1] for row in rows[1:]] == ["'" + text for text in FORMULAE]
    assert [row[3] for row in rows[1:]] == ["'" + text for text in FORMULAE]


def test_xlsx_export_escapes_formulae_and_keeps_them_as_text(units):
    for n, text in enumerate(FORMULAE):
        PersonFactory(employee_number=f"{n:04d}", name=text, workplace=units["w1"])

    data = export_people("xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # XML turns a carriage return into a line feed; the quote in front is what matters.
    assert [cell.value for cell in cells] == ["'" + text.replace("\r", "\n") for text in FORMULAE]
    assert {cell.data_type for cell in cells} == {"s"}


def test_exported_csv_and_xlsx_import_again_unchanged(units, hr):
    leader = PersonFactory(
        employee_number="1001", name="=Leder Ølstykke", role="leder", workplace=units["w1"]
    )
    LeadershipFactory(person=leader, workplace=units["w1"])
    LeadershipFactory(person=leader, workplace=units["w2"])
    PersonFactory(employee_number="1002", name="@Ærø", role="direktoer", workplace=None)
    PersonFactory(employee_number="1003", name="Åse", is_active=False, workplace=units["w3"])

    for kind in ("csv", "xlsx"):
        result = run_import(PersonResource, export_people(kind), kind=kind, user=hr, complete=True)
        assert (result.new, result.updated, result.deactivated) == (0, 0, 0), kind
        assert result.unchanged == 3


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_workplace_export_round_trips_with_parents(units, hr, kind):
    units["w3"].headcount = 1234
    units["w3"].save()
    dataset = WorkplaceResource().export(queryset=Workplace.objects.order_by("code"))
    formats = {fmt.title: fmt for fmt in WorkplaceResource.get_import_formats()}
    data = formats[kind]().export_data(dataset)

    result = run_import(WorkplaceResource, data, kind=kind, user=hr)

    assert (result.unchanged, result.new, result.updated) == (3, 0, 0)
    if kind == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet["E4"].value == 1234  # a number cell, not text


# --- the admin: permissions, dry run, confirm -----------------------------------------


def admin_url(model: str, view: str) -> str:
    return reverse(f"admin:programme_{model}_{view}")


@pytest.fixture
def staff(db):
    """Staff with every change permission on the HR models, but no import or export."""
    user = UserFactory(username="staff-uden-import", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="programme",
            codename__in=["view_person", "change_person", "view_workplace", "view_administration"],
        )
    )
    return user


@pytest.mark.parametrize("model", ["administration", "workplace", "person"])
def test_import_and_export_need_their_own_permissions(client, hr, staff, model):
    client.force_login(staff)
    assert client.get(admin_url(model, "import")).status_code == 403
    assert client.post(admin_url(model, "process_import")).status_code == 403
    assert client.get(admin_url(model, "export")).status_code == 403

    client.force_login(hr)
    assert client.get(admin_url(model, "import")).status_code == 200
    assert client.get(admin_url(model, "export")).status_code == 200


def test_import_permission_does_not_grant_export(client, staff):
    staff.user_permissions.add(Permission.objects.get(codename="import_person"))
    client.force_login(staff)

    assert client.get(admin_url("person", "import")).status_code == 200
    assert client.get(admin_url("person", "export")).status_code == 403


def test_hr_group_holds_the_import_and_export_permissions(hr):
    for model in ("administration", "workplace", "person"):
        assert hr.has_perm(f"programme.import_{model}")
        assert hr.has_perm(f"programme.export_{model}")


def test_import_page_documents_the_headers(client, hr):
    client.force_login(hr)

    people = client.get(admin_url("person", "import")).content.decode()
    workplaces = client.get(admin_url("workplace", "import")).content.decode()

    assert "Lønnummer" in people and "Tjenestenummer" in people
    assert "Komplet medarbejderliste" in people
    assert "Overordnet enhed" in workplaces
    assert "Komplet medarbejderliste" not in workplaces


def upload(client, model, data, name, *, kind="csv", **extra):
    index = {"csv": "0", "xlsx": "1"}[kind]
    return client.post(
        admin_url(model, "import"),
        {"import_file": SimpleUploadedFile(name, data), "format": index, "resource": "0", **extra},
    )


def test_admin_dry_run_then_confirm_imports_and_logs_the_run(
    client, hr, units, django_capture_on_commit_callbacks, monkeypatch
):
    PersonFactory(employee_number="1009", workplace=units["w3"])
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Søs Ærenlund", workplace="W1", role="leder"),
            person_row("1002", "Bo Åby", workplace="W2"),
        ]
    )
    client.force_login(hr)

    dry = upload(client, "person", data, "personale.csv", complete_list="on")

    assert dry.status_code == 200
    page = dry.content.decode()
    result = dry.context["result"]
    assert (result.new, result.updated, result.unchanged, result.deactivated) == (2, 0, 0, 1)
    assert '<td class="import-new">2</td>' in page
    assert '<td class="import-deactivated">1</td>' in page
    assert "Søs Ærenlund" in page
    assert not Person.objects.filter(employee_number="1001").exists()

    confirm = dry.context["confirm_form"]
    # Run the recount here rather than on a worker (with a broker configured, .delay()
    # would only queue it; tests/test_worker.py covers the real worker).
    monkeypatch.setattr(refresh_organisation_snapshot, "delay", refresh_organisation_snapshot.apply)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        done = client.post(admin_url("person", "process_import"), confirm.initial)

    assert done.status_code == 302
    assert done["Location"] == admin_url("person", "changelist")
    assert Person.objects.get(employee_number="1001").name == "Søs Ærenlund"
    assert not Person.objects.get(employee_number="1009").is_active
    run = ImportRun.objects.get()
    assert (run.file_name, run.imported_by, run.complete_list) == ("personale.csv", hr, True)
    assert (run.rows, run.new, run.deactivated) == (2, 2, 1)
    assert callbacks  # the organisation snapshot is recounted after the commit
    assert AdministrationSnapshot.objects.get(administration=units["bkf"]).people == 2
    assert "Importen er gennemført: 2 nye" in client.get(done["Location"]).content.decode()


def test_admin_xlsx_workplace_import_through_the_pages(client, hr, units):
    data = xlsx_bytes(
        [
            ["Kode", "Navn", "Forvaltningskode", "Overordnet enhed", "Normering"],
            ["N1", "Nyt Hus", "SSF", "W3", 14],
        ]
    )
    client.force_login(hr)

    dry = upload(client, "workplace", data, "enheder.xlsx", kind="xlsx")
    client.post(admin_url("workplace", "process_import"), dry.context["confirm_form"].initial)

    new = Workplace.objects.get(code="N1")
    assert (new.headcount, new.parent.code, new.administration.code) == (14, "W3", "SSF")


def test_admin_shows_every_bad_row_and_offers_no_confirm(client, hr, units):
    data = csv_bytes(
        [
            PEOPLE_HEADER,
            person_row("1001", "Ida", email="forkert"),
            person_row("1002", "Bo", workplace="Q"),
        ]
    )
    client.force_login(hr)

    response = upload(client, "person", data, "fejl.csv")

    page = response.content.decode()
    assert "confirm_form" not in response.context
    assert "2 rækker har fejl. Intet er importeret" in page
    assert "Ugyldig e-mailadresse «forkert»." in page
    assert "Ukendt arbejdsplads «Q»." in page
    upload_name = response.context["form"].cleaned_data["import_file"].tmp_storage_name
    assert not os.path.exists(os.path.join(tempfile.gettempdir(), upload_name))
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "kind", "message"),
    [
        (PNG, "billede.png", "csv", "Filen er et PNG-billede"),
        (PDF, "liste.csv", "csv", "Filen er en PDF-fil"),
        (b"PK\x03\x04 not really a zip", "liste.xlsx", "xlsx", "zip-arkivet er beskadiget"),
        (b"", "tom.csv", "csv", "Filen er tom."),
        (b"Hej;Med;Dig\r\n1;2;3\r\n", "forkert.csv", "csv", "Filen mangler de påkrævede"),
    ],
)
def test_admin_refuses_hostile_files_on_the_form(
    client, hr, data, name, kind, message, monkeypatch, tmp_path
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where uploads wait for confirm
    client.force_login(hr)

    response = upload(client, "person", data, name, kind=kind)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["import_file"])
    assert "confirm_form" not in response.context
    assert not Person.objects.exists()
    assert list(tmp_path.iterdir()) == []  # the refused upload is not left behind


def test_admin_confirm_with_a_tampered_form_is_refused_without_a_crash(client, hr):
    client.force_login(hr)

    response = client.post(
        admin_url("person", "process_import"),
        {"import_file_name": "x", "original_file_name": "x.csv", "format": "7", "resource": "0"},
    )

    assert response.status_code == 200
    assert "Bekræftelsen kunne ikke bruges." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_admin_refuses_an_oversize_upload(client, hr, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(hr)

    response = upload(client, "person", b"Medarbejdernummer;Navn\r\n" * 20, "stor.csv")

    assert "Filen er for stor" in str(response.context["form"].errors["import_file"])


def test_admin_export_downloads_escaped_csv_and_xlsx(client, hr, units):
    PersonFactory(employee_number="1001", name='=HYPERLINK("x")', workplace=units["w1"])
    client.force_login(hr)

    as_csv = client.post(admin_url("person", "export"), {"format": "0", "resource": "0"})
    as_xlsx = client.post(admin_url("person", "export"), {"format": "1", "resource": "0"})

    assert as_csv["Content-Disposition"].startswith('attachment; filename="personer-')
    assert "'=HYPERLINK" in as_csv.content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet["B2"].value == '\'=HYPERLINK("x")'


def test_readme_table_comes_from_the_same_column_definitions():
    markdown = columns_markdown()

    for column in PERSON_COLUMNS:
        assert f"| {column.label} |" in markdown
    assert "Medarb.nr., Medarbejdernr., Medarbejder nr., Lønnummer" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert {line.replace("\\|", "").count("|") for line in rows} == {5}
