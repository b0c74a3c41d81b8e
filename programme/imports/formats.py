"""Read HR files (CSV as Excel and HR systems write them, XLSX) and write our exports.

Import formats read raw bytes, not text: the admin would otherwise decode every upload as
UTF-8, which turns a Danish Excel CSV (Windows-1252) into an error or into mojibake. We
recognise the file by its content, decode it ourselves, sniff the delimiter and refuse
anything that is not plainly a spreadsheet before a parser touches it.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats.base_formats import Format

from .columns import Column, map_headers, required_text
from .errors import MAX_COLUMNS, MAX_ROWS, ImportFileError, megabytes
from .xlsx import check_xlsx_archive, xlsx_records

CSV_MAX_LINE = 1_000_000

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"%PDF", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
    (b"{\\rtf", "rtf"),
)
TEXT_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# æ ø å Æ Ø Å (and é) written as UTF-8 and read back as Windows-1252: a file that was
# converted twice. Importing it would store the garbage, so we stop and say so.
MOJIBAKE = re.compile("Ã[¦¸¥†˜…©]")


def describe_kind(kind: str) -> str:
    return {
        "zip": _("en zip-fil (fx en Excel-fil i XLSX-format)"),
        "ole": _("en fil i det gamle Excel-format (.xls) eller en krypteret Excel-fil"),
        "pdf": _("en PDF-fil"),
        "png": _("et PNG-billede"),
        "jpeg": _("et JPEG-billede"),
        "gif": _("et GIF-billede"),
        "gzip": _("en komprimeret fil (gzip)"),
        "7z": _("en komprimeret fil (7-Zip)"),
        "rar": _("en komprimeret fil (RAR)"),
        "rtf": _("et tekstdokument (RTF)"),
        "binary": _("en binær fil, ikke tekst"),
    }.get(kind, kind)


def sniff_kind(data: bytes) -> str:
    """Name what the bytes are by their signature: a magic kind, "text" or "binary"."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if any(data.startswith(bom) for bom, _encoding in TEXT_BOMS):
        return "text"
    # Text files never hold NUL bytes unless they are UTF-16/32, which carry a BOM.
    return "binary" if b"\x00" in data[:8192] else "text"


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _("Filen er for stor (%(size)s MB). Den største tilladte størrelse er %(limit)s MB.")
            % {"size": megabytes(size), "limit": megabytes(limit)}
        )


# --- Cells and datasets ----------------------------------------------------------------


