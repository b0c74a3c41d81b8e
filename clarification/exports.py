"""Spreadsheets for direktionen's meeting papers: inputs, the matrix and the decisions.

CSV (UTF-8 with BOM, ";" — what Danish Excel opens) and XLSX, written by the HR export's
formats, with every text cell that a spreadsheet would run as a formula escaped. An
anonymous input carries nothing beyond its workplace and date, here as everywhere.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from programme.access import SMALL_GROUP_LIMIT
from programme.imports.formats import CSVFormat, XLSXFormat, escape_formula
from programme.models import Programme

from . import matrix
from .models import (
    AssignmentStatus,
    Decision,
    Input,
    InputSource,
    Synthesis,
    ThemeAssignment,
)

FORMATS = {"csv": CSVFormat, "xlsx": XLSXFormat}
CHUNK = 5000


def write(format_name: str, headers: list[str], rows: Iterable[list]) -> bytes:
    """Return the file in the format, every text cell escaped against formulae."""
    escaped = ([escape_formula(value) for value in row] for row in rows)
    return FORMATS[format_name]().write([escape_formula(h) for h in headers], escaped)


def inputs_table(programme: Programme, user) -> tuple[list[str], Iterator[list]]:
    headers = [
        _("Nr."),
        _("Forvaltning"),
        _("Arbejdsplads"),
        _("Kilde"),
        _("Type"),
        _("Overskrift"),
        _("Tekst"),
        _("Foreslået form"),
        _("Modtaget"),
        _("Bekræftede temaer"),
        _("Synteser"),
    ]
    inputs = Input.objects.for_user(user).filter(programme=programme)
    themes: dict[int, list[str]] = defaultdict(list)
    for input_id, name in (
        ThemeAssignment.objects.filter(input__in=inputs, status=AssignmentStatus.CONFIRMED)
        .order_by("theme__position", "theme__name")
        .values_list("input_id", "theme__name")
        .iterator(chunk_size=CHUNK)
    ):
        themes[input_id].append(name)
    groups: dict[int, list[str]] = defaultdict(list)
    for input_id, title in (
        Synthesis.inputs.through.objects.filter(input__in=inputs)
        .order_by("synthesis__title")
        .values_list("input_id", "synthesis__title")
        .iterator(chunk_size=CHUNK)
    ):
        groups[input_id].append(title)
    sources = {value: str(label) for value, label in InputSource.choices}

    def rows():
        for pk, administration, workplace, source, kind, title, text, form, day in (
            inputs.order_by("workplace__administration__name", "workplace__name", "pk")
            .values_list(
                "pk",
                "workplace__administration__name",
                "workplace__name",
                "source",
                "kind",
                "title",
                "text",
                "suggested_form",
                "submitted_on",
            )
            .iterator(chunk_size=CHUNK)
        ):
            yield [
                pk,
                administration,
                workplace,
                sources.get(source, source),
                _label(Input, "kind", kind),
                title,
                text,
                _label(Input, "suggested_form", form),
                day,
                ", ".join(themes.get(pk, [])),
                ", ".join(groups.get(pk, [])),
            ]

    return headers, rows()


def _label(model, field_name: str, value) -> str:
    return str(dict(model._meta.get_field(field_name).flatchoices).get(value, value))


def matrix_table(snapshot, *, administration_ids=None) -> tuple[list[str], list[list]]:
    """The matrix, one row per theme: inputs, workplaces and staff per administration."""
    table = matrix.rows(snapshot, administration_ids=administration_ids)
    headers = [_("Tema"), _("Tværgående"), _("Antal forvaltninger")]
    for column in table["columns"]:
        name = column["name"]
        headers += [
            _("%(name)s: input") % {"name": name},
            _("%(name)s: arbejdspladser") % {"name": name},
            _("%(name)s: medarbejdere") % {"name": name},
        ]
    rows = []
    for row in table["rows"]:
        line = [row.theme["name"], _("Ja") if row.cross_cutting else _("Nej"), row.administrations]
        for cell in row.cells:
            # Fewer than five people are never shown, not even in a spreadsheet.
            staff = (
                cell.staff
                if cell.staff >= SMALL_GROUP_LIMIT or not cell.staff
                else f"< {SMALL_GROUP_LIMIT}"
            )
            line += [cell.inputs, cell.workplaces, staff]
        rows.append(line)
    return headers, rows


def decisions_table(programme: Programme) -> tuple[list[str], list[list]]:
    headers = [
        _("Titel"),
        _("Type"),
        _("Status"),
        _("Begrundelse"),
        _("Temaer"),
        _("Synteser"),
        _("Forvaltninger"),
        _("Arbejdspladser"),
        _("Ansvarlig"),
        _("Anslået udgift (kr.)"),
        _("Opfølgningsdato"),
        _("Direktionsmøde"),
        _("Input (nr. og overskrift)"),
    ]
    decisions = (
        Decision.objects.filter(programme=programme)
        .select_related("owner", "meeting")
        .prefetch_related(
            "themes",
            "syntheses",
            "administrations",
            "workplaces",
            Prefetch("inputs", queryset=Input.objects.only("pk", "title").order_by("pk")),
        )
        .order_by("-created_at")
    )
    rows = []
    for decision in decisions:
        rows.append(
            [
                decision.title,
                decision.get_kind_display(),
                decision.get_state_display(),
                decision.rationale,
                ", ".join(t.name for t in decision.themes.all()),
                ", ".join(s.title for s in decision.syntheses.all()),
                ", ".join(a.name for a in decision.administrations.all()),
                ", ".join(w.name for w in decision.workplaces.all()),
                decision.owner.name if decision.owner else "",
                decision.estimated_cost,
                decision.review_on,
                str(decision.meeting) if decision.meeting else "",
                "; ".join(f"{i.pk}: {i.title}" for i in decision.inputs.all()),
            ]
        )
    return headers, rows
