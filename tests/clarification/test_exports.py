"""Exports for direktionen's meeting papers: access, content and formula escaping."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from clarification import matrix
from clarification.models import (
    AssignmentStatus,
    Decision,
    DecisionKind,
    Synthesis,
    ThemeAssignment,
)
from tests.clarification.factories import (
    ActivityFactory,
    AnonymousInputFactory,
    InputFactory,
    SubmissionFactory,
)
from tests.clarification.test_matrix import theme

HOSTILE = '=HYPERLINK("http://x")'


@pytest.fixture
def papers(org, programme):
    social = theme(programme, "Social kapital")
    submission = SubmissionFactory(programme=programme, workplace=org["wa1"])
    ActivityFactory(submission=submission, staff_participants=3)
    hostile = InputFactory(submission=submission, title=HOSTILE, text="+SUM(1)")
    ThemeAssignment.objects.create(
        input=hostile, theme=social, status=AssignmentStatus.CONFIRMED, suggested=False
    )
    AnonymousInputFactory(programme=programme, workplace=org["wb1"], title="@anonymt")
    group = Synthesis.objects.create(programme=programme, title="-Tid til sparring")
    group.inputs.add(hostile)
    decision = Decision.objects.create(
        programme=programme, title="=Kursus", kind=DecisionKind.COURSE, rationale="\tFordi"
    )
    decision.inputs.add(hostile)
    matrix.recompute(programme)
    return {"programme": programme, "input": hostile, **org}


def read(response, fmt):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("what", ["input", "matrix", "beslutninger"])
def test_every_text_cell_that_looks_like_a_formula_is_escaped(client, users, papers, what, fmt):
    client.force_login(users["direktion"])

    response = client.get(reverse("clarification:export", args=[what, fmt]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    cells = [str(value) for row in read(response, fmt) for value in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    if what == "input":
        assert f"'{HOSTILE}" in cells and "'+SUM(1)" in cells and "'-Tid til sparring" in cells
        assert "Social kapital" in cells
        assert "Anonymt fra en medarbejder" in cells
    if what == "beslutninger":
        assert "'=Kursus" in cells and "'\tFordi" in cells
        # Inside a cell that starts with the input's number a formula cannot run.
        assert f"{papers['input'].pk}: {HOSTILE}" in cells


def test_matrix_export_suppresses_small_staff_counts(client, users, papers):
    client.force_login(users["hr"])

    rows = read(client.get(reverse("clarification:export", args=["matrix", "csv"])), "csv")

    header, social = rows[0], rows[1]
    assert social[0] == "Social kapital"
    staff = header.index(f"{papers['admin_a'].name}: medarbejdere")
    assert social[staff - 2 : staff + 1] == ["1", "1", "< 5"]  # 3 staff reached: suppressed


@pytest.mark.parametrize("role", ["fagchef", "leder", "medarbejder"])
def test_only_hr_and_direktion_export(client, users, papers, role):
    client.force_login(users[role])

    assert client.get(reverse("clarification:export", args=["input", "csv"])).status_code == 403


def test_unknown_exports_are_not_found(client, users, papers):
    client.force_login(users["hr"])

    assert client.get(reverse("clarification:export", args=["personer", "csv"])).status_code == 404
    assert client.get(reverse("clarification:export", args=["input", "pdf"])).status_code == 404
