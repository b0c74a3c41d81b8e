"""Step 4: HR drafts, only direktionen decides and publishes, and every workplace hears back."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clarification.models import (
    AssignmentStatus,
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionState,
    DirektionMeeting,
    Publication,
    Synthesis,
    Theme,
    ThemeAssignment,
)
from clarification.services import anonymous as anonymous_service
from clarification.services import decisions as service
from programme.models import ReminderDelivery
from tests.clarification.factories import AnonymousInputFactory, InputFactory, SubmissionFactory
from tests.programme.factories import PersonFactory
from tests.reminders_support import eager_tasks

pytestmark = pytest.mark.usefixtures("eager_tasks")
__all__ = ["eager_tasks"]

MEETING = datetime.date(2021, 9, 14)


@pytest.fixture
def world(org, users, programme):
    a1 = InputFactory(
        submission=SubmissionFactory(programme=programme, workplace=org["wa1"]),
        title="Mere tid til borgerdialog",
    )
    b1 = InputFactory(
        submission=SubmissionFactory(programme=programme, workplace=org["wb1"]),
        title="Fælles sprog på tværs",
    )
    unanswered = InputFactory(submission=a1.submission, title="Bedre vagtplaner")
    for _ in range(5):
        AnonymousInputFactory(programme=programme, workplace=org["wa1"])
    return {"a1": a1, "b1": b1, "unanswered": unanswered, "programme": programme, **org}


def draft(world, **fields):
    return Decision.objects.create(
        programme=world["programme"],
        title=fields.pop("title", "Undervisningsforløb i borgerdialog"),
        kind=DecisionKind.COURSE,
        rationale="Input fra mange arbejdspladser peger på borgerdialog.",
        next_steps="Forløbet starter i efteråret.",
        **fields,
    )


def adopted(world, users, **fields):
    decision = draft(world, **fields)
    service.propose(decision=decision, by=users["hr"])
    return service.decide(
        decision=decision, to_state=DecisionState.ADOPTED, held_on=MEETING, by=users["direktion"]
    )


def test_hr_drafts_a_decision_from_inputs_workplaces_and_a_cost(client, users, world):
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:decision-create"),
        {
            "title": "Undervisningsforløb i borgerdialog",
            "kind": DecisionKind.COURSE,
            "rationale": "Mange beder om det.",
            "input_numbers": f"{world['a1'].pk}, {world['b1'].pk}",
            "workplace_codes": world["wa1"].code,
            "estimated_cost": "250.000,50",
        },
    )

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert decision.state == DecisionState.DRAFT
    assert set(decision.inputs.all()) == {world["a1"], world["b1"]}
    assert list(decision.workplaces.all()) == [world["wa1"]]
    assert str(decision.estimated_cost) == "250000.50"
    assert decision.created_by == users["hr"]


def test_an_unknown_input_number_is_refused_in_danish_and_what_was_typed_is_kept(
    client, users, world
):
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:decision-create"),
        {
            "title": "Mit forslag",
            "kind": DecisionKind.LOCAL,
            "rationale": "x",
            "input_numbers": "99999, x1",
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "x1 er ikke et nummer" in content
    assert 'value="Mit forslag"' in content
    assert not Decision.objects.exists()


@pytest.mark.parametrize("role", ["hr", "fagchef", "leder"])
def test_only_direktion_adopts(client, users, world, role):
    decision = draft(world)
    service.propose(decision=decision, by=users["hr"])
    client.force_login(users[role])

    response = client.post(
        reverse("clarification:decision-decide", args=[decision.pk]),
        {"state": DecisionState.ADOPTED, "held_on": "2021-09-14"},
    )

    # HR sees the decision but may not take it; the others do not see a proposal at all.
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED


def test_direktion_adopts_at_a_meeting_and_every_change_is_kept(client, users, world):
    decision = draft(world)
    client.force_login(users["hr"])
    client.post(reverse("clarification:decision-propose", args=[decision.pk]))
    client.force_login(users["direktion"])

    response = client.post(
        reverse("clarification:decision-decide", args=[decision.pk]),
        {"state": DecisionState.ADOPTED, "held_on": "2021-09-14", "comment": "Godt forslag"},
    )

    decision.refresh_from_db()
    assert response.status_code == 302
    assert decision.state == DecisionState.ADOPTED
    assert decision.meeting.held_on == MEETING
    assert decision.decided_by == users["direktion"]
    events = list(DecisionEvent.objects.filter(decision=decision).order_by("pk"))
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        (DecisionState.DRAFT, DecisionState.PROPOSED, users["hr"]),
        (DecisionState.PROPOSED, DecisionState.ADOPTED, users["direktion"]),
    ]
    assert events[1].comment == "Godt forslag" and events[1].meeting == decision.meeting


def test_a_decision_without_a_date_is_refused_and_kept(client, users, world):
    decision = draft(world)
    service.propose(decision=decision, by=users["hr"])
    client.force_login(users["direktion"])

    response = client.post(
        reverse("clarification:decision-decide", args=[decision.pk]),
        {"state": DecisionState.ADOPTED, "held_on": "", "comment": "Vi skal lige se"},
    )

    assert response.status_code == 200
    assert "Skriv mødets dato." in response.content.decode()
    assert "Vi skal lige se" in response.content.decode()


def test_publishing_tells_each_cited_workplace_once(
    users, world, django_capture_on_commit_callbacks
):
    group = Synthesis.objects.create(programme=world["programme"], title="Dialog")
    group.inputs.add(world["b1"])
    decision = adopted(world, users)
    decision.inputs.add(world["a1"])
    decision.syntheses.add(group)

    with django_capture_on_commit_callbacks(execute=True):
        publication = service.publish(
            programme=world["programme"], decisions=[decision], by=users["direktion"]
        )

    to = sorted(message.to[0] for message in mail.outbox)
    assert to == sorted(
        f"{world[key].name} <{world[key].email}>" for key in ("leader_a", "leader_b")
    )
    message = next(m for m in mail.outbox if world["leader_a"].email in m.to[0])
    link = reverse("clarification:feedback", kwargs={"code": world["wa1"].code})
    assert link in message.body
    assert "Undervisningsforløb i borgerdialog" in message.body

    # The same publication sent again (HR's "send now", a task run twice): nothing more.
    rule = ReminderDelivery.objects.first().rule
    with django_capture_on_commit_callbacks(execute=True):
        from programme.reminders import send_rule_now

        assert send_rule_now(rule=rule, by=users["hr"])[0] == 0
    assert len(mail.outbox) == 2
    assert Publication.objects.get() == publication
    decision.refresh_from_db()
    assert decision.published_at == publication.published_at


@pytest.mark.parametrize("role", ["hr", "fagchef", "leder"])
def test_only_direktion_publishes(client, users, world, role):
    decision = adopted(world, users)
    client.force_login(users[role])

    response = client.post(reverse("clarification:decision-publish", args=[decision.pk]))

    assert response.status_code == 403
    assert not Publication.objects.exists()


def test_only_adopted_decisions_are_published(users, world):
    decision = draft(world)

    with pytest.raises(service.DecisionError, match="Kun vedtagne"):
        service.publish(programme=world["programme"], decisions=[decision], by=users["direktion"])


# --- "I sagde — vi gør" -----------------------------------------------------------------


def publish(world, users):
    decision = adopted(world, users)
    decision.inputs.add(world["a1"])
    service.publish(programme=world["programme"], decisions=[decision], by=users["direktion"])
    return decision


def test_the_leader_sees_what_became_of_each_input_and_what_is_not_answered(client, users, world):
    decision = publish(world, users)
    client.force_login(users["leder"])

    response = client.get(reverse("clarification:feedback", kwargs={"code": world["wa1"].code}))

    content = response.content.decode()
    assert response.status_code == 200
    assert decision.title in content and "Forløbet starter i efteråret." in content
    assert "Mere tid til borgerdialog" in content
    assert "Bedre vagtplaner" in content
    assert "Ingen beslutning svarer endnu på dette input" in content
    assert "Anonymt input fra medarbejderne: 5." in content


def test_a_leader_gets_404_on_another_workplaces_feedback(client, users, world):
    publish(world, users)
    client.force_login(users["leder"])

    response = client.get(reverse("clarification:feedback", kwargs={"code": world["wb1"].code}))

    assert response.status_code == 404


def test_staff_open_their_own_workplaces_page_through_the_link(client, users, world, steps):
    decision = publish(world, users)
    link = anonymous_service.get_or_create_link(workplace=world["wa1"])

    response = client.get(reverse("clarification:anonymous-feedback", args=[link.token]))

    content = response.content.decode()
    assert response.status_code == 200
    assert decision.title in content
    assert world["wa1"].name in content
    assert world["wb1"].name not in content and "Fælles sprog på tværs" not in content


def test_a_rotated_link_gives_the_clear_page(client, users, world):
    link = anonymous_service.get_or_create_link(workplace=world["wa1"])
    old = link.token
    anonymous_service.rotate_link(workplace=world["wa1"])

    response = client.get(reverse("clarification:anonymous-feedback", args=[old]))

    assert response.status_code == 404
    assert "Linket virker ikke længere" in response.content.decode()


def test_unpublished_decisions_stay_off_the_feedback_page(client, users, world):
    decision = adopted(world, users, title="Hemmelig plan")
    decision.inputs.add(world["a1"])
    client.force_login(users["leder"])

    content = client.get(
        reverse("clarification:feedback", kwargs={"code": world["wa1"].code})
    ).content.decode()

    assert "Hemmelig plan" not in content


def test_an_input_leads_to_the_decisions_that_answer_it_and_back(client, users, world):
    group = Synthesis.objects.create(programme=world["programme"], title="Dialog")
    group.inputs.add(world["b1"])
    decision = draft(world)
    decision.inputs.add(world["a1"])
    decision.syntheses.add(group)
    client.force_login(users["hr"])

    for item in (world["a1"], world["b1"]):  # directly, and through the group
        page = client.get(reverse("clarification:processing-input", args=[item.pk]))
        assert reverse("clarification:decision", args=[decision.pk]) in page.content.decode()
    page = client.get(reverse("clarification:decision", args=[decision.pk])).content.decode()
    assert reverse("clarification:processing-input", args=[world["a1"].pk]) in page
    assert reverse("clarification:processing-input", args=[world["b1"].pk]) in page


def test_hr_cannot_decide_in_the_admin(client, users, world):
    decision = draft(world)
    service.propose(decision=decision, by=users["hr"])
    users["hr"].is_staff = True
    users["hr"].save()
    client.force_login(users["hr"])
    url = reverse("admin:clarification_decision_change", args=[decision.pk])

    page = client.get(url)
    client.post(
        url,
        {
            "title": decision.title,
            "kind": decision.kind,
            "rationale": decision.rationale,
            "state": DecisionState.ADOPTED,
            "published_at": "2021-09-14 10:00",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    decision.refresh_from_db()
    assert decision.state == DecisionState.PROPOSED and decision.published_at is None
    assert client.get(reverse("admin:clarification_decision_add")).status_code == 403


# --- The ways to "I sagde — vi gør" -----------------------------------------------------


def feedback_url(workplace):
    return reverse("clarification:feedback", kwargs={"code": workplace.code})


def test_the_workplace_page_links_to_feedback_once_a_published_decision_answers_it(
    client, users, world, steps
):
    unpublished = adopted(world, users, title="Hemmelig plan")
    unpublished.inputs.add(world["a1"])
    client.force_login(users["leder"])
    page = reverse("clarification:workplace", kwargs={"code": world["wa1"].code})

    before = client.get(page).content.decode()
    publish(world, users)
    after = client.get(page).content.decode()

    assert feedback_url(world["wa1"]) not in before
    assert feedback_url(world["wa1"]) in after


def test_hr_and_the_fagchef_follow_the_same_link_from_the_workplace_page(
    client, users, world, steps
):
    publish(world, users)
    page = reverse("clarification:workplace", kwargs={"code": world["wa1"].code})

    for role in ("hr", "fagchef"):
        client.force_login(users[role])
        content = client.get(page).content.decode()
        assert feedback_url(world["wa1"]) in content, role
        assert client.get(feedback_url(world["wa1"])).status_code == 200, role


def test_a_workplace_whose_input_no_decision_answers_gets_no_link(client, users, world, steps):
    publish(world, users)  # answers wa1's input, not wb1's
    client.force_login(users["leder_b"])

    content = client.get(
        reverse("clarification:workplace", kwargs={"code": world["wb1"].code})
    ).content.decode()

    assert "i-sagde-vi-goer" not in content


def test_a_decision_answering_through_a_group_counts_for_the_link(client, users, world, steps):
    group = Synthesis.objects.create(programme=world["programme"], title="Dialog")
    group.inputs.add(world["b1"])
    decision = adopted(world, users)
    decision.syntheses.add(group)
    service.publish(programme=world["programme"], decisions=[decision], by=users["direktion"])
    client.force_login(users["leder_b"])

    content = client.get(
        reverse("clarification:workplace", kwargs={"code": world["wb1"].code})
    ).content.decode()

    assert feedback_url(world["wb1"]) in content


def test_mit_overblik_links_a_leader_to_feedback_of_the_units_they_lead(client, users, world):
    group = Synthesis.objects.create(programme=world["programme"], title="Dialog")
    group.inputs.add(world["b1"])
    decision = adopted(world, users)
    decision.inputs.add(world["a1"])
    decision.syntheses.add(group)
    home = reverse("programme:home")
    client.force_login(users["leder"])
    before = client.get(home).content.decode()

    service.publish(programme=world["programme"], decisions=[decision], by=users["direktion"])

    after = client.get(home).content.decode()
    assert feedback_url(world["wa1"]) not in before
    assert feedback_url(world["wa1"]) in after
    # Leader B's unit is answered too, but it is not leader A's.
    assert feedback_url(world["wb1"]) not in after


@pytest.mark.parametrize("role", ["medarbejder", "fagchef", "hr", "direktion"])
def test_mit_overblik_has_no_feedback_link_for_those_who_lead_no_unit(client, users, world, role):
    publish(world, users)
    client.force_login(users[role])

    content = client.get(reverse("programme:home")).content.decode()

    assert "i-sagde-vi-goer" not in content


# --- Query budgets ----------------------------------------------------------------------


def add_decisions(world, n, *, start=0):
    """Add n decisions in every state, each citing inputs, a group, themes and units."""
    programme = world["programme"]
    # Adopted (and published) first, so that each role has something to see from the start.
    states = [DecisionState.ADOPTED, *(s for s in DecisionState.values if s != "vedtaget")]
    for i in range(start, start + n):
        state = states[i % len(states)]
        item = InputFactory(submission=world["a1"].submission)
        group = Synthesis.objects.create(programme=programme, title=f"Gruppe {i}")
        group.inputs.add(world["b1"], item)
        decision = Decision.objects.create(
            programme=programme,
            title=f"Beslutning {i}",
            kind=DecisionKind.COURSE,
            rationale="x",
            state=state,
            owner=PersonFactory(),
            meeting=DirektionMeeting.objects.create(
                programme=programme, held_on=MEETING + datetime.timedelta(days=i)
            ),
            decided_at=timezone.now() if state in service.DECIDED else None,
            published_at=timezone.now() if state == DecisionState.ADOPTED else None,
        )
        decision.inputs.add(world["a1"], item)
        decision.syntheses.add(group)
        themes = [
            Theme.objects.create(programme=programme, kind="tema", name=f"Tema {i}.{t}")
            for t in range(2)
        ]
        decision.themes.add(*themes)
        for theme in themes:
            ThemeAssignment.objects.create(
                input=item, theme=theme, status=AssignmentStatus.CONFIRMED
            )
        anonymous = AnonymousInputFactory(programme=programme, workplace=world["wa1"])
        group.inputs.add(anonymous)
        decision.workplaces.add(world["wa1"], world["wb1"])
        decision.administrations.add(world["admin_a"])


# The decisions list answers in this many queries, however many decisions there are.
# They include the session, the user and the scope (for a leader: the units led, the tree),
# the decisions with their owner and meeting, and their themes.
DECISION_LIST_QUERIES = {"hr": 9, "direktion": 9, "fagchef": 9, "leder": 11, "medarbejder": 9}


@pytest.mark.parametrize("role", sorted(DECISION_LIST_QUERIES))
def test_decision_list_queries_do_not_grow_with_decisions(
    client, users, world, role, django_assert_num_queries
):
    client.force_login(users[role])
    url = reverse("clarification:decisions")
    add_decisions(world, 2)
    client.get(url)  # warm up per-process caches (translations, templates)
    with django_assert_num_queries(DECISION_LIST_QUERIES[role]):
        small = client.get(url)

    add_decisions(world, 20, start=2)

    with django_assert_num_queries(DECISION_LIST_QUERIES[role]):
        large = client.get(url)
    shown = [d for _, found in large.context["groups"] for d in found]
    assert len(shown) > len([d for _, found in small.context["groups"] for d in found]) > 0
    assert len(shown) == len({d.pk for d in shown})  # the joins of for_user() add no rows


# "I sagde — vi gør" of wa1: the leader's page and the staff's page behind the link.
FEEDBACK_QUERIES = {"leder": 17, "hr": 15, "link": 9}


@pytest.mark.parametrize("viewer", sorted(FEEDBACK_QUERIES))
def test_feedback_page_queries_do_not_grow_with_decisions_inputs_and_themes(
    client, users, world, steps, viewer, django_assert_num_queries
):
    if viewer == "link":
        url = reverse(
            "clarification:anonymous-feedback",
            args=[anonymous_service.get_or_create_link(workplace=world["wa1"]).token],
        )
    else:
        client.force_login(users[viewer])
        url = reverse("clarification:feedback", kwargs={"code": world["wa1"].code})
    add_decisions(world, 2)
    client.get(url)  # warm up per-process caches (translations, templates)
    with django_assert_num_queries(FEEDBACK_QUERIES[viewer]):
        small = client.get(url)

    add_decisions(world, 20, start=2)

    with django_assert_num_queries(FEEDBACK_QUERIES[viewer]):
        large = client.get(url)
    page = large.context["page"]
    assert len(page.decisions) > len(small.context["page"].decisions) > 0
    assert page.anonymous_count == 22 + 5
    assert sum(bool(item.themes) for item in page.inputs) == 22


def test_others_see_the_published_decisions_that_concern_their_units_once_each(users, world):
    by_input = adopted(world, users, title="Svarer på input fra Valhøj")
    by_input.inputs.add(world["a1"], world["unanswered"])
    by_unit = adopted(world, users, title="Gælder Ejbyhøj")
    by_unit.workplaces.add(world["wb1"])
    by_administration = adopted(world, users, title="Gælder forvaltning A")
    by_administration.administrations.add(world["admin_a"])
    by_administration.workplaces.add(world["wa1"], world["wa2"])
    by_group = adopted(world, users, title="Svarer på en syntese med input fra Ejbyhøj")
    group = Synthesis.objects.create(programme=world["programme"], title="Fælles sprog")
    group.inputs.add(world["b1"])
    by_group.syntheses.add(group)
    unpublished = adopted(world, users, title="Ikke offentliggjort")
    unpublished.inputs.add(world["a1"])
    service.publish(
        programme=world["programme"],
        decisions=[by_input, by_unit, by_administration, by_group],
        by=users["direktion"],
    )

    def seen(role):
        return list(
            Decision.objects.for_user(users[role]).order_by("title").values_list("title", flat=True)
        )

    assert seen("leder") == ["Gælder forvaltning A", "Svarer på input fra Valhøj"]
    assert seen("leder_b") == ["Gælder Ejbyhøj", "Svarer på en syntese med input fra Ejbyhøj"]
    assert seen("fagchef") == ["Gælder forvaltning A", "Svarer på input fra Valhøj"]
    # Staff read the published decisions that concern their own workplace (product.md).
    assert seen("medarbejder") == ["Gælder forvaltning A", "Svarer på input fra Valhøj"]
    assert len(seen("hr")) == 5
