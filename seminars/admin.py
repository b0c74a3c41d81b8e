"""Seminars in the Django admin: HR plans them, with experts, fees and the agenda.

Moving a seminar through the admin goes through the same service as everywhere (the old
times stay in its history, the calendar sequence grows); each seminar gets its "2 days
before" reminder, which HR can edit under the reminder rules.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from programme.admin_mixins import ReadOnlyAdminMixin

from . import coaching, reminders, services
from .models import (
    AgendaBlock,
    AttendanceEvent,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    ExpertEngagement,
    NoteRead,
    Seminar,
    SessionStatus,
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
        if self.instance.pk is None and data.get("coachee") and data.get("programme"):
            starts_at = data.get("starts_at")
            if starts_at is not None:
                try:
                    coaching.check_allowance(
                        coaching.policy_for(data["programme"]), data["coachee"], starts_at
                    )
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
    readonly_fields = ["status"]
    inlines = [SessionEventInline]
    actions = ["mark_confirmed", "mark_held", "mark_no_show", "mark_cancelled", "export_csv"]

    def get_fields(self, request, obj=None):
        fields = ["programme", "coachee", "coach", "starts_at", "ends_at", "place"]
        return fields + ["status"] if obj else fields

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
        moved = {"starts_at", "ends_at", "place"} & set(form.changed_data)
        if moved:
            # A move: a new calendar version everyone's calendar replaces.
            obj.sequence += 1
        super().save_model(request, obj, form, change)
        if moved:
            reminders.announce(obj, by=request.user)

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