def clean_cell(value: object) -> str:
    """Turn a cell from any reader into stripped, NFC-normalised text."""
    if type(value) is str:
        text = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "ja" if value else "nej"
    elif isinstance(value, float) and value.is_integer():
        # Excel stores every number as a float: employee number 1234 arrives as 1234.0.
        return str(int(value))
    elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    else:
        text = str(value).strip()
    if not text:
        return text
    if text[0] == "'" and len(text) > 1 and text[1] in "=+-@\t\r":
        # Undo our own export escaping, so an exported file imports to the same values.
        text = text[1:].strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def build_dataset(
    records: Iterable[tuple[int, list]], columns: tuple[Column, ...] | None
) -> tablib.Dataset:
    """Build a dataset from numbered records; the first non-empty record holds the headers.

    The dataset carries `source_rows` (each data row's number as Excel shows it), and, when
    `columns` is given, column keys as headers, `header_map` and `row_problems`.
    """
    records = iter(records)
    header = None
    for _number, cells in records:
        if any(clean_cell(cell) for cell in cells):
            header = [clean_cell(cell) for cell in cells]
            break
    if header is None:
        raise ImportFileError(_("Filen er tom."))
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            _("Filen har %(count)s kolonner; højst %(max)s er tilladt.")
            % {"count": len(header), "max": MAX_COLUMNS}
        )

    header_map = None
    if columns is not None:
        header_map = map_headers(header, columns)
        check_headers(header_map, columns)
        picks = [index for index, key in enumerate(header_map.keys) if key]
        headers = [header_map.keys[index] for index in picks]
    else:
        picks = list(range(len(header)))
        headers = header

    width = len(header)
    rows = []
    source_rows = []
    problems: dict[int, list[str]] = {}
    for number, cells in records:
        values = [clean_cell(cell) for cell in cells[:width]]
        extra = len(cells) > width and any(
            cell is not None and clean_cell(cell) for cell in cells[width:]
        )
        if not any(values) and not extra:
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("Filen har mere end %(max)s rækker. Del den op i mindre filer.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        if extra:
            problems[len(rows)] = [
                _(
                    "Rækken har værdier i kolonner uden overskrift. I en CSV-fil skyldes det "
                    "ofte et skilletegn (; eller ,) i en værdi uden anførselstegn."
                )
            ]
        if len(values) < width:
            values += [""] * (width - len(values))
        rows.append([values[index] for index in picks])
        source_rows.append(number)

    if not rows:
        raise ImportFileError(_("Filen har en overskriftsrække, men ingen rækker med data."))
    dataset = tablib.Dataset(*rows, headers=headers)
    dataset.source_rows = source_rows
    dataset.row_problems = problems
    dataset.header_map = header_map
    return dataset


def check_headers(header_map, columns: tuple[Column, ...]) -> None:
    if header_map.duplicates:
        key, names = next(iter(header_map.duplicates.items()))
        raise ImportFileError(
            _("Kolonnen %(column)s står flere gange i filen (%(names)s). Fjern den ene.")
            % {
                "column": next(f"«{c.label}»" for c in columns if c.key == key),
                "names": ", ".join(f"«{name}»" for name in names),
            }
        )
    if header_map.missing:
        found = ", ".join(f"«{name}»" for name in header_map.labels.values()) or _("ingen")
        raise ImportFileError(
            _(
                "Filen mangler de påkrævede kolonner: %(missing)s. Overskriften skal stå i "
                "første række. Genkendte kolonner: %(found)s."
            )
            % {
                "missing": ", ".join(required_text(c, columns) for c in header_map.missing),
                "found": found,
            }
        )


# --- CSV -------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode a CSV file: BOM first, then strict UTF-8, then Windows-1252."""
    text = None
    for bom, encoding in TEXT_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise ImportFileError(
                    _("Filen siger, at den er %(encoding)s, men indeholder ugyldige tegn.")
                    % {"encoding": encoding.upper().removesuffix("-SIG")}
                ) from None
            break
    if text is None:
        # Valid UTF-8 is almost never Windows-1252 text with æøå by accident.
        for encoding in ("utf-8", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:1_000_000]).best()
        if best is None:
            raise ImportFileError(
                _("Filens tegnsæt kunne ikke genkendes. Gem filen som «CSV UTF-8» i Excel.")
            )
        text = data.decode(best.encoding, errors="replace")
    text = text.removeprefix("\ufeff")
    if MOJIBAKE.search(text[:2_000_000]):
        raise ImportFileError(
            _(
                "Filen indeholder forvanskede bogstaver (fx «Ã¸» i stedet for «ø»): den er "
                "blevet konverteret forkert. Gem den igen fra HR-systemet eller Excel."
            )
        )
    return text


def sniff_delimiter(text: str) -> str:
    """Pick ;, tab or , by counting them outside quotes in the header line."""
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            if started:
                break
            continue
        elif not quoted and char in counts:
            counts[char] += 1
        started = True
    # On a tie, prefer ; (Danish Excel) over tab over ,.
    return max(counts, key=lambda d: counts[d])


def csv_records(text: str) -> Iterator[tuple[int, list]]:
    first, _newline, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        # Excel's own hint line ("sep=;"): it names the delimiter and Excel does not show it
        # as a row, so the header after it is row 1.
        delimiter, text = first.strip()[4], rest
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, 1):
            yield number, cells
    except csv.Error as error:
        raise ImportFileError(
            _("Filen kunne ikke læses som CSV omkring række %(row)s: %(error)s")
            % {"row": number + 1, "error": error}
        ) from None


