"""The reminder mechanism: due times, the sweep, sending once, retries, the admin for HR.

quality.md row 16 (reminders go out once) and 18 (tasks enqueue on commit). The real
worker on Redis, and a worker killed mid-task, are in tests/test_worker_reminders.py.
"""

import datetime
import threading

import pytest
import time_machine
from celery.signals import task_prerun
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from programme import reminders
from programme.models import DeliveryStatus, Milestone, Person, ReminderDelivery, ReminderRule
from programme.reminders import Audience, Outcome, Recipient
from programme.tasks import send_reminder, send_reminders, sweep_reminders
from tests.programme.factories import MilestoneFactory, PersonFactory, UserFactory
from tests.reminders_support import (
    REMINDER_CONSTRAINT_VIOLATIONS,
    eager_tasks,
    make_rule,
    sweep_and_send,
)

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

UTC = datetime.UTC
FAILING = {"default": {"BACKEND": "tests.reminders_support.FailingBackend"}}


def everyone(milestone):
    rows = (
        Person.objects.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "name", "email")
    )
    for pk, name, email in rows:
        yield Recipient(
            key=f"person:{pk}",
            person_id=pk,
            email=email,
            name=name,
            context={"navn": name, "milepael": milestone.name},
        )


EVERYONE = Audience(
    key="test.alle",
    label="Alle aktive personer",
    anchor_model=Milestone,
    anchor_date=lambda milestone: milestone.planned_date,
    recipients=everyone,
    default_subject="Husk {{ milepael }}",
    default_body="Kære {{ navn }}\n\n{{ milepael }} nærmer sig.",
    variables={"navn": "navn", "milepael": "milepælen"},
    example={"navn": "Anne", "milepael": "Kick-off"},
)


@pytest.fixture
def audience(monkeypatch):
    monkeypatch.setitem(reminders._audiences, EVERYONE.key, EVERYONE)
    return EVERYONE


@pytest.fixture
def milestone(db):
    return MilestoneFactory(name="Kick-off", planned_date=datetime.date(2021, 3, 31))


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# --- the models' rules ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REMINDER_CONSTRAINT_VIOLATIONS))
def test_database_refuses_a_reminder_row_that_breaks_a_rule(db, name):
    build, _message = REMINDER_CONSTRAINT_VIOLATIONS[name]
    instance = build()
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


@pytest.mark.parametrize("name", sorted(REMINDER_CONSTRAINT_VIOLATIONS))
def test_validating_a_reminder_row_names_the_broken_rule_in_danish(db, name):
    build, message = REMINDER_CONSTRAINT_VIOLATIONS[name]
    instance = build()
    with pytest.raises(ValidationError) as error:
        instance.validate_constraints()
    assert error.value.messages == [message]


def test_every_constraint_of_the_reminder_models_is_tested():
    declared = {
        constraint.name
        for model in (ReminderRule, ReminderDelivery)
        for constraint in model._meta.constraints
    }
    assert declared == set(REMINDER_CONSTRAINT_VIOLATIONS)


def test_a_rule_names_a_known_audience_of_its_anchor(db, audience, milestone):
    from django.contrib.contenttypes.models import ContentType

    unknown = make_rule(milestone, audience)
    unknown.audience = "ukendt"
    wrong_anchor = make_rule(milestone, audience)
    wrong_anchor.anchor_type = ContentType.objects.get_for_model(Person)

    for rule in (unknown, wrong_anchor):
        with pytest.raises(ValidationError) as error:
            rule.full_clean()
        assert "audience" in error.value.message_dict


# --- due times -------------------------------------------------------------------------


def test_due_time_is_danish_wall_clock_time_across_summer_time(audience, milestone):
    # Summer time began on 28 March 2021: 08.00 is 07.00 UTC before, 06.00 UTC after.
    week_before = make_rule(milestone, audience, offset_days=-7)
    day_before = make_rule(milestone, audience, offset_days=-1)

    assert reminders.due_at(week_before) == at(2021, 3, 24, 7)
    assert reminders.due_at(day_before) == at(2021, 3, 30, 6)


