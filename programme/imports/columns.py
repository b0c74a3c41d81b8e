"""The column headers HR files may use, defined once for the import page, the README and parsing.

Each model has one table of `Column`s. A header in a file matches a column when it equals the
column's label or one of its aliases after `header_key()`: case, whitespace, punctuation and
accents do not matter, and æ/ø/å may be written ae/oe/aa.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    """One column of an import file: the Danish header, its aliases and what goes in it."""

    key: str
    # The header our exports write; file headers are Danish whatever the admin's language.
    label: str
    aliases: tuple[str, ...]
    help: str
    required: bool = False
    # A required column may be replaced by all of these columns together (Fornavn + Efternavn).
    or_columns: tuple[str, ...] = ()


ACTIVE_HELP = _("ja/nej eller 1/0. Tom eller manglende kolonne betyder ja.")

ADMINISTRATION_COLUMNS = (
    Column(
        "code",
        "Kode",
        ("Forvaltningskode", "code"),
        _("Forvaltningens faste kode, fx BKF. Nøglen: samme kode opdaterer, ny kode opretter."),
        required=True,
    ),
    Column(
        "name",
        "Navn",
        ("Forvaltning", "Forvaltningsnavn", "name"),
        _("Forvaltningens fulde navn; skal være entydigt."),
        required=True,
    ),
    Column(
        "short_name",
        "Kort navn",
        ("Kortnavn", "Forkortelse", "short_name"),
        _("Valgfrit kort navn til oversigter."),
    ),
    Column("is_active", "Aktiv", ("is_active",), ACTIVE_HELP),
)

WORKPLACE_COLUMNS = (
    Column(
        "code",
        "Kode",
        ("Enhedskode", "Arbejdspladskode", "code"),
        _("Enhedens faste kode fra HR. Nøglen: samme kode opdaterer, ny kode opretter."),
        required=True,
    ),
    Column(
        "name",
        "Navn",
        ("Enhedsnavn", "Arbejdspladsnavn", "Arbejdsplads", "name"),
        _("Enhedens navn, fx Valhøj Skole."),
        required=True,
    ),
    Column(
        "administration",
        "Forvaltning",
        ("Forvaltningskode", "administration"),
        _("Forvaltningens kode (eller fulde navn). Forvaltningen skal være importeret først."),
        required=True,
    ),
    Column(
        "parent",
        "Overordnet enhed",
        ("Overordnet", "Overordnet enhedskode", "Overordnet kode", "parent"),
        _(
            "Kode på den overordnede enhed, eller tom. Må henvise til en enhed længere nede i "
            "samme fil."
        ),
    ),
    Column(
        "headcount",
        "Normering",
        ("Antal ansatte", "Ansatte", "headcount"),
        _("Antal ansatte som et helt tal, 0 eller derover. Tom betyder 0."),
    ),
    Column("is_active", "Aktiv", ("is_active",), ACTIVE_HELP),
)

PERSON_COLUMNS = (
    Column(
        "employee_number",
        "Medarbejdernummer",
        (
            "Medarb.nr.",
            "Medarbejdernr.",
            "Medarbejder nr.",
            "Lønnummer",
            "Lønnr.",
            "Tjenestenummer",
            "Tjenestenr.",
            "employee_number",
        ),
        _("Nøglen: samme nummer opdaterer personen, nyt nummer opretter en ny."),
        required=True,
    ),
    Column(
        "name",
        "Navn",
        ("Fulde navn", "Fuldt navn", "name"),
        _("Personens fulde navn."),
        required=True,
        or_columns=("first_name", "last_name"),
    ),
    Column(
        "first_name", "Fornavn", ("Fornavne",), _("Bruges sammen med Efternavn i stedet for Navn.")
    ),
    Column("last_name", "Efternavn", (), _("Bruges sammen med Fornavn i stedet for Navn.")),
    Column(
        "email",
        "E-mail",
        ("Mail", "E-mailadresse", "Arbejdsmail", "email"),
        _("Arbejdsmail; tom er tilladt."),
    ),
    Column(
        "job_title",
        "Stilling",
        ("Stillingsbetegnelse", "Jobtitel", "Titel", "job_title"),
        _("Stillingsbetegnelse."),
    ),
    Column(
        "workplace",
        "Arbejdsplads",
        ("Enhed", "Enhedskode", "Arbejdspladskode", "Arbejdssted", "workplace"),
        _("Arbejdspladsens kode. Arbejdspladsen skal være importeret først. Tom: ingen."),
    ),
    Column(
        "role",
        "Rolle",
        ("Rolle i forløbet", "role"),
        _(
            "direktør, fagchef, leder eller medarbejder. Tom betyder medarbejder. Uden "
            "kolonnen beholder eksisterende personer deres rolle."
        ),
    ),
    Column(
        "leads",
        "Leder for",
        ("Leder af", "leads"),
        _(
            "Koder på de arbejdspladser, personen leder, adskilt af komma eller |. Tom: en "
            "leder leder sin egen arbejdsplads."
        ),
    ),
    Column("is_active", "Aktiv", ("is_active",), ACTIVE_HELP),
)

COLUMN_TABLES = {
    "administration": ADMINISTRATION_COLUMNS,
    "workplace": WORKPLACE_COLUMNS,
    "person": PERSON_COLUMNS,
}


def header_key(text: object) -> str:
    """Reduce a header to the letters and digits that identify it."""
    text = unicodedata.normalize("NFC", str(text or "")).strip().casefold()
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", text)


def _alias_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    index = {}
    for column in columns:
        for name in (column.label, *column.aliases):
            index[header_key(name)] = column
    return index


@dataclass
class HeaderMap:
    """How the headers of one file map to columns."""

    keys: list[str | None]  # per file column: the column key, or None when ignored
    labels: dict[str, str]  # column key -> the header as written in the file
    ignored: list[str]
    duplicates: dict[str, list[str]]  # column key -> the headers that all mean it
    missing: list[Column]

    @property
    def present(self) -> frozenset[str]:
        return frozenset(self.labels)


def map_headers(headers: list[object], columns: tuple[Column, ...]) -> HeaderMap:
    """Match a file's headers to a column table."""
    index = _alias_index(columns)
    keys: list[str | None] = []
    labels: dict[str, str] = {}
    seen: dict[str, list[str]] = {}
    ignored = []
    for header in headers:
        text = str(header if header is not None else "").strip()
        column = index.get(header_key(text))
        if column is None:
            keys.append(None)
            if text:
                ignored.append(text)
            continue
        seen.setdefault(column.key, []).append(text)
        if column.key in labels:
            keys.append(None)
            continue
        labels[column.key] = text
        keys.append(column.key)
    present = set(labels)
    missing = [
        column
        for column in columns
        if column.required
        and column.key not in present
        and not (column.or_columns and present.issuperset(column.or_columns))
    ]
    duplicates = {key: names for key, names in seen.items() if len(names) > 1}
    return HeaderMap(keys, labels, ignored, duplicates, missing)


def required_text(column: Column, columns: tuple[Column, ...]) -> str:
    """Describe a required column for a message: «Navn» (eller «Fornavn» og «Efternavn»)."""
    if not column.or_columns:
        return f"«{column.label}»"
    by_key = {c.key: c for c in columns}
    alternatives = " og ".join(f"«{by_key[key].label}»" for key in column.or_columns)
    return f"«{column.label}» (eller {alternatives})"


def columns_markdown() -> str:
    """Render every column table as the Markdown section of the README."""
    titles = {
        "administration": "Forvaltninger",
        "workplace": "Arbejdspladser",
        "person": "Personer",
    }
    lines = []
    for name, columns in COLUMN_TABLES.items():
        lines += [
            f"#### {titles[name]}",
            "",
            "| Kolonne | Andre accepterede overskrifter | Påkrævet | Indhold |",
            "|---|---|---|---|",
        ]
        for column in columns:
            aliases = ", ".join(a for a in column.aliases if a != column.key) or "–"
            if column.required:
                required = (
                    "ja"
                    if not column.or_columns
                    else "ja, eller "
                    + " + ".join(c.label for c in columns if c.key in column.or_columns)
                )
            else:
                required = "nej"
            cells = (column.label, aliases, required, str(column.help))
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)
