"""The security bar of quality.md, rows 1–5 and 10–11, tested through real requests."""

import datetime
import json
import os
import re
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.core.management.utils import get_random_secret_key
from django.test import Client
from django.urls import reverse

from programme import services
from programme.models import Administration, Person, Programme, Tier
from tests.programme.factories import (
    LeadershipFactory,
    MedCommitteeFactory,
    MilestoneFactory,
    PhaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "korrekt-hest-batteri-47"  # UserFactory's password


# --- Production settings (rows 1 and 3) -------------------------------------------------


def production_env(**overrides):
    """The environment production runs with: a real key, a host name, no DEBUG."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "rodovre_udvikling.settings",
        "DJANGO_SECRET_KEY": get_random_secret_key(),
        "DJANGO_ALLOWED_HOSTS": "udvikling.rk.dk",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_in_production(*args, **env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
]


@pytest.fixture(scope="module")
def production_settings():
    script = (
        "import json, rodovre_udvikling.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = run_in_production("-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_check_passes_with_production_values():
    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 silenced" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_in_production("-c", "import rodovre_udvikling.settings", DJANGO_SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_are_hardened(production_settings):
    assert production_settings == production_settings | {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
    }
    assert production_settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60


@pytest.fixture
def production_client(settings, production_settings):
    """A client whose middleware is built with the production values, over https."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    return Client()


def test_production_headers_are_sent(production_client):
    response = production_client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_redirects_http_to_https(settings, production_settings):
    settings.SECURE_SSL_REDIRECT = production_settings["SECURE_SSL_REDIRECT"]
    response = Client().get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_cookies_are_secure_httponly_and_samesite(production_client):
    user = UserFactory()
    page = production_client.get(reverse("login"), secure=True)
    production_client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, secure=True
    )
    production_client.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)

    session = production_client.cookies[settings.SESSION_COOKIE_NAME]
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    language = production_client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert language["secure"] and language["samesite"] == "Lax"


# --- Content Security Policy (row 2) ----------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def pages_for_each_role(org, users, programme):
    """Every page a role can open, and the error pages, as (user, url) pairs."""
    pages = [
        (None, reverse("login")),
        (None, reverse("accessibility")),
        (users["hr"], reverse("admin:index")),
    ]
    for user in users.values():
        pages += [
            (user, reverse("programme:home")),
            (user, programme.get_absolute_url()),
            (user, reverse("programme:programme-current")),
            (user, reverse("programme:workplace-list")),  # 403 for staff
            (user, reverse("programme:my-workplace")),  # 404 for HR
            (user, org["wa1"].get_absolute_url()),
            (user, org["wb1"].get_absolute_url()),  # 404 for most
        ]
    return pages


def test_every_page_sends_a_strict_csp_whose_nonce_the_scripts_carry(client, org, users, programme):
    statuses = set()
    for user, url in pages_for_each_role(org, users, programme):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        statuses.add(response.status_code)

        csp = csp_directives(response)
        assert csp["default-src"] == ["'self'"], url
        assert csp["object-src"] == ["'none'"], url
        assert csp["base-uri"] == ["'none'"], url
        assert csp["frame-ancestors"] == ["'none'"], url
        assert "'unsafe-inline'" not in csp["script-src"], url
        assert "'unsafe-eval'" not in csp["script-src"], url
        nonces = [v for v in csp["script-src"] if v.startswith("'nonce-")]
        assert len(nonces) == 1, url
        scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
        assert scripts, url
        for tag in scripts:
            assert f'nonce="{nonces[0][7:-1]}"' in tag, (url, tag)
    assert statuses == {200, 403, 404}


def test_csp_nonce_is_new_on_every_response(client, users):
    client.force_login(users["medarbejder"])
    first = csp_directives(client.get("/"))["script-src"]
    second = csp_directives(client.get("/"))["script-src"]
    assert first != second


def test_csrf_failure_page_carries_the_csp_too():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {})
    assert response.status_code == 403
    assert csp_directives(response)["frame-ancestors"] == ["'none'"]


# --- Sessions (row 4) -----------------------------------------------------------------


def log_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, **extra})


def session_cookie(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_session_key_changes_at_login(client):
    user = UserFactory()
    before_login = client.session
    before_login["seen_login_page"] = True
    before_login.save()
    old_key = session_cookie(client)

    response = log_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == reverse("programme:home")
    assert session_cookie(client) != old_key
    assert not SessionStore().exists(old_key)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_old_session_cookie_is_dead_after_logout(client):
    user = UserFactory()
    log_in(client, user)
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = session_cookie(client)
    assert stolen.get(reverse("programme:home")).status_code == 200

    client.post(reverse("logout"))

    response = stolen.get(reverse("programme:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_ends_after_the_idle_time_and_lives_while_used(client, users):
    idle = settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST
    start = datetime.datetime(2021, 4, 12, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(users["medarbejder"])
        for _request in range(3):  # each request within the idle time renews it
            clock.shift(idle - 60)
            assert client.get(reverse("programme:home")).status_code == 200

        clock.shift(idle + 1)
        # The cached copy of the session expires on the cache's own clock: a local cache
        # follows the frozen clock, Redis follows real time, so drop it as Redis would.
        cache.clear()
        response = client.get(reverse("programme:home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


# --- Brute force (row 5) --------------------------------------------------------------


def test_account_is_locked_after_too_many_bad_logins_even_with_the_right_password(client, caplog):
    user = UserFactory(username="lene")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, user, password="forkert")
        assert response.status_code == 200
        assert "Brugernavn eller adgangskode er forkert" in response.content.decode()

    last_wrong = log_in(client, user, password="forkert")
    right = log_in(client, user)

    for response in (last_wrong, right):
        assert response.status_code == 429
        assert "Kontoen er midlertidigt låst" in response.content.decode()
        assert csp_directives(response)["object-src"] == ["'none'"]
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="lene")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address == "127.0.0.1"
    assert "forkert" not in attempt.post_data  # a near-miss password is not kept
    assert AccessFailureLog.objects.filter(username="lene").count() >= settings.AXES_FAILURE_LIMIT
    assert "Locking out" in caplog.text


def test_lockout_is_per_account_and_address(client):
    locked, other = UserFactory(username="lene"), UserFactory(username="ole")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, locked, password="forkert")

    response = log_in(client, other)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


# --- CSRF (row 10) --------------------------------------------------------------------


def test_login_without_csrf_token_is_refused():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, user)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_with_the_csrf_token_works():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    token = client.get(reverse("login")).context["csrf_token"]
    response = log_in(client, user, csrfmiddlewaretoken=str(token))
    assert response.status_code == 302


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["leder"])
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("programme:home")).status_code == 200


