"""The Django admin for HR: organisation, people, programme, tiers, phases, milestones."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import cascade, reminders, services
from .forms import PostponeMilestoneForm
from .imports.admin import HRImportExportMixin
from .models import (
    Administration,
    BudgetYear,
    CascadeRelease,
    DeliveryStatus,
    ExternalPerson,
    ImportRun,
    Leadership,
    MedCommittee,
    Milestone,
    Person,
    Phase,
    Postponement,
    Programme,
    ReadinessCriterion,
    ReminderDelivery,
    ReminderRule,
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


# --- Reminders ------------------------------------------------------------------------


def _anchor_value(content_type_id: int, pk: int) -> str:
    return f"{content_type_id}:{pk}"


class ReminderRuleForm(forms.ModelForm):
    """A reminder rule: a known audience, an anchor of that audience's kind, valid templates."""

    audience = forms.ChoiceField(label=_("modtagere"))
    anchored_to = forms.ChoiceField(
        label=_("dato fra"),
        help_text=_("Det, hvis dato påmindelsen regnes fra. Flyttes datoen, følger påmindelsen."),
    )

    class Meta:
        model = ReminderRule
        fields = ["name", "audience", "offset_days", "time_of_day", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        audiences = reminders.registered_audiences()
        self.fields["audience"].choices = [("", "---------")] + [
            (audience.key, audience.label) for audience in audiences
        ]
        self.fields["anchored_to"].choices = [("", "---------"), *self._anchor_groups(audiences)]
        if self.instance.pk:
            self.initial["anchored_to"] = _anchor_value(
                self.instance.anchor_type_id, self.instance.anchor_id
            )
        for name in ("subject", "body"):
            self.fields[name].required = False
        self.fields["subject"].help_text = _(
            "Tomt felt: målgruppens standardtekst. Variabler skrives {{ navn }}."
        )
        self.fields["body"].help_text = _(
            "Ren tekst. Tomt felt: målgruppens standardtekst. Se de mulige variabler nedenfor."
        )

    @staticmethod
    def _anchor_groups(audiences):
        groups: dict[type, tuple[str, dict[str, str]]] = {}
        for audience in audiences:
            content_type = ContentType.objects.get_for_model(audience.anchor_model)
            label = capfirst(audience.anchor_model._meta.verbose_name_plural)
            _label, options = groups.setdefault(audience.anchor_model, (label, {}))
            for anchor in audience.anchor_choices():
                options[_anchor_value(content_type.pk, anchor.pk)] = audience.anchor_label(anchor)
        return [(label, list(options.items())) for label, options in groups.values()]

    def clean_subject(self):
        return self._checked_template("subject")

    def clean_body(self):
        return self._checked_template("body")

    def _checked_template(self, name):
        source = self.cleaned_data[name]
        try:
            reminders.check_template(source)
        except Exception as error:
            raise ValidationError(
                gettext("Skabelonen kan ikke bruges: %(error)s") % {"error": error}
            ) from error
        return source

    def clean(self):
        cleaned = super().clean()
        audience = reminders.get_audience(cleaned.get("audience", ""))
        if audience is None:
            return cleaned
        content_type_id, _sep, pk = (cleaned.get("anchored_to") or "").partition(":")
        anchor_type = ContentType.objects.get_for_model(audience.anchor_model)
        if (
            content_type_id != str(anchor_type.pk)
            or not pk.isdigit()
            or not audience.anchor_choices().filter(pk=pk).exists()
        ):
            self.add_error("anchored_to", gettext("Vælg en dato, der passer til modtagerne."))
        else:
            self.instance.anchor_type = anchor_type
            self.instance.anchor_id = int(pk)
        for name, default in (
            ("subject", audience.default_subject),
            ("body", audience.default_body),
        ):
            if name in cleaned and not cleaned[name].strip():
                cleaned[name] = default
        if "subject" in cleaned and "body" in cleaned:
            try:
                reminders.render(cleaned["subject"], cleaned["body"], audience.example)
            except Exception as error:
                self.add_error(
                    "body",
                    gettext("Skabelonen kan ikke udfyldes: %(error)s") % {"error": error},
                )
        return cleaned


def _offset_text(rule: ReminderRule) -> str:
    time = rule.time_of_day.strftime("%H.%M")
    days = abs(rule.offset_days)
    if rule.offset_days < 0:
        text = ngettext("%(days)s dag før", "%(days)s dage før", days)
    elif rule.offset_days > 0:
        text = ngettext("%(days)s dag efter", "%(days)s dage efter", days)
    else:
        text = gettext("på dagen")
    return gettext("%(when)s kl. %(time)s") % {"when": text % {"days": days}, "time": time}


class AudienceFilter(admin.SimpleListFilter):
    title = _("modtagere")
    parameter_name = "audience"

    def lookups(self, request, model_admin):
        return [(audience.key, audience.label) for audience in reminders.registered_audiences()]

    def queryset(self, request, queryset):
        return queryset.filter(audience=self.value()) if self.value() else queryset


_STATUS_COUNTS = {
    f"n_{status.value}": Count("deliveries", filter=Q(deliveries__status=status))
    for status in DeliveryStatus
}


@admin.register(ReminderRule)
class ReminderRuleAdmin(SimpleHistoryAdmin):
    form = ReminderRuleForm
    list_display = [
        "name",
        "audience_label",
        "anchor_label",
        "when",
        "next_due",
        "delivery_counts",
        "is_active",
    ]
    list_filter = ["is_active", AudienceFilter]
    search_fields = ["name", "subject"]
    actions = ["send_now"]
    fields = [
        "name",
        "audience",
        "anchored_to",
        "offset_days",
        "time_of_day",
        "subject",
        "body",
        "is_active",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("anchor").annotate(**_STATUS_COUNTS)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*self.fields, "variables"]
        return [*self.fields, "variables", "next_due", "delivery_counts", "preview"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["variables"]
        return ["variables", "next_due", "delivery_counts", "preview"]

    @admin.display(description=_("modtagere"), ordering="audience")
    def audience_label(self, obj):
        audience = reminders.get_audience(obj.audience)
        return audience.label if audience else obj.audience

    @admin.display(description=_("dato fra"))
    def anchor_label(self, obj):
        audience = reminders.get_audience(obj.audience)
        if obj.anchor is None:
            return "–"
        return audience.anchor_label(obj.anchor) if audience else str(obj.anchor)

    @admin.display(description=_("hvornår"))
    def when(self, obj):
        return _offset_text(obj)

    @admin.display(description=_("sendes"))
    def next_due(self, obj):
        due = reminders.due_at(obj) if obj.pk else None
        if due is None:
            return "–"
        # Already in Danish time (reminders.REMINDER_TIME_ZONE).
        return date_format(due, "DATETIME_FORMAT")

    @admin.display(description=_("udsendelser"))
    def delivery_counts(self, obj):
        if not obj.pk:
            return "–"
        url = reverse("admin:programme_reminderdelivery_changelist")
        return format_html_join(
            ", ",
            '<a href="{}?rule__id__exact={}&amp;status__exact={}">{}: {}</a>',
            (
                (url, obj.pk, status.value, status.label, getattr(obj, f"n_{status.value}", 0))
                for status in DeliveryStatus
                if getattr(obj, f"n_{status.value}", 0)
            ),
        ) or gettext("ingen endnu")

    @admin.display(description=_("variabler"))
    def variables(self, obj):
        audiences = reminders.registered_audiences()
        if obj is not None and obj.pk:
            audiences = [a for a in audiences if a.key == obj.audience]
        return format_html_join(
            "",
            "<p><strong>{}</strong></p><ul>{}</ul>",
            (
                (
                    audience.label,
                    format_html_join(
                        "",
                        "<li><code>{{{{ {} }}}}</code>: {}</li>",
                        audience.variables.items(),
                    ),
                )
                for audience in audiences
            ),
        )

    @admin.display(description=_("eksempel"))
    def preview(self, obj):
        audience = reminders.get_audience(obj.audience)
        if audience is None:
            return "–"
        try:
            subject, body = reminders.render(obj.subject, obj.body, audience.example)
        except Exception as error:
            return gettext("Skabelonen kan ikke udfyldes: %(error)s") % {"error": error}
        return format_html("<p><strong>{}</strong></p><pre>{}</pre>", subject, body)

    @admin.action(description=_("Send nu"), permissions=["change"])
    def send_now(self, request, queryset):
        rules = list(queryset)
        if request.POST.get("confirmed") != "ja":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Send påmindelser nu?"),
                "rows": [
                    (rule, recipients, already, recipients - already)
                    for rule in rules
                    for recipients, already in [reminders.recipient_counts(rule)]
                ],
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/programme/reminderrule/send_now_confirmation.html", context
            )
        for rule in rules:
            try:
                created, queued = reminders.send_rule_now(rule=rule, by=request.user)
            except reminders.ReminderError as error:
                messages.error(request, str(error))
                continue
            self.log_change(request, rule, gettext("Sendt nu"))
            messages.success(
                request,
                gettext("«%(name)s»: %(created)s nye modtagere, %(queued)s e-mails sendes nu.")
                % {"name": rule.name, "created": created, "queued": queued},
            )
        return None


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "rule",
        "status",
        "sent_at",
        "attempts",
        "short_error",
        "created_at",
    ]
    list_filter = ["status", "rule"]
    list_select_related = ["rule"]
    search_fields = ["name", "email"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]
    fields = [
        "rule",
        "name",
        "email",
        "person",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "claimed_at",
        "sent_at",
        "next_attempt_at",
        "requested_by",
        "context",
    ]

    @admin.display(description=_("seneste fejl"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Prøv fejlede igen"), permissions=["retry"])
    def retry(self, request, queryset):
        count = reminders.retry_failed(deliveries=queryset)
        messages.success(
            request,
            ngettext(
                "%(count)s fejlet påmindelse prøves igen.",
                "%(count)s fejlede påmindelser prøves igen.",
                count,
            )
            % {"count": count},
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("programme.change_reminderdelivery")

    # What was sent to whom is a record: deliveries are created by the sweep only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The cascade ----------------------------------------------------------------------


class ReadinessCriterionForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kriterium"))

    class Meta:
        model = ReadinessCriterion
        fields = ["programme", "tier", "kind", "parameter", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(key, cascade.criterion_label(key, None)) for key in cascade.registered_kinds()]
        current = self.instance.kind
        if current and current not in dict(choices):
            # Configured before its check was registered: keep it visible, not silently lost.
            choices.append((current, cascade.criterion_label(current, None)))
        self.fields["kind"].choices = choices


@admin.register(ReadinessCriterion)
class ReadinessCriterionAdmin(admin.ModelAdmin):
    form = ReadinessCriterionForm
    list_display = ["programme", "tier", "position", "criterion", "parameter"]
    list_filter = ["programme", "tier"]
    list_select_related = ["programme"]

    @admin.display(description=_("kriterium"))
    def criterion(self, obj):
        return cascade.criterion_label(obj.kind, obj.parameter)


@admin.register(CascadeRelease)
class CascadeReleaseAdmin(admin.ModelAdmin):
    """Releases are made on the Kaskade page and are final: read-only here."""

    list_display = ["administration", "tier", "released_at", "released_by", "overridden"]
    list_filter = ["programme", "tier", "overridden", "administration"]
    list_select_related = ["administration", "released_by"]
    readonly_fields = [
        "programme",
        "administration",
        "tier",
        "released_at",
        "released_by",
        "criteria",
        "overridden",
        "override_reason",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
