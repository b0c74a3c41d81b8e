from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClarificationConfig(AppConfig):
    name = "clarification"
    verbose_name = _("Afklaringsfasen")

    def ready(self):
        from . import coverage, feedback, matrix, reminders

        # The cached coverage totals are dropped after every write that changes them.
        coverage.connect()
        # The theme × administration matrix is recomputed soon after what it counts changes.
        matrix.connect()

        # The step-2 reminder audiences (leaders without a delivery, the fagchef's status).
        reminders.register_audiences()
        # "I sagde — vi gør": the e-mail to the workplaces a published decision answers.
        feedback.register_audience()
