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

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from programme.models import Administration, Programme

from .models import (
    Activity,
    AssignmentStatus,
    Input,
    InputSource,
    MatrixSnapshot,
    Submission,
    Theme,
    ThemeAssignment,
)

# Seconds between a change and the recompute it queues: a burst of changes costs one run.
DEBOUNCE_SECONDS = 5
# Snapshots kept per programme (the newest is read; a few older ones for comparison).
KEEP = 20
# How long changed workplaces wait for an update before the periodic recompute covers them.
DIRTY_SECONDS = 3600
FORMAT_VERSION = 1


def compute_detail(programme: Programme, workplace_ids=None) -> dict:
    """Return the per-workplace numbers the matrix is summed from, in three GROUP BYs.

    `pairs`: confirmed inputs per (theme, workplace); `workplaces`: per workplace its
    administration, inputs, inputs with a confirmed theme, and staff reached. At most
    themes × workplaces + workplaces entries, however many inputs there are. With
    `workplace_ids`, only those workplaces' entries (for an update after a change).
    """
    assignments = ThemeAssignment.objects.filter(
        status=AssignmentStatus.CONFIRMED, input__programme=programme
    )
    inputs = Input.objects.filter(programme=programme)
    activities = Activity.objects.filter(submission__programme=programme)
    if workplace_ids is not None:
        assignments = assignments.filter(input__workplace_id__in=workplace_ids)
        inputs = inputs.filter(workplace_id__in=workplace_ids)
        activities = activities.filter(submission__workplace_id__in=workplace_ids)
    pairs = {
        f"{theme_id}:{workplace_id}": count
        for theme_id, workplace_id, count in assignments.values_list(
            "theme_id", "input__workplace_id"
        )
        .annotate(n=Count("input_id", distinct=True))
        .order_by()
    }
    staff = dict(
        activities.values_list("submission__workplace_id")
        .annotate(staff=Sum("staff_participants"))
        .order_by()
    )
    workplaces = {
        str(workplace_id): [administration_id, total, processed, staff.get(workplace_id) or 0]
        for workplace_id, administration_id, total, processed in inputs.values_list(
            "workplace_id", "workplace__administration_id"
        )
        .annotate(
            total=Count("pk", distinct=True),
            processed=Count(
                "pk",
                distinct=True,
                filter=Q(theme_assignments__status=AssignmentStatus.CONFIRMED),
            ),
        )
        .order_by()
    }
    return {"pairs": pairs, "workplaces": workplaces}


def summarise(programme: Programme, detail: dict) -> dict:
    """Return the matrix's numbers (JSON-serialisable) summed from the detail."""
    themes = list(
        Theme.objects.filter(programme=programme, is_active=True)
        .order_by("position", "name")
        .values("id", "name", "kind", "parent_id")
    )
    administrations = list(Administration.objects.order_by("name").values("id", "code", "name"))
    places = detail["workplaces"]
    cells: dict[str, dict[str, int]] = defaultdict(
        lambda: {"inputs": 0, "workplaces": 0, "staff": 0}
    )
    for key, count in detail["pairs"].items():
        theme_id, workplace_id = key.split(":")
        administration_id, _total, _processed, staff = places[workplace_id]
        cell = cells[f"{theme_id}:{administration_id}"]
        cell["inputs"] += count
        cell["workplaces"] += 1
        cell["staff"] += staff
    return {
        "format": FORMAT_VERSION,
        "themes": themes,
        "administrations": administrations,
        "cells": dict(sorted(cells.items())),
        "inputs": sum(place[1] for place in places.values()),
        "processed": sum(place[2] for place in places.values()),
        "cross_cutting_min": programme.cross_cutting_min_administrations,
    }


def compute(programme: Programme) -> dict:
    """Return the matrix's numbers from the raw rows (five queries)."""
    return summarise(programme, compute_detail(programme))


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _advisory_lock(programme_id: int) -> None:
    """Hold a lock for this programme's recompute until the transaction ends (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one write transaction at a time
    key = zlib.crc32(b"clarification.matrix") << 20 | programme_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _store(programme, latest, detail) -> tuple[MatrixSnapshot, bool]:
    data = summarise(programme, detail)
    version = digest(data)
    if latest is not None and latest.source_version == version:
        return latest, False
    snapshot = MatrixSnapshot.objects.create(
        programme=programme,
        source_version=version,
        data=data,
        detail=detail,
        computed_at=timezone.now(),
    )
    # Keep a short history; the newest is what the pages read.
    stale = MatrixSnapshot.objects.filter(programme=programme).order_by("-computed_at")[KEEP:]
    MatrixSnapshot.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return snapshot, True


def recompute(programme: Programme) -> tuple[MatrixSnapshot, bool]:
    """Store the matrix's current numbers; return (the newest snapshot, whether it is new)."""
    with transaction.atomic():
        _advisory_lock(programme.pk)
        latest = _latest_with_detail(programme)
        return _store(programme, latest, compute_detail(programme))


