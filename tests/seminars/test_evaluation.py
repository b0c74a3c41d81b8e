"""The anonymous evaluation after a seminar: who answers, once, anonymity, results, reminder."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seminars import evaluation, services
from seminars import reminders as seminar_reminders
from seminars.models import (
    SCALE_QUESTIONS,
    TEXT_QUESTIONS,
    Attendance,
    AttendanceStatus,
    EvaluationAnswer,
    EvaluationReceipt,
    Seminar,
    SeminarKind,
)
from seminars.panels import seminar_panel
from tests.programme.factories import PersonFactory
from tests.reminders_support import eager_tasks, sweep_and_send

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

CPH = ZoneInfo("Europe/Copenhagen")
START = datetime.datetime(2021, 9, 1, 9, tzinfo=CPH)
ENDS = START + datetime.timedelta(hours=6)  # 1 September 2021, 15.00
AFTER = ENDS + datetime.timedelta(hours=2)
GOOD = {"benefit": "4", "relevance": "5", "input_quality": "3", "dialogue": "4"}


def make_seminar(programme, number=1, start=START):
    return Seminar.objects.create(
        programme=programme,
        kind=SeminarKind.SEMINAR,
        number=number,
        theme="Social kapital",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Rødovre Rådhus",
    )


@pytest.fixture
def held(org, users, programme):
    """A seminar on 1 September 2021 with the forum invited; fagchef A attended."""
    first = make_seminar(programme)
    services.invite_forum(seminar=first, by=users["hr"])
    set_status(first, org["fagchef_a"], AttendanceStatus.ATTENDED, users["hr"])
    return first


def set_status(seminar, person, status, by, reason=""):
    services.set_status(
        attendance=Attendance.objects.get(seminar=seminar, person=person),
        status=status,
        by=by,
        reason=reason,
    )


def participants(seminar, n):
    """Add n fagchefer who attended the seminar."""
    people = [PersonFactory(role="fagchef") for _ in range(n)]
    Attendance.objects.bulk_create(
        Attendance(seminar=seminar, person=person, status=AttendanceStatus.ATTENDED)
        for person in people
    )
    return people


def answers(seminar, n, **fields):
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(
            seminar=seminar,
            benefit=fields.get("benefit", 1 + i % 5),
            relevance=4,
            input_quality=3,
            dialogue=5,
            takeaway=fields.get("takeaway", f"Tjek-ind {i}"),
            improvement="",
        )
        for i in range(n)
    )


def form_url(seminar):
    return reverse("evaluation:answer", args=[seminar.pk])


def results_url(seminar):
    return reverse("evaluation:results", args=[seminar.pk])


# --- Who answers, once ------------------------------------------------------------------


@time_machine.travel(AFTER, tick=False)
def test_an_attending_participant_answers_once_anonymously(client, users, org, held):
    client.force_login(users["fagchef"])

    response = client.post(form_url(held), GOOD | {"takeaway": "Tjek-ind og runder"})

    assert response.status_code == 302
    answer = EvaluationAnswer.objects.get()
    assert (answer.seminar, answer.benefit, answer.takeaway) == (held, 4, "Tjek-ind og runder")
    assert EvaluationReceipt.objects.filter(seminar=held, person=org["fagchef_a"]).exists()
    page = client.get(form_url(held)).content.decode()
    assert "Tak for dit svar. Det er gemt uden dit navn." in page
    assert "Send evalueringen" not in page

    again = client.post(form_url(held), GOOD)

    assert again.status_code == 403
    assert EvaluationAnswer.objects.count() == 1
    assert EvaluationReceipt.objects.count() == 1


@time_machine.travel(AFTER, tick=False)
def test_the_service_refuses_a_second_answer_and_keeps_one_row_each(org, held):
    data = {name: 3 for name, _q in SCALE_QUESTIONS} | {name: "" for name, _q in TEXT_QUESTIONS}
    evaluation.submit_evaluation(seminar=held, person=org["fagchef_a"], answers=data)

    with pytest.raises(evaluation.EvaluationError, match="allerede"):
        evaluation.submit_evaluation(seminar=held, person=org["fagchef_a"], answers=data)

    assert (EvaluationAnswer.objects.count(), EvaluationReceipt.objects.count()) == (1, 1)


def test_the_answer_row_holds_no_person_and_no_time():
    columns = {field.name: field for field in EvaluationAnswer._meta.concrete_fields}

    assert set(columns) == {"id", "seminar"} | {
        name for name, _q in SCALE_QUESTIONS + TEXT_QUESTIONS
    }
    assert columns["id"].get_internal_type() == "UUIDField"
    assert not any(
        field.get_internal_type() in {"DateTimeField", "DateField", "TimeField"}
        or (field.is_relation and field.name != "seminar")
        for field in columns.values()
    )
    receipt = {field.name for field in EvaluationReceipt._meta.concrete_fields}
    assert receipt == {"id", "seminar", "person"}


def test_the_scale_is_enforced_by_the_database(held):
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationAnswer.objects.create(
            seminar=held, benefit=6, relevance=1, input_quality=1, dialogue=1
        )


@time_machine.travel(AFTER, tick=False)
def test_only_those_who_came_answer(client, users, org, held):
    # Direktøren was invited but is recorded absent; HR is not a participant.
    set_status(held, org["director"], AttendanceStatus.ABSENT, users["hr"], reason="Sygdom")
    for role in ("direktion", "hr"):
        client.force_login(users[role])
        response = client.post(form_url(held), GOOD)
        assert response.status_code == 403
        assert "besvares af seminarets deltagere" in response.content.decode()

    assert not EvaluationAnswer.objects.exists()
    assert not EvaluationReceipt.objects.exists()


@time_machine.travel(AFTER, tick=False)
def test_registered_participants_answer_while_attendance_is_not_recorded(users, org, programme):
    second = make_seminar(programme, 2)
    services.invite_forum(seminar=second, by=users["hr"])
    set_status(second, org["fagchef_a"], AttendanceStatus.REGISTERED, users["fagchef"])

    assert evaluation.state_for(second, org["fagchef_a"].pk).may_answer
    assert not evaluation.state_for(second, org["director"].pk).may_answer  # only invited

    set_status(second, org["director"], AttendanceStatus.ATTENDED, users["hr"])

    # Now that HR has recorded who came, being registered is not enough.
    assert not evaluation.state_for(second, org["fagchef_a"].pk).may_answer
    assert evaluation.state_for(second, org["director"].pk).may_answer


@pytest.mark.parametrize("role", ["leder", "medarbejder"])
def test_leaders_and_staff_have_no_evaluation_pages(client, users, held, role):
    client.force_login(users[role])

    assert client.get(form_url(held)).status_code == 403
    assert client.get(results_url(held)).status_code == 403


def test_a_fagchef_gets_404_on_a_seminar_they_are_not_invited_to(client, users, programme):
    other = make_seminar(programme, 2)
    client.force_login(users["fagchef"])

    assert client.get(form_url(other)).status_code == 404
    assert client.get(results_url(other)).status_code == 404
    assert client.post(form_url(other), GOOD).status_code == 404


def test_the_evaluation_opens_at_the_end_and_closes_after_the_days(client, users, held):
    client.force_login(users["fagchef"])

    with time_machine.travel(ENDS - datetime.timedelta(minutes=1), tick=False):
        page = client.get(form_url(held)).content.decode()
        assert "Evalueringen åbner, når seminaret er slut." in page
    with time_machine.travel(ENDS + datetime.timedelta(days=14, seconds=1), tick=False):
        response = client.post(form_url(held), GOOD)
        assert response.status_code == 403
        assert "Evalueringen er lukket." in response.content.decode()
    assert not EvaluationAnswer.objects.exists()
    with time_machine.travel(ENDS + datetime.timedelta(days=13, hours=23), tick=False):
        assert client.post(form_url(held), GOOD).status_code == 302
    assert EvaluationAnswer.objects.count() == 1


def test_the_days_open_are_the_seminars_setting(held):
    held.evaluation_days = 3
    held.save()
    with time_machine.travel(ENDS + datetime.timedelta(days=3, seconds=1), tick=False):
        assert not evaluation.is_open(held)
    with time_machine.travel(ENDS + datetime.timedelta(days=2), tick=False):
        assert evaluation.is_open(held)


@time_machine.travel(AFTER, tick=False)
def test_form_errors_are_danish_and_keep_what_was_typed(client, users, held):
    client.force_login(users["fagchef"])

    response = client.post(
        form_url(held),
        {"benefit": "4", "relevance": "9", "takeaway": "Runder og tjek-ind"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("Vælg et svar fra 1 til 5.") == 3
    assert 'value="4" class="form-check-input" id="id_benefit_3" required checked' in content
    assert "Runder og tjek-ind</textarea>" in content
    assert "<legend" in content and "<fieldset" in content
    assert not EvaluationAnswer.objects.exists()


@time_machine.travel(AFTER, tick=False)
def test_mass_assignment_of_seminar_or_person_is_ignored(client, users, org, programme, held):
    other = make_seminar(programme, 2)
    client.force_login(users["fagchef"])

    client.post(form_url(held), GOOD | {"seminar": other.pk, "person": org["director"].pk})

    assert EvaluationAnswer.objects.get().seminar == held
    assert EvaluationReceipt.objects.get().person == org["fagchef_a"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_store_one(org, users, programme):
    seminar = make_seminar(programme)
    services.invite_forum(seminar=seminar, by=users["hr"])
    Attendance.objects.filter(seminar=seminar).update(status=AttendanceStatus.ATTENDED)
    data = {name: 4 for name, _q in SCALE_QUESTIONS} | {name: "" for name, _q in TEXT_QUESTIONS}
    outcomes, errors = [], []
    barrier = threading.Barrier(3)

    def run():
        try:
            barrier.wait()
            evaluation.submit_evaluation(seminar=seminar, person=org["fagchef_a"], answers=data)
            outcomes.append("saved")
        except evaluation.EvaluationError:
            outcomes.append("refused")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    with time_machine.travel(AFTER, tick=False):
        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sorted(outcomes) == ["refused", "refused", "saved"]
    assert EvaluationAnswer.objects.count() == 1
    assert EvaluationReceipt.objects.count() == 1


# --- Results -----------------------------------------------------------------------------


def test_results_are_suppressed_below_five(client, users, held):
    answers(held, 4, takeaway="Hemmelig kommentar")
    client.force_login(users["fagchef"])

    content = client.get(results_url(held)).content.decode()

    assert "Færre end 5 har svaret, så resultaterne vises ikke." in content
    assert "4 har svaret" not in content  # not even the count
    assert "Hemmelig kommentar" not in content
    assert "Gennemsnit" not in content


def test_results_wait_for_the_evaluation_to_close(client, users, held):
    answers(held, 5, takeaway="Tidlig kommentar")
    client.force_login(users["fagchef"])

    with time_machine.travel(evaluation.closes_at(held) - datetime.timedelta(hours=1)):
        open_page = client.get(results_url(held)).content.decode()
        panel = seminar_panel(held.programme)
    closed_page = client.get(results_url(held)).content.decode()

    assert "Resultaterne vises, når evalueringen er lukket" in open_page
    assert "Tidlig kommentar" not in open_page
    assert panel["seminars"][0].evaluation_shown is False
    assert "Tidlig kommentar" in closed_page


def test_results_are_shown_at_five_with_danish_decimals_and_every_comment(client, users, held):
    answers(held, 5)  # benefit 1, 2, 3, 4, 5: mean 3,0
    EvaluationAnswer.objects.filter(benefit=5).update(benefit=4, improvement="Mere tid")
    client.force_login(users["direktion"])

    content = client.get(results_url(held)).content.decode()

    assert "5 har svaret." in content
    assert '<td class="text-end">2,8</td>' in content  # (1+2+3+4+4)/5
    assert "Udbytte for min ledelse" in content
    assert all(f"Tjek-ind {i}" in content for i in range(5))
    assert "Mere tid" in content
    result = evaluation.results(held)
    benefit = result.questions[0]
    assert benefit.answers == 5
    assert [count for _value, count, _share in benefit.distribution] == [1, 1, 1, 2, 0]


@pytest.mark.parametrize("role", ["fagchef", "direktion", "hr"])
def test_forum_members_who_see_the_seminar_read_the_results(client, users, held, role):
    answers(held, 5)
    client.force_login(users[role])

    assert client.get(results_url(held)).status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_results_page_queries_do_not_grow_with_the_answers(client, users, held):
    client.force_login(users["hr"])
    answers(held, 5)
    client.get(results_url(held))  # warm the session and the scope
    five = _count_queries(client, results_url(held))
    answers(held, 20)

    assert _count_queries(client, results_url(held)) == five
    assert five == 9, "the page's own: the seminar, the aggregate and the comments"


def test_panel_shows_the_evaluation_in_one_query_and_hides_small_groups(users, held, programme):
    second = make_seminar(programme, 2, start=START + datetime.timedelta(days=30))
    answers(held, 5)
    answers(second, 4)

    with time_machine.travel(START + datetime.timedelta(days=60), tick=False):
        with CaptureQueriesContext(connection) as queries:
            panel = seminar_panel(programme)
        first, other = panel["seminars"]
        assert len(queries) == 1
        assert (first.evaluation_shown, first.evaluation_answers_count) == (True, 5)
        assert first.evaluation_mean == pytest.approx(3.0)
        assert (first.invited, first.attended) == (2, 1)  # the subqueries multiply nothing
        assert other.evaluation_shown is False

        answers(held, 20)
        with CaptureQueriesContext(connection) as queries:
            seminar_panel(programme)
        assert len(queries) == 1


def test_dashboard_shows_the_evaluation_column_with_a_constant_number_of_queries(
    client, users, held, programme
):
    second = make_seminar(programme, 2, start=START + datetime.timedelta(days=30))
    answers(held, 5)
    answers(second, 3)
    client.force_login(users["direktion"])
    url = reverse("clarification:dashboard")
    client.get(url)
    five = _count_queries(client, url)
    answers(held, 20)
    answers(second, 1)

    assert _count_queries(client, url) == five
    content = client.get(url).content.decode()
    assert '<td class="text-end">25 svar, udbytte 3,0</td>' in content
    assert '<td class="text-end">&lt; 5</td>' in content


# --- The seminar's page ------------------------------------------------------------------


@time_machine.travel(AFTER, tick=False)
def test_the_seminar_page_links_a_participant_to_the_form_and_everyone_to_the_results(
    client, users, held
):
    client.force_login(users["fagchef"])
    content = client.get(held.get_absolute_url()).content.decode()
    assert form_url(held) in content
    assert results_url(held) in content

    client.force_login(users["hr"])
    content = client.get(held.get_absolute_url()).content.decode()
    assert f'href="{form_url(held)}"' not in content
    assert results_url(held) in content


# --- The reminder ------------------------------------------------------------------------


def test_the_reminder_goes_once_to_those_who_have_not_answered(
    users, org, held, django_capture_on_commit_callbacks
):
    set_status(held, org["director"], AttendanceStatus.ATTENDED, users["hr"])
    third = participants(held, 1)[0]
    data = {name: 3 for name, _q in SCALE_QUESTIONS} | {name: "" for name, _q in TEXT_QUESTIONS}
    seminar_reminders.ensure_default_rules(held)
    seminar_reminders.ensure_default_rules(held)  # once
    with time_machine.travel(AFTER, tick=False):
        evaluation.submit_evaluation(seminar=held, person=third, answers=data)

    # The seminar's day, evening: not yet; the next morning at 9: once, however often swept.
    with time_machine.travel(datetime.datetime(2021, 9, 1, 20, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    for minutes in (5, 10):
        at = datetime.datetime(2021, 9, 2, 9, minutes, tzinfo=CPH)
        with time_machine.travel(at, tick=False):
            sweep_and_send(django_capture_on_commit_callbacks)

    recipients = sorted(message.to[0] for message in mail.outbox)
    assert len(recipients) == 2
    assert any(org["fagchef_a"].email in to for to in recipients)
    assert any(org["director"].email in to for to in recipients)
    assert not any(third.email in to for to in recipients)
    message = mail.outbox[0]
    assert message.subject == f"Evaluér {held}"
    assert form_url(held) in message.body
    assert "15. september 2021" in message.body


def test_no_reminder_for_a_cancelled_seminar(users, held, django_capture_on_commit_callbacks):
    seminar_reminders.ensure_default_rules(held)
    services.cancel(seminar=held, by=users["hr"])
    mail.outbox.clear()

    with time_machine.travel(datetime.datetime(2021, 9, 2, 9, 5, tzinfo=CPH), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)

    assert mail.outbox == []


# --- Security ----------------------------------------------------------------------------

HOSTILE = '<script>alert(1)</script>"onmouseover=alert(1)'


def test_hostile_comments_are_escaped_on_the_results_page(client, users, held):
    answers(held, 5, takeaway=HOSTILE)
    client.force_login(users["hr"])

    content = client.get(results_url(held)).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(1)" in content


@time_machine.travel(AFTER, tick=False)
def test_an_answer_without_the_csrf_token_is_refused(users, held):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["fagchef"])

    assert client.post(form_url(held), GOOD).status_code == 403
    assert not EvaluationAnswer.objects.exists()