def _bounded_lines(text: str) -> Iterator[str]:
    """Yield the lines of the text, refusing one so long that the parser's row would explode.

    A 25 MB line of semicolons is one row of 25 million fields to the csv module.
    """
    for line in io.StringIO(text, newline=""):
        if len(line) > CSV_MAX_LINE:
            raise ImportFileError(
                _("Filen har en linje på over %(max)s tegn og ligner ikke en HR-fil.")
                % {"max": f"{CSV_MAX_LINE:,}".replace(",", ".")}
            )
        yield line


# --- Formats for django-import-export --------------------------------------------------


def escape_formula(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SpreadsheetFormat(Format):
    """A format that reads raw bytes and escapes formulae on export.

    `columns` binds the format to one model's header table (see `bound_to`), so that missing
    headers are reported on the upload form rather than as a failed import.
    """

    title = ""
    extension = ""
    content_type = "application/octet-stream"
    columns: tuple[Column, ...] | None = None

    def __init__(self, encoding=None):
        # The admin passes its fixed encoding; we detect the encoding from the bytes.
        self.encoding = encoding

    @classmethod
    def bound_to(cls, columns: tuple[Column, ...]) -> type["SpreadsheetFormat"]:
        return type(cls.__name__, (cls,), {"columns": columns})

    def get_title(self):
        return self.title

    def get_extension(self):
        return self.extension

    def get_content_type(self):
        return self.content_type

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return True

    def create_dataset(self, in_stream):
        data = in_stream if isinstance(in_stream, bytes) else bytes(in_stream)
        check_size(len(data))
        if not data.strip():
            raise ImportFileError(_("Filen er tom."))
        return build_dataset(self.records(data, sniff_kind(data[:8192])), self.columns)

    def records(self, data: bytes, kind: str) -> Iterator[tuple[int, list]]:
        raise NotImplementedError

    def export_data(self, dataset, **kwargs):
        rows = ([escape_formula(value) for value in row] for row in dataset)
        return self.write([escape_formula(h) for h in dataset.headers or []], rows)

    def write(self, headers: list, rows: Iterable[list]) -> bytes:
        raise NotImplementedError


class CSVFormat(SpreadsheetFormat):
    """CSV separated by ; , or tab, in UTF-8 (with or without BOM), UTF-16 or Windows-1252.

    Exports are UTF-8 with a BOM, ; separated, CRLF: what Danish Excel opens by a double
    click with æøå intact, and what this import reads back unchanged.
    """

    title = "csv"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def records(self, data, kind):
        if kind == "zip":
            raise ImportFileError(
                _(
                    "Filen er en Excel-fil (XLSX), ikke en CSV-fil. Vælg formatet «xlsx», eller "
                    "gem filen som CSV."
                )
            )
        if kind != "text":
            raise ImportFileError(
                _("Filen er %(kind)s, ikke en CSV-fil. Upload en CSV- eller XLSX-fil.")
                % {"kind": describe_kind(kind)}
            )
        return csv_records(decode_text(data))

    def write(self, headers, rows):
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow("" if value is None else value for value in row)
        return buffer.getvalue().encode("utf-8")


class XLSXFormat(SpreadsheetFormat):
    """Excel workbooks (first sheet), checked for zip bombs and DTDs before parsing."""

    title = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def records(self, data, kind):
        if kind == "text":
            raise ImportFileError(
                _("Filen er en tekstfil (fx CSV), ikke en Excel-fil (XLSX). Vælg formatet «csv».")
            )
        if kind == "ole":
            raise ImportFileError(
                _(
                    "Filen er i det gamle Excel-format (.xls) eller krypteret med adgangskode. "
                    "Gem den som «Excel-projektmappe (*.xlsx)» uden adgangskode."
                )
            )
        if kind != "zip":
            raise ImportFileError(
                _("Filen er %(kind)s, ikke en Excel-fil (XLSX).") % {"kind": describe_kind(kind)}
            )
        check_xlsx_archive(data)
        return xlsx_records(data)

    def write(self, headers, rows):
        import openpyxl
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(headers)
        for row in rows:
            sheet.append(
                [
                    ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
                    for value in row
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
