"""Pages every role uses: "Mit overblik", the programme, the organisation."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clarification import coverage, feedback

from . import cascade
from .access import RoleGroup, scope_for
from .models import (
    Administration,
    AdministrationSnapshot,
    Person,
    Programme,
    Workplace,
)
from .outline import programme_outline

WORKPLACES_PER_PAGE = 50
PEOPLE_PER_PAGE = 100


def _phases_with_state(phases, today) -> list:
    for phase in phases:
        phase.state = phase.status(today)
    return phases


def home(request):
    """Mit overblik: the signed-in person's part of the programme."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    programme = Programme.objects.for_user(request.user).current(today)
    person = scope.person
    context = {
        "programme": programme,
        "person": person,
        "today": today,
        "is_coach": scope.has(RoleGroup.COACH),
        "active_nav": "home",
    }
    if programme is not None:
        outline = programme_outline(programme)
        context.update(
            {
                "tiers": outline.tiers,
                "tier": next((t for t in outline.tiers if person and person.role in t.roles), None),
                "phases": _phases_with_state(outline.phases, today),
                "milestones": outline.pending_milestones(limit=5),
                "outline_version": outline.version,
                # The budget is for HR and direktionen only (product.md's policy table).
                "budget_years": outline.budget_years if scope.everything else [],
            }
        )
        _prepare_tier_start(context, programme, outline)

    if scope.everything:
        context["snapshots"] = list(
            AdministrationSnapshot.objects.filter(administration__is_active=True)
            .select_related("administration")
            .order_by("administration__name")
        )
    elif scope.administration_ids:
        context["snapshots"] = list(
            AdministrationSnapshot.objects.filter(
                administration_id__in=scope.administration_ids
            ).select_related("administration")
        )
    if scope.led_workplace_ids:
        led = (
            Workplace.objects.filter(pk__in=scope.led_workplace_ids, is_active=True)
            .select_related("administration")
            .annotate(n_people=Count("people", filter=Q(people__is_active=True)))
            .order_by("name")
        )
        context["led_workplaces"] = list(led)
    if snapshots := context.get("snapshots"):
        context["snapshot_time"] = min(s.computed_at for s in snapshots)
        for snapshot in snapshots:
            # Small groups are suppressed: the template shows "< 5" for None.
            snapshot.people_shown = coverage.shown(snapshot.people)
    if programme is not None:
        _prepare_step_two(context, programme)
        _prepare_feedback(context, programme)
    return render(request, "programme/home.html", context)


def _prepare_tier_start(context, programme, outline) -> None:
    """Tell a leader or employee whether their tier has started in their administration."""
    tier, person = context["tier"], context["person"]
    if tier is None or tier.number < cascade.FIRST_RELEASED_TIER or not person.workplace_id:
        return
    released = cascade.released_at(programme, person.workplace.administration_id, tier.number)
    context["tier_released_at"] = released
    if released is None:
        context["tier_expected"] = cascade.expected_start(outline, tier)


def _prepare_feedback(context, programme) -> None:
    """Link a leader to "I sagde — vi gør" of each unit a published decision answers.

    One query, for leaders only; the others reach the pages through the workplaces.
    """
    led = context.get("led_workplaces")
    if not led:
        return
    answered = feedback.answered_workplace_ids(programme, [w.pk for w in led])
    context["feedback_workplaces"] = [
        (w, reverse("clarification:feedback", kwargs={"code": w.code}))
        for w in led
        if w.pk in answered
    ]


def _prepare_step_two(context, programme) -> None:
    """Add step 2's state, deadline and deliveries to the units and administrations shown.

    The states and the totals come from the cache; a leader's submissions take one query.
    Nothing is looked up while the programme has no step 2 (there is no panel then).
    """
    led, snapshots = context.get("led_workplaces", ()), context.get("snapshots", ())
    if not (led or snapshots):
        return
    step_two = coverage.step_two(programme)
    if step_two.deadline is None:
        return
    context["step_two_deadline"] = step_two.deadline
    if led:
        submissions = coverage.submissions_of(led, programme)
        for workplace in led:
            workplace.step_two_label = step_two.status_label(workplace.administration_id)
            workplace.submission = submissions.get(workplace.pk)
            workplace.step_two_url = reverse(
                "clarification:workplace", kwargs={"code": workplace.code}
            )
    if snapshots:
        figures = coverage.administration_figures(programme)
        for snapshot in snapshots:
            snapshot.step_two_label = step_two.status_label(snapshot.administration_id)
            snapshot.delivery = figures.get(snapshot.administration_id, coverage.Figures())


