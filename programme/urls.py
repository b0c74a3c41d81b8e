from django.urls import path

from . import cascade_views, views

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("program/", views.programme_current, name="programme-current"),
    path("program/<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("organisation/", views.workplace_list, name="workplace-list"),
    path("organisation/min-arbejdsplads/", views.my_workplace, name="my-workplace"),
    path(
        "organisation/arbejdspladser/<str:code>/",
        views.workplace_detail,
        name="workplace-detail",
    ),
    *cascade_views.urlpatterns,
]
