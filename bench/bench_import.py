"""HR import of 45,000 people through the admin's code path, against a raw bulk_create.

The file is generated in memory as Danish Excel saves it (Windows-1252, ; separated, Danish
headers, æøå in names) for ~2,000 workplaces in 6 administrations. The import runs exactly
what the admin's confirm step runs: the format's `create_dataset` on the raw bytes, then the
resource's `import_data` with dry_run=False (header mapping, validation of every row,
natural-key upsert, row-error reporting, history rows, the ImportRun row).

The baseline builds the same 45,000 `Person` objects from already-parsed rows with resolved
workplace ids and saves them with `Person.objects.bulk_create` in one transaction.
"""

import gc
import random
import resource
import tracemalloc

from django.db import transaction

from bench.harness import Measurement, at_most, ratio_at_least, timed

PEOPLE = 45_000
WORKPLACES = 2_000
ADMINISTRATIONS = (
    ("BKF", "Børne- og Kulturforvaltningen"),
    ("SSF", "Social- og Sundhedsforvaltningen"),
    ("TMF", "Teknik- og Miljøforvaltningen"),
    ("OEF", "Økonomi- og Personaleforvaltningen"),
    ("BEF", "Beskæftigelsesforvaltningen"),
    ("BOF", "Borgerservice og Digitalisering"),
)
FIRST_NAMES = [
    "Anne",
    "Birthe",
    "Bjørn",
    "Søren",
    "Jørgen",
    "Mette",
    "Lærke",
    "Søs",
    "Åse",
    "Ærø",
    "Øystein",
    "Mads",
    "Frederik",
    "Ida",
    "Emma",
    "Freja",
    "Kasper",
    "Rasmus",
    "Mikkel",
    "Sofie",
    "Line",
    "Maja",
    "Jens",
    "Niels",
    "Karen",
    "Kirsten",
    "Hanne",
    "Ole",
    "Poul",
    "Lone",
    "Bodil",
    "Torben",
    "Henrik",
    "Louise",
    "Signe",
    "Astrid",
    "Asger",
    "Thorbjørn",
    "Gry",
    "Malene",
    "Dorthe",
    "Rikke",
    "Jesper",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Ærenlund",
    "Bækgaard",
    "Frøstrup",
    "Kjær",
    "Dalsgård",
    "Søndergaard",
    "Vestergård",
    "Holm",
    "Bøgh",
]
TITLES = (
    "Pædagog",
    "Lærer",
    "Social- og sundhedsassistent",
    "Sygeplejerske",
    "Kontorfuldmægtig",
    "Ingeniør",
    "Pædagogmedhjælper",
    "Rengøringsassistent",
    "Økonomikonsulent",
    "Specialkonsulent",
)
TARGET_RATIO = 0.25
TARGET_PEAK_MB = 500


def _ascii(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def build_organisation():
    """Create the administrations and workplaces the people file refers to."""
    from programme.models import Administration, Workplace

    administrations = Administration.objects.bulk_create(
        [Administration(code=code, name=name) for code, name in ADMINISTRATIONS]
    )
    rng = random.Random(7)
    kinds = ("Skole", "Børnehus", "Plejecenter", "Hjemmepleje", "Team", "Afdeling", "Klub")
    workplaces = Workplace.objects.bulk_create(
        [
            Workplace(
                code=f"E{n:05d}",
                name=f"{rng.choice(kinds)} {rng.choice(LAST_NAMES)} {n}",
                administration=administrations[n % len(administrations)],
                headcount=rng.randint(5, 60),
            )
            for n in range(WORKPLACES)
        ]
    )
    return {workplace.code: workplace.pk for workplace in workplaces}


def generate_people() -> list[tuple[str, ...]]:
    """45,000 people: a leader per workplace, some heads and directors, the rest staff."""
    rng = random.Random(2020)
    rows = []
    for n in range(PEOPLE):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        workplace = f"E{n % WORKPLACES:05d}"
        if n < WORKPLACES:
            role, title = "Leder", "Leder"
        elif n < WORKPLACES + 30:
            role, title = "Fagchef", "Fagchef"
        elif n < WORKPLACES + 36:
            role, title = "Direktør", "Direktør"
        else:
            role, title = "", rng.choice(TITLES)
        email = f"{_ascii(first)}.{_ascii(last)}{n}@kommune.dk"
        rows.append((f"{200000 + n}", f"{first} {last}", email, title, workplace, role, "ja"))
    return rows


def to_csv(rows) -> bytes:
    header = "Medarbejdernummer;Navn;E-mail;Stilling;Arbejdsplads;Rolle;Aktiv\r\n"
    body = "".join(";".join(row) + "\r\n" for row in rows)
    return (header + body).encode("cp1252")


def remove_people() -> None:
    """Empty the people tables without a signal or a history row per person."""
    from programme.models import Leadership, Person

    with transaction.atomic():
        for model in (Leadership.history.model, Leadership, Person.history.model, Person):
            model.objects.all()._raw_delete(model.objects.db)


def run() -> list[Measurement]:
    from programme.models import ImportRun, Person
    from programme.resources import PersonResource
    from tests.programme.factories import hr_user

    workplace_ids = build_organisation()
    user = hr_user()
    rows = generate_people()
    data = to_csv(rows)
    csv_format = PersonResource.get_import_formats()[0]
    roles = {"": "medarbejder", "Leder": "leder", "Fagchef": "fagchef", "Direktør": "direktoer"}

    def raw_bulk_create():
        with transaction.atomic():
            Person.objects.bulk_create(
                [
                    Person(
                        employee_number=number,
                        name=name,
                        email=email,
                        job_title=title,
                        workplace_id=workplace_ids[workplace],
                        role=roles[role],
                        is_active=True,
                    )
                    for number, name, email, title, workplace, role, _active in rows
                ]
            )

    results = {}

    def do_import():
        dataset = csv_format().create_dataset(data)
        result = PersonResource().import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            rollback_on_validation_errors=True,
            user=user,
            file_name="personale-45000.csv",
        )
        if result.has_errors() or result.has_validation_errors():
            raise AssertionError(f"the benchmark file does not import: {result.invalid_rows[:3]}")
        results["last"] = result

    raw_s = timed(raw_bulk_create, setup=remove_people, repeat=3)
    import_s = timed(do_import, setup=remove_people, repeat=2)
    first = results["last"]
    assert first.new == PEOPLE, first.totals
    assert Person.objects.count() == PEOPLE
    assert Person.history.count() == PEOPLE
    reimport_s = timed(do_import, repeat=2)
    again = results["last"]
    assert again.unchanged == PEOPLE and again.changes == 0, again.totals
    assert Person.history.count() == PEOPLE

    remove_people()
    gc.collect()
    tracemalloc.start()
    do_import()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mb = peak / (1024 * 1024)
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert ImportRun.objects.filter(rows=PEOPLE).exists()

    return [
        ratio_at_least(
            "import 45,000 people (new) vs raw bulk_create",
            import_s,
            raw_s,
            TARGET_RATIO,
            "bulk_create",
        ),
        ratio_at_least(
            "re-import the unchanged file vs raw bulk_create",
            reimport_s,
            raw_s,
            TARGET_RATIO,
            "bulk_create",
        ),
        at_most(
            "peak memory of the import (tracemalloc)",
            peak_mb,
            TARGET_PEAK_MB,
            "MB",
            f"process max RSS {max_rss_mb:.0f} MB; file {len(data) / 1e6:.1f} MB",
        ),
    ]
