from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The apps whose permissions the role groups hand out (see access.GROUP_PERMISSIONS).
PROGRAMME_APPS = {"programme", "clarification", "seminars"}


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Forløb og organisation")

    def ready(self):
        # After every migrate, and after each test-database flush, bring the role groups
        # in line with the policy. Django creates an app's permissions in the same
        # signal, just before this receiver runs for that app.
        post_migrate.connect(_ensure_role_groups, dispatch_uid="programme.ensure_role_groups")

        from . import outline

        outline.connect()


def _ensure_role_groups(sender, app_config=None, using="default", **kwargs):
    from .services import ensure_role_groups

    if app_config is not None and app_config.label in PROGRAMME_APPS:
        ensure_role_groups(using=using)
