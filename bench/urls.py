"""The project's URLs plus trivial pages: the baselines for page benchmarks."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def trivial(request):
    return HttpResponse("ok")


@login_not_required
@csrf_exempt
def public_trivial(request):
    """The baseline for public pages: answers GET and POST through the whole middleware."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/public-trivial/", public_trivial),
    path("", include("rodovre_udvikling.urls")),
]
