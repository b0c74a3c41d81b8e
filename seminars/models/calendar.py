"""Personal calendar feeds: a secret address per user that a calendar subscribes to."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class CalendarFeedToken(models.Model):
    """The secret in one user's calendar address, stored as a hash only.

    The address is shown once, when it is made (like an API key): a copied database then
    reveals no one's calendar. Losing the address means making a new one, which revokes
    the old. Revoked rows are kept, so the history of addresses stays visible.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    # SHA-256 of the token: the token has 256 random bits, so no salt or slow hash is needed.
    token_hash = models.CharField(_("token (hash)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("kalenderadresse")
        verbose_name_plural = _("kalenderadresser")
        ordering = ["user", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_user",
                violation_error_message=_("Brugeren har allerede en aktiv kalenderadresse."),
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.created_at:%d-%m-%Y}"
