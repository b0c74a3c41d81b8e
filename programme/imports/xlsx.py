"""Open an uploaded XLSX only after checking it cannot hurt us: zip bombs, DTDs, broken zips.

openpyxl itself parses with defusedxml (no entity expansion) and reads through zipfile,
which never unpacks more than a member's declared size; the checks here refuse a hostile
file before openpyxl sees it, with a message the user can act on.
"""

import codecs
import io
import warnings
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .errors import MAX_COLUMNS, MAX_ROWS, ImportFileError, megabytes

# XLSX: what the zip may declare it holds once unpacked, and how densely. Real HR sheets
# compress 5-20 times; a zip bomb compresses a thousand times.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1024 * 1024
XLSX_MAX_MEMBERS = 2_000
# A DTD may only stand in the prolog, before the root element; a prolog this long is hostile.
XML_PROLOG_LIMIT = 64 * 1024


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a broken zip, a zip bomb or XML with a DTD before openpyxl opens the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportFileError(
            _("Filen er ikke en gyldig Excel-fil (XLSX): zip-arkivet er beskadiget.")
        ) from None
    with archive:
        if len(members) > XLSX_MAX_MEMBERS:
            raise ImportFileError(_("Excel-filen indeholder usædvanligt mange dele og afvises."))
        unpacked = sum(member.file_size for member in members)
        if unpacked > XLSX_MAX_UNPACKED:
            raise ImportFileError(
                _(
                    "Excel-filen fylder %(size)s MB udpakket og afvises (højst %(limit)s MB). "
                    "Den kan være en såkaldt zip-bombe."
                )
                % {"size": megabytes(unpacked), "limit": megabytes(XLSX_MAX_UNPACKED)}
            )
        for member in members:
            dense = member.file_size > max(member.compress_size, 1) * XLSX_MAX_RATIO
            if member.file_size > XLSX_RATIO_FROM and dense:
                raise ImportFileError(
                    _(
                        "Excel-filen er pakket usædvanligt tæt (%(name)s) og afvises. Den kan "
                        "være en såkaldt zip-bombe."
                    )
                    % {"name": member.filename[:80]}
                )
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(
                _(
                    "Zip-filen er ikke en Excel-projektmappe (XLSX). Gem filen i Excel som "
                    "«Excel-projektmappe (*.xlsx)» eller som CSV."
                )
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(member) as stream:
                        _check_xml_prolog(stream)
                except (zipfile.BadZipFile, EOFError, OSError, RuntimeError):
                    raise ImportFileError(
                        _("Filen er ikke en gyldig Excel-fil (XLSX): zip-arkivet er beskadiget.")
                    ) from None


def _check_xml_prolog(stream) -> None:
    """Read an XML part up to its root element and refuse any DTD (entities, billion laughs).

    OOXML never uses a DTD, and openpyxl parses with defusedxml, which forbids entities but
    allows a plain DOCTYPE; refusing every DTD here is simpler to reason about.
    """
    buffer = b""
    while True:
        chunk = stream.read(8192)
        buffer += chunk
        verdict = _prolog_verdict(buffer, complete=not chunk)
        if verdict is not None:
            if verdict == "dtd":
                raise ImportFileError(
                    _(
                        "Excel-filen indeholder en XML-definition (DTD/entiteter), som ikke er "
                        "tilladt i importfiler. Gem filen igen fra Excel."
                    )
                )
            return
        if len(buffer) > XML_PROLOG_LIMIT:
            raise ImportFileError(_("Excel-filen har en usædvanlig XML-opbygning og afvises."))


def _prolog_verdict(buffer: bytes, *, complete: bool) -> str | None:
    """Return "dtd", "ok", or None when more bytes are needed."""
    if buffer.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = buffer.decode("utf-16", errors="ignore")
    else:
        text = buffer.decode("latin-1")
    text = text.removeprefix("\ufeff").removeprefix("ï»¿")
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        rest = text[position:]
        if not rest:
            return "ok" if complete else None
        for opener, closer in (("<?", "?>"), ("<!--", "-->")):
            if rest.startswith(opener):
                end = rest.find(closer, len(opener))
                if end < 0:
                    return "ok" if complete else None
                position += end + len(closer)
                break
        else:
            if len(rest) < 4 and not complete and "<!--".startswith(rest):
                return None
            return "dtd" if rest.startswith("<!") else "ok"


def xlsx_records(data: bytes) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it ignores (data validation, default styles).
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(
            _("Filen kunne ikke læses som Excel-fil (XLSX). Gem den igen fra Excel.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        number = 0
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    values = next(rows)
            except StopIteration:
                break
            except Exception:
                raise ImportFileError(
                    _("Excel-filen kunne ikke læses omkring række %(row)s.") % {"row": number + 1}
                ) from None
            number += 1
            if number > MAX_ROWS + 1_000:
                raise ImportFileError(
                    _("Filen har mere end %(max)s rækker. Del den op i mindre filer.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            yield number, list(values)
    finally:
        workbook.close()
