"""The clarification phase in the Django admin, for HR."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Activity,
    AnonymousLink,
    Attachment,
    ClarificationStep,
    Input,
    InvolvementPlan,
    StepState,
    StepStatus,
    Submission,
)
from .services.anonymous import rotate_link
from .services.steps import move_deadline


@admin.register(ClarificationStep)
class ClarificationStepAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "programme", "deadline"]
    list_filter = ["programme"]
    list_select_related = ["programme"]

    def get_readonly_fields(self, request, obj=None):
        # A step's place in the programme is fixed once it exists; states hang on it.
        return ["programme", "number"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        """Save the step; a moved deadline goes through the service, which records it."""
        if not change or "deadline" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        new_deadline = obj.deadline
        if set(form.changed_data) - {"deadline"}:
            obj.deadline = form.initial["deadline"]
            super().save_model(request, obj, form, change)
        moved = move_deadline(step=obj, deadline=new_deadline, by=request.user)
        obj.deadline = moved.deadline


@admin.register(StepState)
class StepStateAdmin(SimpleHistoryAdmin):
    list_display = [
        "step",
        "administration",
        "status",
        "opened_at",
        "closed_at",
        "closed_by",
        "step_page",
    ]
    list_filter = ["step__number", "status", "administration"]
    list_select_related = ["step", "administration", "closed_by"]
    # Opening and closing happen on the step pages, where the rules and sign-off apply.
    readonly_fields = [
        "step",
        "administration",
        "status",
        "opened_at",
        "opened_by",
        "opened_early_reason",
        "closed_at",
        "closed_by",
        "sign_off_comment",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The sign-off is a record: it stays.
        return False

    @admin.display(description=_("handling"))
    def step_page(self, obj):
        kwargs = {"number": obj.step.number, "code": obj.administration.code}
        if obj.status == StepStatus.NOT_STARTED:
            return format_html(
                '<a href="{}">{}</a>', reverse("clarification:step-open", kwargs=kwargs), _("Åbn")
            )
        if obj.status == StepStatus.OPEN:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("clarification:step-close", kwargs=kwargs),
                _("Afslut"),
            )
        return "–"


@admin.register(InvolvementPlan)
class InvolvementPlanAdmin(SimpleHistoryAdmin):
    list_display = ["administration", "programme", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "programme"]
    list_select_related = ["administration", "programme"]
    search_fields = ["administration__name"]
    # Submission, approval and return happen on the plan page, where the rules apply.
    readonly_fields = [
        "status",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "approval_comment",
    ]
    autocomplete_fields = ["workplaces", "responsible_leaders"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["programme", "administration", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = [
        "method",
        "method_other",
        "held_on",
        "staff_participants",
        "leader_participants",
        "med_involved",
        "med_committee",
    ]


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["workplace", "programme", "status", "delivered_at", "updated_at"]
    list_filter = ["status", "programme", "workplace__administration"]
    list_select_related = ["workplace", "programme"]
    search_fields = ["workplace__name", "workplace__code"]
    readonly_fields = ["delivered_at", "delivered_by"]
    autocomplete_fields = ["workplace"]
    inlines = [ActivityInline]

    def get_readonly_fields(self, request, obj=None):
        # The input rows name the same workplace: a submission cannot move.
        if obj is None:
            return self.readonly_fields
        return ["programme", "workplace", *self.readonly_fields]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = fields

    # Files come in through the leader's upload page, where their type and size are checked.
    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("hent"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("clarification:attachment-download", kwargs={"pk": obj.pk}),
            _("Hent"),
        )


@admin.register(Input)
class InputAdmin(SimpleHistoryAdmin):
    list_display = ["title", "workplace", "kind", "suggested_form", "source", "submitted_on"]
    list_filter = ["source", "kind", "suggested_form", "workplace__administration"]
    list_select_related = ["workplace"]
    search_fields = ["title", "text", "workplace__name"]
    date_hierarchy = "submitted_on"
    readonly_fields = ["programme", "workplace", "submission", "source", "submitted_on"]
    inlines = [AttachmentInline]
    show_full_result_count = False

    # Input comes from a leader's form or a workplace's anonymous link, which set its
    # source, workplace and submission; HR corrects texts here.
    def has_add_permission(self, request):
        return False


@admin.register(AnonymousLink)
class AnonymousLinkAdmin(admin.ModelAdmin):
    list_display = ["workplace", "administration", "created_at", "rotated_at", "poster"]
    list_filter = ["workplace__administration"]
    list_select_related = ["workplace__administration"]
    search_fields = ["workplace__name", "workplace__code"]
    # The token is a secret: it is shown on the leader's page and the poster, not here.
    exclude = ["token"]
    readonly_fields = ["workplace", "created_at", "rotated_at"]
    actions = ["rotate_links"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("forvaltning"), ordering="workplace__administration__name")
    def administration(self, link):
        return link.workplace.administration

    @admin.display(description=_("plakat"))
    def poster(self, link):
        url = reverse("clarification:poster", kwargs={"code": link.workplace.code})
        return format_html('<a href="{}">{}</a>', url, _("Hent plakat (PDF)"))

    @admin.action(
        description=_("Skift linket for de valgte arbejdspladser"), permissions=["change"]
    )
    def rotate_links(self, request, queryset):
        workplaces = [link.workplace for link in queryset.select_related("workplace")]
        for workplace in workplaces:
            rotate_link(workplace=workplace)
        self.message_user(
            request,
            ngettext(
                "Linket er skiftet for %(count)d arbejdsplads. Den gamle plakat virker ikke "
                "længere.",
                "Linket er skiftet for %(count)d arbejdspladser. De gamle plakater virker ikke "
                "længere.",
                len(workplaces),
            )
            % {"count": len(workplaces)},
            messages.SUCCESS,
        )


# Step 3 (themes, groups, processing events) and step 4 (meetings, decisions read-only,
# publications, matrix snapshots) live in their own modules.
from . import admin_decisions, admin_processing  # noqa: E402, F401