def test_due_time_across_the_end_of_summer_time(db, audience):
    # Summer time ended on 31 October 2021 at 03.00.
    milestone = MilestoneFactory(planned_date=datetime.date(2021, 11, 1))
    sunday = make_rule(milestone, audience, offset_days=-1, time_of_day=datetime.time(9, 30))
    saturday = make_rule(milestone, audience, offset_days=-2, time_of_day=datetime.time(9, 30))

    assert reminders.due_at(sunday) == at(2021, 10, 31, 8, 30)
    assert reminders.due_at(saturday) == at(2021, 10, 30, 7, 30)


def test_due_time_from_a_datetime_anchor_uses_its_danish_date(monkeypatch, milestone):
    # 23.30 UTC on 30 March is already 31 March in Copenhagen.
    meeting = Audience(
        key="test.moede",
        label="Møde",
        anchor_model=Milestone,
        anchor_date=lambda m: datetime.datetime(2021, 3, 30, 23, 30, tzinfo=UTC),
        recipients=everyone,
    )
    monkeypatch.setitem(reminders._audiences, meeting.key, meeting)
    rule = make_rule(milestone, meeting, offset_days=-1, subject="x", body="x")

    assert reminders.due_at(rule) == at(2021, 3, 30, 6)


def test_sweep_sends_exactly_at_the_due_time_in_summer_time(
    audience, milestone, django_capture_on_commit_callbacks
):
    PersonFactory.create_batch(2)
    make_rule(milestone, audience, offset_days=-1)

    with time_machine.travel(at(2021, 3, 30, 5, 59, 59), tick=False):
        early = sweep_and_send(django_capture_on_commit_callbacks)
    with time_machine.travel(at(2021, 3, 30, 6, 0), tick=False):
        due = sweep_and_send(django_capture_on_commit_callbacks)

    assert (early.created, early.queued) == (0, 0)
    assert (due.created, due.queued) == (2, 2)
    assert len(mail.outbox) == 2
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sendt"}


# --- moved dates -----------------------------------------------------------------------


