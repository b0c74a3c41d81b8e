"""Background work for the organisation and the programme."""

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def refresh_organisation_snapshot() -> int:
    """Recount the organisation for the overviews; safe to run twice or concurrently."""
    return services.refresh_organisation_snapshot()
