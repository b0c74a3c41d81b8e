"""Reminder e-mails relative to a date: the audience registry, the sweep and the sender.

A `ReminderRule` names an audience, an anchor object whose date the rule is relative to,
an offset in days, a time of day (Danish time) and the e-mail HR writes. Audiences are
registered in code by the apps that know the people (`register(Audience(...))` from an
app's `ready()`): each knows its anchor model, the anchor's date and who receives what.

The beat task `sweep_reminders` runs `sweep()` every few minutes. It

1. marks claims a dead worker left behind as "uncertain" (below);
2. computes each active rule's due time from the anchor's *current* date, so a moved
   date moves every reminder that has not fallen due, and creates the rule's
   deliveries once per due time: one `ReminderDelivery` row per recipient, inserted
   with ON CONFLICT DO NOTHING under the unique (rule, recipient_key);
3. queues the pending deliveries that are due: locks them (FOR UPDATE SKIP LOCKED, so
   concurrent sweeps take disjoint rows), stamps `queued_at` and, after the commit,
   fans out one `send_reminders` task per SEND_BATCH rows (see there why not one per
   row). A row whose message was lost (broker restart) is queued again after
   REQUEUE_AFTER.

`send_delivery()`, run for each delivery of a task, claims its row with a conditional
UPDATE (pending → sending) and goes on only if it got the row, so a task run twice,
concurrently or redelivered after a crash sends each e-mail once.

Guarantees
----------
* Never two e-mails for one rule to one recipient: the unique row is created once, and
  only the worker whose claim succeeded hands it to the mail server.
* **At most once.** SMTP cannot tell a crash after the hand-off from one before it. A
  worker killed between the claim and "sent" leaves the row "sending"; after
  STALE_CLAIM_AFTER the sweep marks it "uncertain", shows it to HR and never resends it.
  HR decides (the person can be contacted, or the rule sent again to new recipients).
* A failure raised by the mail backend is "not sent": the row goes back to pending with
  exponential backoff and ends "failed" after MAX_ATTEMPTS, visible to HR, who can try
  the failed ones again from the admin.
* A due time older than GRACE when first seen (a fresh install, a sweep that was down
  for days) is skipped and logged, not sent late.
* A delivery row, once created, is sent to completion even if the date moves
  afterwards; it was due when it was created.
"""

import datetime
import json
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from email.headerregistry import Address
from enum import StrEnum
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.db import connection, models, transaction
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import DeliveryStatus, ReminderDelivery, ReminderRule

logger = logging.getLogger(__name__)

# Reminder times are Danish wall-clock times, across summer and winter time.
REMINDER_TIME_ZONE = zoneinfo.ZoneInfo("Europe/Copenhagen")
# A due time first seen later than this is skipped, not sent late.
GRACE = datetime.timedelta(days=2)
# A queued delivery still pending after this is queued again (its message was lost).
# Longer than the time a worker needs to drain a whole sweep (45,000 rows: ~4 min).
REQUEUE_AFTER = datetime.timedelta(minutes=15)
# A claim older than this belongs to a dead worker: sending takes seconds (SMTP timeout).
STALE_CLAIM_AFTER = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 6
BACKOFF_CAP = datetime.timedelta(hours=1)
BATCH_SIZE = 2000
# Deliveries per send task. A Celery message costs about 4 ms of Celery, kombu and redis-py
# work in the worker here (more than claiming, rendering and handing over the e-mail), so
# one task per e-mail holds one worker process near 100 e-mails/s; in batches of 50 it
# sends 200-300/s. Each delivery in a batch is claimed on its own, so the guarantees below
# are the same for any size; 1 gives one task per delivery.
SEND_BATCH = 50


class ReminderError(Exception):
    """A reminder rule cannot be used as asked; the message is Danish and meant for HR."""


# --- The audience registry -----------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """One e-mail an audience wants sent: to whom, and the plain data it is rendered with."""

    key: str  # stable per person and rule, e.g. "person:123"
    person_id: int | None
    email: str
    name: str
    context: dict = field(default_factory=dict)


# (file name, content, MIME type), as EmailMessage.attach() takes them.
Attachment = tuple[str, bytes | str, str]