def update(programme: Programme, workplace_ids) -> tuple[MatrixSnapshot, bool]:
    """Recount only the given workplaces on top of the newest snapshot (after a change).

    Without a snapshot to build on, a full recompute.
    """
    with transaction.atomic():
        _advisory_lock(programme.pk)
        latest = _latest_with_detail(programme)
        if latest is None or not latest.detail:
            return _store(programme, latest, compute_detail(programme))
        keys = {str(pk) for pk in workplace_ids}
        fresh = compute_detail(programme, workplace_ids=[int(pk) for pk in keys])
        pairs = {
            key: count
            for key, count in latest.detail["pairs"].items()
            if key.split(":", 1)[1] not in keys
        }
        pairs.update(fresh["pairs"])
        places = {k: v for k, v in latest.detail["workplaces"].items() if k not in keys}
        places.update(fresh["workplaces"])
        return _store(programme, latest, {"pairs": pairs, "workplaces": places})


def _latest_with_detail(programme) -> MatrixSnapshot | None:
    return MatrixSnapshot.objects.filter(programme=programme).order_by("-computed_at").first()


def _dirty_key(programme_id: int) -> str:
    return f"clarification:matrix:dirty:{programme_id}"


def mark_dirty(programme_id: int, workplace_ids) -> None:
    """Remember which workplaces changed, for the next update (a set in Redis)."""
    backend = caches["default"]
    key = _dirty_key(programme_id)
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        full_key = backend.make_and_validate_key(key)
        client.pipeline(transaction=False).sadd(full_key, *workplace_ids).expire(
            full_key, DIRTY_SECONDS
        ).execute()
    else:
        backend.set(key, set(backend.get(key) or ()) | set(workplace_ids), DIRTY_SECONDS)


def take_dirty(programme_id: int) -> set[int]:
    """Return and forget the workplaces that changed since the last update."""
    backend = caches["default"]
    key = _dirty_key(programme_id)
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        full_key = backend.make_and_validate_key(key)
        members, _deleted = (
            client.pipeline(transaction=True).smembers(full_key).delete(full_key).execute()
        )
        return {int(member) for member in members}
    found = set(backend.get(key) or ())
    backend.delete(key)
    return found


def schedule(programme_id: int, workplace_id: int | None) -> None:
    """After the current transaction commits, queue one update for the changed workplaces."""
    current = transaction.get_connection()
    for _savepoints, hook, _robust in current.run_on_commit:
        if getattr(hook, "matrix_programme", None) == programme_id:
            # A bulk confirmation of 500 inputs queues one update, not 500.
            hook.workplaces.add(workplace_id)
            return

    def queue():
        from .tasks import update_matrix

        mark_dirty(programme_id, queue.workplaces - {None})
        # One queued run per programme at a time; a change after it started queues anew.
        if cache.add(f"clarification:matrix:queued:{programme_id}", 1, DEBOUNCE_SECONDS):
            update_matrix.apply_async((programme_id,), countdown=DEBOUNCE_SECONDS)

    queue.matrix_programme = programme_id
    queue.workplaces = {workplace_id}
    transaction.on_commit(queue)


def on_change(sender, instance, created=False, **kwargs) -> None:
    """Signal receiver: an input, a theme assignment or an activity changed.

    A new anonymous input is the exception: a department sends hundreds within minutes
    through the QR code, and the run that makes their theme suggestions a few seconds
    later counts them all at once (processing.suggest_pending), instead of two cache
    round trips on the public form for each.
    """
    if sender is Input and created and instance.source == InputSource.ANONYMOUS:
        return
    if sender is Input:
        found = (instance.programme_id, instance.workplace_id)
    elif sender is ThemeAssignment:
        cached = instance._state.fields_cache.get("input")
        if cached is not None:
            found = (cached.programme_id, cached.workplace_id)
        else:
            found = (
                Input.objects.filter(pk=instance.input_id)
                .values_list("programme_id", "workplace_id")
                .first()
            )
    else:
        found = (
            Submission.objects.filter(pk=instance.submission_id)
            .values_list("programme_id", "workplace_id")
            .first()
        )
    if found is not None:
        schedule(*found)


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
    """The newest snapshot, without the per-workplace detail the pages do not need."""
    return (
        MatrixSnapshot.objects.filter(programme=programme)
        .defer("detail")
        .order_by("-computed_at")
        .first()
    )


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
