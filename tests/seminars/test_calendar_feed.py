"""The personal calendar feed: its token is the only credential, and it can be revoked."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from seminars import ical
from seminars.calendar import SHOWN_ONCE_KEY, revoke_feed_token, rotate_feed_token
from seminars.models import CalendarFeedToken
from seminars.models.calendar import hash_token

pytestmark = pytest.mark.django_db

START = datetime.datetime(2021, 9, 14, 9, 0, tzinfo=datetime.UTC)


def meetings_of_test_users(user):
    """A fake source: each user has one seminar named after them."""
    return [
        ical.Meeting(
            uid=ical.uid_for("test-seminar", user.pk),
            sequence=0,
            start=START,
            end=START + datetime.timedelta(hours=3),
            summary=f"Seminar for {user.username}",
            location="Rødovre Rådhus",
        )
    ]


@pytest.fixture
def source():
    ical.register_feed_source(meetings_of_test_users)
    yield
    ical._feed_sources.remove(meetings_of_test_users)


def feed_url(token):
    return reverse("calendar:feed", kwargs={"token": token})


def test_feed_is_valid_icalendar_with_only_the_users_events(client, users, source):
    token = rotate_feed_token(user=users["leder"])
    rotate_feed_token(user=users["medarbejder"])

    response = client.get(feed_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "Set-Cookie" not in response  # no session is made for a feed
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [f"Seminar for {users['leder'].username}"]
    assert events[0].decoded("dtstart") == START
    assert str(events[0]["location"]) == "Rødovre Rådhus"


def test_unknown_and_revoked_tokens_answer_404(client, users, source):
    assert client.get(feed_url("ukendt-token")).status_code == 404
    token = rotate_feed_token(user=users["leder"])
    revoke_feed_token(user=users["leder"])
    assert client.get(feed_url(token)).status_code == 404


def test_rotating_revokes_the_old_address(client, users, source):
    old = rotate_feed_token(user=users["leder"])
    new = rotate_feed_token(user=users["leder"])

    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
    assert CalendarFeedToken.objects.filter(user=users["leder"]).count() == 2
    assert CalendarFeedToken.objects.filter(user=users["leder"]).active().count() == 1


def test_only_a_hash_of_the_token_is_stored(users):
    token = rotate_feed_token(user=users["leder"])
    stored = CalendarFeedToken.objects.get(user=users["leder"])
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash


def test_a_deactivated_login_has_no_feed(client, users, source):
    token = rotate_feed_token(user=users["leder"])
    users["leder"].is_active = False
    users["leder"].save()
    assert client.get(feed_url(token)).status_code == 404


def test_the_feed_needs_no_session_and_ignores_one(client, users, source):
    token = rotate_feed_token(user=users["leder"])
    client.force_login(users["medarbejder"])
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(token)).content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        f"Seminar for {users['leder'].username}"
    ]


def test_min_kalender_shows_the_address_once(client, users, source):
    client.force_login(users["medarbejder"])
    assert "ingen kalenderadresse" in client.get(reverse("calendar:mine")).content.decode()

    response = client.post(reverse("calendar:rotate"), follow=True)
    page = response.content.decode()
    assert "Din kalenderadresse er lavet." in page
    assert "webcal://testserver/kalender/" in page
    assert "http://testserver/kalender/" in page
    assert SHOWN_ONCE_KEY not in client.session

    again = client.get(reverse("calendar:mine")).content.decode()
    assert "webcal://" not in again
    assert "Du har en aktiv kalenderadresse" in again
    assert "Outlook" in again


def test_revoking_from_min_kalender(client, users, source):
    token = rotate_feed_token(user=users["medarbejder"])
    client.force_login(users["medarbejder"])

    page = client.post(reverse("calendar:revoke"), follow=True).content.decode()

    assert "Kalenderadressen er tilbagekaldt." in page
    assert client.get(feed_url(token)).status_code == 404


def test_rotate_and_revoke_need_post_and_csrf(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["medarbejder"])
    assert client.get(reverse("calendar:rotate")).status_code == 405
    assert client.post(reverse("calendar:rotate")).status_code == 403
    assert not CalendarFeedToken.objects.exists()


def test_an_unchanged_feed_answers_304_and_a_changed_one_is_fresh(client, users, source):
    token = rotate_feed_token(user=users["leder"])
    first = client.get(feed_url(token))
    etag = first["ETag"]

    again = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert "private" in again["Cache-Control"]

    users["leder"].username = "omdoebt"
    users["leder"].save()
    changed = client.get(feed_url(token), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"Seminar for omdoebt" in changed.content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rotations_at_once_leave_one_active_address(users):
    from tests.clarification.test_plans import run_at_once

    results = run_at_once(
        lambda: rotate_feed_token(user=users["leder"]),
        lambda: rotate_feed_token(user=users["leder"]),
    )

    assert all(isinstance(token, str) for token in results), results
    active = CalendarFeedToken.objects.filter(user=users["leder"]).active()
    assert active.count() == 1
    assert active.get().token_hash in {hash_token(token) for token in results}
