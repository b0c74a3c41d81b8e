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
