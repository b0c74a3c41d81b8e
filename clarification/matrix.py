"""The cross-cutting matrix: themes × administrations, computed by Celery into snapshots.

A cell counts, for one theme and one administration, the inputs with that theme
*confirmed* by a person, the workplaces they came from and the staff those workplaces
reached in their step-2 activities. A theme is cross-cutting when it comes from at least
`Programme.cross_cutting_min_administrations` administrations.

Pages read the newest `MatrixSnapshot`, never the raw rows. `recompute()` builds the
numbers with a few GROUP BY queries and stores a snapshot only when they changed (the
digest of the numbers is its `source_version`), so running it twice stores one snapshot.
On PostgreSQL a transaction-level advisory lock per programme serialises recomputes; the
second waits, then finds the numbers unchanged. `schedule()` queues one recompute a few
seconds after a change (deduplicated in the cache), and beat recomputes periodically.
"""

import hashlib
import json
import zlib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from programme.models import Administration, Programme

from .models import (
    Activity,
    AssignmentStatus,
    Input,
    MatrixSnapshot,
    Submission,
    Theme,
    ThemeAssignment,
)

# Seconds between a change and the recompute it queues: a burst of changes costs one run.
DEBOUNCE_SECONDS = 5
FORMAT_VERSION = 1


def compute(programme: Programme) -> dict:
    """Return the matrix's numbers as plain data (JSON-serialisable), in six queries."""
    themes = list(
        Theme.objects.filter(programme=programme, is_active=True)
        .order_by("position", "name")
        .values("id", "name", "kind", "parent_id")
    )
    administrations = list(Administration.objects.order_by("name").values("id", "code", "name"))
    # (theme, workplace) pairs with their administration and number of inputs: at most
    # themes × workplaces rows, however many inputs there are.
    pairs = (
        ThemeAssignment.objects.filter(
            status=AssignmentStatus.CONFIRMED, input__programme=programme
        )
        .values_list("theme_id", "input__workplace_id", "input__workplace__administration_id")
        .annotate(inputs=Count("input_id", distinct=True))
        .order_by()
    )
    staff = dict(
        Activity.objects.filter(submission__programme=programme)
        .values_list("submission__workplace_id")
        .annotate(staff=Sum("staff_participants"))
        .order_by()
    )
    inputs = Input.objects.filter(programme=programme)
    total = inputs.count()
    processed = (
        inputs.filter(theme_assignments__status=AssignmentStatus.CONFIRMED).distinct().count()
    )
    cells: dict[str, dict[str, int]] = defaultdict(
        lambda: {"inputs": 0, "workplaces": 0, "staff": 0}
    )
    for theme_id, workplace_id, administration_id, inputs in pairs:
        cell = cells[f"{theme_id}:{administration_id}"]
        cell["inputs"] += inputs
        cell["workplaces"] += 1
        cell["staff"] += staff.get(workplace_id) or 0
    return {
        "format": FORMAT_VERSION,
        "themes": themes,
        "administrations": administrations,
        "cells": dict(sorted(cells.items())),
        "inputs": total,
        "processed": processed,
        "cross_cutting_min": programme.cross_cutting_min_administrations,
    }


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _advisory_lock(programme_id: int) -> None:
    """Hold a lock for this programme's recompute until the transaction ends (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one write transaction at a time
    key = zlib.crc32(b"clarification.matrix") << 20 | programme_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def recompute(programme: Programme) -> tuple[MatrixSnapshot, bool]:
    """Store the matrix's current numbers; return (the newest snapshot, whether it is new)."""
    with transaction.atomic():
        _advisory_lock(programme.pk)
        data = compute(programme)
        version = digest(data)
        latest = MatrixSnapshot.objects.filter(programme=programme).order_by("-computed_at").first()
        if latest is not None and latest.source_version == version:
            return latest, False
        snapshot = MatrixSnapshot.objects.create(
            programme=programme, source_version=version, data=data, computed_at=timezone.now()
        )
    return snapshot, True


