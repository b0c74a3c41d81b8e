"""Background work of the clarification phase."""

from celery import shared_task
from django.db import OperationalError

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
