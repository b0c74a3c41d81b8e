import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("programme:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef", "leder", "medarbejder"])
def test_every_role_sees_mit_overblik(client, users, programme, role):
    client.force_login(users[role])
    response = client.get(reverse("programme:home"))
    assert response.status_code == 200
    assert "Mit overblik" in response.content.decode()


def test_leader_gets_404_on_other_administrations_workplace(client, users, org):
    client.force_login(users["leder"])
    assert client.get(org["wa1"].get_absolute_url()).status_code == 200
    assert client.get(org["wb1"].get_absolute_url()).status_code == 404
