from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("Seminarer, coaching og kurser")

    def ready(self):
        from programme.cascade import register_seminar_criteria

        from . import coaching, ical, readiness, reminders, services

        # "Seminar in 2 days", "coaching tomorrow" (with calendar invitations) and
        # "coaching not yet booked".
        reminders.register_audiences()
        # Seminars and coaching sessions in each person's personal calendar feed.
        ical.register_feed_source(services.meetings_for)
        ical.register_feed_source(coaching.meetings_for)
        # The cascade's tier-1 criteria: kick-off held, n seminars held.
        register_seminar_criteria(readiness)
