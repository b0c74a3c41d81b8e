"""The project's URLs plus trivial pages: the baselines for page benchmarks."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def trivial(request):
    return HttpResponse("ok")


@login_not_required
@csrf_exempt
def public_trivial(request):
    """The baseline for public pages: answers GET and POST through the whole middleware."""
    return HttpResponse("ok")


class PlainForm(forms.Form):
    kind = forms.CharField()
    title = forms.CharField(max_length=200)
    text = forms.CharField(max_length=2000)
    suggested_form = forms.CharField()
    theme_guesses = forms.CharField(required=False)


@login_not_required
def public_plain_form(request):
    """What any public Django form costs: a CSRF token on GET, a checked and validated POST.

    Nothing is stored; it shows how much of a form's cost is Django's own machinery.
    """
    if request.method == "POST" and PlainForm(request.POST).is_valid():
        return redirect("/bench/public-trivial/")
    token = get_token(request)
    return HttpResponse(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/public-trivial/", public_trivial),
    path("bench/public-plain-form/", public_plain_form),
    path("", include("rodovre_udvikling.urls")),
]
