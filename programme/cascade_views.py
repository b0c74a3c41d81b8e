"""The cascade pages: the pipeline per administration, and HR's release of a tier."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import cascade
from .access import scope_for
from .models import Administration, Programme


class ReleaseForm(forms.Form):
    """Confirm a release; a reason is asked for only when criteria are unmet."""

    reason = forms.CharField(
        label=gettext_lazy("Begrundelse for at frigive alligevel"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Fx «Direktionen har besluttet at starte lederne før sommerferien»."
            " Begrundelsen gemmes med frigivelsen."
        ),
        error_messages={
            "required": gettext_lazy(
                "Angiv en begrundelse for at frigive, selv om kriterierne ikke er opfyldt."
            )
        },
    )

    def __init__(self, *args, override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not override:
            del self.fields["reason"]


def may_follow_cascade(scope) -> bool:
    """HR and direktionen follow every administration; a fagchef follows their own."""
    return scope.everything or bool(scope.administration_ids)


def _programme(request) -> Programme:
    programme = Programme.objects.for_user(request.user).current()
    if programme is None:
        raise Http404
    return programme


@require_http_methods(["GET"])
def cascade_pipeline(request):
    """The pipeline per administration: tier 1 → tier 2 → tier 3, and what each waits for."""
    scope = scope_for(request.user)
    if not may_follow_cascade(scope):
        raise PermissionDenied
    programme = _programme(request)
    administrations = Administration.objects.for_user(request.user).active()
    if not scope.everything:
        administrations = administrations.filter(pk__in=scope.administration_ids)
    return render(
        request,
        "programme/cascade.html",
        {
            "programme": programme,
            "rows": cascade.pipeline(programme, administrations),
            "may_release": scope.is_hr,
            "active_nav": "cascade",
        },
    )


@require_http_methods(["GET", "POST"])
def cascade_release(request, code, tier):
    """Confirm and record the release of a tier in an administration (HR only)."""
    # The administration first: another administration's answers 404 whatever the role.
    administration = get_object_or_404(
        Administration.objects.for_user(request.user).active(), code=code
    )
    if not scope_for(request.user).is_hr:
        raise PermissionDenied
    programme = _programme(request)
    tier_object = next((t for t in cascade.tiers_of(programme) if t.number == tier), None)
    if tier_object is None or tier < cascade.FIRST_RELEASED_TIER:
        raise Http404
    state = cascade.tier_state(programme, administration, tier_object)
    back_url = reverse("programme:cascade")
    form = None
    if state.may_release:
        form = ReleaseForm(
            request.POST if request.method == "POST" else None,
            override=state.status == cascade.Status.NOT_READY,
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Niveauet kan ikke frigives i forvaltningen lige nu."))
            return redirect(request.get_full_path())
        if form.is_valid():
            try:
                cascade.release_tier(
                    programme=programme,
                    administration=administration,
                    tier=tier,
                    by=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except cascade.ReleaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Niveau %(n)s (%(name)s) er frigivet i %(administration)s.")
                    % {"n": tier, "name": tier_object.name, "administration": administration},
                )
                return redirect(back_url)
    return render(
        request,
        "programme/cascade_release.html",
        {
            "programme": programme,
            "administration": administration,
            "tier": tier_object,
            "state": state,
            "form": form,
            "back_url": back_url,
            "active_nav": "cascade",
        },
    )


urlpatterns = [
    path("kaskade/", cascade_pipeline, name="cascade"),
    path(
        "kaskade/<str:code>/niveau/<int:tier>/frigiv/",
        cascade_release,
        name="cascade-release",
    ),
]