@dataclass(frozen=True)
class Audience:
    """Who a rule reaches, relative to which objects' dates.

    `recipients(anchor)` must run a constant number of queries, whatever the size of the
    organisation, and put only strings, numbers, lists and dicts in each context.
    `attachments(anchor, delivery)`, when given, is called when the e-mail is sent (e.g.
    an iCalendar file for a meeting).
    """

    key: str
    label: str
    anchor_model: type[models.Model]
    anchor_date: Callable[[Any], datetime.date | datetime.datetime | None]
    recipients: Callable[[Any], Iterable[Recipient]]
    anchors: Callable[[], models.QuerySet] | None = None
    anchor_label: Callable[[Any], str] = str
    attachments: Callable[[Any, ReminderDelivery], Iterable[Attachment]] | None = None
    default_subject: str = ""
    default_body: str = ""
    # Template variables and what they hold, shown to HR next to the templates.
    variables: dict[str, str] = field(default_factory=dict)
    # A context like the real ones, for checking and previewing HR's templates.
    example: dict = field(default_factory=dict)

    def anchor_choices(self) -> models.QuerySet:
        """Return the objects a rule for this audience may be anchored to."""
        if self.anchors is not None:
            return self.anchors()
        return self.anchor_model._default_manager.all()


_audiences: dict[str, Audience] = {}


def register(audience: Audience) -> Audience:
    """Make an audience available to reminder rules (call from an app's ready())."""
    existing = _audiences.get(audience.key)
    if existing is not None and existing != audience:
        raise ImproperlyConfigured(f"Two reminder audiences use the key {audience.key!r}.")
    _audiences[audience.key] = audience
    return audience


def get_audience(key: str) -> Audience | None:
    return _audiences.get(key)


def registered_audiences() -> list[Audience]:
    return sorted(_audiences.values(), key=lambda audience: str(audience.label))


# --- Due times and templates ---------------------------------------------------------


_NOT_LOADED = object()


def due_at(rule: ReminderRule, *, anchor=_NOT_LOADED) -> datetime.datetime | None:
    """Return when the rule is due, from its anchor's current date; None without a date."""
    audience = get_audience(rule.audience)
    if audience is None:
        return None
    if anchor is _NOT_LOADED:
        anchor = rule.anchor
    if anchor is None:
        return None
    when = audience.anchor_date(anchor)
    if when is None:
        return None
    if isinstance(when, datetime.datetime):
        when = timezone.localtime(when, REMINDER_TIME_ZONE).date()
    day = when + datetime.timedelta(days=rule.offset_days)
    # A time that does not exist (spring forward) is read with the winter offset, an
    # ambiguous one (fall back) as its first occurrence (fold=0).
    return datetime.datetime.combine(day, rule.time_of_day, tzinfo=REMINDER_TIME_ZONE)


# HR's templates see only the plain context: no loaders (no {% include %}), no tag
# libraries ({% load %} finds nothing), no model instances.
_template_engine = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)


@lru_cache(maxsize=256)
def _compile(source: str):
    return _template_engine.from_string(source)


def check_template(source: str) -> None:
    """Raise TemplateSyntaxError if HR's template cannot be compiled."""
    _compile(source)


def render(subject: str, body: str, context: dict) -> tuple[str, str]:
    """Render a rule's subject (one line) and plain-text body (not HTML-escaped)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = _compile(subject).render(Context(context, autoescape=False))
        body_text = _compile(body).render(Context(context, autoescape=False))
    return " ".join(subject_text.split()), body_text.strip() + "\n"


def build_message(delivery: ReminderDelivery) -> EmailMessage:
    """Return the e-mail for a delivery, from its rule's current templates."""
    rule = delivery.rule
    subject, body = render(rule.subject, rule.body, delivery.context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(Address(display_name=delivery.name, addr_spec=delivery.email))],
        # RFC 3834: out-of-office replies should not answer an automatic reminder.
        headers={"Auto-Submitted": "auto-generated"},
    )
    audience = get_audience(rule.audience)
    if audience is not None and audience.attachments is not None:
        for filename, content, mimetype in audience.attachments(rule.anchor, delivery):
            message.attach(filename, content, mimetype)
    return message


# --- The sweep -----------------------------------------------------------------------