def test_get_on_logout_does_not_log_out(client, users):
    client.force_login(users["leder"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("programme:home")).status_code == 200


def test_language_switch_without_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403


# --- Mass assignment (row 9) ---------------------------------------------------------


def test_login_ignores_extra_fields(client):
    user = UserFactory()
    log_in(client, user, is_staff="on", is_superuser="on", groups="1")
    user.refresh_from_db()
    assert not (user.is_staff or user.is_superuser or user.groups.exists())


def test_no_form_takes_every_field_of_a_model():
    for app in ("programme", "clarification", "seminars", "rodovre_udvikling"):
        for source in (settings.BASE_DIR / app).rglob("*.py"):
            text = source.read_text()
            assert '"__all__"' not in text and "'__all__'" not in text, source


# --- Open redirects -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example"]
)
def test_login_does_not_follow_an_external_next(client, target):
    response = log_in(client, UserFactory(), next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("programme:home")


def test_login_follows_a_local_next(client, programme):
    response = log_in(client, UserFactory(), next=programme.get_absolute_url())
    assert response["Location"] == programme.get_absolute_url()


def test_language_switch_does_not_follow_an_external_next(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- Output encoding (row 11) ---------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"onmouseover=alert(1)'
HOSTILE = f"{SCRIPT}{ATTRIBUTE}"
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;onmouseover=alert(1)")


@pytest.fixture
def hostile(org, users, programme):
    """Every text a user can read on the pages, set to markup that tries to run."""

    def name(text):
        return f"{text} {HOSTILE}"

    Administration.objects.filter(pk=org["admin_a"].pk).update(name=name("Forvaltning"))
    for key in ("wa1", "wa2"):
        workplace = org[key]
        workplace.name = name(workplace.name)
        workplace.save()
    org["wa2"].parent = org["wa1"]
    org["wa2"].save()
    Person.objects.filter(workplace__administration=org["admin_a"]).update(
        name=name("Person"), job_title=name("Stilling")
    )
    Programme.objects.filter(pk=programme.pk).update(
        name=name("Forløb"), vision=name("Vision"), purpose=name("Formål"), owner_unit=org["wa1"]
    )
    Tier.objects.filter(programme=programme).update(name=name("Niveau"), description=HOSTILE)
    tiers = list(Tier.objects.filter(programme=programme))
    phase = PhaseFactory(programme=programme, name=name("Fase"), description=HOSTILE)
    phase.tiers.set(tiers)
    milestone = MilestoneFactory(
        programme=programme, name=name("Milepæl"), tier=tiers[1], phase=phase
    )
    services.postpone_milestone(
        milestone=milestone,
        new_date=milestone.planned_date + datetime.timedelta(days=7),
        reason=name("Covid-19"),
        by=users["hr"],
    )
    MedCommitteeFactory(name=name("Lokal-MED")).workplaces.add(org["wa1"])
    LeadershipFactory(workplace=org["wa2"], person=org["leader_a"])
    for user in users.values():
        user.first_name = name("Bruger")
        user.save()
    services.refresh_organisation_snapshot()
    return milestone


def assert_escaped(response, url):
    content = response.content.decode()
    assert response.status_code == 200, url
    assert SCRIPT not in content, url
    assert ATTRIBUTE not in content, url
    for escaped in ESCAPED:
        assert escaped in content, url


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef", "leder", "medarbejder"])
def test_hostile_text_is_escaped_on_every_page(client, org, users, programme, hostile, role):
    client.force_login(users[role])
    urls = [
        reverse("programme:home"),
        programme.get_absolute_url(),
        org["wa1"].get_absolute_url(),
        reverse("programme:my-workplace"),
    ]
    if role != "medarbejder":
        urls.append(reverse("programme:workplace-list"))
    if role == "hr":
        urls.remove(reverse("programme:my-workplace"))
    for url in urls:
        assert_escaped(client.get(url), url)


def test_hostile_search_text_is_escaped(client, users):
    client.force_login(users["hr"])
    response = client.get(reverse("programme:workplace-list"), {"q": HOSTILE})
    assert SCRIPT not in response.content.decode()
    assert ATTRIBUTE not in response.content.decode()


def test_hostile_text_is_escaped_in_the_admin(client, users, hostile):
    client.force_login(users["hr"])
    for url in [
        reverse("admin:programme_workplace_changelist"),
        reverse("admin:programme_person_changelist"),
        reverse("admin:programme_milestone_changelist"),
        reverse("admin:programme_milestone_change", args=[hostile.pk]),
        reverse("admin:programme_milestone_postpone", args=[hostile.pk]),
    ]:
        assert_escaped(client.get(url), url)
