"""The Django admin for HR: organisation, people, programme, tiers, phases, milestones."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import PostponeMilestoneForm
from .imports.admin import HRImportExportMixin
from .models import (
    Administration,
    BudgetYear,
    ExternalPerson,
    ImportRun,
    Leadership,
    MedCommittee,
    Milestone,
    Person,
    Phase,
    Postponement,
    Programme,
    Tier,
    Workplace,
)
from .resources import AdministrationResource, PersonResource, WorkplaceResource


@admin.register(Administration)
class AdministrationAdmin(HRImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [AdministrationResource]
    list_display = ["name", "code", "short_name", "workplace_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "short_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_workplaces=Count("workplaces"))

    @admin.display(description=_("arbejdspladser"), ordering="n_workplaces")
    def workplace_count(self, obj):
        return obj.n_workplaces


class LeadershipInline(admin.TabularInline):
    model = Leadership
    extra = 0
    autocomplete_fields = ["person"]
    verbose_name = _("leder")
    verbose_name_plural = _("ledere")


@admin.register(Workplace)
class WorkplaceAdmin(HRImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [WorkplaceResource]
    list_display = ["name", "code", "administration", "parent", "headcount", "is_active"]
    list_filter = ["administration", "is_active"]
    list_select_related = ["administration", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [LeadershipInline]


@admin.register(MedCommittee)
class MedCommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "administration"]
    list_filter = ["level", "administration"]
    list_select_related = ["administration"]
    search_fields = ["name"]
    autocomplete_fields = ["workplaces"]


@admin.register(Person)
class PersonAdmin(HRImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [PersonResource]
    supports_complete_list = True
    list_display = [
        "name",
        "employee_number",
        "job_title",
        "workplace",
        "role",
        "is_active",
        "has_login",
    ]
    list_filter = ["role", "is_active", "workplace__administration"]
    list_select_related = ["workplace"]
    search_fields = ["name", "employee_number", "email", "job_title"]
    autocomplete_fields = ["workplace", "user"]
    readonly_fields = ["deactivated_at"]
    show_full_result_count = False

    @admin.display(description=_("login"), boolean=True, ordering="user")
    def has_login(self, obj):
        return obj.user_id is not None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.sync_person_groups(person=obj)


@admin.register(ExternalPerson)
class ExternalPersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "kind", "email", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation", "email"]
    autocomplete_fields = ["user"]


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    fields = ["number", "name", "roles"]


class BudgetYearInline(admin.TabularInline):
    model = BudgetYear
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "journal_number", "starts_on", "ends_on", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "journal_number"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["owner_unit"]
    inlines = [TierInline, BudgetYearInline]


@admin.register(Tier)
class TierAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme", "roles"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["name"]


@admin.register(Phase)
class PhaseAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "programme",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
    ]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    search_fields = ["name"]
    filter_horizontal = ["tiers"]


class PostponementInline(admin.TabularInline):
    model = Postponement
    extra = 0
    can_delete = False
    fields = ["old_date", "new_date", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Postponements are recorded through "Udskyd", which also moves the milestone.
        return False


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "programme",
        "planned_date",
        "original_date",
        "postponed",
        "reached_on",
        "postpone_link",
    ]
    list_filter = ["programme", "tier", "phase"]
    list_select_related = ["programme"]
    search_fields = ["name"]
    date_hierarchy = "planned_date"
    inlines = [PostponementInline]

    def get_fields(self, request, obj=None):
        fields = ["programme", "name", "description", "tier", "phase"]
        if obj is None:
            return [*fields, "planned_date", "reached_on"]
        return [*fields, "original_date", "planned_date", "reached_on"]

    def get_readonly_fields(self, request, obj=None):
        # A saved milestone moves only through "Udskyd", so every move is logged.
        return ["original_date", "planned_date"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.original_date = obj.planned_date
        super().save_model(request, obj, form, change)

    @admin.display(description=_("udskudt"), boolean=True)
    def postponed(self, obj):
        return obj.is_postponed

    @admin.display(description=_("udskyd"))
    def postpone_link(self, obj):
        url = reverse("admin:programme_milestone_postpone", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Udskyd"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/udskyd/",
                self.admin_site.admin_view(self.postpone_view),
                name="programme_milestone_postpone",
            ),
            *super().get_urls(),
        ]

    def postpone_view(self, request, pk):
        milestone = get_object_or_404(Milestone.objects.select_related("programme"), pk=pk)
        if not self.has_change_permission(request, milestone):
            raise PermissionDenied
        form = PostponeMilestoneForm(request.POST or None, current_date=milestone.planned_date)
        if request.method == "POST" and form.is_valid():
            try:
                services.postpone_milestone(
                    milestone=milestone,
                    new_date=form.cleaned_data["new_date"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except services.MilestoneNotMoved as error:
                # Someone else moved it to this date since the form was shown.
                form.add_error("new_date", str(error))
            else:
                messages.success(
                    request,
                    _("Milepælen «%(name)s» er flyttet til %(date)s.")
                    % {
                        "name": milestone.name,
                        "date": date_format(form.cleaned_data["new_date"], "DATE_FORMAT"),
                    },
                )
                return redirect("admin:programme_milestone_change", milestone.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": milestone,
            "title": _("Udskyd milepæl"),
            "form": form,
        }
        return TemplateResponse(request, "admin/programme/milestone/postpone.html", context)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "imported_at",
        "model_name",
        "file_name",
        "imported_by",
        "complete_list",
        "new",
        "updated",
        "unchanged",
        "deactivated",
    ]
    list_filter = ["model_name", "complete_list"]
    list_select_related = ["imported_by"]
    date_hierarchy = "imported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
