"""The chefgruppe log: an administration's management-group meetings and what they used.

The fagchef of the administration writes it; HR and direktion read every administration's
log; everyone else is refused (403), and another administration's log answers 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.access import RoleGroup, scope_for
from programme.models import Administration, Programme

from .models import ChefgroupMeeting, Seminar


class MeetingForm(forms.ModelForm):
    class Meta:
        model = ChefgroupMeeting
        fields = ["held_on", "topic", "seminars", "knowledge_used", "follow_ups"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "seminars": forms.CheckboxSelectMultiple,
            "knowledge_used": forms.Textarea(attrs={"rows": 3}),
            "follow_ups": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "held_on": {
                "required": gettext_lazy("Skriv mødets dato."),
                "invalid": gettext_lazy("Skriv en gyldig dato."),
            },
            "topic": {"required": gettext_lazy("Skriv mødets emne.")},
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seminars"].queryset = Seminar.objects.filter(programme=programme)


def _reader(user):
    scope = scope_for(user)
    if scope.everything or (scope.has(RoleGroup.HEAD_OF_DEPARTMENT) and scope.administration_ids):
        return scope
    raise PermissionDenied


def _administration(request, code) -> Administration:
    scope = scope_for(request.user)
    administrations = Administration.objects.all()
    if not scope.everything:
        administrations = administrations.filter(pk__in=scope.administration_ids)
    return get_object_or_404(administrations, code=code)


def index(request):
    """HR and direktion choose an administration; a fagchef goes to their own log."""
    scope = _reader(request.user)
    if not scope.everything:
        own = Administration.objects.filter(pk__in=scope.administration_ids).order_by("name")
        return redirect("chefgruppe:log", code=own.first().code)
    return render(
        request,
        "seminars/chefgruppe_index.html",
        {
            "administrations": Administration.objects.active().order_by("name"),
            "active_nav": "seminars",
        },
    )


def log(request, code, pk=None):
    scope = _reader(request.user)
    administration = _administration(request, code)
    programme = Programme.objects.for_user(request.user).current()
    may_write = (
        scope.has(RoleGroup.HEAD_OF_DEPARTMENT) and administration.pk in scope.administration_ids
    )
    meeting = None
    if pk is not None:
        meeting = get_object_or_404(
            ChefgroupMeeting.objects.for_user(request.user), pk=pk, administration=administration
        )
    form = None
    if may_write and programme is not None:
        form = MeetingForm(request.POST or None, instance=meeting, programme=programme)
        if request.method == "POST" and form.is_valid():
            saved = form.save(commit=False)
            saved.programme, saved.administration = programme, administration
            saved.written_by = request.user
            saved.save()
            form.save_m2m()
            messages.success(request, _("Mødet er gemt i chefgruppens log."))
            return redirect("chefgruppe:log", code=administration.code)
    elif request.method == "POST":
        raise PermissionDenied
    meetings = (
        ChefgroupMeeting.objects.for_user(request.user)
        .filter(administration=administration)
        .prefetch_related("seminars")
    )
    return render(
        request,
        "seminars/chefgruppe_log.html",
        {
            "administration": administration,
            "meetings": meetings,
            "form": form,
            "editing": meeting,
            "active_nav": "seminars",
        },
    )


app_name = "chefgruppe"
urlpatterns = [
    path("chefgruppe/", index, name="index"),
    path("chefgruppe/<str:code>/", log, name="log"),
    path("chefgruppe/<str:code>/<int:pk>/", log, name="edit"),
]
