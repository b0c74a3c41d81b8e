"""Coaching pages: Min coaching, a session with its notes, the coach's page, HR's overview.

Sessions come through CoachingSession.objects.for_user() (HR all, the two parties their
own; anyone else gets 404), notes through seminars.coaching.read_notes(), which returns
only what the user may read and logs each read. HR's pages show dates, coach and status,
never a note; direktion sees coaching only as counts on its dashboard.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from programme.access import scope_for
from programme.models import Programme

from . import coaching
from .models import CoachingSession, CoachingSlot, NoteAuthor, SessionStatus
from .models.coaching import NOT_CANCELLED


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Dine noter"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Skriv noten, før du gemmer.")},
        max_length=20000,
    )
    shared = forms.BooleanField(
        label=gettext_lazy("Del mine noter med coachen"),
        required=False,
        help_text=gettext_lazy("Kun du og din coach kan læse dem. HR og direktionen kan ikke."),
    )

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, **kwargs)
        if author == NoteAuthor.COACH:
            del self.fields["shared"]
            self.fields["text"].help_text = _("Kun du kan læse dine noter.")


class SlotForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Dato"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Skriv datoen."),
            "invalid": gettext_lazy("Skriv en gyldig dato."),
        },
    )
    starts = forms.TimeField(
        label=gettext_lazy("Fra kl."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": gettext_lazy("Skriv, hvornår samtalen starter."),
            "invalid": gettext_lazy("Skriv et gyldigt klokkeslæt, fx 09:00."),
        },
    )
    ends = forms.TimeField(
        label=gettext_lazy("Til kl."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": gettext_lazy("Skriv, hvornår samtalen slutter."),
            "invalid": gettext_lazy("Skriv et gyldigt klokkeslæt, fx 10:00."),
        },
    )
    place = forms.CharField(
        label=gettext_lazy("Sted eller link"),
        max_length=200,
        error_messages={"required": gettext_lazy("Skriv, hvor samtalen holdes.")},
    )

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            zone = timezone.get_current_timezone()
            data["starts_at"] = datetime.datetime.combine(day, starts, tzinfo=zone)
            data["ends_at"] = datetime.datetime.combine(day, ends, tzinfo=zone)
            if ends <= starts:
                self.add_error("ends", _("Samtalen skal slutte efter, den starter."))
        return data


def _programme(request) -> Programme:
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    return programme


def mine(request):
    """Min coaching: the allowance, my sessions and the coaches' free times to book."""
    scope = scope_for(request.user)
    if not coaching.is_participant(scope):
        if scope.is_hr:
            return redirect("coaching:overview")
        if coaching.is_coach(request.user):
            return redirect("coaching:coach")
        raise PermissionDenied
    programme = _programme(request)
    policy = coaching.policy_for(programme)
    sessions = (
        CoachingSession.objects.for_user(request.user)
        .filter(programme=programme, coachee_id=scope.person_id)
        .select_related("coach")
    )
    allowance = coaching.allowance(policy, scope.person_id)
    slots = (
        CoachingSlot.objects.for_user(request.user)
        .filter(programme=programme)
        .open()
        .select_related("coach")
        .order_by("coach__name", "starts_at")
    )
    return render(
        request,
        "seminars/coaching/mine.html",
        {
            "policy": policy,
            "allowance": allowance,
            "sessions": sessions,
            "slots": slots if allowance.remaining else [],
            "active_nav": "coaching",
        },
    )


@require_POST
def book(request, pk):
    scope = scope_for(request.user)
    if not coaching.is_participant(scope):
        raise PermissionDenied
    slot = get_object_or_404(CoachingSlot.objects.for_user(request.user), pk=pk)
    try:
        session = coaching.book(slot=slot, by=request.user)
    except coaching.CoachingError as error:
        messages.error(request, str(error))
        return redirect("coaching:mine")
    messages.success(request, _("Samtalen er booket. Den står nu i din kalender."))
    return redirect(session)


