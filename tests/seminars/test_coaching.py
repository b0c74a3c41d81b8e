"""Coaching: the allowance, booking, statuses, the confidentiality wall, reminders, calendars."""

import datetime
import threading
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from programme.access import RoleGroup
from programme.models import ExternalPerson, ReminderRule, Role
from seminars import coaching, ical
from seminars import reminders as seminar_reminders
from seminars.calendar import rotate_feed_token
from seminars.models import (
    CoachingNote,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    NoteAuthor,
    NoteRead,
    SessionStatus,
)
from seminars.panels import coaching_panel
from tests.programme.factories import PersonFactory, UserFactory, login_for
from tests.reminders_support import eager_tasks, sweep_and_send

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

CPH = ZoneInfo("Europe/Copenhagen")
PARTICIPANT_SECRET = "Jeg er i tvivl om min rolle i chefgruppen (hemmeligt-1)"
COACH_SECRET = "Coachens iagttagelse om modstand (hemmeligt-2)"


def make_coach(name="Birgitte Hald", username="coach"):
    user = UserFactory(username=username, groups=[RoleGroup.COACH])
    coach = ExternalPerson.objects.create(
        name=name, kind="coach", user=user, email=f"{username}@coach.example"
    )
    return coach, user


def in_days(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=CPH)


def offer(programme, coach, start):
    return coaching.offer_slot(
        coach=coach,
        programme=programme,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Rådhuset, lokale 2.14",
    )


def plan(programme, person, coach, start, hr):
    return coaching.plan(
        programme=programme,
        coachee=person,
        coach=coach,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Online",
        by=hr,
    )


@pytest.fixture
def world(org, users, programme):
    coach, coach_user = make_coach()
    other_coach, other_coach_user = make_coach("Jakob Thorsen", "coach2")
    other_fagchef = PersonFactory(workplace=org["wb1"], role=Role.HEAD_OF_DEPARTMENT)
    return {
        **org,
        "programme": programme,
        "coach": coach,
        "coach_user": coach_user,
        "other_coach": other_coach,
        "other_coach_user": other_coach_user,
        "other_fagchef": other_fagchef,
        "other_fagchef_user": login_for(other_fagchef),
        "policy": coaching.policy_for(programme),
    }


@pytest.fixture
def session_with_notes(world, users):
    """A held session of fagchef A with both parties' notes (the participant's shared)."""
    with time_machine.travel(in_days(-10), tick=False):
        session = plan(
            world["programme"], world["fagchef_a"], world["coach"], in_days(1), users["hr"]
        )
    coaching.set_status(session=session, status=SessionStatus.HELD, by=users["hr"])
    coaching.save_note(session=session, by=users["fagchef"], text=PARTICIPANT_SECRET, shared=True)
    coaching.save_note(session=session, by=world["coach_user"], text=COACH_SECRET)
    return session


# --- The allowance ----------------------------------------------------------------------


def test_the_allowance_counts_sessions_and_a_cancelled_one_returns(world, users):
    person, policy = world["fagchef_a"], world["policy"]
    sessions = [
        plan(world["programme"], person, world["coach"], in_days(7 + n), users["hr"])
        for n in range(3)
    ]
    assert coaching.allowance(policy, person.pk).remaining == 0
    with pytest.raises(coaching.CoachingError, match="har brugt alle 3 samtaler"):
        plan(world["programme"], person, world["coach"], in_days(20), users["hr"])

    coaching.set_status(session=sessions[0], status=SessionStatus.CANCELLED, by=users["hr"])

    assert coaching.allowance(policy, person.pk).used == 2
    assert coaching.allowance(policy, person.pk).remaining == 1


@pytest.mark.parametrize(("no_show_counts", "remaining"), [(True, 2), (False, 3)])
def test_a_no_show_uses_a_session_as_the_policy_says(world, users, no_show_counts, remaining):
    CoachingPolicy.objects.filter(pk=world["policy"].pk).update(no_show_uses_session=no_show_counts)
    with time_machine.travel(in_days(-5), tick=False):
        session = plan(
            world["programme"], world["fagchef_a"], world["coach"], in_days(-2), users["hr"]
        )
    coaching.set_status(session=session, status=SessionStatus.NO_SHOW, by=users["hr"])

    policy = CoachingPolicy.objects.get(pk=world["policy"].pk)
    assert coaching.allowance(policy, world["fagchef_a"].pk).remaining == remaining


