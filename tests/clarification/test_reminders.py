"""Step-2 reminders: exactly the leaders who owe input, the fagchef's status, moved deadlines."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarification import reminders as step_reminders
from clarification.models import StepStatus, SubmissionStatus
from clarification.services.steps import move_deadline, state_for
from programme import reminders
from programme.models import ReminderRule, Role
from tests.clarification.factories import SubmissionFactory
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    ProgrammeFactory,
    WorkplaceFactory,
)
from tests.reminders_support import eager_tasks, make_rule, sweep_and_send

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

SITE = "https://udvikling.rk.dk"
UTC = datetime.UTC


def deliver(programme, workplace):
    return SubmissionFactory(
        programme=programme,
        workplace=workplace,
        status=SubmissionStatus.DELIVERED,
        delivered_at=timezone.now(),
    )


def leader_of(*workplaces, **person):
    leader = PersonFactory(workplace=workplaces[0], role=Role.LEADER, **person)
    for workplace in workplaces:
        LeadershipFactory(workplace=workplace, person=leader)
    return leader


def by_person(recipients):
    return {recipient.person_id: recipient for recipient in recipients}


@pytest.fixture
def step(steps):
    return steps[2]


# --- the leaders who have not delivered -----------------------------------------------


@override_settings(SITE_URL=SITE)
def test_leaders_audience_picks_exactly_the_leaders_who_owe_input(org, programme, step):
    # leader_a leads Valhøj Skole; now also Børnehuset Sønderbo: one e-mail for both.
    LeadershipFactory(workplace=org["wa2"], person=org["leader_a"])
    # Delivered: excluded. A draft, or a delivery to another programme, is not delivered.
    delivered = WorkplaceFactory(administration=org["admin_a"], name="Afleveret Børnehus")
    delivered_leader = leader_of(delivered)
    deliver(programme, delivered)
    draft = WorkplaceFactory(administration=org["admin_a"], name="Kladde Klub")
    SubmissionFactory(programme=programme, workplace=draft)
    deliver(ProgrammeFactory(), draft)
    draft_leader = leader_of(draft)
    # Inactive people, people without e-mail, inactive workplaces: excluded.
    leader_of(org["wa1"], is_active=False)
    leader_of(org["wa1"], email="")
    leader_of(WorkplaceFactory(administration=org["admin_a"], is_active=False))
    # Step 2 closed in administration B, not started in C: excluded.
    state = state_for(step=step, administration=org["admin_b"])
    state.status = StepStatus.CLOSED
    state.closed_at = timezone.now()
    state.save()
    admin_c = AdministrationFactory()
    state_for(step=step, administration=admin_c)
    leader_of(WorkplaceFactory(administration=admin_c))

    recipients = by_person(step_reminders.leaders_without_delivery(step))

    assert set(recipients) == {org["leader_a"].pk, draft_leader.pk}
    assert delivered_leader.pk not in recipients
    mine = recipients[org["leader_a"].pk]
    assert mine.key == f"person:{org['leader_a'].pk}"
    assert mine.email == org["leader_a"].email
    assert mine.context["navn"] == org["leader_a"].name
    assert mine.context["frist"] == "30. juni 2021"
    assert mine.context["antal"] == 2
    assert mine.context["arbejdspladser"] == [
        {
            "navn": "Børnehuset Sønderbo",
            "link": f"{SITE}/afklaring/arbejdspladser/{org['wa2'].code}/",
        },
        {"navn": "Valhøj Skole", "link": f"{SITE}/afklaring/arbejdspladser/{org['wa1'].code}/"},
    ]


def test_a_workplace_link_is_the_leaders_page(step):
    # The leader's page (clarification:workplace) has this path by contract, built or not.
    assert step_reminders.workplace_link("AP 7/Ø").endswith(
        "/afklaring/arbejdspladser/AP%207%2F%C3%98/"
    )
    assert step_reminders.workplace_link("X1").startswith("http://127.0.0.1:8000/")


def _queries(function, step) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(function(step))
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "function",
    [step_reminders.leaders_without_delivery, step_reminders.head_of_department_summaries],
)
def test_recipients_take_a_constant_number_of_queries(org, programme, step, function):
    step.refresh_from_db()
    small = _queries(function, step)
    for n in range(40):
        workplace = WorkplaceFactory(administration=org["admin_a" if n % 2 else "admin_b"])
        leader_of(workplace)
        if n % 3 == 0:
            deliver(programme, workplace)
        if n % 10 == 0:
            PersonFactory(workplace=workplace, role=Role.HEAD_OF_DEPARTMENT)
    step.refresh_from_db()

    assert _queries(function, step) == small <= 4


# --- the fagchef's summary ----------------------------------------------------------


@override_settings(SITE_URL=SITE)
def test_fagchef_gets_a_summary_of_their_own_administration(org, programme, step):
    deliver(programme, org["wa1"])
    missing = [
        WorkplaceFactory(administration=org["admin_a"], name=f"Institution {n:02d}")
        for n in range(23)
    ]
    # Administration B's fagchef is reached; an inactive one and one in a closed one are not.
    fagchef_b = PersonFactory(workplace=org["wb2"], role=Role.HEAD_OF_DEPARTMENT)
    PersonFactory(workplace=org["wa2"], role=Role.HEAD_OF_DEPARTMENT, is_active=False)
    admin_c = AdministrationFactory()
    state = state_for(step=step, administration=admin_c)
    state.status = StepStatus.CLOSED
    state.closed_at = timezone.now()
    state.save()
    PersonFactory(workplace=WorkplaceFactory(administration=admin_c), role=Role.HEAD_OF_DEPARTMENT)

    recipients = by_person(step_reminders.head_of_department_summaries(step))

    assert set(recipients) == {org["fagchef_a"].pk, fagchef_b.pk}
    summary = recipients[org["fagchef_a"].pk].context
    # wa1 delivered; wa2 and the 23 new ones have not.
    assert (summary["afleveret"], summary["i_alt"], summary["mangler"]) == (1, 25, 24)
    assert summary["forvaltning"] == org["admin_a"].name
    assert summary["manglende"] == ["Børnehuset Sønderbo"] + [w.name for w in missing[:19]]
    assert summary["flere"] == 4
    assert summary["link"].startswith(SITE + "/")
    assert recipients[fagchef_b.pk].context["i_alt"] == 2


def test_fagchef_e_mail_names_the_first_twenty_and_counts_the_rest(org, programme, step):
    for n in range(25):
        WorkplaceFactory(administration=org["admin_a"], name=f"Institution {n:02d}")
    rule = make_rule(step, step_reminders.HEADS)
    (recipient,) = [
        r
        for r in step_reminders.head_of_department_summaries(step)
        if r.person_id == org["fagchef_a"].pk
    ]

    subject, body = reminders.render(rule.subject, rule.body, recipient.context)

    assert subject == f"Status for {org['admin_a'].name}: 0 af 27 arbejdspladser har afleveret"
    assert "- Institution 18\n- og 7 flere\n" in body
    assert "Institution 19" not in body


# --- the rules, the deadline and the e-mails -------------------------------------------


def test_default_rules_are_created_once(programme, step):
    first = step_reminders.ensure_default_rules(programme=programme)
    again = step_reminders.ensure_default_rules(programme=programme)

    assert [rule.pk for rule in first] == [rule.pk for rule in again]
    assert ReminderRule.objects.count() == 3
    assert sorted((rule.audience, rule.offset_days) for rule in first) == [
        (step_reminders.HEAD_OF_DEPARTMENT_SUMMARY, -7),
        (step_reminders.LEADERS_NOT_DELIVERED, -7),
        (step_reminders.LEADERS_NOT_DELIVERED, -1),
    ]
    assert all(rule.anchor == step for rule in first)


def test_moving_the_deadline_moves_the_reminders_and_the_e_mail_names_the_new_date(
    org, programme, step, users, django_capture_on_commit_callbacks
):
    step_reminders.ensure_default_rules(programme=programme)
    move_deadline(step=step, deadline=datetime.date(2021, 7, 14), by=users["hr"])

    # 7 days before the old deadline: nothing.
    with time_machine.travel(datetime.datetime(2021, 6, 23, 6, tzinfo=UTC), tick=False):
        early = sweep_and_send(django_capture_on_commit_callbacks)
    # 7 days before the new one, 08.00 Danish summer time.
    with time_machine.travel(datetime.datetime(2021, 7, 7, 6, tzinfo=UTC), tick=False):
        due = sweep_and_send(django_capture_on_commit_callbacks)

    assert early.created == 0
    # Leaders A and B (nobody delivered), and fagchef A.
    assert due.created == 3
    to = sorted(message.to[0] for message in mail.outbox)
    assert len(to) == 3
    leader_mail = next(m for m in mail.outbox if org["leader_a"].email in m.to[0])
    assert "14. juli 2021" in leader_mail.subject
    assert "Valhøj Skole: http" in leader_mail.body
    fagchef_mail = next(m for m in mail.outbox if org["fagchef_a"].email in m.to[0])
    assert fagchef_mail.subject.endswith("0 af 2 arbejdspladser har afleveret")


def test_a_leader_who_delivers_before_the_second_reminder_gets_only_the_first(
    org, programme, step, django_capture_on_commit_callbacks
):
    step_reminders.ensure_default_rules(programme=programme)
    with time_machine.travel(datetime.datetime(2021, 6, 23, 6, tzinfo=UTC), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)
    deliver(programme, org["wa1"])
    with time_machine.travel(datetime.datetime(2021, 6, 29, 6, tzinfo=UTC), tick=False):
        sweep_and_send(django_capture_on_commit_callbacks)

    to_leader_a = [m for m in mail.outbox if org["leader_a"].email in m.to[0]]
    to_leader_b = [m for m in mail.outbox if org["leader_b"].email in m.to[0]]
    assert len(to_leader_a) == 1
    assert len(to_leader_b) == 2


def test_hr_chooses_step_two_of_a_programme_when_creating_a_rule(client, users, step):
    client.force_login(users["hr"])

    response = client.get(reverse("admin:programme_reminderrule_add"))

    assert response.status_code == 200
    assert "Ledere af arbejdspladser, der ikke har afleveret (trin 2)" in response.text
    assert f"{step.programme}: {step} (frist 30.06.2021)" in response.text
