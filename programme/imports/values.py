"""Read and check the values in the rows of an HR file; every complaint is Danish."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from programme.models import Role

from .bulk import FileRow, Plan
from .columns import header_key

ACTIVE_WORDS = {
    "ja": True,
    "j": True,
    "1": True,
    "x": True,
    "true": True,
    "sand": True,
    "yes": True,
    "aktiv": True,
    "nej": False,
    "n": False,
    "0": False,
    "false": False,
    "falsk": False,
    "no": False,
    "inaktiv": False,
}
LEADS_SEPARATOR = re.compile(r"[,|;]")
INTEGER = re.compile(r"[+-]?\d+")


def yes_no(value: bool) -> str:
    return "ja" if value else "nej"


def parse_active(text: str) -> bool | None:
    """Read the Aktiv column: empty means yes; None means the value is not understood."""
    if not text:
        return True
    active = ACTIVE_WORDS.get(text)  # the common case, without normalising 45,000 times
    return active if active is not None else ACTIVE_WORDS.get(header_key(text))


def role_labels() -> dict[str, str]:
    """The Danish labels of the roles, whatever language the admin is in."""
    with translation.override("da"):
        return {value: str(label) for value, label in Role.choices}


def role_lookup() -> dict[str, str]:
    """Map role codes and Danish labels, as typed and as `header_key()` reads them, to codes."""
    lookup = {}
    for value, label in role_labels().items():
        for text in (value, label, label.lower()):
            lookup[text] = value
            lookup[header_key(text)] = value
    lookup["direktor"] = Role.DIRECTOR  # "direktør" typed without ø
    return lookup


def join_rows(numbers: list[int]) -> str:
    """List row numbers the Danish way: "3", "3 og 7", "3, 7 og 12"."""
    texts = [str(n) for n in numbers]
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + " " + _("og") + " " + texts[-1]


def check_length(plan: Plan, row: FileRow, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        plan.error(
            row,
            _("%(column)s er for lang (%(length)s tegn; højst %(max)s).")
            % {"column": label, "length": len(value), "max": limit},
        )


def find_duplicates(rows: list[FileRow], key: str) -> tuple[dict[str, list[int]], set[str]]:
    """Return the values of `key` that occur on more than one row, and all values seen."""
    positions: dict[str, list[int]] = {}
    for row in rows:
        value = row.values.get(key, "")
        if value:
            positions.setdefault(value, []).append(row.number)
    return {v: numbers for v, numbers in positions.items() if len(numbers) > 1}, set(positions)


def duplicate_error(plan: Plan, row: FileRow, label: str, value: str, numbers: list[int]) -> None:
    plan.error(
        row,
        _("%(column)s «%(value)s» står flere gange i filen (række %(rows)s).")
        % {"column": label, "value": value, "rows": join_rows(numbers)},
    )


def parse_headcount(plan: Plan, row: FileRow, text: str) -> int:
    if not text:
        return 0
    if not INTEGER.fullmatch(text):
        plan.error(row, _("Normering skal være et helt tal, ikke «%(value)s».") % {"value": text})
        return 0
    value = int(text)
    if value < 0:
        plan.error(row, _("Normering kan ikke være negativ (%(value)s).") % {"value": value})
    elif value > 2_147_483_647:
        plan.error(row, _("Normering er urimeligt stor (%(value)s).") % {"value": value})
    return value


def active_or_error(plan: Plan, row: FileRow) -> bool:
    text = row.values.get("is_active", "")
    active = parse_active(text)
    if active is None:
        plan.error(
            row,
            _("Ugyldig værdi «%(value)s» i «Aktiv». Brug ja eller nej (eller 1 eller 0).")
            % {"value": text},
        )
        return True
    return active
