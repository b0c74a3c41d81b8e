"""Seminars in the Django admin: HR plans them, with experts, fees and the agenda.

Moving a seminar through the admin goes through the same service as everywhere (the old
times stay in its history, the calendar sequence grows); each seminar gets its "2 days
before" reminder, which HR can edit under the reminder rules.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from programme.admin_mixins import ReadOnlyAdminMixin

from . import coaching, materials, reminders, services
from .models import (
    ActionLearningProject,
    AgendaBlock,
    AttendanceEvent,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    ExpertEngagement,
    LearningCycle,
    NoteRead,
    ProjectMembership,
    Seminar,
    SeminarMaterial,
    SessionStatus,
    ThemeProposal,
)


# Stacked, not tabular: a tabular inline's inputs have only a column header, no label,
# which axe-core reports (WCAG 1.3.1, 4.1.2).
class ExpertInline(admin.StackedInline):
    model = ExpertEngagement
    extra = 0
    autocomplete_fields = ["expert"]


class AgendaInline(admin.StackedInline):
    model = AgendaBlock
    extra = 0


class MaterialForm(forms.ModelForm):
    class Meta:
        model = SeminarMaterial
        fields = ["title", "file"]
        # A plain file input has a <label>; the clearable one sits in a fieldset whose
        # legend labels nothing (axe-core: "label"). A material is replaced, not cleared.
        widgets = {"file": forms.FileInput}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if "file" in self.changed_data and upload:
            self.checked = materials.check_upload(upload)
        return upload

    def save(self, commit=True):
        material = super().save(commit=False)
        if getattr(self, "checked", None):
            material.content_type, material.original_name = self.checked
            material.size = self.cleaned_data["file"].size
            if material.pk is not None:
                # A replaced file goes once the new one is committed in its place.
                materials.forget_replaced(material)
        if commit:
            material.save()
        return material


class MaterialInline(admin.StackedInline):
    """Files for the participants; stored privately and served only to them."""

    model = SeminarMaterial
    form = MaterialForm
    extra = 0
    fields = ["title", "file", "original_name", "size", "uploaded_at"]
    readonly_fields = ["original_name", "size", "uploaded_at"]


@admin.register(Seminar)
class SeminarAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "starts_at", "format", "place", "is_cancelled"]
    list_filter = ["programme", "kind", "format", "is_cancelled"]
    search_fields = ["theme", "description", "place"]
    date_hierarchy = "starts_at"
    inlines = [ExpertInline, AgendaInline, MaterialInline]
    # Checkboxes, not filter_horizontal: its JavaScript widget puts aria-label on a span
    # without a role, which axe-core reports (WCAG 4.1.2).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    actions = ["invite_forum"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("labels", {"programme": _("Udviklingsforløb")})
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        moved = change and {"starts_at", "ends_at", "is_cancelled"} & set(form.changed_data)
        if moved:
            # A move or a cancellation: a new calendar version everyone's calendar replaces.
            obj.sequence += 1
        super().save_model(request, obj, form, change)
        reminders.ensure_default_rules(obj)
        if moved:
            reminders.announce(obj, by=request.user)

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
class AttendanceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "attendance", "from_status", "to_status", "reason", "actor"]
    list_filter = ["to_status"]
    list_select_related = ["attendance__person", "attendance__seminar", "actor"]


@admin.register(ThemeProposal)
class ThemeProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "proposer", "created_at"]
    list_filter = ["programme"]
    search_fields = ["title", "why"]
    autocomplete_fields = ["proposer"]


# --- Coaching: dates, coaches and statuses; never a note ----------------------------------
# CoachingNote is deliberately not registered: its text is for the two parties only.


@admin.register(CoachingPolicy)
class CoachingPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "sessions_per_participant", "no_show_uses_session", "book_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The "not yet booked" reminder follows book_by (its rule reads the current date).
        reminders.ensure_allowance_rule(obj)


@admin.register(CoachingSlot)
class CoachingSlotAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "coach", "place"]
    list_filter = ["coach", "programme"]
    list_select_related = ["coach"]
    date_hierarchy = "starts_at"


class SessionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CoachingSessionEvent
    fields = ["at", "from_status", "to_status", "reason", "actor"]
    readonly_fields = fields
    extra = 0


class CoachingSessionForm(forms.ModelForm):
    class Meta:
        model = CoachingSession
        fields = ["programme", "coachee", "coach", "starts_at", "ends_at", "place"]

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at is None or ends_at is None:
            return data
        try:
            if self.instance.pk is None:
                if data.get("coachee") and data.get("programme"):
                    policy = coaching.policy_for(data["programme"])
                    coaching.check_allowance(policy, data["coachee"], starts_at)
            elif {"starts_at", "ends_at", "place"} & set(self.changed_data):
                coaching.check_move(self.instance, starts_at, ends_at)
        except coaching.CoachingError as error:
            raise forms.ValidationError(str(error)) from error
        return data


@admin.register(CoachingSession)
class CoachingSessionAdmin(SimpleHistoryAdmin):
    """HR plans sessions and records their outcome; the notes are not here, by design."""

    form = CoachingSessionForm
    list_display = ["starts_at", "coachee", "coach", "status"]
    list_filter = ["status", "coach", "programme"]
    list_select_related = ["coachee", "coach"]
    # Names only: a search never reaches a note.
    search_fields = ["coachee__name", "coach__name"]
    autocomplete_fields = ["coachee"]
    date_hierarchy = "starts_at"
    inlines = [SessionEventInline]
    actions = ["mark_confirmed", "mark_held", "mark_no_show", "mark_cancelled", "export_csv"]

    def get_fields(self, request, obj=None):
        fields = ["programme", "coachee", "coach", "starts_at", "ends_at", "place"]
        return fields + ["status"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A session's parties never change: the notes on it are theirs (a new person
        # would read them). Book a new session instead. Only an upcoming one moves.
        fixed = ["programme", "coachee", "coach", "status"]
        return fixed if obj.is_upcoming else [*fixed, "starts_at", "ends_at", "place"]

    def save_model(self, request, obj, form, change):
        if not change:
            planned = coaching.plan(
                programme=obj.programme,
                coachee=obj.coachee,
                coach=obj.coach,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                place=obj.place,
                by=request.user,
            )
            obj.pk = planned.pk
            obj.status = planned.status
            return
        if {"starts_at", "ends_at", "place"} & set(form.changed_data):
            # Through the service: the row lock, the checks, a new calendar version and
            # the update e-mail. A clash found only under the lock is reported, not a 500.
            try:
                coaching.move(
                    session=obj,
                    starts_at=obj.starts_at,
                    ends_at=obj.ends_at,
                    place=obj.place,
                    by=request.user,
                )
            except coaching.CoachingError as error:
                self.message_user(request, str(error), messages.ERROR)

    def _mark(self, request, queryset, status):
        changed, refused = 0, []
        for session in queryset.select_related("coach"):
            try:
                coaching.set_status(session=session, status=status, by=request.user)
                changed += 1
            except coaching.CoachingError as error:
                refused.append(f"{session}: {error}")
        if changed:
            self.message_user(
                request,
                ngettext("%(n)d samtale er ændret.", "%(n)d samtaler er ændret.", changed)
                % {"n": changed},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Markér som bekræftet"))
    def mark_confirmed(self, request, queryset):
        self._mark(request, queryset, SessionStatus.CONFIRMED)

    @admin.action(description=_("Markér som afholdt"))
    def mark_held(self, request, queryset):
        self._mark(request, queryset, SessionStatus.HELD)

    @admin.action(description=_("Markér som udeblevet"))
    def mark_no_show(self, request, queryset):
        self._mark(request, queryset, SessionStatus.NO_SHOW)

    @admin.action(description=_("Aflys"))
    def mark_cancelled(self, request, queryset):
        self._mark(request, queryset, SessionStatus.CANCELLED)

    @admin.action(description=_("Eksportér de valgte samtaler (CSV)"))
    def export_csv(self, request, queryset):
        content = coaching.sessions_csv(queryset)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="coachingsamtaler.csv"'
        return response


@admin.register(NoteRead)
class NoteReadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who read whose coaching note, when and why. Never the note; never changed."""

    list_display = ["at", "reader", "coachee", "purpose", "note_author"]
    list_filter = ["purpose"]
    list_select_related = ["reader", "coachee", "note"]
    date_hierarchy = "at"

    @admin.display(description=_("note"))
    def note_author(self, obj):
        return obj.note.get_author_display()


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