@dataclass
class SweepResult:
    uncertain: int = 0
    created: int = 0
    queued: int = 0
    skipped_late: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Create the deliveries of every rule that is due and queue what should be sent."""
    now = now or timezone.now()
    result = SweepResult(uncertain=mark_stale_claims(now=now))
    for rule in ReminderRule.objects.active().prefetch_related("anchor"):
        due = due_at(rule)
        if due is None or due > now or due == rule.materialised_for:
            continue
        if now - due > GRACE:
            logger.warning("Reminder rule %s was due at %s: too late to send, skipped.", rule, due)
            ReminderRule.objects.filter(pk=rule.pk).update(materialised_for=due)
            result.skipped_late += 1
            continue
        result.created += _create_due_deliveries(rule.pk, due=due, now=now)
    result.queued = queue_due(now=now)
    return result


def mark_stale_claims(*, now: datetime.datetime) -> int:
    """Mark deliveries a dead worker claimed long ago as uncertain; never resend them."""
    return ReminderDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER
    ).update(
        status=DeliveryStatus.UNCERTAIN,
        last_error=_(
            "Afsendelsen blev aldrig meldt færdig, så det vides ikke, om e-mailen blev "
            "sendt. Den sendes ikke igen automatisk."
        ),
    )


def _create_due_deliveries(rule_pk: int, *, due: datetime.datetime, now) -> int:
    with transaction.atomic():
        # Another sweep creating this rule's deliveries holds the lock: leave it to it.
        rule = (
            ReminderRule.objects.select_for_update(skip_locked=True)
            .filter(pk=rule_pk, is_active=True)
            .first()
        )
        if rule is None or rule.materialised_for == due:
            return 0
        created = _create_deliveries(rule, next_attempt_at=now, now=now)
        ReminderRule.objects.filter(pk=rule.pk).update(materialised_for=due)
    return created


def _create_deliveries(rule: ReminderRule, *, next_attempt_at, now, requested_by=None) -> int:
    """Insert a pending delivery for every recipient who has none for the rule yet."""
    audience = get_audience(rule.audience)
    anchor = rule.anchor
    if audience is None or anchor is None:
        raise ReminderError(_("Reglens målgruppe eller dato findes ikke længere."))
    before = rule.deliveries.count()
    batch: list[ReminderDelivery] = []
    for recipient in audience.recipients(anchor):
        if not recipient.email:
            continue
        batch.append(
            ReminderDelivery(
                rule=rule,
                recipient_key=recipient.key,
                person_id=recipient.person_id,
                email=recipient.email,
                name=recipient.name[:200],
                context=recipient.context,
                created_at=now,
                next_attempt_at=next_attempt_at,
                requested_by=requested_by,
            )
        )
        if len(batch) >= BATCH_SIZE:
            ReminderDelivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        ReminderDelivery.objects.bulk_create(batch, ignore_conflicts=True)
    return rule.deliveries.count() - before


def queue_due(*, now: datetime.datetime, rule: ReminderRule | None = None) -> int:
    """Queue one send task per pending delivery that is due; return how many were queued."""
    requeue_before = now - REQUEUE_AFTER
    queued = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = ReminderDelivery.objects.to_queue(now, requeue_before=requeue_before).filter(
                pk__gt=last_pk
            )
            if rule is not None:
                rows = rows.filter(rule=rule)
            # SKIP LOCKED: a concurrent sweep takes other rows instead of waiting for these.
            pks = list(
                rows.order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not pks:
                return queued
            ReminderDelivery.objects.filter(pk__in=pks).update(queued_at=now)
            transaction.on_commit(partial(_publish, pks))
        queued += len(pks)
        last_pk = pks[-1]


def _publish(pks: list[int]) -> None:
    from .tasks import send_reminders

    for start in range(0, len(pks), SEND_BATCH):
        send_reminders.delay(pks[start : start + SEND_BATCH])


# --- Sending one delivery ------------------------------------------------------------


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not pending (sent, being sent, uncertain) or the rule is off
    RETRY = "retry"
    FAILED = "failed"


def backoff(attempts: int) -> datetime.timedelta:
    """Return the wait before the next attempt: 2, 4, 8 … minutes, at most BACKOFF_CAP."""
    return min(datetime.timedelta(minutes=2**attempts), BACKOFF_CAP)


def send_delivery(delivery_id: int) -> Outcome:
    """Send one delivery if this call claims it; safe to run twice and concurrently."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return Outcome.SKIPPED
    try:
        message = build_message(delivery)
    except (TemplateSyntaxError, TemplateDoesNotExist) as error:
        # HR's template is broken: waiting will not mend it.
        return _record_failure(delivery, error, give_up=True)
    except Exception as error:
        # An attachment could not be made (the database, a file): try again later.
        return _record_failure(delivery, error)
    try:
        message.send(using=DEFAULT_MAILER_ALIAS)
    except Exception as error:
        # Raised before the server accepted the message: nothing was sent, so try again.
        return _record_failure(delivery, error)
    # The row may have turned "uncertain" if this send took very long; it was sent.
    ReminderDelivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.SENDING, DeliveryStatus.UNCERTAIN]
    ).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return Outcome.SENT


