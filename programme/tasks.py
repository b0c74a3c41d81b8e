"""Background work for the organisation and the programme."""

from collections import Counter

from celery import shared_task

from . import reminders, services


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def refresh_organisation_snapshot() -> int:
    """Recount the organisation for the overviews; safe to run twice or concurrently."""
    return services.refresh_organisation_snapshot()


@shared_task
def sweep_reminders() -> dict[str, int]:
    """Create the reminders that are due and queue the send tasks for them."""
    return reminders.sweep().as_dict()


@shared_task
def send_reminder(delivery_id: int) -> str:
    """Send one reminder e-mail; a second or concurrent run of the same id does nothing."""
    return reminders.send_delivery(delivery_id).value


@shared_task
def send_reminders(delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of reminder e-mails, each claimed on its own; safe to run twice."""
    return dict(Counter(reminders.send_delivery(pk).value for pk in delivery_ids))