def programme_detail(request, slug):
    """The programme: tiers, phases with planned and actual dates, milestones and moves."""
    programme = get_object_or_404(
        Programme.objects.for_user(request.user).select_related("owner_unit"), slug=slug
    )
    today = timezone.localdate()
    outline = programme_outline(programme)
    return render(
        request,
        "programme/programme_detail.html",
        {
            "programme": programme,
            "tiers": outline.tiers,
            "phases": _phases_with_state(outline.phases, today),
            "milestones": outline.milestones,
            # The budget is for HR and direktionen only (product.md's policy table).
            "budget_years": outline.budget_years if scope_for(request.user).everything else [],
            "today": today,
            "active_nav": "programme",
        },
    )


def programme_current(request):
    """Redirect-free shortcut: show the current programme."""
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    return programme_detail(request, slug=programme.slug)


def workplace_list(request):
    """The workplaces the user may see, searchable and paged."""
    scope = scope_for(request.user)
    if not (scope.everything or scope.administration_ids or scope.led_workplace_ids):
        # A function this role may not use (staff see their own workplace only).
        raise PermissionDenied
    workplaces = (
        Workplace.objects.for_user(request.user)
        .active()
        .select_related("administration", "parent")
        .order_by("administration__name", "name")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        workplaces = workplaces.filter(Q(name__icontains=query) | Q(code__iexact=query))
    administration_id = request.GET.get("forvaltning", "")
    administrations = Administration.objects.for_user(request.user).active()
    if administration_id.isdigit():
        workplaces = workplaces.filter(administration_id=int(administration_id))
    page = Paginator(workplaces, WORKPLACES_PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "programme/workplace_list.html",
        {
            "page": page,
            "query": query,
            "administrations": administrations,
            "administration_id": administration_id,
            "active_nav": "organisation",
        },
    )


def workplace_detail(request, code):
    """A workplace: its leaders, MED committees and (for those allowed) its staff."""
    scope = scope_for(request.user)
    workplace = get_object_or_404(
        Workplace.objects.for_user(request.user).select_related("administration", "parent"),
        code=code,
    )
    may_see_staff = (
        scope.everything
        or workplace.administration_id in scope.administration_ids
        or workplace.pk in scope.led_workplace_ids
    )
    people_page = None
    if may_see_staff:
        people = (
            Person.objects.for_user(request.user)
            .filter(workplace=workplace, is_active=True)
            .order_by("name")
        )
        people_page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        "programme/workplace_detail.html",
        {
            "workplace": workplace,
            "leaders": workplace.leaders.filter(is_active=True).order_by("name"),
            "children": Workplace.objects.for_user(request.user)
            .filter(parent=workplace, is_active=True)
            .order_by("name"),
            "med_committees": workplace.med_committees.order_by("level", "name"),
            "people_page": people_page,
            "may_see_staff": may_see_staff,
            "n_people": workplace.people.filter(is_active=True).count(),
            "active_nav": "organisation",
        },
    )


@login_not_required
def accessibility_statement(request):
    """Tilgængelighedserklæring, as the Danish web accessibility law requires."""
    return render(request, "accessibility.html")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Report whether the database and the broker answer; nothing else."""
    checks = {"database": _database_ok(), "broker": _broker_state()}
    healthy = checks["database"] == "ok" and checks["broker"] in {"ok", "eager"}
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _database_ok() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "error"
    return "ok"


def _broker_state() -> str:
    # The setting, not the Celery app's configuration, which is read once and cached.
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url:
        return "eager"
    from rodovre_udvikling.celery import app

    try:
        with app.connection_for_write(
            url=broker_url,
            transport_options={"socket_connect_timeout": 2, "socket_timeout": 2},
        ) as conn:
            # One attempt: kombu sleeps two seconds before each retry.
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception:
        return "error"
    return "ok"


def my_workplace(request):
    """The signed-in person's own workplace."""
    scope = scope_for(request.user)
    person = (
        Person.objects.select_related("workplace")
        .filter(pk=scope.person_id, workplace__isnull=False)
        .first()
    )
    if person is None:
        raise Http404
    return workplace_detail(request, code=person.workplace.code)
