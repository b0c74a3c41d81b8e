from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeminarsConfig(AppConfig):
    name = "seminars"
    verbose_name = _("Seminarer, coaching og kurser")

    def ready(self):
        from django.db.models.signals import post_delete

        from programme.cascade import register_seminar_criteria

        from . import coaching, ical, materials, readiness, reminders, services
        from .models import SeminarMaterial

        # "Seminar in 2 days", "coaching tomorrow" (with calendar invitations) and
        # "coaching not yet booked".
        reminders.register_audiences()
        # Seminars and coaching sessions in each person's personal calendar feed.
        ical.register_feed_source(services.meetings_for)
        ical.register_feed_source(coaching.meetings_for)
        # A seminar's files are deleted with their rows (and with the seminar).
        post_delete.connect(
            materials.delete_file, sender=SeminarMaterial, dispatch_uid="seminar-material-file"
        )
        # The cascade's tier-1 criteria: kick-off held, n seminars held.
        register_seminar_criteria(readiness)
