"""The chefgruppe log: the fagchef writes their administration's; HR and direktion read all."""

import datetime

import pytest
from django.urls import reverse

from seminars.models import ChefgroupMeeting, Seminar


@pytest.fixture
def logged(org, programme):
    start = datetime.datetime(2021, 2, 24, 8, tzinfo=datetime.UTC)
    seminar = Seminar.objects.create(
        programme=programme,
        number=1,
        theme="Faciliterende lederskab",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rådhuset",
    )
    other = ChefgroupMeeting.objects.create(
        programme=programme,
        administration=org["admin_b"],
        held_on=datetime.date(2021, 3, 1),
        topic="Budgetopfølgning",
        knowledge_used="Dialogiske metoder",
    )
    return {"seminar": seminar, "other": other, "programme": programme, **org}


def test_the_fagchef_writes_a_meeting_with_what_was_used(client, users, logged):
    client.force_login(users["fagchef"])
    url = reverse("chefgruppe:log", args=[logged["admin_a"].code])

    response = client.post(
        url,
        {
            "held_on": "2021-03-03",
            "topic": "Mødekultur",
            "seminars": [logged["seminar"].pk],
            "knowledge_used": "Faciliteringsværktøjer fra seminar 1",
            "follow_ups": "Prøves i tre teams",
        },
    )

    assert response.status_code == 302
    meeting = ChefgroupMeeting.objects.get(topic="Mødekultur")
    assert meeting.administration == logged["admin_a"]
    assert list(meeting.seminars.all()) == [logged["seminar"]]
    assert meeting.written_by == users["fagchef"]
    assert "Faciliteringsværktøjer" in client.get(url).content.decode()


def test_a_meeting_without_a_topic_is_refused_and_kept(client, users, logged):
    client.force_login(users["fagchef"])

    response = client.post(
        reverse("chefgruppe:log", args=[logged["admin_a"].code]),
        {"held_on": "2021-03-03", "topic": "", "knowledge_used": "Noget vigtigt"},
    )

    assert "Skriv mødets emne." in response.content.decode()
    assert "Noget vigtigt" in response.content.decode()
    assert not ChefgroupMeeting.objects.filter(administration=logged["admin_a"]).exists()


def test_another_administrations_log_answers_404(client, users, logged):
    client.force_login(users["fagchef"])

    assert client.get(reverse("chefgruppe:log", args=[logged["admin_b"].code])).status_code == 404
    edit = reverse("chefgruppe:edit", args=[logged["admin_b"].code, logged["other"].pk])
    assert client.get(edit).status_code == 404


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_read_every_log_but_do_not_write(client, users, logged, role):
    client.force_login(users[role])
    url = reverse("chefgruppe:log", args=[logged["admin_b"].code])

    assert "Budgetopfølgning" in client.get(url).content.decode()
    assert client.post(url, {"held_on": "2021-03-03", "topic": "X"}).status_code == 403


@pytest.mark.parametrize("role", ["leder", "medarbejder"])
def test_leaders_and_staff_have_no_log(client, users, logged, role):
    client.force_login(users[role])

    assert client.get(reverse("chefgruppe:index")).status_code == 403
