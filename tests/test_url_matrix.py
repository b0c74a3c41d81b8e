"""Every URL is classified: public, or a role × URL matrix of the status each role gets.

quality.md rows 6 and 7. A new URL fails `test_every_named_url_is_classified` until it is
added to PUBLIC or MATRIX below, with what every role must get from it.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from programme.access import RoleGroup
from programme.models import ExternalPerson
from tests.programme.factories import UserFactory
from tests.url_matrices import AREAS
from tests.url_matrices._rows import LOGGED_OUT, LOGIN, ROLES, Row, every_role

pytestmark = pytest.mark.django_db

# Public pages: no login needed. Each answers an anonymous visitor itself.
PUBLIC = {
    "login": Row({"anonymous": 200}),
    "set_language": Row({"anonymous": 302}, method="post", data={"language": "en"}),
    "accessibility": Row({"anonymous": 200}),
    "healthz": Row({"anonymous": 200}),
}

MATRIX = {
    "logout": Row(every_role(LOGIN, LOGGED_OUT), method="post"),
    "programme:home": Row(every_role(LOGIN, 200)),
    "programme:programme-current": Row(every_role(LOGIN, 200)),
    "programme:programme-detail": Row(every_role(LOGIN, 200)),
    "programme:workplace-list": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 403,
            "leder": 200,
            "fagchef": 200,
            "direktion": 200,
            "hr": 200,
            "coach": 403,
        }
    ),
    # HR programme staff and coaches are not employees of a workplace.
    "programme:my-workplace": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 200,
            "leder": 200,
            "fagchef": 200,
            "direktion": 200,
            "hr": 404,
            "coach": 404,
        }
    ),
    # Each role asks for its own workplace (HR and the coach for the first leader's).
    "programme:workplace-detail": Row(
        {
            "anonymous": LOGIN,
            "medarbejder": 200,
            "leder": 200,
            "fagchef": 200,
            "direktion": 200,
            "hr": 200,
            "coach": 404,
        }
    ),
}


# Each area of the app adds its own rows (tests/url_matrices/).
AREA_OF = {}
for _area in AREAS:
    for _table, _rows in ((PUBLIC, _area.PUBLIC), (MATRIX, _area.MATRIX)):
        assert not set(_rows) & (set(PUBLIC) | set(MATRIX)), _area.__name__
        _table.update(_rows)
        AREA_OF.update(dict.fromkeys(_rows, _area))


def named_urls(resolver=None, namespace=""):
    """Yield the full name of every URL pattern, skipping the admin site's own URLs."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == admin.site.name:
                continue  # covered by test_admin_* below
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern cannot be classified: it shows up as unclassified.
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def test_every_named_url_is_classified():
    found = set(named_urls())
    classified = set(PUBLIC) | set(MATRIX)
    assert not set(PUBLIC) & set(MATRIX)
    assert found - classified == set(), "classify these URLs in PUBLIC or MATRIX"
    assert classified - found == set(), "these classified URLs no longer exist"


def test_a_new_url_shows_up_as_unclassified():
    def new_page(request):
        raise AssertionError("never called")

    class UrlsWithNewPages:
        urlpatterns = [
            path("ny-side/", new_page, name="new-page"),
            path("uden-navn/", new_page),
            path("", include("rodovre_udvikling.urls")),
        ]

    unclassified = set(named_urls(get_resolver(UrlsWithNewPages))) - set(PUBLIC) - set(MATRIX)

    assert unclassified == {"new-page", "<unnamed uden-navn/>"}


def test_matrix_has_a_cell_for_every_role():
    for name, row in MATRIX.items():
        assert set(row.expected) == set(ROLES), name


@pytest.fixture
def coach(db):
    user = UserFactory(username="coach", groups=[RoleGroup.COACH])
    ExternalPerson.objects.create(name="Coach Hansen", kind="coach", user=user)
    return user


@pytest.fixture
def role_context(org, users, programme, coach):
    """For each role: its login and the workplace it asks for."""
    return {
        "anonymous": (None, org["wa1"]),
        "medarbejder": (users["medarbejder"], org["employee_a"].workplace),
        "leder": (users["leder"], org["leader_a"].workplace),
        "fagchef": (users["fagchef"], org["fagchef_a"].workplace),
        "direktion": (users["direktion"], org["director"].workplace),
        "hr": (users["hr"], org["wa1"]),
        "coach": (coach, org["wa1"]),
    }


def url_kwargs(name, role, ctx):
    if name in AREA_OF:
        area = AREA_OF[name]
        if hasattr(area, "prepare"):
            area.prepare(ctx)
        return area.url_kwargs(name, ctx)
    return {
        "programme:programme-detail": {"slug": ctx["programme"].slug},
        "programme:workplace-detail": {"code": ctx["workplace"].code},
    }.get(name, {})


def request_as(client, row, url, user):
    if user is not None:
        client.force_login(user)
    return getattr(client, row.method)(url, row.data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_the_matrix_status(client, role_context, programme, org, users, name, role):
    user, workplace = role_context[role]
    row = MATRIX[name]
    ctx = {
        "role": role,
        "user": user,
        "workplace": workplace,
        "programme": programme,
        "org": org,
        "users": users,
    }
    url = reverse(name, kwargs=url_kwargs(name, role, ctx))

    response = request_as(client, row, url, user)

    expected = row.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif expected == LOGGED_OUT:
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_url_answers_anonymous_visitor(client, org, users, programme, name):
    row = PUBLIC[name]
    ctx = {
        "role": "anonymous",
        "user": None,
        "workplace": org["wa1"],
        "programme": programme,
        "org": org,
        "users": users,
    }
    response = request_as(client, row, reverse(name, kwargs=url_kwargs(name, None, ctx)), None)

    assert response.status_code == row.expected["anonymous"]
    assert not response.get("Location", "").startswith(reverse("login"))


def test_signed_in_user_is_sent_from_login_page_to_mit_overblik(client, users):
    client.force_login(users["medarbejder"])
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("programme:home")


# --- the admin -----------------------------------------------------------------------


def admin_changelist_urls():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_answers_only_hr(client, role_context, role):
    user, _workplace = role_context[role]
    url = reverse("admin:index")

    response = request_as(client, Row({}), url, user)

    if role == "hr":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("role", ["medarbejder", "leder", "fagchef", "direktion", "coach"])
def test_non_hr_roles_reach_no_admin_changelist(client, role_context, role):
    user, _workplace = role_context[role]
    client.force_login(user)
    for url in admin_changelist_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_flag_alone_opens_no_changelist(client, users):
    """A leader wrongly marked as staff still has no model permission in the admin."""
    leader = users["leder"]
    leader.is_staff = True
    leader.save(update_fields=["is_staff"])
    client.force_login(leader)

    for url in admin_changelist_urls():
        assert client.get(url).status_code == 403, url


# The login logs (addresses and times of every login) are for IT's superusers, not HR.
NOT_FOR_HR = {"axes.AccessLog", "axes.AccessFailureLog"}


def test_hr_opens_every_admin_changelist_but_the_login_logs(client, users):
    assert users["hr"].groups.filter(name=RoleGroup.HR).exists()
    client.force_login(users["hr"])
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        expected = 403 if model._meta.label in NOT_FOR_HR else 200
        assert client.get(url).status_code == expected, url


def test_direktion_view_permissions_do_not_open_the_admin(client, users):
    direktion = Group.objects.get(name=RoleGroup.DIRECTION)
    assert direktion.permissions.exists()
    client.force_login(users["direktion"])
    assert client.get(reverse("admin:programme_person_changelist")).status_code == 302
