"""Step 3's theme × administration matrix, and direktionen's dashboard built from panels.

Both read snapshots and cached totals (clarification.matrix, clarification.coverage),
never the raw input rows, so they cost the same at 150,000 inputs as at 100.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from programme.access import RoleGroup, scope_for
from programme.models import Programme

from .. import exports, matrix
from ..models import Decision, DecisionState
from .coverage import overview_panel


def _matrix_scope(user) -> set[int] | None:
    """Return the administrations whose columns the user sees (None: all); 403 for others.

    Processing (step 3) is read by direktionen and edited by HR; a fagchef reads their own
    administration (product.md's policy table).
    """
    scope = scope_for(user)
    if scope.everything:
        return None
    if scope.has(RoleGroup.HEAD_OF_DEPARTMENT) and scope.administration_ids:
        return set(scope.administration_ids)
    raise PermissionDenied


def matrix_panel(user, programme: Programme | None, *, limit: int | None = None) -> dict:
    """Return the context of the matrix table (templates/clarification/matrix.html#panel)."""
    columns = _matrix_scope(user)
    snapshot = matrix.latest(programme) if programme is not None else None
    if snapshot is None:
        return {"programme": programme, "snapshot": None}
    table = matrix.rows(snapshot, administration_ids=columns)
    processing = reverse("clarification:processing")
    for row in table["rows"]:
        for cell in row.cells:
            query = {"administration": cell.administration["id"], "theme": row.theme["id"]}
            cell.url = f"{processing}?{urlencode(query)}"
    shown_rows = table["rows"] if limit is None else table["rows"][:limit]
    return {
        "programme": programme,
        "snapshot": snapshot,
        **table,
        "shown_rows": shown_rows,
        "more_rows": len(table["rows"]) - len(shown_rows),
    }


def matrix_page(request):
    """The whole matrix: every theme, heat-map colouring over numbers, printable."""
    programme = Programme.objects.for_user(request.user).current()
    context = matrix_panel(request.user, programme)
    return render(request, "clarification/matrix.html", {**context, "active_nav": "matrix"})


def _decision_counts(programme: Programme) -> list[tuple[str, int]]:
    counts = dict(
        Decision.objects.filter(programme=programme)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(label, counts.get(value, 0)) for value, label in DecisionState.choices]


def dashboard(request):
    """Direktionen's dashboard: steps and coverage, the matrix, decisions, tier 1, the cascade."""
    scope = scope_for(request.user)
    if not scope.everything:
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    context = {
        "overview": overview_panel(request.user),
        "matrix": matrix_panel(request.user, programme, limit=10),
        "decisions": _decision_counts(programme) if programme is not None else [],
        "active_nav": "dashboard",
    }
    if programme is not None:
        from programme.cascade import pipeline
        from seminars.panels import action_learning_panel, coaching_panel, seminar_panel

        context["cascade_rows"] = pipeline(programme)
        context["seminar_panel"] = seminar_panel(programme)
        context["coaching_panel"] = coaching_panel(programme)
        context["action_learning_panel"] = action_learning_panel(programme)
    return render(request, "clarification/dashboard.html", context)


urlpatterns = [
    path("afklaring/matrix/", matrix_page, name="matrix"),
    path("direktion/", dashboard, name="dashboard"),
]


# --- Exports for the meeting papers -------------------------------------------------------

EXPORTS = {
    "input": _("input-med-temaer"),
    "matrix": _("tema-matrix"),
    "beslutninger": _("beslutninger"),
}


def export(request, what, fmt):
    """Inputs with themes and groups, the matrix, or the decisions: CSV or XLSX."""
    if what not in EXPORTS or fmt not in exports.FORMATS:
        raise Http404
    if not scope_for(request.user).everything:
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    if what == "input":
        headers, rows = exports.inputs_table(programme, request.user)
    elif what == "matrix":
        snapshot = matrix.latest(programme)
        if snapshot is None:
            raise Http404
        headers, rows = exports.matrix_table(snapshot)
    else:
        headers, rows = exports.decisions_table(programme)
    content = exports.write(fmt, headers, rows)
    response = HttpResponse(content, content_type=exports.FORMATS[fmt].content_type)
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = content_disposition_header(
        True, f"{EXPORTS[what]}-{day}.{fmt}"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


urlpatterns += [
    path("afklaring/eksport/<str:what>.<str:fmt>", export, name="export"),
]
