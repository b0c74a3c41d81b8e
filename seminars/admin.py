"""Seminars in the Django admin: HR plans them, with experts, fees and the agenda.

Moving a seminar through the admin goes through the same service as everywhere (the old
times stay in its history, the calendar sequence grows); each seminar gets its "2 days
before" reminder, which HR can edit under the reminder rules.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import reminders, services
from .models import AgendaBlock, AttendanceEvent, ExpertEngagement, Seminar, ThemeProposal


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
