"""Pages of the clarification phase: anonymous input through a workplace's link, its poster.

The two public pages (the form and the thank-you) read nothing about the visitor but the
address, and that only to count submissions in the cache (services.anonymous); nothing
here reads `request.user`, so a signed-in employee is just as anonymous.
"""

import dataclasses

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from programme.access import RoleGroup, Scope, scope_for
from programme.models import Workplace

from ..forms.anonymous import AnonymousInputForm
from ..models import AnonymousLink, StepStatus
from ..poster import build_poster
from ..services import anonymous as service
from ..services.steps import StepClosed

# --- the public pages -------------------------------------------------------------------

# Stands in for the CSRF token in a cached page; every response gets a fresh token.
CSRF_PLACEHOLDER = "csrf-placeholder-not-a-token"


def _invalid_link(request):
    return render(request, "clarification/anonymous_invalid.html", status=404)


def _closed(request, token, info: service.LinkInfo, *, status: int):
    return render(
        request,
        "clarification/anonymous_closed.html",
        {"info": info, "token": token},
        status=status,
    )


def _form_page(request, token):
    """Answer the empty form from a page rendered once per link and language.

    A whole department opens the form within minutes; crispy's field templates and the
    layout cost many times the rest of the request, and the page is the same for all of
    them but for the CSRF token, which each response gets afresh. Only a valid link with
    step 2 open has a cached page (for `cache_seconds()`), and a rotation drops it.
    """
    key = service.cache_key(token, "page", get_language())
    html = cache.get(key)
    if html is None:
        info = service.link_info(token)
        if info is None:
            return _invalid_link(request)
        if not info.is_open:
            return _closed(request, token, info, status=200)
        html = render_to_string(
            "clarification/anonymous_input.html",
            {"info": info, "token": token, "form": AnonymousInputForm()}
            | {"csrf_token": CSRF_PLACEHOLDER},
            request=request,
        )
        cache.set(key, html, timeout=service.cache_seconds())
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def anonymous_input(request, token):
    """The form an employee reaches through the workplace's link or QR code."""
    if request.method == "GET":
        return _form_page(request, token)
    form = AnonymousInputForm(request.POST)
    thanks = redirect("clarification:anonymous-thanks", token=token)
    if form.is_valid() and not form.is_bot:
        # The usual case in one round trip to the cache: count, read the link's info, and
        # take the guard of the suggestion run if nobody has (services.anonymous).
        try:
            admission = service.admit_submission(
                token=token, address=get_client_ip_address(request)
            )
        except service.TooManyInputs as error:
            info = service.link_info(token)
            if info is None:
                return _invalid_link(request)
            context = {"info": info, "token": token, "form": form, "rate_limited": True}
            context["retry_minutes"] = max(1, round(error.retry_after / 60))
            response = render(request, "clarification/anonymous_input.html", context, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        if admission is None:
            return _invalid_link(request)
        try:
            service.submit_anonymous_input(admission=admission, data=form.input_data())
        except StepClosed as error:
            actual = error.state.status if error.state else StepStatus.NOT_STARTED
            info = dataclasses.replace(admission.info, status=actual)
            return _closed(request, token, info, status=409)
        return thanks
    info = service.link_info(token)
    if info is None:
        return _invalid_link(request)
    if form.is_bot:
        return thanks
    if not info.is_open:
        return _closed(request, token, info, status=409)
    return render(
        request,
        "clarification/anonymous_input.html",
        {"info": info, "token": token, "form": form},
        status=200,
    )


@login_not_required
@never_cache
@require_GET
def anonymous_thanks(request, token):
    """Thank the employee and say what happens next."""
    info = service.link_info(token)
    if info is None:
        return _invalid_link(request)
    return render(request, "clarification/anonymous_thanks.html", {"info": info, "token": token})


# --- the leader's and HR's poster -----------------------------------------------------


def _may_rotate(scope: Scope, workplace: Workplace) -> bool:
    """Its leader or HR may rotate the link (product policy)."""
    return scope.is_hr or workplace.pk in scope.led_workplace_ids


def _may_download(scope: Scope, workplace: Workplace) -> bool:
    """Besides them, direktionen and the administration's fagchef may print the poster."""
    return (
        _may_rotate(scope, workplace)
        or scope.is_direction
        or (
            scope.has(RoleGroup.HEAD_OF_DEPARTMENT)
            and workplace.administration_id in scope.administration_ids
        )
    )


def _workplace(request, code) -> Workplace:
    return get_object_or_404(
        Workplace.objects.for_user(request.user).active().select_related("administration"),
        code=code,
    )


@require_GET
def poster(request, code):
    """Return the workplace's A4 poster (PDF) with the QR code and the link written out."""
    workplace = _workplace(request, code)
    if not _may_download(scope_for(request.user), workplace):
        raise PermissionDenied
    link = service.get_or_create_link(workplace=workplace)
    step = service.execution_step(service.current_programme())
    pdf = build_poster(
        workplace_name=workplace.name,
        administration_name=workplace.administration.name,
        url=request.build_absolute_uri(link.get_absolute_url()),
        deadline=step.deadline if step else None,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"plakat-anonymt-input-{workplace.code}.pdf"
    )
    # The PDF holds the secret link: no shared cache may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
def rotate_link(request, code):
    """Confirm, then give the workplace a new link; the old poster stops working."""
    workplace = _workplace(request, code)
    if not _may_rotate(scope_for(request.user), workplace):
        raise PermissionDenied
    if request.method == "POST":
        service.rotate_link(workplace=workplace)
        messages.success(
            request,
            _(
                "Linket er skiftet. Det gamle link og den gamle QR-kode virker ikke længere. "
                "Hent den nye plakat, og hæng den op i stedet for den gamle."
            ),
        )
        return redirect("clarification:rotate-link", code=workplace.code)
    link = AnonymousLink.objects.for_user(request.user).filter(workplace=workplace).first()
    return render(
        request,
        "clarification/poster_rotate.html",
        {"workplace": workplace, "link": link, "active_nav": "organisation"},
    )


urlpatterns = [
    path("input/<str:token>/", anonymous_input, name="anonymous-input"),
    path("input/<str:token>/tak/", anonymous_thanks, name="anonymous-thanks"),
    path("afklaring/arbejdspladser/<str:code>/plakat/", poster, name="poster"),
    path("afklaring/arbejdspladser/<str:code>/skift-link/", rotate_link, name="rotate-link"),
]
