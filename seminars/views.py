"""Fagchefforum's seminars: the list, a seminar's page, registration and HR's attendance.

Seminars are fetched through Seminar.objects.for_user(): a participant sees the seminars
they are invited to, HR and direktion all; anyone else is refused the pages (403), and a
seminar they may not see answers 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme.access import scope_for
from programme.models import Programme

from . import kickoff as kickoff_service
from . import services
from .evaluation import state_for as evaluation_state
from .models import Attendance, AttendanceStatus, ProposalRank, Seminar, ThemeProposal


def _require_forum(user):
    """HR, direktion and the fagchefer (fagchefforum) use the seminar pages."""
    scope = scope_for(user)
    if services.is_forum_member(scope):
        return scope
    raise PermissionDenied


def seminar_list(request):
    scope = _require_forum(request.user)
    programme = Programme.objects.for_user(request.user).current()
    seminars = (
        Seminar.objects.for_user(request.user)
        .filter(programme=programme)
        .annotate(
            invited=Count("attendances", distinct=True),
            attended=Count(
                "attendances",
                filter=Q(attendances__status=AttendanceStatus.ATTENDED),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(person_id=scope.person_id),
                to_attr="mine",
            )
        )
        .order_by("starts_at")
    )
    return render(
        request,
        "seminars/list.html",
        {
            "seminars": seminars,
            "is_hr": scope.is_hr,
            "sees_all": scope.everything,
            "active_nav": "seminars",
        },
    )


def _seminar(request, pk) -> Seminar:
    return get_object_or_404(Seminar.objects.for_user(request.user), pk=pk)


def seminar_detail(request, pk):
    scope = _require_forum(request.user)
    seminar = _seminar(request, pk)
    mine = seminar.attendances.filter(person_id=scope.person_id).first()
    return render(
        request,
        "seminars/detail.html",
        {
            "seminar": seminar,
            "agenda": seminar.agenda.all(),
            "experts": seminar.experts.select_related("expert"),
            "materials": seminar.materials.all(),
            "mine": mine,
            "may_register": mine is not None
            and not seminar.is_held
            and not seminar.is_cancelled
            and mine.status in services.OWN_CHANGES,
            "is_hr": scope.is_hr,
            "evaluation": evaluation_state(seminar, scope.person_id),
            "active_nav": "seminars",
        },
    )


@require_POST
def registration(request, pk):
    scope = _require_forum(request.user)
    seminar = _seminar(request, pk)
    mine = get_object_or_404(seminar.attendances, person_id=scope.person_id)
    wanted = (
        AttendanceStatus.REGISTERED
        if request.POST.get("action") == "register"
        else AttendanceStatus.INVITED
    )
    services.set_status(attendance=mine, status=wanted, by=request.user)
    messages.success(
        request,
        _("Du er tilmeldt.") if wanted == AttendanceStatus.REGISTERED else _("Du er afmeldt."),
    )
    return redirect("seminars:detail", pk=seminar.pk)


def attendance(request, pk):
    """HR records who came: a status per participant, a reason for each absence."""
    scope = _require_forum(request.user)
    if not scope.is_hr:
        raise PermissionDenied
    seminar = _seminar(request, pk)
    rows = list(seminar.attendances.select_related("person__workplace__administration"))
    errors = {}
    if request.method == "POST":
        if request.POST.get("invite"):
            count = services.invite_forum(seminar=seminar, by=request.user)
            messages.success(request, _("%(n)s er inviteret.") % {"n": count})
            return redirect("seminars:attendance", pk=seminar.pk)
        valid = dict(AttendanceStatus.choices)
        for row in rows:
            status = request.POST.get(f"status-{row.pk}", row.status)
            reason = request.POST.get(f"reason-{row.pk}", "").strip()
            row.typed_status, row.typed_reason = status, reason
            if status not in valid:
                errors[row.pk] = _("Vælg en status.")
            elif status == AttendanceStatus.ABSENT and not reason:
                errors[row.pk] = _("Skriv årsagen til fraværet.")
        if not errors:
            for row in rows:
                services.set_status(
                    attendance=row,
                    status=row.typed_status,
                    by=request.user,
                    reason=row.typed_reason,
                )
            messages.success(request, _("Fremmødet er gemt."))
            return redirect("seminars:attendance", pk=seminar.pk)
    for row in rows:
        row.error = errors.get(row.pk, "")
    return render(
        request,
        "seminars/attendance.html",
        {
            "seminar": seminar,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "has_errors": bool(errors),
            "active_nav": "seminars",
        },
    )


def material(request, pk, material):
    """Send a seminar's file to someone who may see the seminar, as a download only."""
    _require_forum(request.user)
    seminar = _seminar(request, pk)
    item = get_object_or_404(seminar.materials, pk=material)
    try:
        with item.file.open("rb") as file:
            # Read whole (at most 25 MB, the upload limit) so no file handle outlives the
            # request, as for the clarification attachments.
            content = file.read()
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = HttpResponse(content, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=item.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


app_name = "seminars"
urlpatterns = [
    path("seminarer/", seminar_list, name="list"),
    path("seminarer/<int:pk>/", seminar_detail, name="detail"),
    path("seminarer/<int:pk>/tilmelding/", registration, name="registration"),
    path("seminarer/<int:pk>/fremmoede/", attendance, name="attendance"),
    path("seminarer/<int:pk>/materiale/<int:material>/", material, name="material"),
]


# --- The kick-off: theme proposals and their ranking ----------------------------------------


class ProposalForm(forms.ModelForm):
    class Meta:
        model = ThemeProposal
        fields = ["title", "why"]
        widgets = {"why": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "title": {"required": _("Skriv temaet.")},
            "why": {"required": _("Skriv, hvorfor temaet er vigtigt.")},
        }


def kickoff(request):
    """Propose seminar themes, rank them all, and see the ranked result (Borda count)."""
    scope = _require_forum(request.user)
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise PermissionDenied
    person = scope.person
    form = ProposalForm()
    ballot_error = ""
    typed_ranks = {}
    if request.method == "POST" and person is not None:
        if request.POST.get("action") == "propose":
            form = ProposalForm(request.POST)
            form.instance.programme, form.instance.proposer = programme, person
            if form.is_valid():
                form.save()
                messages.success(request, _("Dit forslag er med."))
                return redirect("seminars:kickoff")
        else:
            typed_ranks = {
                int(key.removeprefix("rank-")): value.strip()
                for key, value in request.POST.items()
                if key.startswith("rank-") and key.removeprefix("rank-").isdigit()
            }
            try:
                ranks = {pk: int(value) for pk, value in typed_ranks.items() if value}
                kickoff_service.save_ballot(programme=programme, ranker=person, ranks=ranks)
            except ValueError:
                ballot_error = _("Skriv placeringerne som tal.")
            except kickoff_service.BallotError as error:
                ballot_error = str(error)
            else:
                messages.success(request, _("Din rangering er gemt."))
                return redirect("seminars:kickoff")
    ranked = kickoff_service.result(programme)
    mine = dict(
        ProposalRank.objects.filter(ranker_id=scope.person_id).values_list("proposal_id", "rank")
    )
    for row in ranked:
        row.mine = typed_ranks.get(row.proposal.pk, mine.get(row.proposal.pk, ""))
    return render(
        request,
        "seminars/kickoff.html",
        {
            "ranked": ranked,
            "form": form,
            "may_take_part": person is not None,
            "ballot_error": ballot_error,
            "active_nav": "seminars",
        },
    )


urlpatterns += [path("seminarer/kick-off/", kickoff, name="kickoff")]
