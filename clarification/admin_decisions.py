"""Step 4 in the Django admin: HR keeps the meetings and reads decisions, never decides.

A decision's state, meeting and publication change only in the app, where only a member
of direktionen may adopt, reject, defer or publish (clarification.services.decisions).
The admin shows them read-only, with the kept history of state changes.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programme.admin_mixins import ReadOnlyAdminMixin

from .models import Decision, DecisionEvent, DirektionMeeting, MatrixSnapshot, Publication


@admin.register(DirektionMeeting)
class DirektionMeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "programme"]
    list_filter = ["programme"]
    date_hierarchy = "held_on"


class DecisionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DecisionEvent
    fields = ["at", "from_state", "to_state", "meeting", "actor", "comment"]
    readonly_fields = fields
    extra = 0


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "state", "meeting", "published_at", "owner"]
    list_filter = ["programme", "state", "kind"]
    list_select_related = ["meeting", "owner"]
    search_fields = ["title", "rationale"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["themes", "syntheses", "administrations"]
    raw_id_fields = ["inputs", "workplaces"]
    readonly_fields = ["state", "meeting", "decided_at", "decided_by", "published_at"]
    inlines = [DecisionEventInline]

    def has_add_permission(self, request):
        return False  # drafted in the app, where what it answers is checked

    def has_delete_permission(self, request, obj=None):
        return False  # a decision's record stays


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["published_at", "programme", "published_by"]
    list_filter = ["programme"]


@admin.register(MatrixSnapshot)
class MatrixSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["computed_at", "programme", "source_version"]
    list_filter = ["programme"]
    exclude = ["detail"]