def session_page(request, pk):
    """One session: when, where, status and its history; each party's own notes."""
    session = get_object_or_404(
        CoachingSession.objects.for_user(request.user).select_related("coach", "coachee"), pk=pk
    )
    author = coaching.party_of(session, request.user)
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "status":
            return _change_status(request, session)
        if action != "note" or author is None:
            # Nobody but the two parties writes a note: it does not exist for them.
            raise Http404
        form = NoteForm(request.POST, author=author)
        if form.is_valid():
            coaching.save_note(
                session=session,
                by=request.user,
                text=form.cleaned_data["text"],
                shared=form.cleaned_data.get("shared", False),
            )
            messages.success(request, _("Dine noter er gemt."))
            return redirect(session)
    notes = coaching.read_notes(session=session, user=request.user) if author else []
    own = next((note for note in notes if note.author == author), None)
    others = [note for note in notes if note.author != author]
    if author is not None and form is None:
        initial = {"text": own.text, "shared": own.shared_with_coach} if own else {}
        form = NoteForm(initial=initial, author=author)
    changes = coaching.allowed_changes(session, request.user)
    return render(
        request,
        "seminars/coaching/session.html",
        {
            "session": session,
            "events": session.events.select_related("actor"),
            "author": author,
            "form": form,
            "own": own,
            "others": others,
            "changes": [status for status in SessionStatus if status in changes],
            "is_coach_side": author == NoteAuthor.COACH,
            "active_nav": "coaching",
        },
    )


def _change_status(request, session):
    wanted = request.POST.get("status", "")
    if wanted not in SessionStatus.values:
        messages.error(request, _("Vælg en status."))
        return redirect(session)
    try:
        coaching.set_status(
            session=session,
            status=wanted,
            by=request.user,
            reason=request.POST.get("reason", "").strip()[:200],
        )
    except coaching.CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Samtalen er nu: %(status)s.") % {"status": SessionStatus(wanted).label},
        )
    return redirect(session)


def coach_page(request):
    """The coach's own sessions and offered times, and a form to offer a new time."""
    coach = coaching.coach_of(request.user)
    if coach is None:
        raise PermissionDenied
    programme = _programme(request)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coaching.offer_slot(
                coach=coach,
                programme=programme,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                place=form.cleaned_data["place"],
            )
        except coaching.CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Tiden er tilbudt deltagerne."))
            return redirect("coaching:coach")
    now = timezone.now()
    sessions = list(
        CoachingSession.objects.for_user(request.user)
        .filter(programme=programme, coach=coach)
        .select_related("coachee")
        .order_by("starts_at")
    )
    slots = (
        CoachingSlot.objects.for_user(request.user)
        .filter(programme=programme, coach=coach, starts_at__gt=now)
        .exclude(sessions__status__in=NOT_CANCELLED)
    )
    return render(
        request,
        "seminars/coaching/coach.html",
        {
            "coach": coach,
            "upcoming": [s for s in sessions if s.is_upcoming],
            "past": [s for s in sessions if not s.is_upcoming],
            "slots": slots,
            "form": form,
            "active_nav": "coaching",
        },
    )


@require_POST
def withdraw(request, pk):
    if not coaching.is_coach(request.user):
        raise PermissionDenied
    slot = get_object_or_404(
        CoachingSlot.objects.for_user(request.user).filter(coach__user=request.user), pk=pk
    )
    if coaching.withdraw_slot(slot=slot):
        messages.success(request, _("Tiden er trukket tilbage."))
    else:
        messages.error(request, _("Tiden er booket og kan ikke trækkes tilbage."))
    return redirect("coaching:coach")


def overview(request):
    """HR: each participant's allowance and every session's date, coach and status."""
    if not scope_for(request.user).is_hr:
        raise PermissionDenied
    programme = _programme(request)
    policy = coaching.policy_for(programme)
    participants = list(coaching.allowances(policy))
    for participant in participants:
        participant.remaining = max(policy.sessions_per_participant - participant.used, 0)
    sessions = (
        CoachingSession.objects.for_user(request.user)
        .filter(programme=programme)
        .select_related("coachee", "coach")
        .order_by("starts_at")
    )
    return render(
        request,
        "seminars/coaching/overview.html",
        {
            "policy": policy,
            "participants": participants,
            "sessions": sessions,
            "active_nav": "coaching",
        },
    )


app_name = "coaching"
urlpatterns = [
    path("coaching/", mine, name="mine"),
    path("coaching/tider/<int:pk>/book/", book, name="book"),
    path("coaching/samtaler/<int:pk>/", session_page, name="session"),
    path("coaching/coach/", coach_page, name="coach"),
    path("coaching/coach/tider/<int:pk>/tilbagetraek/", withdraw, name="withdraw"),
    path("coaching/oversigt/", overview, name="overview"),
]
