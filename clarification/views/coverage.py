"""Pages of the clarification phase: coverage of step 2, and the overview of the steps."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from programme.access import scope_for
from programme.models import Administration, Programme

from ..coverage import (
    Figures,
    WorkplaceCoverage,
    followed_administrations,
    followed_figures,
    followed_workplaces,
    has_delivered,
    may_follow,
    per_workplace,
    step_states,
)
from ..models import ClarificationStep, StepState, StepStatus
from ..templatetags.small_groups import people

# As many as the Organisation list shows (programme.views). With 100 rows the page came to
# 10-12x a trivial page on SQLite (bench/bench_coverage.py), past the target of 10x.
WORKPLACES_PER_PAGE = 50
# The "afleveret" filter of the coverage page: its values and what they keep.
DELIVERED_FILTERS = {"ja": True, "nej": False}


def _require_follower(user) -> None:
    if not may_follow(scope_for(user)):
        # Staff and coaches have no part in following step 2 (product.md's policy table).
        raise PermissionDenied


# --- The overview: steps and coverage per administration ---------------------------------


@dataclass
class StepCell:
    """One step in one administration, with HR's next action on it."""

    step: ClarificationStep
    status: str
    state: StepState | None
    overdue: bool
    action_url: str = ""

    @property
    def status_label(self) -> str:
        return StepStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == StepStatus.CLOSED


@dataclass
class AdministrationRow:
    administration: Administration
    figures: Figures
    steps: list[StepCell] = field(default_factory=list)
    plan_url: str = ""
    coverage_url: str = ""


def overview_panel(user) -> dict:
    """Return the context of the panel in templates/clarification/overview.html.

    A dashboard includes the panel with `{% include "clarification/overview.html#panel" %}`
    and this context.
    """
    scope = scope_for(user)
    programme = Programme.objects.for_user(user).current()
    if programme is None:
        return {"programme": None}
    today = timezone.localdate()
    administrations = list(followed_administrations(user).order_by("name"))
    steps = list(programme.clarification_steps.order_by("number"))
    states = step_states(user, programme, administrations)
    figures = followed_figures(user, programme)
    coverage_url = reverse("clarification:coverage")
    rows = []
    for administration in administrations:
        cells = []
        for step in steps:
            state = states.get((administration.pk, step.number))
            status = state.status if state is not None else StepStatus.NOT_STARTED
            cell = StepCell(
                step=step,
                status=status,
                state=state,
                overdue=status == StepStatus.OPEN and step.deadline < today,
            )
            if scope.is_hr and status != StepStatus.CLOSED:
                # Opening and closing (with the rules and the sign-off) live on the step pages.
                name = "clarification:step-close" if cell.is_open else "clarification:step-open"
                cell.action_url = reverse(
                    name, kwargs={"number": step.number, "code": administration.code}
                )
            cells.append(cell)
        rows.append(
            AdministrationRow(
                administration=administration,
                figures=figures.get(administration.pk, Figures()),
                steps=cells,
                plan_url=reverse("clarification:plan-detail", kwargs={"code": administration.code}),
                coverage_url=f"{coverage_url}?{urlencode({'forvaltning': administration.code})}",
            )
        )
    return {
        "programme": programme,
        "steps": steps,
        "rows": rows,
        "total": sum((row.figures for row in rows), Figures()),
        # A leader follows only the units they lead, not their whole administration.
        "own_units_only": not (scope.everything or scope.administration_ids),
        "coverage_url": coverage_url,
    }


def overview(request):
    """The steps' status and step 2's coverage per administration; direktion's first panel."""
    _require_follower(request.user)
    return render(
        request,
        "clarification/overview.html",
        {**overview_panel(request.user), "active_nav": "clarification"},
    )


# --- Coverage per workplace --------------------------------------------------------------


def coverage(request):
    """Step 2 per workplace: delivered or not, activities, staff reached, anonymous input."""
    _require_follower(request.user)
    scope = scope_for(request.user)
    programme = Programme.objects.for_user(request.user).current()
    administrations = list(followed_administrations(request.user).order_by("name"))
    workplaces = followed_workplaces(request.user).order_by("administration__name", "name", "pk")
    code = request.GET.get("forvaltning", "").strip()
    administration = None
    if code:
        administration = next((a for a in administrations if a.code == code), None)
        if administration is None:
            # Another administration's code, or none at all, looks the same: not found.
            raise Http404
        workplaces = workplaces.filter(administration=administration)
    delivered = request.GET.get("afleveret", "")
    if delivered not in DELIVERED_FILTERS:
        delivered = ""
    page, rows = None, []
    if programme is not None:
        if delivered:
            done = has_delivered(programme)
            workplaces = workplaces.filter(done if DELIVERED_FILTERS[delivered] else ~done)
        page = Paginator(workplaces, WORKPLACES_PER_PAGE).get_page(request.GET.get("side"))
        rows = _lines(per_workplace(page.object_list, programme))
    return render(
        request,
        "clarification/coverage.html",
        {
            "programme": programme,
            "administrations": administrations,
            "administration": administration,
            "delivered": delivered,
            "page": page,
            "rows": rows,
            "own_units_only": not (scope.everything or scope.administration_ids),
            "active_nav": "clarification",
        },
    )


def _number(n: int) -> str:
    # Danish thousands separators; most counts are small and skip the locale machinery.
    return str(n) if n < 1000 else intcomma(n)


def _lines(rows: list[WorkplaceCoverage]) -> list[dict]:
    """Prepare the coverage rows as text for the table.

    A page has 50 rows of eight cells: formatting them here, each text translated once
    per page, costs a fraction of what template filters and blocktranslate cost per cell.
    """
    # One reverse() for the page: the code is all that differs from row to row.
    workplace_url = reverse("clarification:workplace", kwargs={"code": "__code__"})
    text = {
        "draft": _("Ikke afleveret (kladde)"),
        "none": _("Ikke afleveret"),
        "yes": _("Ja"),
        "no": _("Nej"),
        # Filled with the (escaped) "< 5" markup or a number: nothing typed by a user.
        "of": _("%(n)s af %(total)s"),
    }
    dates: dict[datetime.date, str] = {}
    lines = []
    for row in rows:
        figures = row.figures
        if row.is_delivered:
            day = timezone.localdate(row.delivered_at)
            if day not in dates:
                dates[day] = _("Afleveret %(date)s") % {
                    "date": date_format(day, "SHORT_DATE_FORMAT")
                }
            status = dates[day]
        else:
            status = text["draft"] if row.is_started else text["none"]
        staff = text["of"] % {
            "n": people(figures.staff_reached),
            "total": _number(figures.headcount),
        }
        if figures.staff_share is not None:
            staff = f"{staff} ({figures.staff_share} %)"
        lines.append(
            {
                "name": row.name,
                "url": workplace_url.replace("__code__", quote(row.code, safe="")),
                "administration": row.administration_name,
                "status": status,
                "activities": _number(figures.activities),
                # Numbers and the "< 5" markup: nothing a user typed.
                "staff": mark_safe(staff),
                "med": text["yes"] if figures.med_involved else text["no"],
                "anonymous": people(figures.anonymous),
                "leader_inputs": _number(figures.leader_inputs),
            }
        )
    return lines


urlpatterns = [
    path("afklaring/oversigt/", overview, name="overview"),
    path("afklaring/daekning/", coverage, name="coverage"),
]
