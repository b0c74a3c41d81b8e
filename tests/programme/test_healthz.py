"""/healthz: public, for operations; it says whether the database and broker answer."""

import socket

import django
import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("healthz")


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_reveals_nothing_else(response, *secrets: str) -> None:
    __tracebackhide__ = True
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"status", "database", "broker"}
    body = response.content.decode()
    for secret in (
        *secrets,
        connection.settings_dict["NAME"],
        django.get_version(),
        "redis",
        "postgres",
        "127.0.0.1",
    ):
        assert str(secret) not in body


@pytest.mark.worker  # needs the Redis broker of CELERY_BROKER_URL to answer
def test_healthz_is_public_and_ok_when_database_and_broker_answer(client, settings):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert_reveals_nothing_else(response, settings.CELERY_BROKER_URL)


def test_healthz_is_503_when_the_broker_does_not_answer(client, settings):
    port = _closed_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}
    assert_reveals_nothing_else(response, port, "Connection refused", "Error")


def test_healthz_reports_eager_tasks_when_no_broker_is_configured(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}
    assert_reveals_nothing_else(response)


def test_healthz_only_answers_get(client):
    assert client.post(URL).status_code == 405
