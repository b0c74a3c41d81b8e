from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("Seminarer, coaching og kurser")

    def ready(self):
        from programme.cascade import register_seminar_criteria

        from . import ical, readiness, reminders, services

        # "Seminar in 2 days", with the agenda and a calendar invitation.
        reminders.register_audiences()
        # The seminars in each participant's personal calendar feed.
        ical.register_feed_source(services.meetings_for)
        # The cascade's tier-1 criteria: kick-off held, n seminars held.
        register_seminar_criteria(readiness)
