"""Reminder rules relative to a date on some object, and every e-mail they send.

The mechanism lives in `programme.reminders`; these are its rows.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .organisation import Person


class DeliveryStatus(models.TextChoices):
    PENDING = "venter", _("Venter")
    SENDING = "sendes", _("Sendes")
    SENT = "sendt", _("Sendt")
    FAILED = "fejlet", _("Fejlet")
    # Claimed by a worker that never reported back: perhaps sent, perhaps not. Never
    # resent automatically (at most once); HR decides.
    UNCERTAIN = "usikker", _("Usikker")


class ReminderRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ReminderRule(models.Model):
    """Send an e-mail to an audience a number of days before or after a date on an object."""

    name = models.CharField(_("navn"), max_length=200)
    audience = models.CharField(
        _("modtagere"),
        max_length=60,
        help_text=_("Hvem påmindelsen sendes til; hver målgruppe ved selv, hvem der er med."),
    )
    anchor_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    anchor_id = models.PositiveBigIntegerField()
    anchor = GenericForeignKey("anchor_type", "anchor_id")
    offset_days = models.IntegerField(
        _("dage i forhold til datoen"),
        default=-7,
        help_text=_("Negativ: før datoen (-7 = en uge før). 0: på dagen. Positiv: efter."),
    )
    time_of_day = models.TimeField(
        _("klokkeslæt"), default=datetime.time(8, 0), help_text=_("Dansk tid.")
    )
    subject = models.CharField(_("emne"), max_length=200)
    body = models.TextField(_("tekst"))
    is_active = models.BooleanField(_("aktiv"), default=True)
    # The due time the deliveries were last created for: a sweep creates them once per
    # due time, and again (for new recipients only) when a moved date gives a new one.
    materialised_for = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["materialised_for"])

    objects = ReminderRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("påmindelsesregel")
        verbose_name_plural = _("påmindelsesregler")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["anchor_type", "anchor_id"], name="programme_rule_anchor_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(offset_days__gte=-366) & Q(offset_days__lte=366),
                name="%(app_label)s_%(class)s_offset_within_a_year",
                violation_error_message=_("Påmindelsen skal ligge højst et år fra datoen."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from ..reminders import get_audience

        audience = get_audience(self.audience)
        if audience is None:
            raise ValidationError({"audience": _("Vælg en af de kendte målgrupper.")})
        if self.anchor_type_id and self.anchor_type.model_class() is not audience.anchor_model:
            raise ValidationError({"audience": _("Målgruppen passer ikke til den valgte dato.")})


class ReminderDeliveryQuerySet(models.QuerySet):
    def to_queue(self, now: datetime.datetime, *, requeue_before: datetime.datetime):
        """Pending deliveries of active rules that are due and not queued since `requeue_before`."""
        return self.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            # A subquery, not a join: keeps FOR UPDATE on the delivery rows only.
            rule_id__in=ReminderRule.objects.active().values("pk"),
        ).filter(Q(queued_at__isnull=True) | Q(queued_at__lt=requeue_before))


class ReminderDelivery(models.Model):
    """One reminder e-mail to one recipient; at most one per rule and recipient, ever."""

    rule = models.ForeignKey(
        ReminderRule,
        verbose_name=_("regel"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    recipient_key = models.CharField(_("modtagernøgle"), max_length=100)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder_deliveries",
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("navn"), max_length=200, blank=True, default="")
    # Plain data only (strings, numbers, lists, dicts): what the templates are rendered with.
    context = models.JSONField(_("indhold"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    last_error = models.TextField(_("seneste fejl"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sendt manuelt af"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    queued_at = models.DateTimeField(_("lagt i kø"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("afsendelse påbegyndt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("næste forsøg"), default=timezone.now)

    objects = ReminderDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("udsendt påmindelse")
        verbose_name_plural = _("udsendte påmindelser")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep's queueing query: pending rows whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="venter"),
                name="programme_delivery_pending_idx",
            ),
            # The sweep's search for claims a dead worker left behind.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sendes"),
                name="programme_delivery_sending_idx",
            ),
            models.Index(fields=["rule", "status"], name="programme_delivery_rule_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "recipient_key"],
                name="%(app_label)s_%(class)s_once_per_recipient",
                violation_error_message=_("Modtageren har allerede fået denne påmindelse."),
            ),
            models.CheckConstraint(
                condition=~Q(status="sendt") | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
                violation_error_message=_("En sendt påmindelse skal have et tidspunkt."),
            ),
        ]

    def __str__(self):
        return f"{self.rule} → {self.name or self.email}"