def test_the_allowance_expires_with_the_programme_and_is_for_the_forum_only(world, users):
    programme = world["programme"]
    after_the_end = datetime.datetime.combine(
        programme.ends_on + datetime.timedelta(days=1), datetime.time(10), tzinfo=CPH
    )
    with pytest.raises(coaching.CoachingError, match="inden forløbet slutter"):
        plan(programme, world["fagchef_a"], world["coach"], after_the_end, users["hr"])
    with pytest.raises(coaching.CoachingError, match="Kun fagchefforums deltagere"):
        plan(programme, world["leader_a"], world["coach"], in_days(3), users["hr"])


# --- Booking ----------------------------------------------------------------------------


def test_a_participant_books_an_offered_time_and_it_is_confirmed(client, world, users):
    slot = offer(world["programme"], world["coach"], in_days(5))
    client.force_login(users["fagchef"])

    page = client.get(reverse("coaching:mine"))
    assert "Du har brugt 0 af 3 samtaler" in page.content.decode()
    response = client.post(reverse("coaching:book", kwargs={"pk": slot.pk}))

    session = CoachingSession.objects.get(slot=slot)
    assert response["Location"] == session.get_absolute_url()
    assert session.coachee == world["fagchef_a"]
    assert session.status == SessionStatus.CONFIRMED
    assert list(session.events.values_list("from_status", "to_status")) == [("", "bekraeftet")]
    assert ReminderRule.objects.filter(
        audience=seminar_reminders.COACHING_TOMORROW, anchor_id=session.pk
    ).exists()
    # The time is taken: nobody else sees it or books it.
    client.force_login(users["direktion"])
    assert (
        slot.starts_at.strftime("%H.%M")
        not in client.get(reverse("coaching:mine")).content.decode()
    )
    client.post(reverse("coaching:book", kwargs={"pk": slot.pk}), follow=True)
    assert CoachingSession.objects.filter(slot=slot).count() == 1


def test_a_booking_beyond_the_allowance_is_refused_with_a_danish_message(client, world, users):
    for n in range(3):
        plan(world["programme"], world["fagchef_a"], world["coach"], in_days(10 + n), users["hr"])
    slot = offer(world["programme"], world["coach"], in_days(5))
    client.force_login(users["fagchef"])

    response = client.post(reverse("coaching:book", kwargs={"pk": slot.pk}), follow=True)

    assert "har brugt alle 3 samtaler" in response.content.decode()
    assert not CoachingSession.objects.filter(slot=slot).exists()


