"""URL configuration. Every URL is classified in tests/test_url_matrix.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from programme import views as programme_views
from programme.forms import LoginForm

admin.site.site_header = _("Sammen om Rødovre — administration")
admin.site.site_title = _("Sammen om Rødovre")
admin.site.index_title = _("Personale & Udvikling")

urlpatterns = [
    path(
        "log-ind/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("sprog/", login_not_required(set_language), name="set_language"),
    path("tilgaengelighed/", programme_views.accessibility_statement, name="accessibility"),
    path("healthz", programme_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("clarification.urls")),
    path("", include("programme.urls")),
    path("", include("seminars.calendar")),
    path("", include("seminars.views")),
    path("", include("seminars.chefgruppe")),
    path("", include("seminars.evaluation")),
    path("", include("seminars.coaching_views")),
    path("", include("seminars.action_learning_views")),
]
