from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClarificationConfig(AppConfig):
    name = "clarification"
    verbose_name = _("Afklaringsfasen")

    def ready(self):
        from . import reminders

        # The step-2 reminder audiences (leaders without a delivery, the fagchef's status).
        reminders.register_audiences()