def test_a_moved_date_moves_the_reminder_not_yet_sent(
    audience, milestone, django_capture_on_commit_callbacks
):
    PersonFactory()
    make_rule(milestone, audience, offset_days=-7)
    milestone.planned_date = datetime.date(2021, 4, 14)
    milestone.save()

    with time_machine.travel(at(2021, 3, 24, 9), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert mail.outbox == []

    with time_machine.travel(at(2021, 4, 7, 6), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_moved_date_does_not_resend_what_was_sent(
    audience, milestone, django_capture_on_commit_callbacks
):
    first = PersonFactory()
    rule = make_rule(milestone, audience, offset_days=-7)
    with time_machine.travel(at(2021, 3, 24, 7), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[f"{first.name} <{first.email}>"]]

    milestone.planned_date = datetime.date(2021, 4, 14)
    milestone.save()
    newcomer = PersonFactory()
    with time_machine.travel(at(2021, 4, 7, 6), tick=False):
        result = sweep_and_send(django_capture_on_commit_callbacks)
    # Sweeping again at the same due time adds nothing either.
    with time_machine.travel(at(2021, 4, 7, 6, 2), tick=False):
        again = sweep_and_send(django_capture_on_commit_callbacks)

    assert result.created == 1
    assert (again.created, again.queued) == (0, 0)
    assert [m.to for m in mail.outbox][1:] == [[f"{newcomer.name} <{newcomer.email}>"]]
    assert rule.deliveries.count() == 2


def test_a_due_time_long_past_is_skipped_not_sent_late(
    audience, milestone, django_capture_on_commit_callbacks
):
    PersonFactory()
    rule = make_rule(milestone, audience, offset_days=-7)

    with time_machine.travel(at(2021, 3, 27, 7, 1), tick=False):
        result = sweep_and_send(django_capture_on_commit_callbacks)

    assert result.skipped_late == 1
    assert mail.outbox == []
    assert not rule.deliveries.exists()


def test_an_inactive_rule_sends_nothing_not_even_its_pending_deliveries(
    audience, milestone, django_capture_on_commit_callbacks
):
    person = PersonFactory()
    rule = make_rule(milestone, audience, offset_days=-7, is_active=False)
    delivery = ReminderDelivery.objects.create(
        rule=rule, recipient_key=f"person:{person.pk}", email=person.email
    )

    with time_machine.travel(at(2021, 3, 24, 7), tick=False):
        result = sweep_and_send(django_capture_on_commit_callbacks)
    outcome = reminders.send_delivery(delivery.pk)

    assert (result.created, result.queued) == (0, 0)
    assert outcome == Outcome.SKIPPED
    assert mail.outbox == []


# --- sending once ----------------------------------------------------------------------


@pytest.fixture
def pending(audience, milestone):
    person = PersonFactory(name="Søren Ærø & <Co>")
    rule = make_rule(
        milestone,
        audience,
        subject="Husk {{ milepael }}, {{ navn }}",
        body="Kære {{ navn }}\n\n{{ milepael }} er {{ dato }}.",
    )
    return ReminderDelivery.objects.create(
        rule=rule,
        recipient_key=f"person:{person.pk}",
        person=person,
        email=person.email,
        name=person.name,
        context={"navn": person.name, "milepael": "Kick-off", "dato": "31. marts 2021"},
        created_at=at(2021, 3, 24, 7),
        next_attempt_at=at(2021, 3, 24, 7),
    )


def test_task_run_twice_sends_once(pending):
    first = send_reminder(pending.pk)
    second = send_reminder(pending.pk)

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.count() == 1
    pending.refresh_from_db()
    assert pending.status == DeliveryStatus.SENT
    assert pending.sent_at is not None
    assert pending.attempts == 1


def test_a_batch_task_claims_each_delivery_on_its_own(pending):
    other = ReminderDelivery.objects.create(
        rule=pending.rule, recipient_key="person:x", email="x@example.dk", context={}
    )

    outcomes = send_reminders([pending.pk, pending.pk, other.pk])
    again = send_reminders([pending.pk, other.pk])

    assert outcomes == {"sent": 2, "skipped": 1}
    assert again == {"skipped": 2}
    assert len(mail.outbox) == 2


def test_the_sweep_sends_in_batches_of_send_batch(
    audience, milestone, monkeypatch, django_capture_on_commit_callbacks
):
    PersonFactory.create_batch(5)
    make_rule(milestone, audience, offset_days=-7)
    monkeypatch.setattr(reminders, "SEND_BATCH", 2)
    batches = []

    def record(sender=None, args=(), **kwargs):
        if sender.name == send_reminders.name:
            batches.append(len(args[0]))

    task_prerun.connect(record)
    try:
        with time_machine.travel(at(2021, 3, 24, 7), tick=False):
            sweep_and_send(django_capture_on_commit_callbacks)
    finally:
        task_prerun.disconnect(record)

    assert batches == [2, 2, 1]
    assert len(mail.outbox) == 5


def test_the_e_mail_is_plain_text_from_the_rules_current_template(pending):
    ReminderRule.objects.filter(pk=pending.rule_id).update(body="Ny tekst til {{ navn }}")

    send_reminder(pending.pk)

    message = mail.outbox[0]
    assert message.subject == "Husk Kick-off, Søren Ærø & <Co>"
    assert message.body == "Ny tekst til Søren Ærø & <Co>\n"
    assert message.from_email == "Sammen om Rødovre <udvikling@localhost>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_templates_cannot_include_files_or_load_tag_libraries(pending):
    ReminderRule.objects.filter(pk=pending.rule_id).update(body='{% include "base.html" %}')

    outcome = send_reminder(pending.pk)

    pending.refresh_from_db()
    assert outcome == "failed"
    assert pending.status == DeliveryStatus.FAILED
    assert "base.html" in pending.last_error
    assert mail.outbox == []
    with pytest.raises(reminders.TemplateSyntaxError):
        reminders.check_template("{% load static %}{% static 'x' %}")


@override_settings(MAILERS=FAILING)
def test_a_failing_mail_server_is_retried_with_backoff_then_marked_failed(
    pending, django_capture_on_commit_callbacks
):
    start = at(2021, 3, 24, 7)
    with time_machine.travel(start, tick=False) as clock:
        sweep_and_send(django_capture_on_commit_callbacks)
        pending.refresh_from_db()
        assert pending.status == DeliveryStatus.PENDING
        assert pending.attempts == 1
        assert pending.next_attempt_at == start + datetime.timedelta(minutes=2)
        assert "SMTPServerDisconnected" in pending.last_error

        # Not before the next attempt is due.
        clock.move_to(start + datetime.timedelta(minutes=1))
        assert sweep_and_send(django_capture_on_commit_callbacks).queued == 0

        waits = []
        while pending.status == DeliveryStatus.PENDING:
            waits.append(pending.next_attempt_at - timezone.now())
            clock.move_to(pending.next_attempt_at)
            sweep_and_send(django_capture_on_commit_callbacks)
            pending.refresh_from_db()

    assert pending.status == DeliveryStatus.FAILED
    assert pending.attempts == reminders.MAX_ATTEMPTS
    assert [wait.total_seconds() / 60 for wait in waits] == [1, 4, 8, 16, 32]
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_turns_uncertain_and_is_never_resent(
    pending, django_capture_on_commit_callbacks
):
    claimed = at(2021, 3, 24, 7)
    ReminderDelivery.objects.filter(pk=pending.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=claimed, attempts=1
    )

    soon = sweep_and_send(
        django_capture_on_commit_callbacks, now=claimed + datetime.timedelta(minutes=5)
    )
    later = sweep_and_send(
        django_capture_on_commit_callbacks, now=claimed + datetime.timedelta(minutes=16)
    )
    rerun = send_reminder(pending.pk)
    again = sweep_and_send(
        django_capture_on_commit_callbacks, now=claimed + datetime.timedelta(days=1)
    )

    pending.refresh_from_db()
    assert (soon.uncertain, later.uncertain, again.uncertain) == (0, 1, 0)
    assert pending.status == DeliveryStatus.UNCERTAIN
    assert "vides ikke" in pending.last_error
    assert rerun == "skipped"
    assert again.queued == 0
    assert mail.outbox == []


def test_a_lost_message_is_queued_again_after_a_while(pending, django_capture_on_commit_callbacks):
    now = at(2021, 3, 24, 7)
    with django_capture_on_commit_callbacks(execute=False):
        first = reminders.sweep(now=now)  # queued, but the message never arrives
    soon = sweep_and_send(
        django_capture_on_commit_callbacks, now=now + datetime.timedelta(minutes=5)
    )
    later = sweep_and_send(
        django_capture_on_commit_callbacks,
        now=now + reminders.REQUEUE_AFTER + datetime.timedelta(seconds=1),
    )

    assert (first.queued, soon.queued, later.queued) == (1, 0, 1)
    assert len(mail.outbox) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(
    audience, milestone, django_capture_on_commit_callbacks
):
    PersonFactory()
    rule = make_rule(milestone, audience)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        reminders.send_rule_now(rule=rule, by=None)
        raise RuntimeError

    assert callbacks == []
    assert not ReminderDelivery.objects.exists()


def test_send_rule_now_sends_before_the_due_time_and_never_twice(
    audience, milestone, django_capture_on_commit_callbacks
):
    hr = UserFactory(username="hr-send")
    PersonFactory.create_batch(2)
    rule = make_rule(milestone, audience, offset_days=-7)

    with time_machine.travel(at(2021, 1, 4, 9), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = reminders.send_rule_now(rule=rule, by=hr)
        with django_capture_on_commit_callbacks(execute=True):
            second = reminders.send_rule_now(rule=rule, by=hr)
        PersonFactory()
        with django_capture_on_commit_callbacks(execute=True):
            third = reminders.send_rule_now(rule=rule, by=hr)
    # At the due time, everyone already has it.
    with time_machine.travel(at(2021, 3, 24, 7), tick=False):
        due = sweep_and_send(django_capture_on_commit_callbacks)

    assert (first, second, third) == ((2, 2), (0, 0), (1, 1))
    assert (due.created, due.queued) == (0, 0)
    assert len(mail.outbox) == 3
    assert set(rule.deliveries.values_list("requested_by", flat=True)) == {hr.pk}


def test_send_rule_now_refuses_an_inactive_rule(audience, milestone):
    rule = make_rule(milestone, audience, is_active=False)

    with pytest.raises(reminders.ReminderError, match="ikke aktiv"):
        reminders.send_rule_now(rule=rule, by=None)


def test_the_beat_task_returns_what_the_sweep_did(
    audience, milestone, django_capture_on_commit_callbacks
):
    PersonFactory()
    make_rule(milestone, audience, offset_days=-7)

    with (
        time_machine.travel(at(2021, 3, 24, 7), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = sweep_reminders()

    assert result == {"uncertain": 0, "created": 1, "queued": 1, "skipped_late": 0}
    assert len(mail.outbox) == 1


def test_retrying_failed_deliveries_sends_them(pending, django_capture_on_commit_callbacks):
    ReminderDelivery.objects.filter(pk=pending.pk).update(
        status=DeliveryStatus.FAILED, attempts=reminders.MAX_ATTEMPTS
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = reminders.retry_failed(deliveries=ReminderDelivery.objects.all())

    pending.refresh_from_db()
    assert count == 1
    assert pending.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


# --- two at once, on PostgreSQL ----------------------------------------------------------


def _in_threads(count, target):
    """Run `target(i)` in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_reminder_once(audience):
    milestone = MilestoneFactory(planned_date=datetime.date(2021, 3, 31))
    people = PersonFactory.create_batch(60)
    rule = make_rule(milestone, audience, offset_days=-7)
    now = at(2021, 3, 24, 7, 1)

    results = _in_threads(4, lambda i: reminders.sweep(now=now))

    assert sum(result.created for result in results) == len(people)
    assert sum(result.queued for result in results) == len(people)
    assert rule.deliveries.count() == len(people)
    assert set(rule.deliveries.values_list("status", flat=True)) == {"sendt"}
    sent_to = [message.to[0] for message in mail.outbox]
    assert len(sent_to) == len(set(sent_to)) == len(people)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_delivery_send_once(audience):
    milestone = MilestoneFactory()
    person = PersonFactory()
    rule = make_rule(milestone, audience)
    delivery = ReminderDelivery.objects.create(
        rule=rule, recipient_key=f"person:{person.pk}", email=person.email, context={}
    )

    outcomes = _in_threads(4, lambda i: reminders.send_delivery(delivery.pk))

    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(mail.outbox) == 1


# --- the admin, for HR -------------------------------------------------------------------


@pytest.fixture
def hr(db):
    from tests.programme.factories import hr_user

    return hr_user()


@pytest.fixture
def sent(audience, milestone, django_capture_on_commit_callbacks):
    PersonFactory.create_batch(3)
    rule = make_rule(milestone, audience, name="Kick-off om en uge")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_rule_now(rule=rule, by=None)
    return rule


def test_hr_sees_rules_with_their_delivery_counts(client, hr, sent):
    client.force_login(hr)

    response = client.get(reverse("admin:programme_reminderrule_changelist"))
    filtered = client.get(
        reverse("admin:programme_reminderrule_changelist"), {"audience": "test.alle"}
    )

    assert response.status_code == 200
    assert "Kick-off om en uge" in response.text
    assert "Sendt: 3" in response.text
    assert "7 dage før kl. 08.00" in response.text
    assert filtered.status_code == 200
    assert "Kick-off om en uge" in filtered.text


def test_hr_sees_what_was_sent_to_whom_and_when(
    client, hr, sent, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    first_emails = list(sent.deliveries.values_list("email", flat=True))
    url = reverse("admin:programme_reminderdelivery_changelist")
    with django_assert_max_num_queries(14) as few:
        response = client.get(url, {"status__exact": "sendt"})
    PersonFactory.create_batch(20)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_rule_now(rule=sent, by=None)
    with django_assert_max_num_queries(14) as many:
        more = client.get(url, {"status__exact": "sendt"})

    assert response.status_code == 200
    assert len(first_emails) == 3
    for email in first_emails:
        assert email in response.text
    assert more.status_code == 200
    assert more.text.count("<tr") > response.text.count("<tr")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_hr_opens_a_rule_with_its_variables_and_an_example(client, hr, sent):
    client.force_login(hr)

    response = client.get(reverse("admin:programme_reminderrule_change", args=[sent.pk]))

    assert response.status_code == 200
    assert "{{ milepael }}" in response.text
    assert "Kære Anne" in response.text


def test_hr_creates_a_rule_and_empty_templates_take_the_audience_defaults(
    client, hr, audience, milestone
):
    client.force_login(hr)
    add = reverse("admin:programme_reminderrule_add")
    assert client.get(add).status_code == 200
    anchor = f"{reminders.anchor_type_for(audience).pk}:{milestone.pk}"

    response = client.post(
        add,
        {
            "name": "Kick-off om tre dage",
            "audience": audience.key,
            "anchored_to": anchor,
            "offset_days": "-3",
            "time_of_day": "07:30",
            "subject": "",
            "body": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    rule = ReminderRule.objects.get()
    assert rule.anchor == milestone
    assert (rule.subject, rule.body) == (audience.default_subject, audience.default_body)


def test_a_broken_template_or_a_wrong_anchor_is_a_form_error(client, hr, audience, milestone):
    client.force_login(hr)

    response = client.post(
        reverse("admin:programme_reminderrule_add"),
        {
            "name": "Forkert",
            "audience": audience.key,
            "anchored_to": "999999:1",
            "offset_days": "-3",
            "time_of_day": "07:30",
            "subject": "{% if %}",
            "body": "x",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "anchored_to" in form.errors
    assert "subject" in form.errors
    assert not ReminderRule.objects.exists()


def test_send_now_asks_for_confirmation_then_sends(client, hr, audience, milestone):
    PersonFactory.create_batch(2)
    rule = make_rule(milestone, audience)
    client.force_login(hr)
    url = reverse("admin:programme_reminderrule_changelist")

    confirm = client.post(url, {"action": "send_now", "_selected_action": [rule.pk]})
    assert confirm.status_code == 200
    assert "Ja, send nu" in confirm.text
    assert not rule.deliveries.exists()

    done = client.post(
        url, {"action": "send_now", "_selected_action": [rule.pk], "confirmed": "ja"}
    )

    assert done.status_code == 302
    assert rule.deliveries.count() == 2


def test_deliveries_cannot_be_added_or_changed_by_hand(client, hr, sent):
    client.force_login(hr)
    delivery = sent.deliveries.first()

    view = client.get(reverse("admin:programme_reminderdelivery_change", args=[delivery.pk]))
    add = client.get(reverse("admin:programme_reminderdelivery_add"))
    change = client.post(
        reverse("admin:programme_reminderdelivery_change", args=[delivery.pk]),
        {"status": "venter", "email": "x@example.dk"},
    )

    assert view.status_code == 200
    assert delivery.email in view.text
    assert add.status_code == 403
    assert change.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.parametrize("role", ["direktion", "fagchef", "leder", "medarbejder"])
def test_other_roles_reach_no_reminder_admin(client, users, role):
    client.force_login(users[role])

    for name in ("reminderrule", "reminderdelivery"):
        response = client.get(reverse(f"admin:programme_{name}_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
