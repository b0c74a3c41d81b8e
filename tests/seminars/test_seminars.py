"""Fagchefforum's seminars: invitations, registration, attendance, moves, reminders, cascade."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from programme.cascade import evaluate
from programme.models import ExternalPerson, ReadinessCriterion
from seminars import ical, readiness, services
from seminars import reminders as seminar_reminders
from seminars.models import (
    AgendaBlock,
    Attendance,
    AttendanceEvent,
    AttendanceStatus,
    ExpertEngagement,
    Seminar,
    SeminarKind,
)
from tests.programme.factories import PersonFactory
from tests.reminders_support import eager_tasks, sweep_and_send

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

CPH = ZoneInfo("Europe/Copenhagen")


def seminar(programme, number=1, *, start=datetime.datetime(2021, 9, 1, 9, tzinfo=CPH), **fields):
    return Seminar.objects.create(
        programme=programme,
        kind=fields.pop("kind", SeminarKind.SEMINAR),
        number=number,
        theme=fields.pop("theme", "Social kapital"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
        **fields,
    )


@pytest.fixture
def planned(org, users, programme):
    first = seminar(programme)
    AgendaBlock.objects.create(seminar=first, starts=datetime.time(9), kind="oplaeg", title="Oplæg")
    expert = ExternalPerson.objects.create(name="Ekspert Eksempel", kind="ekspert")
    ExpertEngagement.objects.create(seminar=first, expert=expert, topic="Social kapital", fee=25000)
    services.invite_forum(seminar=first, by=users["hr"])
    return {"seminar": first, **org}


def mine(planned, key):
    return Attendance.objects.get(seminar=planned["seminar"], person=planned[key])


def test_the_whole_forum_is_invited_once_with_the_invitation_kept(users, planned):
    invited = set(planned["seminar"].attendances.values_list("person", flat=True))

    assert invited == {planned["fagchef_a"].pk, planned["director"].pk}
    assert services.invite_forum(seminar=planned["seminar"], by=users["hr"]) == 0
    assert AttendanceEvent.objects.filter(to_status=AttendanceStatus.INVITED).count() == 2


def test_a_participant_registers_and_unregisters_and_each_change_is_kept(client, users, planned):
    client.force_login(users["fagchef"])
    url = reverse("seminars:registration", args=[planned["seminar"].pk])

    client.post(url, {"action": "register"})
    assert mine(planned, "fagchef_a").status == AttendanceStatus.REGISTERED
    client.post(url, {"action": "unregister"})

    events = AttendanceEvent.objects.filter(attendance=mine(planned, "fagchef_a")).order_by("pk")
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", AttendanceStatus.INVITED),
        (AttendanceStatus.INVITED, AttendanceStatus.REGISTERED),
        (AttendanceStatus.REGISTERED, AttendanceStatus.INVITED),
    ]
    assert events.last().actor == users["fagchef"]


def test_a_participant_cannot_record_their_own_attendance(users, planned):
    with pytest.raises(services.PermissionDenied):
        services.set_status(
            attendance=mine(planned, "fagchef_a"),
            status=AttendanceStatus.ATTENDED,
            by=users["fagchef"],
        )


def test_hr_records_attendance_and_an_absence_needs_a_reason(client, users, planned):
    client.force_login(users["hr"])
    url = reverse("seminars:attendance", args=[planned["seminar"].pk])
    fagchef, director = mine(planned, "fagchef_a"), mine(planned, "director")

    refused = client.post(
        url, {f"status-{fagchef.pk}": "deltog", f"status-{director.pk}": "fravaer"}
    )
    assert "Skriv årsagen til fraværet." in refused.content.decode()
    assert 'value="deltog" selected' in refused.content.decode()  # what was chosen is kept
    assert not Attendance.objects.filter(status=AttendanceStatus.ATTENDED).exists()

    client.post(
        url,
        {
            f"status-{fagchef.pk}": "deltog",
            f"status-{director.pk}": "fravaer",
            f"reason-{director.pk}": "Byrådsmøde",
        },
    )
    director.refresh_from_db()
    assert mine(planned, "fagchef_a").status == AttendanceStatus.ATTENDED
    assert (director.status, director.absence_reason) == (AttendanceStatus.ABSENT, "Byrådsmøde")
    assert AttendanceEvent.objects.filter(reason="Byrådsmøde", actor=users["hr"]).exists()


@pytest.mark.parametrize("role", ["leder", "medarbejder"])
def test_leaders_and_staff_have_no_seminar_pages(client, users, planned, role):
    client.force_login(users[role])

    assert client.get(reverse("seminars:list")).status_code == 403
    assert client.get(reverse("seminars:detail", args=[planned["seminar"].pk])).status_code == 403


def test_a_fagchef_gets_404_on_a_seminar_they_are_not_invited_to(client, users, planned, programme):
    other = seminar(programme, 2, start=datetime.datetime(2021, 10, 1, 9, tzinfo=CPH))
    client.force_login(users["fagchef"])

    assert client.get(reverse("seminars:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("seminars:detail", args=[planned["seminar"].pk])).status_code == 200


def test_only_hr_sees_the_fees(client, users, planned):
    url = reverse("seminars:detail", args=[planned["seminar"].pk])
    client.force_login(users["fagchef"])
    assert "25.000,00 kr." not in client.get(url).content.decode()
    client.force_login(users["hr"])
    assert "25.000,00 kr." in client.get(url).content.decode()


def test_moving_keeps_the_old_date_and_grows_the_sequence(users, planned):
    first = planned["seminar"]
    old_start = first.starts_at
    new_start = old_start + datetime.timedelta(days=7)

    moved = services.move(
        seminar=first,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=6),
        by=users["hr"],
        reason="Covid-19",
    )

    assert moved.sequence == 1
    assert old_start in set(moved.history.values_list("starts_at", flat=True))
    assert moved.history.first().history_change_reason == "Covid-19"


def _invitations(message):
    return [
        icalendar.Calendar.from_ical(content)
        for _name, content, mimetype in message.attachments
        if mimetype.startswith("text/calendar")
    ]


def test_the_reminder_follows_a_moved_seminar_and_is_sent_once_with_the_invitation(
    users, planned, django_capture_on_commit_callbacks
):
    first = planned["seminar"]
    services.set_status(
        attendance=mine(planned, "fagchef_a"), status=AttendanceStatus.REGISTERED, by=users["hr"]
    )
    seminar_reminders.ensure_default_rules(first)
    new_start = first.starts_at + datetime.timedelta(days=7)
    services.move(
        seminar=first,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=6),
        by=users["hr"],
    )

    # 2 days before the old date: nothing; 2 days before the new one, 08.00: once.
    with time_machine.travel(datetime.datetime(2021, 8, 30, 8, 5, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    for _ in range(2):
        with time_machine.travel(datetime.datetime(2021, 9, 6, 8, 5, tzinfo=CPH), tick=False):
            sweep_and_send(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert planned["fagchef_a"].email in message.to[0]
    assert "09.00 Oplæg" in message.body
    (calendar,) = _invitations(message)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == ical.uid_for("seminar", first.pk)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start


def test_a_cancelled_seminar_goes_out_as_cancel_with_the_same_uid(users, planned):
    first = services.cancel(seminar=planned["seminar"], by=users["hr"])

    calendar = icalendar.Calendar.from_ical(ical.invitation(first.as_meeting()))

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == ical.uid_for("seminar", first.pk)
    assert int(calendar.walk("VEVENT")[0]["SEQUENCE"]) == 1


def test_the_feed_source_gives_a_participant_their_seminars_only(users, planned, programme):
    seminar(programme, 2, start=datetime.datetime(2021, 10, 1, 9, tzinfo=CPH))  # not invited

    meetings = services.meetings_for(users["fagchef"])

    assert [m.uid for m in meetings] == [ical.uid_for("seminar", planned["seminar"].pk)]
    assert services.meetings_for(users["leder"]) == []
    assert services.meetings_for in ical._feed_sources


def test_held_seminars_feed_the_cascade_criteria(users, planned, programme):
    kickoff = seminar(
        programme,
        None,
        kind=SeminarKind.KICKOFF,
        start=datetime.datetime(2021, 5, 1, 9, tzinfo=CPH),
    )
    services.invite_forum(seminar=kickoff, by=users["hr"])
    criterion = ReadinessCriterion(programme=programme, tier=2, kind="seminars_held", parameter=1)
    kickoff_criterion = ReadinessCriterion(programme=programme, tier=2, kind="kickoff_held")
    assert not readiness.kickoff_held(programme)

    for item in (kickoff, planned["seminar"]):
        services.set_status(
            attendance=item.attendances.get(person=planned["fagchef_a"]),
            status=AttendanceStatus.ATTENDED,
            by=users["hr"],
        )

    with time_machine.travel(datetime.datetime(2021, 9, 2, tzinfo=CPH)):
        assert readiness.kickoff_held(programme)
        assert readiness.seminars_held(programme) == 1
        assert evaluate(criterion, programme, planned["admin_a"]).met
        assert evaluate(kickoff_criterion, programme, planned["admin_a"]).met


@pytest.mark.parametrize("name", ["seminars:list", "seminars:attendance"])
def test_queries_do_not_grow_with_the_forum(client, users, planned, name):
    url = reverse(name) if name == "seminars:list" else reverse(name, args=[planned["seminar"].pk])
    client.force_login(users["hr"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(10):
        PersonFactory(role="fagchef", workplace=planned["wa2"])
    services.invite_forum(seminar=planned["seminar"], by=users["hr"])
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200

    assert len(after) == len(before)


def test_direktions_panel_counts_attendance_per_meeting(users, planned, programme):
    from seminars.panels import seminar_panel

    services.set_status(
        attendance=mine(planned, "fagchef_a"), status=AttendanceStatus.ATTENDED, by=users["hr"]
    )
    services.set_status(
        attendance=mine(planned, "director"),
        status=AttendanceStatus.ABSENT,
        reason="Byrådsmøde",
        by=users["hr"],
    )
    seminar(programme, 2, start=datetime.datetime(2021, 10, 1, 9, tzinfo=CPH))

    with CaptureQueriesContext(connection) as queries:
        panel = seminar_panel(programme)

    assert len(queries) == 1
    assert panel["held"] == 1
    first, second = panel["seminars"]
    assert (first.attended, first.absent, first.invited) == (1, 1, 2)
    assert (second.attended, second.invited) == (0, 0)


def test_invitations_updates_and_cancellations_go_out_at_once_and_once(
    org, users, programme, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2029, 9, 1, 9, tzinfo=CPH)
    future = seminar(programme, start=start)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_forum(seminar=future, by=users["hr"])
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_forum(seminar=future, by=users["hr"])  # nobody new: nothing sent
    invited = list(mail.outbox)
    absent = Attendance.objects.get(seminar=future, person=org["director"])
    services.set_status(
        attendance=absent, status=AttendanceStatus.ABSENT, reason="Ferie", by=users["hr"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.move(
            seminar=future,
            starts_at=start + datetime.timedelta(days=1),
            ends_at=start + datetime.timedelta(days=1, hours=6),
            by=users["hr"],
        )
    moved = mail.outbox[len(invited) :]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(seminar=future, by=users["hr"])
    cancelled = mail.outbox[len(invited) + len(moved) :]

    forum = {org["fagchef_a"].email, org["director"].email}
    assert {m.to[0].split("<")[-1].rstrip(">") for m in invited} == forum
    assert len(invited) == 2
    assert [m.to[0].split("<")[-1].rstrip(">") for m in moved] == [org["fagchef_a"].email]
    assert [m.to[0].split("<")[-1].rstrip(">") for m in cancelled] == [org["fagchef_a"].email]
    methods = [
        (str(c["METHOD"]), int(c.walk("VEVENT")[0]["SEQUENCE"]))
        for m in (invited[0], moved[0], cancelled[0])
        for c in _invitations(m)
    ]
    assert methods == [("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
    assert moved[0].subject.startswith("Flyttet:")
    assert cancelled[0].subject.startswith("Aflyst:")
    uids = {str(_invitations(m)[0].walk("VEVENT")[0]["UID"]) for m in (invited[0], cancelled[0])}
    assert uids == {ical.uid_for("seminar", future.pk)}


# --- Materials --------------------------------------------------------------------------


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _seminar_change_data(seminar, **material):
    """The admin's change form for a seminar, with one new material row."""
    local = timezone.localtime(seminar.starts_at)
    end = timezone.localtime(seminar.ends_at)
    data = {
        "programme": seminar.programme_id,
        "kind": seminar.kind,
        "number": seminar.number,
        "theme": seminar.theme,
        "starts_at_0": local.strftime("%d.%m.%Y"),
        "starts_at_1": local.strftime("%H:%M"),
        "ends_at_0": end.strftime("%d.%m.%Y"),
        "ends_at_1": end.strftime("%H:%M"),
        "format": seminar.format,
        "place": seminar.place,
        "evaluation_days": seminar.evaluation_days,
    }
    for prefix in ("experts", "agenda", "materials"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update({"materials-TOTAL_FORMS": "1", "materials-0-seminar": seminar.pk})
    data.update({f"materials-0-{key}": value for key, value in material.items()})
    return data


def test_hr_uploads_material_and_only_those_who_see_the_seminar_download_it(
    client, users, planned, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    from clarification.models import private_storage

    private_storage._wrapped = empty
    first = planned["seminar"]
    client.force_login(users["hr"])
    change = reverse("admin:seminars_seminar_change", args=[first.pk])

    refused = client.post(
        change,
        _seminar_change_data(first, title="Noter", file=_upload("noter.exe", b"MZ\x90\x00")),
    )
    saved = client.post(
        change,
        _seminar_change_data(first, title="Slides", file=_upload("oplæg.pdf", b"%PDF-1.7 slides")),
    )

    assert "Filtypen kan ikke bruges" in refused.content.decode()
    assert saved.status_code == 302
    material = first.materials.get()
    assert (material.original_name, material.content_type, material.size) == (
        "oplæg.pdf",
        "application/pdf",
        15,
    )
    assert "oplæg" not in material.file.name  # stored under a random name
    client.force_login(users["fagchef"])
    detail = client.get(first.get_absolute_url()).content.decode()
    download = client.get(material.get_absolute_url())
    assert material.get_absolute_url() in detail
    assert download.status_code == 200
    assert download.content == b"%PDF-1.7 slides"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(users["leder"])
    assert client.get(material.get_absolute_url()).status_code == 403
    other = seminar(planned["seminar"].programme, number=2)
    client.force_login(users["fagchef"])
    wrong = reverse("seminars:material", kwargs={"pk": other.pk, "material": material.pk})
    assert client.get(wrong).status_code == 404
    private_storage._wrapped = empty


def test_deleting_a_seminar_deletes_its_material_files(
    planned, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from clarification.models import private_storage
    from seminars.models import SeminarMaterial

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    private_storage._wrapped = empty
    material = SeminarMaterial(seminar=planned["seminar"], title="Slides")
    material.file.save("slides", ContentFile(b"%PDF-1.7"), save=True)
    assert private_storage.exists(material.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        planned["seminar"].delete()

    assert not private_storage.exists(material.file.name)
    private_storage._wrapped = empty


def test_a_replaced_material_file_is_deleted(
    client, users, planned, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from clarification.models import private_storage
    from seminars.models import SeminarMaterial

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    private_storage._wrapped = empty
    first = planned["seminar"]
    material = SeminarMaterial(seminar=first, title="Slides", original_name="v1.pdf", size=8)
    material.file.save("slides", ContentFile(b"%PDF-1.7"), save=True)
    old_name = material.file.name
    client.force_login(users["hr"])
    data = _seminar_change_data(first, title="Slides", file=_upload("v2.pdf", b"%PDF-1.7 v2"))
    data.update(
        {"materials-INITIAL_FORMS": "1", "materials-0-id": material.pk, "evaluation_days": 14}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:seminars_seminar_change", args=[first.pk]), data)

    assert response.status_code == 302
    material.refresh_from_db()
    assert material.original_name == "v2.pdf"
    assert private_storage.exists(material.file.name)
    assert not private_storage.exists(old_name)
    private_storage._wrapped = empty
