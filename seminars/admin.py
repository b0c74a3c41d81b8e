"""Seminars in the Django admin: HR plans them, with experts, fees and the agenda.

Moving a seminar through the admin goes through the same service as everywhere (the old
times stay in its history, the calendar sequence grows); each seminar gets its "2 days
before" reminder, which HR can edit under the reminder rules.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import reminders, services
from .models import (
    ActionLearningProject,
    AgendaBlock,
    AttendanceEvent,
    ExpertEngagement,
    LearningCycle,
    ProjectMembership,
    Seminar,
    ThemeProposal,
)


class ExpertInline(admin.TabularInline):
    model = ExpertEngagement
    extra = 0
    autocomplete_fields = ["expert"]


class AgendaInline(admin.TabularInline):
    model = AgendaBlock
    extra = 0


@admin.register(Seminar)
class SeminarAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "starts_at", "format", "place", "is_cancelled"]
    list_filter = ["programme", "kind", "format", "is_cancelled"]
    search_fields = ["theme", "description", "place"]
    date_hierarchy = "starts_at"
    inlines = [ExpertInline, AgendaInline]
    filter_horizontal = ["proposals"]
    actions = ["invite_forum"]

    def save_model(self, request, obj, form, change):
        if change and {"starts_at", "ends_at", "is_cancelled"} & set(form.changed_data):
            # A move or a cancellation: a new calendar version everyone's calendar replaces.
            obj.sequence += 1
        super().save_model(request, obj, form, change)
        reminders.ensure_default_rules(obj)

    @admin.action(description=_("Invitér hele fagchefforum til de valgte seminarer"))
    def invite_forum(self, request, queryset):
        count = sum(services.invite_forum(seminar=s, by=request.user) for s in queryset)
        self.message_user(
            request,
            ngettext("%(n)d invitation er sendt.", "%(n)d invitationer er sendt.", count)
            % {"n": count},
            messages.SUCCESS,
        )


@admin.register(AttendanceEvent)
class AttendanceEventAdmin(admin.ModelAdmin):
    list_display = ["at", "attendance", "from_status", "to_status", "reason", "actor"]
    list_filter = ["to_status"]
    list_select_related = ["attendance__person", "attendance__seminar", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ThemeProposal)
class ThemeProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "proposer", "created_at"]
    list_filter = ["programme"]
    search_fields = ["title", "why"]
    autocomplete_fields = ["proposer"]


# --- Action learning: what HR may see of a project, never its learning log -----------------
# LearningLogEntry is not registered, and no inline shows it: only the members read the
# log, on the project's page. The problem statement is the members' too (product.md: HR
# sees that a project exists, its members and its progress). Members and cycles change
# through the members' pages (seminars.action_learning), so here they are read-only.


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyInline):
    model = ProjectMembership
    fields = readonly_fields = ["person", "added_at"]


class CycleInline(ReadOnlyInline):
    model = LearningCycle
    fields = readonly_fields = [
        "number",
        "phase",
        "plan_started_on",
        "act_started_on",
        "observe_started_on",
        "reflect_started_on",
        "completed_on",
    ]


@admin.register(ActionLearningProject)
class ActionLearningProjectAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "member_count", "cycles_completed", "created_at"]
    list_filter = ["programme", "status"]
    search_fields = ["title"]
    fields = ["title", "status", "completed_on", "facilitator", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["facilitator"]
    inlines = [MembershipInline, CycleInline]
    history_list_display = ["status"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=Count("memberships", distinct=True),
                n_cycles=Count(
                    "cycles", filter=Q(cycles__completed_on__isnull=False), distinct=True
                ),
            )
        )

    def has_add_permission(self, request):
        # A project is created by a member, who is then in it (seminars.action_learning).
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a project would delete its members' log, which HR may not even read.
        return False

    @admin.display(description=_("medlemmer"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members

    @admin.display(description=_("gennemførte cyklusser"), ordering="n_cycles")
    def cycles_completed(self, obj):
        return obj.n_cycles
