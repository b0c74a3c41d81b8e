"""Add the memo's themes that a programme lacks (rerunnable; HR's edits are kept)."""

from django.core.management.base import BaseCommand, CommandError

from clarification.services.processing import rebuild_learned_profiles
from clarification.themes import seed_memo_themes
from programme.models import Programme


class Command(BaseCommand):
    help = "Tilføj notatets temaer til et forløb (kun de manglende)."

    def add_arguments(self, parser):
        parser.add_argument("--programme", help="forløbets slug (standard: alle aktive forløb)")
        parser.add_argument(
            "--rebuild-profiles",
            action="store_true",
            help="beregn også temaernes lærte profiler forfra ud fra de bekræftede input",
        )

    def handle(self, *args, programme=None, rebuild_profiles=False, **options):
        programmes = Programme.objects.filter(is_active=True)
        if programme:
            programmes = Programme.objects.filter(slug=programme)
            if not programmes.exists():
                raise CommandError(f"Intet forløb med slug {programme!r}.")
        for item in programmes:
            themes = seed_memo_themes(item)
            learned = rebuild_learned_profiles(item) if rebuild_profiles else 0
            self.stdout.write(f"{item.slug}: {len(themes)} temaer fra notatet; {learned} lært")
