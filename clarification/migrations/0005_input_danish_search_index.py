"""A GIN index for the processing workspace's Danish full-text search (PostgreSQL only).

The expression is the one `clarification.views.processing.search` filters on (Django's
SearchVector over title, text and theme_guesses with the `danish` configuration), so the
planner uses it; SQLite has no text search and gets no index (the workspace falls back to
icontains there).
"""

from django.db import migrations

INDEX = "clarification_input_search_danish"
EXPRESSION = (
    "to_tsvector('danish'::regconfig, COALESCE(\"title\", '') || ' ' || "
    "COALESCE(\"text\", '') || ' ' || COALESCE(\"theme_guesses\", ''))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON clarification_input USING gin ({EXPRESSION})"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("clarification", "0004_theme_learned_profile"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
