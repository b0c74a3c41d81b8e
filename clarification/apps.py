from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClarificationConfig(AppConfig):
    name = "clarification"
    verbose_name = _("Afklaringsfasen")
