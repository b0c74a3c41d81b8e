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