def schedule(programme_id: int) -> None:
    """Queue one recompute for the programme after the current transaction commits."""
    current = transaction.get_connection()
    if any(
        getattr(hook, "matrix_programme", None) == programme_id
        for _savepoints, hook, _robust in current.run_on_commit
    ):
        return  # a bulk confirmation of 500 inputs queues one recompute, not 500

    def queue():
        from .tasks import recompute_matrix

        # One queued run per programme at a time; a change after it started queues anew.
        if cache.add(f"clarification:matrix:queued:{programme_id}", 1, DEBOUNCE_SECONDS):
            recompute_matrix.apply_async((programme_id,), countdown=DEBOUNCE_SECONDS)

    queue.matrix_programme = programme_id
    transaction.on_commit(queue)


@lru_cache(maxsize=1024)
def _programme_of_theme(theme_id: int) -> int | None:
    # A theme never moves to another programme.
    return Theme.objects.filter(pk=theme_id).values_list("programme_id", flat=True).first()


def on_change(sender, instance, **kwargs) -> None:
    """Signal receiver: an input, a theme assignment or an activity changed."""
    if sender is Activity:
        programme_id = (
            Submission.objects.filter(pk=instance.submission_id)
            .values_list("programme_id", flat=True)
            .first()
        )
    elif sender is ThemeAssignment:
        programme_id = _programme_of_theme(instance.theme_id)
    else:
        programme_id = instance.programme_id
    if programme_id is not None:
        schedule(programme_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        for model in (Input, ThemeAssignment, Activity):
            signal.connect(on_change, sender=model, dispatch_uid=f"matrix-{model.__name__}")


# --- Reading a snapshot for the pages --------------------------------------------------


@dataclass
class Cell:
    administration: dict
    inputs: int = 0
    workplaces: int = 0
    staff: int = 0
    heat: int = 0  # 0–4, for the colouring on top of the numbers

    @property
    def empty(self) -> bool:
        return not self.inputs


@dataclass
class ThemeRow:
    theme: dict
    cells: list[Cell]
    inputs: int
    administrations: int
    cross_cutting: bool


def latest(programme: Programme) -> MatrixSnapshot | None:
    return MatrixSnapshot.objects.filter(programme=programme).order_by("-computed_at").first()


def rows(snapshot: MatrixSnapshot, *, administration_ids: set[int] | None = None) -> dict:
    """Return the table: theme rows (cross-cutting first), columns and totals.

    `administration_ids` limits the columns (a fagchef sees their own); whether a theme is
    cross-cutting is still judged across all administrations.
    """
    data = snapshot.data
    columns = [
        a
        for a in data["administrations"]
        if administration_ids is None or a["id"] in administration_ids
    ]
    cells = data["cells"]
    peak = max((cell["inputs"] for cell in cells.values()), default=0)
    minimum = data["cross_cutting_min"]
    table = []
    for theme in data["themes"]:
        spread = [cells.get(f"{theme['id']}:{a['id']}") for a in data["administrations"]]
        reached = sum(1 for cell in spread if cell and cell["inputs"])
        row_cells = []
        for administration in columns:
            found = cells.get(f"{theme['id']}:{administration['id']}") or {}
            inputs = found.get("inputs", 0)
            row_cells.append(
                Cell(
                    administration=administration,
                    inputs=inputs,
                    workplaces=found.get("workplaces", 0),
                    staff=found.get("staff", 0),
                    heat=0 if not inputs or not peak else min(4, 1 + (4 * inputs - 1) // peak),
                )
            )
        table.append(
            ThemeRow(
                theme=theme,
                cells=row_cells,
                inputs=sum(cell.inputs for cell in row_cells),
                administrations=reached,
                cross_cutting=reached >= minimum,
            )
        )
    table.sort(key=lambda row: (not row.cross_cutting, -row.administrations, -row.inputs))
    return {
        "columns": columns,
        "rows": table,
        "cross_cutting": [row for row in table if row.cross_cutting],
        "minimum": minimum,
        "inputs": data["inputs"],
        "unprocessed": data["inputs"] - data["processed"],
        "computed_at": snapshot.computed_at,
    }
