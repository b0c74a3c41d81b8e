"""The project's URLs plus a trivial page: the baseline for page benchmarks."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("rodovre_udvikling.urls")),
]
