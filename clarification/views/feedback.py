""" "I sagde — vi gør": a workplace's page, for its leader and for its staff via the link.

The leader's page is fetched through Workplace.objects.for_user() (404 for another's
workplace). The staff's page answers the workplace's secret link alone, like the
anonymous form, and shows only that workplace; a rotated link gets the same clear page.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from programme.access import scope_for
from programme.models import Programme, Workplace

from .. import feedback
from ..services import anonymous as anonymous_service


@require_GET
def workplace_feedback(request, code):
    scope = scope_for(request.user)
    if not (scope.everything or scope.administration_ids or scope.led_workplace_ids):
        raise PermissionDenied
    workplace = get_object_or_404(
        Workplace.objects.for_user(request.user).select_related("administration"), code=code
    )
    if not (
        scope.everything
        or workplace.administration_id in scope.administration_ids
        or workplace.pk in scope.led_workplace_ids
    ):
        raise PermissionDenied
    programme = Programme.objects.for_user(request.user).current()
    return render(
        request,
        "clarification/feedback.html",
        {
            "page": feedback.for_workplace(programme, workplace) if programme else None,
            "programme": programme,
            "active_nav": "clarification",
        },
    )


@login_not_required
@require_GET
def anonymous_feedback(request, token):
    info = anonymous_service.link_info(token)
    if info is None:
        return render(request, "clarification/anonymous_invalid.html", status=404)
    workplace = Workplace.objects.select_related("administration").get(pk=info.workplace_id)
    programme = Programme.objects.filter(pk=info.programme_id).first()
    return render(
        request,
        "clarification/feedback_public.html",
        {
            "page": feedback.for_workplace(programme, workplace) if programme else None,
            "programme": programme,
            "token": token,
        },
    )


urlpatterns = [
    path(
        "afklaring/arbejdspladser/<str:code>/i-sagde-vi-goer/",
        workplace_feedback,
        name="feedback",
    ),
    path("input/<str:token>/i-sagde-vi-goer/", anonymous_feedback, name="anonymous-feedback"),
]
