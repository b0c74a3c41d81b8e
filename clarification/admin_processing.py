"""Step 3 in the Django admin: HR edits the themes (with history) and sees groups and events."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from programme.admin_mixins import ReadOnlyAdminMixin
from programme.models import Programme

from .models import ProcessingEvent, Synthesis, Theme
from .themes import seed_memo_themes


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "position", "is_active", "learned_count"]
    list_filter = ["programme", "kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "description", "keywords"]
    fields = ["programme", "parent", "kind", "name", "description", "keywords", "position"]
    fields += ["is_active"]
    actions = ["add_memo_themes"]

    @admin.action(description=_("Tilføj notatets manglende temaer til de valgte temaers forløb"))
    def add_memo_themes(self, request, queryset):
        programmes = Programme.objects.filter(pk__in=queryset.values("programme"))
        before = Theme.objects.filter(programme__in=programmes).count()
        for programme in programmes:
            seed_memo_themes(programme)
        added = Theme.objects.filter(programme__in=programmes).count() - before
        self.message_user(
            request,
            ngettext("%(n)d tema er tilføjet.", "%(n)d temaer er tilføjet.", added) % {"n": added},
            messages.SUCCESS,
        )


@admin.register(Synthesis)
class SynthesisAdmin(SimpleHistoryAdmin):
    list_display = ["title", "programme", "created_by", "updated_at"]
    list_filter = ["programme"]
    list_select_related = ["programme", "created_by"]
    search_fields = ["title", "summary"]
    fields = ["programme", "title", "summary", "inputs", "themes"]
    # An organisation has up to 150,000 inputs: no select box with all of them.
    raw_id_fields = ["inputs"]
    filter_horizontal = ["themes"]


@admin.register(ProcessingEvent)
class ProcessingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of who did what stays: nobody adds, changes or deletes it."""

    list_display = ["at", "action", "input", "theme", "synthesis", "actor"]
    list_filter = ["action", "programme"]
    list_select_related = ["input", "theme", "synthesis", "actor"]
    date_hierarchy = "at"
