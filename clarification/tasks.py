"""Background work of the clarification phase."""

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError, transaction

from .services import processing


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def suggest_themes(input_id: int) -> bool:
    """Suggest themes for one input; a second or concurrent run changes nothing more."""
    return processing.suggest_for_input(input_id)


# Anonymous input arrives in bursts (a department at the QR code): one task makes the
# suggestions for all that waits, shortly after the first, instead of one per input.
# Whoever takes the guard (a key in the cache) queues the run; the run gives it back.
# The public form takes it just before it stores the input: one stored in the moment a run
# starts may miss that run, and waits for the next input's run or the beat (5 minutes).
PENDING_GUARD_KEY = "clarification:suggest:queued"
PENDING_DEBOUNCE_SECONDS = 5
PENDING_GUARD_SECONDS = PENDING_DEBOUNCE_SECONDS * 6
PENDING_MAX_BATCHES = 50


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def suggest_pending() -> int:
    """Suggest themes for every input still waiting; return how many were done.

    Also on the beat schedule, for what a lost message or a deploy left waiting.
    """
    # Let the next burst queue a run of its own while this one works through the queue.
    cache.delete(PENDING_GUARD_KEY)
    done = 0
    for _ in range(PENDING_MAX_BATCHES):
        batch = processing.suggest_pending()
        done += batch
        if batch < processing.SUGGEST_BATCH:
            break
    return done


def take_pending_guard() -> bool:
    """Take the guard of the pending-suggestions run; True if it was free (one round trip).

    On Redis the public form usually takes it within its rate-limit round trip
    (services.anonymous.ADMIT_SCRIPT); this is for the other cases.
    """
    return cache.add(PENDING_GUARD_KEY, 1, PENDING_GUARD_SECONDS)


def queue_pending_run() -> None:
    """After the commit, have a worker make the waiting suggestions soon (the caller took
    the guard, so at most one run is queued at a time)."""

    # robust: the input is stored; a broker hiccup must not turn the thank-you page into
    # an error (the beat runs suggest_pending every 5 minutes anyway).
    transaction.on_commit(
        lambda: suggest_pending.apply_async(countdown=PENDING_DEBOUNCE_SECONDS), robust=True
    )


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def recompute_matrix(programme_id: int | None = None) -> int:
    """Recompute the theme × administration matrix (one programme, or every active one).

    Returns how many new snapshots were stored: 0 when nothing changed since the last.
    """
    from programme.models import Programme

    from . import matrix

    programmes = Programme.objects.filter(is_active=True)
    if programme_id is not None:
        programmes = Programme.objects.filter(pk=programme_id)
    return sum(matrix.recompute(programme)[1] for programme in programmes)


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def update_matrix(programme_id: int) -> bool:
    """Recount the workplaces that changed since the last update; True if the numbers moved."""
    from programme.models import Programme

    from . import matrix

    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        return False
    changed = matrix.take_dirty(programme_id)
    if not changed:
        return matrix.recompute(programme)[1]
    return matrix.update(programme, changed)[1]