def test_a_cancelled_booking_frees_the_offered_time(world, users):
    slot = offer(world["programme"], world["coach"], in_days(5))
    session = coaching.book(slot=slot, by=users["fagchef"])
    coaching.set_status(session=session, status=SessionStatus.CANCELLED, by=users["fagchef"])

    assert CoachingSlot.objects.filter(pk=slot.pk).open().exists()
    again = coaching.book(slot=slot, by=users["direktion"])
    assert again.coachee == world["director"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_once_take_the_last_session_once(org, programme):
    from tests.programme.factories import hr_user

    hr = hr_user()
    user = login_for(org["fagchef_a"])
    coach, _user = make_coach()
    for n in range(2):
        plan(programme, org["fagchef_a"], coach, in_days(20 + n), hr)
    slots = [offer(programme, coach, in_days(5, hour=9 + n)) for n in range(4)]
    results, errors = [], []
    barrier = threading.Barrier(len(slots))

    def run(slot):
        try:
            barrier.wait()
            results.append(coaching.book(slot=slot, by=user))
        except coaching.CoachingError as error:
            errors.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 1
    assert len(errors) == 3
    assert all("har brugt alle 3 samtaler" in error for error in errors)
    assert CoachingSession.objects.filter(coachee=org["fagchef_a"]).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_participants_booking_one_time_at_once_get_it_once(org, programme):
    coach, _user = make_coach()
    slot = offer(programme, coach, in_days(5))
    people = [login_for(org["fagchef_a"]), login_for(org["director"])]
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run(user):
        try:
            barrier.wait()
            results.append(coaching.book(slot=slot, by=user))
        except coaching.CoachingError as error:
            errors.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 1
    assert errors == ["Tiden er allerede booket. Vælg en anden tid."]


# --- Statuses and history ---------------------------------------------------------------


def test_each_party_changes_only_what_is_theirs_and_every_change_is_kept(world, users):
    session = plan(world["programme"], world["fagchef_a"], world["coach"], in_days(3), users["hr"])

    assert coaching.allowed_changes(session, world["coach_user"]) == {
        SessionStatus.CONFIRMED,
        SessionStatus.CANCELLED,
    }
    assert coaching.allowed_changes(session, world["other_coach_user"]) == set()
    assert coaching.allowed_changes(session, users["direktion"]) == set()
    coaching.set_status(session=session, status=SessionStatus.CONFIRMED, by=world["coach_user"])
    # Before it starts, nobody records it as held.
    with pytest.raises(coaching.CoachingError):
        coaching.set_status(session=session, status=SessionStatus.HELD, by=world["coach_user"])
    with time_machine.travel(in_days(3, hour=12), tick=False):
        coaching.set_status(session=session, status=SessionStatus.HELD, by=world["coach_user"])
        coaching.set_status(
            session=session, status=SessionStatus.NO_SHOW, by=users["hr"], reason="Rettet"
        )

    assert list(session.events.values_list("from_status", "to_status", "actor__username")) == [
        ("", "planlagt", "hr"),
        ("planlagt", "bekraeftet", "coach"),
        ("bekraeftet", "afholdt", "coach"),
        ("afholdt", "udeblevet", "hr"),
    ]


def test_the_participant_cancels_on_the_session_page(client, world, users):
    session = plan(world["programme"], world["fagchef_a"], world["coach"], in_days(3), users["hr"])
    client.force_login(users["fagchef"])

    client.post(session.get_absolute_url(), {"action": "status", "status": "aflyst"})

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1


def test_a_status_a_party_may_not_set_is_refused_and_nothing_changes(client, world, users):
    session = plan(world["programme"], world["fagchef_a"], world["coach"], in_days(3), users["hr"])
    client.force_login(users["fagchef"])

    response = client.post(
        session.get_absolute_url(), {"action": "status", "status": "afholdt"}, follow=True
    )

    assert "kan ikke ændres fra Planlagt til Afholdt" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


# --- The confidentiality wall -----------------------------------------------------------


def test_each_party_reads_what_is_theirs_and_each_read_is_logged(
    client, world, users, session_with_notes
):
    url = session_with_notes.get_absolute_url()

    client.force_login(users["fagchef"])
    participant_page = client.get(url).content.decode()
    client.force_login(world["coach_user"])
    coach_page = client.get(url).content.decode()

    assert PARTICIPANT_SECRET in participant_page
    assert COACH_SECRET not in participant_page  # the coach's notes are the coach's
    assert PARTICIPANT_SECRET in coach_page and COACH_SECRET in coach_page
    reads = sorted(NoteRead.objects.values_list("reader__username", "purpose"))
    assert reads == sorted(
        [(users["fagchef"].username, "egen"), ("coach", "delt"), ("coach", "egen")]
    )
    assert set(NoteRead.objects.values_list("coachee_id", flat=True)) == {world["fagchef_a"].pk}


def test_an_unshared_participant_note_stays_with_the_participant(
    client, world, users, session_with_notes
):
    coaching.save_note(
        session=session_with_notes, by=users["fagchef"], text=PARTICIPANT_SECRET, shared=False
    )
    client.force_login(world["coach_user"])

    page = client.get(session_with_notes.get_absolute_url()).content.decode()

    assert PARTICIPANT_SECRET not in page
    assert COACH_SECRET in page


@pytest.mark.parametrize("who", ["hr", "direktion", "other_fagchef", "other_coach", "leder"])
def test_nobody_else_reads_a_note_and_nothing_is_logged_for_them(
    client, world, users, session_with_notes, who
):
    user = {
        "other_fagchef": world["other_fagchef_user"],
        "other_coach": world["other_coach_user"],
    }.get(who) or users[who]
    client.force_login(user)
    url = session_with_notes.get_absolute_url()

    page = client.get(url)
    written = client.post(url, {"action": "note", "text": "Forsøg"})

    # HR sees the session's date, coach and status; everyone else not even that.
    assert page.status_code == (200 if who == "hr" else 404)
    assert PARTICIPANT_SECRET not in page.content.decode()
    assert COACH_SECRET not in page.content.decode()
    assert written.status_code == 404
    assert not CoachingNote.objects.for_user(user).exists()
    assert not NoteRead.objects.filter(reader=user).exists()
    assert set(CoachingNote.objects.values_list("text", flat=True)) == {
        PARTICIPANT_SECRET,
        COACH_SECRET,
    }


def test_notes_are_not_in_the_admin_its_search_history_or_export(client, users, session_with_notes):
    client.force_login(users["hr"])
    with pytest.raises(NoReverseMatch):
        reverse("admin:seminars_coachingnote_changelist")
    session_admin = reverse("admin:seminars_coachingsession_change", args=[session_with_notes.pk])
    pages = [
        client.get(reverse("admin:seminars_coachingsession_changelist"), {"q": "tvivl"}),
        client.get(session_admin),
        client.get(reverse("admin:seminars_coachingsession_history", args=[session_with_notes.pk])),
        client.get(reverse("admin:seminars_noteread_changelist")),
        client.get(reverse("coaching:overview")),
        client.post(
            reverse("admin:seminars_coachingsession_changelist"),
            {"action": "export_csv", "_selected_action": [session_with_notes.pk]},
        ),
    ]

    assert [page.status_code for page in pages] == [200] * len(pages)
    search = pages[0].context["cl"]
    assert search.result_count == 0
    for page in pages:
        content = page.content.decode("utf-8-sig")
        assert "hemmeligt-1" not in content and "hemmeligt-2" not in content
    export = pages[-1].content.decode("utf-8-sig")
    assert "Birgitte Hald" in export and "Afholdt" in export


def test_the_read_log_cannot_be_changed_or_deleted_in_the_admin(client, users, session_with_notes):
    client.force_login(users["fagchef"])
    client.get(session_with_notes.get_absolute_url())
    read = NoteRead.objects.get()
    client.force_login(users["hr"])
    change = reverse("admin:seminars_noteread_change", args=[read.pk])

    posted = client.post(change, {"purpose": "delt"})
    deleted = client.post(
        reverse("admin:seminars_noteread_delete", args=[read.pk]), {"post": "yes"}
    )
    added = client.get(reverse("admin:seminars_noteread_add"))

    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert added.status_code == 403
    read.refresh_from_db()
    assert read.purpose == "egen"


def test_a_note_form_error_keeps_nothing_lost(client, world, users, session_with_notes):
    client.force_login(users["fagchef"])

    response = client.post(
        session_with_notes.get_absolute_url(), {"action": "note", "text": "   ", "shared": "on"}
    )

    assert response.status_code == 200
    assert "Skriv noten, før du gemmer." in response.content.decode()
    assert CoachingNote.objects.get(author=NoteAuthor.PARTICIPANT).text == PARTICIPANT_SECRET


def test_direktion_sees_coaching_only_as_counts(client, users, session_with_notes, world):
    client.force_login(users["direktion"])

    page = client.get(reverse("clarification:dashboard")).content.decode()

    assert "Fagchefforum: coaching" in page
    assert "hemmeligt" not in page
    with CaptureQueriesContext(connection) as queries:
        panel = coaching_panel(world["programme"])
    assert len(queries) == 1
    # One participant in all: nothing that would single them out, not even the totals.
    assert panel["rows"] == [
        {
            "administration": None,
            "pooled": True,
            "held": None,
            "upcoming": None,
            "participants": None,
        }
    ]
    assert panel["held"] is None
    assert "&lt; 5" in page


def test_the_coaching_panel_shows_administrations_of_five_and_pools_the_rest(world, users):
    big = world["admin_b"]
    for n in range(5):
        person = PersonFactory(workplace=world["wb1"], role=Role.HEAD_OF_DEPARTMENT)
        with time_machine.travel(in_days(-10), tick=False):
            session = plan(world["programme"], person, world["coach"], in_days(-2 - n), users["hr"])
        coaching.set_status(session=session, status=SessionStatus.HELD, by=users["hr"])
    plan(world["programme"], world["fagchef_a"], world["coach"], in_days(3), users["hr"])

    panel = coaching_panel(world["programme"])

    shown, pooled = panel["rows"]
    assert (shown["administration"], shown["held"], shown["participants"]) == (big.name, 5, 5)
    assert pooled["pooled"] and pooled["upcoming"] is None  # one fagchef in admin A
    assert (panel["held"], panel["upcoming"]) == (None, None)  # would give the pool away


# --- The coach's page -------------------------------------------------------------------


def test_the_coach_offers_a_time_and_a_bad_one_keeps_what_was_typed(client, world):
    client.force_login(world["coach_user"])
    day = (timezone.localdate() + datetime.timedelta(days=8)).isoformat()

    bad = client.post(
        reverse("coaching:coach"),
        {"day": day, "starts": "11:00", "ends": "10:00", "place": "Lokale 2.14"},
    )
    good = client.post(
        reverse("coaching:coach"),
        {"day": day, "starts": "10:00", "ends": "11:00", "place": "Lokale 2.14"},
    )

    content = bad.content.decode()
    assert "Samtalen skal slutte efter, den starter." in content
    assert 'value="Lokale 2.14"' in content and f'value="{day}"' in content
    assert good.status_code == 302
    slot = CoachingSlot.objects.get()
    assert timezone.localtime(slot.starts_at).hour == 10
    assert slot.coach == world["coach"]


def test_a_coach_withdraws_only_an_unbooked_time_of_their_own(client, world, users):
    free = offer(world["programme"], world["coach"], in_days(5))
    booked = offer(world["programme"], world["coach"], in_days(6))
    coaching.book(slot=booked, by=users["fagchef"])
    client.force_login(world["other_coach_user"])
    assert client.post(reverse("coaching:withdraw", kwargs={"pk": free.pk})).status_code == 404
    client.force_login(world["coach_user"])

    client.post(reverse("coaching:withdraw", kwargs={"pk": free.pk}))
    client.post(reverse("coaching:withdraw", kwargs={"pk": booked.pk}))

    assert list(CoachingSlot.objects.all()) == [booked]


def test_an_inactive_coach_reaches_nothing(client, world, users, session_with_notes):
    ExternalPerson.objects.filter(pk=world["coach"].pk).update(is_active=False)
    client.force_login(world["coach_user"])

    assert client.get(session_with_notes.get_absolute_url()).status_code == 404
    assert client.get(reverse("coaching:coach")).status_code == 403


# --- Pinned query counts ----------------------------------------------------------------


def _grow(world, users, n):
    """n more forum members, each with a session and an offered time."""
    first = CoachingSlot.objects.count()
    for k in range(first, first + n):
        person = PersonFactory(workplace=world["wb2"], role=Role.HEAD_OF_DEPARTMENT)
        plan(world["programme"], person, world["coach"], in_days(30 + k), users["hr"])
        offer(world["programme"], world["coach"], in_days(60 + k))


@pytest.mark.parametrize(
    ("who", "url_name"),
    [("fagchef", "coaching:mine"), ("coach", "coaching:coach"), ("hr", "coaching:overview")],
)
def test_coaching_pages_run_a_constant_number_of_queries(client, world, users, who, url_name):
    user = world["coach_user"] if who == "coach" else users[who]
    plan(world["programme"], world["fagchef_a"], world["coach"], in_days(3), users["hr"])
    counts = []
    for more in (1, 12):
        _grow(world, users, more)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Reminders and calendars ------------------------------------------------------------


def _invitations(message):
    return [
        icalendar.Calendar.from_ical(content)
        for _name, content, mimetype in message.attachments
        if mimetype.startswith("text/calendar")
    ]


def test_coaching_tomorrow_reaches_both_parties_once_and_follows_a_move(
    world, users, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2029, 3, 14, 10, tzinfo=CPH)
    with time_machine.travel(datetime.datetime(2029, 3, 1, 9, tzinfo=CPH), tick=False):
        session = plan(world["programme"], world["fagchef_a"], world["coach"], start, users["hr"])
        session = coaching.move(
            session=session,
            starts_at=start + datetime.timedelta(days=7),
            ends_at=start + datetime.timedelta(days=7, hours=1),
            by=users["hr"],
        )

    with time_machine.travel(datetime.datetime(2029, 3, 13, 12, 5, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    for _ in range(2):
        with time_machine.travel(datetime.datetime(2029, 3, 20, 12, 5, tzinfo=CPH), tick=False):
            sweep_and_send(django_capture_on_commit_callbacks)

    assert sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox) == sorted(
        [world["fagchef_a"].email, world["coach"].email]
    )
    (calendar,) = _invitations(mail.outbox[0])
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == ical.uid_for("coaching", session.pk)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == start + datetime.timedelta(days=7)


def test_a_cancelled_session_sends_no_reminder_and_cancels_in_calendars(
    world, users, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2029, 3, 14, 10, tzinfo=CPH)
    with time_machine.travel(datetime.datetime(2029, 3, 1, 9, tzinfo=CPH), tick=False):
        session = plan(world["programme"], world["fagchef_a"], world["coach"], start, users["hr"])
        session = coaching.set_status(
            session=session, status=SessionStatus.CANCELLED, by=users["hr"]
        )
    with time_machine.travel(datetime.datetime(2029, 3, 13, 12, 5, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    calendar = icalendar.Calendar.from_ical(ical.invitation(session.as_meeting()))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


def test_allowance_not_booked_reaches_only_those_with_sessions_left(
    world, users, django_capture_on_commit_callbacks
):
    for n in range(3):
        plan(world["programme"], world["fagchef_a"], world["coach"], in_days(10 + n), users["hr"])
    policy = world["policy"]
    policy.book_by = datetime.date(2029, 6, 1)
    policy.save()
    seminar_reminders.ensure_allowance_rule(policy)

    with time_machine.travel(datetime.datetime(2029, 6, 1, 9, 5, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
        sweep_and_send(django_capture_on_commit_callbacks)

    recipients = sorted(m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox)
    assert recipients == sorted([world["director"].email, world["other_fagchef"].email])
    assert "Du har booket 0 af dine 3 coachingsamtaler" in mail.outbox[0].body


def test_the_calendar_feed_holds_the_session_for_both_parties(client, world, users):
    session = plan(world["programme"], world["fagchef_a"], world["coach"], in_days(4), users["hr"])
    for user in (users["fagchef"], world["coach_user"], world["other_coach_user"]):
        token = rotate_feed_token(user=user)
        feed = client.get(reverse("calendar:feed", kwargs={"token": token}))
        uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")]
        expected = (
            [] if user == world["other_coach_user"] else [ical.uid_for("coaching", session.pk)]
        )
        assert uids == expected


def test_a_coach_without_the_coach_role_reads_nothing(world, session_with_notes):
    coach_user = world["coach_user"]
    coach_user.groups.remove(Group.objects.get(name=RoleGroup.COACH.value))
    coach_user = type(coach_user).objects.get(pk=coach_user.pk)

    assert not CoachingNote.objects.for_user(coach_user).exists()
    assert not CoachingSession.objects.for_user(coach_user).exists()
    assert CoachingSessionEvent.objects.filter(session=session_with_notes).exists()


def _to(message):
    return message.to[0].split("<")[-1].rstrip(">")


def test_booking_and_cancelling_send_invitation_and_cancellation_to_both_once(
    world, users, django_capture_on_commit_callbacks
):
    slot = offer(world["programme"], world["coach"], in_days(5))
    with django_capture_on_commit_callbacks(execute=True):
        session = coaching.book(slot=slot, by=users["fagchef"])
    with django_capture_on_commit_callbacks(execute=True):
        seminar_reminders.announce(session, by=users["fagchef"])  # again: nothing new
    booked = list(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        coaching.set_status(session=session, status=SessionStatus.CANCELLED, by=users["fagchef"])

    both = sorted([world["fagchef_a"].email, world["coach"].email])
    assert sorted(_to(m) for m in booked) == both
    assert booked[0].subject.startswith("Booket: coachingsamtale")
    cancelled = mail.outbox[len(booked) :]
    assert sorted(_to(m) for m in cancelled) == both
    (calendar,) = _invitations(cancelled[0])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == ical.uid_for("coaching", session.pk)
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert "er aflyst" in cancelled[0].body


def test_hr_plans_in_the_admin_through_the_allowance(client, world, users):
    for n in range(3):
        plan(world["programme"], world["fagchef_a"], world["coach"], in_days(10 + n), users["hr"])
    client.force_login(users["hr"])
    day = timezone.localdate() + datetime.timedelta(days=20)
    data = {
        "programme": world["programme"].pk,
        "coach": world["coach"].pk,
        "starts_at_0": day.strftime("%d.%m.%Y"),
        "starts_at_1": "10:00",
        "ends_at_0": day.strftime("%d.%m.%Y"),
        "ends_at_1": "11:00",
        "place": "Rådhuset",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    url = reverse("admin:seminars_coachingsession_add")

    refused = client.post(url, data | {"coachee": world["fagchef_a"].pk})
    planned = client.post(url, data | {"coachee": world["director"].pk})

    assert "har brugt alle 3 samtaler" in refused.content.decode()
    assert planned.status_code == 302
    session = CoachingSession.objects.get(coachee=world["director"])
    assert session.created_by == users["hr"]
    assert list(session.events.values_list("to_status", flat=True)) == ["planlagt"]


def test_hr_cannot_hand_a_session_and_its_notes_to_someone_else_in_the_admin(
    client, world, users, session_with_notes
):
    client.force_login(users["hr"])
    url = reverse("admin:seminars_coachingsession_change", args=[session_with_notes.pk])
    local = timezone.localtime(session_with_notes.starts_at)

    client.post(
        url,
        {
            "coachee": world["other_fagchef"].pk,
            "coach": world["other_coach"].pk,
            "starts_at_0": local.strftime("%d.%m.%Y"),
            "starts_at_1": local.strftime("%H:%M"),
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    session_with_notes.refresh_from_db()
    assert session_with_notes.coachee == world["fagchef_a"]
    assert session_with_notes.coach == world["coach"]
    client.force_login(world["other_fagchef_user"])
    assert client.get(session_with_notes.get_absolute_url()).status_code == 404


def test_a_correction_that_starts_to_count_a_session_respects_the_allowance(world, users):
    CoachingPolicy.objects.filter(pk=world["policy"].pk).update(no_show_uses_session=False)
    with time_machine.travel(in_days(-5), tick=False):
        missed = plan(
            world["programme"], world["fagchef_a"], world["coach"], in_days(-2), users["hr"]
        )
    coaching.set_status(session=missed, status=SessionStatus.NO_SHOW, by=users["hr"])
    for n in range(3):
        plan(world["programme"], world["fagchef_a"], world["coach"], in_days(10 + n), users["hr"])

    with pytest.raises(coaching.CoachingError, match="har brugt alle 3 samtaler"):
        coaching.set_status(session=missed, status=SessionStatus.HELD, by=users["hr"])
    missed.refresh_from_db()
    assert missed.status == SessionStatus.NO_SHOW