def _claim(delivery_id: int) -> ReminderDelivery | None:
    """Claim a pending delivery of an active rule (pending → sending); None if not ours.

    One UPDATE … RETURNING claims the row and reads what the e-mail needs, since this runs
    once per e-mail and each round trip counts at 45,000. PostgreSQL re-checks the status
    on the row it updates, so of two concurrent claims exactly one returns a row.
    """
    quote = connection.ops.quote_name
    deliveries, rules = (quote(ReminderDelivery._meta.db_table), quote(ReminderRule._meta.db_table))
    # Scalar subqueries, not UPDATE … FROM: SQLite's RETURNING sees only the updated table.
    rule_fields = ", ".join(
        f"(SELECT {rules}.{column} FROM {rules} WHERE {rules}.id = {deliveries}.rule_id)"
        for column in ("name", "subject", "body", "audience", "anchor_type_id", "anchor_id")
    )
    sql = (
        f"UPDATE {deliveries} SET status = %s, claimed_at = %s, attempts = attempts + 1 "
        f"WHERE id = %s AND status = %s "
        f"AND rule_id IN (SELECT id FROM {rules} WHERE is_active = %s) "
        f"RETURNING email, name, context, attempts, rule_id, {rule_fields}"
    )
    claimed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [DeliveryStatus.SENDING, claimed_at, delivery_id, DeliveryStatus.PENDING, True],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    email, name, context, attempts, rule_id, rule_name, subject, body, audience = row[:9]
    anchor_type_id, anchor_id = row[9:]
    rule = ReminderRule(
        pk=rule_id,
        name=rule_name,
        subject=subject,
        body=body,
        audience=audience,
        anchor_type_id=anchor_type_id,
        anchor_id=anchor_id,
        is_active=True,
    )
    return ReminderDelivery(
        pk=delivery_id,
        rule=rule,
        email=email,
        name=name,
        context=json.loads(context) if isinstance(context, str) else context,
        attempts=attempts,
        status=DeliveryStatus.SENDING,
    )


def _record_failure(delivery: ReminderDelivery, error: Exception, *, give_up=False) -> Outcome:
    text = f"{type(error).__name__}: {error}"[:2000]
    give_up = give_up or delivery.attempts >= MAX_ATTEMPTS
    changes: dict[str, Any] = {"last_error": text}
    if give_up:
        changes["status"] = DeliveryStatus.FAILED
    else:
        changes.update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
            # Queue it again as soon as the next attempt is due.
            queued_at=None,
        )
    ReminderDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**changes)
    logger.warning(
        "Reminder %s to %s failed (attempt %s): %s",
        delivery.pk,
        delivery.email,
        delivery.attempts,
        text,
    )
    return Outcome.FAILED if give_up else Outcome.RETRY


# --- What HR does in the admin -------------------------------------------------------


def send_rule_now(*, rule: ReminderRule, by) -> tuple[int, int]:
    """Create and queue a rule's deliveries now, whatever its due time; never twice.

    Returns (new recipients, deliveries queued).
    """
    now = timezone.now()
    with transaction.atomic():
        rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
        if not rule.is_active:
            raise ReminderError(_("Reglen «%(name)s» er ikke aktiv.") % {"name": rule.name})
        created = _create_deliveries(rule, next_attempt_at=now, now=now, requested_by=by)
    return created, queue_due(now=now, rule=rule)


def retry_failed(*, deliveries: models.QuerySet) -> int:
    """Give failed deliveries a fresh set of attempts, now; return how many."""
    now = timezone.now()
    with transaction.atomic():
        count = deliveries.filter(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, queued_at=None
        )
    queue_due(now=now)
    return count


def recipient_counts(rule: ReminderRule) -> tuple[int, int]:
    """Return (recipients now, of whom already have a delivery) for the confirmation page."""
    audience = get_audience(rule.audience)
    anchor = rule.anchor
    if audience is None or anchor is None:
        return 0, 0
    keys = {recipient.key for recipient in audience.recipients(anchor) if recipient.email}
    existing = set(rule.deliveries.values_list("recipient_key", flat=True))
    return len(keys), len(keys & existing)


def anchor_type_for(audience: Audience) -> ContentType:
    return ContentType.objects.get_for_model(audience.anchor_model)
