import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse

from clarification.models import (
    Activity,
    AnonymousLink,
    ClarificationStep,
    Decision,
    Input,
    InvolvementPlan,
    MatrixSnapshot,
    ProcessingEvent,
    StepState,
    Submission,
    Synthesis,
    Theme,
    ThemeAssignment,
)
from programme.demo import DEMO_PASSWORD, load_demo
from programme.demo.memo import PROGRAMME_SLUG
from programme.demo.organisation import UNITS, people_for
from programme.models import (
    Administration,
    AdministrationSnapshot,
    BudgetYear,
    CascadeRelease,
    ExternalPerson,
    Leadership,
    MedCommittee,
    Milestone,
    Person,
    Phase,
    Postponement,
    Programme,
    ReadinessCriterion,
    ReminderDelivery,
    ReminderRule,
    Role,
    Tier,
    Workplace,
)
from seminars.models import (  # noqa: E402
    ActionLearningProject,
    Attendance,
    AttendanceEvent,
    CoachingNote,
    CoachingPolicy,
    CoachingSession,
    CoachingSessionEvent,
    CoachingSlot,
    EvaluationAnswer,
    EvaluationReceipt,
    LearningCycle,
    LearningLogEntry,
    ProjectMembership,
    Seminar,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
COUNTED = [
    Administration,
    Workplace,
    Person,
    Leadership,
    MedCommittee,
    MedCommittee.workplaces.through,
    ExternalPerson,
    User,
    User.groups.through,
    Group,
    Programme,
    BudgetYear,
    Tier,
    Phase,
    Phase.tiers.through,
    Milestone,
    Postponement,
    AdministrationSnapshot,
    # A rerun that saved unchanged rows would show here first.
    Administration.history.model,
    Workplace.history.model,
    Person.history.model,
    Leadership.history.model,
    MedCommittee.history.model,
    ExternalPerson.history.model,
    Programme.history.model,
    Tier.history.model,
    Phase.history.model,
    Milestone.history.model,
    ClarificationStep,
    StepState,
    InvolvementPlan,
    Submission,
    Activity,
    Input,
    AnonymousLink,
    ReminderRule,
    ReminderDelivery,
    StepState.history.model,
    InvolvementPlan.history.model,
    Submission.history.model,
    Input.history.model,
    CascadeRelease,
    ReadinessCriterion,
    Theme,
    ThemeAssignment,
    Synthesis,
    ProcessingEvent,
    MatrixSnapshot,
    Decision,
    Seminar,
    Attendance,
    AttendanceEvent,
    ActionLearningProject,
    ActionLearningProject.history.model,
    ProjectMembership,
    LearningCycle,
    LearningLogEntry,
    CoachingPolicy,
    CoachingSession,
    CoachingSession.history.model,
    CoachingSessionEvent,
    CoachingSlot,
    CoachingNote,
    EvaluationAnswer,
    EvaluationReceipt,
]


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in COUNTED}


def _load() -> str:
    out = StringIO()
    # Tests run with DEBUG off, as production does; the demo must be forced there.
    call_command("load_demo", force=True, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the full demo twice, once for the whole module, and roll it back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first_output = _load()
        first = _counts()
        second_output = _load()
        yield {
            "first": first,
            "second": _counts(),
            "first_output": first_output,
            "second_output": second_output,
        }
        transaction.set_rollback(True)


def test_programme_follows_the_memo(demo):
    programme = Programme.objects.select_related("owner_unit__administration").get(
        slug=PROGRAMME_SLUG
    )
    assert programme.name == "Udviklingsforløb for hele organisationen"
    assert programme.vision == "Sammen om Rødovre"
    assert programme.journal_number == "81.04.00-G00-5-20"
    assert "professionel identitet" in programme.purpose
    assert programme.owner_unit.name == "Personale & Udvikling"
    assert programme.owner_unit.administration.code == "OEP"
    assert (programme.starts_on, programme.ends_on) == (
        datetime.date(2020, 1, 1),
        datetime.date(2021, 12, 31),
    )
    assert dict(programme.budget_years.values_list("year", "frame")) == {
        2020: Decimal("2000000.00"),
        2021: Decimal("2000000.00"),
    }
    assert list(programme.tiers.order_by("number").values_list("number", "name", "roles")) == [
        (1, "Fagchefforum", ["direktoer", "fagchef"]),
        (2, "Ledere", ["leder"]),
        (3, "Medarbejdere", ["medarbejder"]),
    ]
    phases = list(programme.phases.order_by("number").prefetch_related("tiers"))
    assert [phase.name for phase in phases] == [
        "Involverende afklaringsfase",
        "Udviklingsfase",
        "Implementeringsfase",
    ]
    for phase in phases:
        assert sorted(tier.number for tier in phase.tiers.all()) == [2, 3]
        assert phase.planned_start and phase.planned_end
    # The demo stands in the middle of the clarification phase: it has started, not ended.
    assert phases[0].actual_start and phases[0].actual_end is None


def test_kick_off_for_fagchefforum_is_postponed_for_covid_19(demo):
    kick_off = Milestone.objects.get(name="Kick-off for fagchefforum")
    assert kick_off.tier.name == "Fagchefforum"
    assert datetime.date(2020, 10, 1) <= kick_off.planned_date <= datetime.date(2020, 12, 31)
    assert kick_off.original_date < kick_off.planned_date
    (move,) = kick_off.postponements.all()
    assert (move.old_date, move.new_date) == (kick_off.original_date, kick_off.planned_date)
    assert "covid-19" in move.reason
    assert move.recorded_by.username == "hr"


def test_timeline_has_the_memos_milestones(demo):
    events = Milestone.objects.get(name="Kick-off events for ledere og medarbejdere")
    assert datetime.date(2021, 4, 1) <= events.planned_date <= datetime.date(2021, 6, 30)
    assert Milestone.objects.filter(name__startswith="Seminar ", tier__number=1).count() == 5
    assert Milestone.objects.filter(name="Afklaringsfasen afsluttet").exists()
    assert Milestone.objects.filter(name__startswith="Direktionens beslutning").exists()


def test_organisation_has_a_realistic_size(demo):
    assert 4 <= Administration.objects.count() <= 6
    assert 70 <= Workplace.objects.count() <= 90
    assert 2_700 <= Person.objects.count() <= 3_300
    assert Workplace.objects.filter(parent__isnull=False).exists()
    assert not Workplace.objects.filter(headcount=0).exists()
    assert not Person.objects.exclude(email__endswith="@rodovre.example").exists()
    assert Person.objects.filter(name__regex=r"[æøå]").count() > 100
    assert ExternalPerson.objects.filter(kind="coach").count() == 3
    assert ExternalPerson.objects.filter(kind="ekspert").count() == 5


def test_every_administration_has_one_fagchef_and_there_is_a_direktion_of_three(demo):
    per_administration = dict(
        Person.objects.filter(role=Role.HEAD_OF_DEPARTMENT)
        .values_list("workplace__administration__code")
        .annotate(n=Count("pk"))
    )
    assert per_administration == dict.fromkeys(
        Administration.objects.values_list("code", flat=True), 1
    )
    assert Person.objects.filter(role=Role.DIRECTOR).count() == 3


def test_every_workplace_has_one_or_two_leaders_of_its_own(demo):
    leaders = Workplace.objects.annotate(n=Count("leaderships")).values_list("n", flat=True)
    assert set(leaders) <= {1, 2}
    assert not Leadership.objects.exclude(person__role=Role.LEADER).exists()
    assert not Leadership.objects.exclude(person__workplace=F("workplace")).exists()


def test_med_committees_cover_the_organisation(demo):
    levels = dict(MedCommittee.objects.values_list("level").annotate(n=Count("pk")))
    assert levels["hoved"] == 1
    assert levels["forvaltning"] == Administration.objects.count()
    assert levels["lokal"] >= 10
    assert not Workplace.objects.exclude(med_committees__level="lokal").exists()
    main = MedCommittee.objects.get(level="hoved")
    assert main.workplaces.count() == Workplace.objects.count()


@pytest.mark.parametrize(
    ("username", "group"),
    [
        ("hr", "HR"),
        ("direktion", "Direktion"),
        ("fagchef", "Fagchef"),
        ("leder", "Leder"),
        ("medarbejder", "Medarbejder"),
        ("coach", "Coach"),
    ],
)
def test_demo_login_is_in_its_role_group_with_the_printed_password(demo, username, group):
    user = User.objects.get(username=username)
    assert list(user.groups.values_list("name", flat=True)) == [group]
    assert user.check_password(DEMO_PASSWORD)
    assert user.is_staff == (username == "hr")
    assert f"{username} " in demo["first_output"]


def test_demo_logins_belong_to_people_of_the_right_role(demo):
    people = {p.user.username: p for p in Person.objects.filter(user__isnull=False)}
    assert {name: p.role for name, p in people.items()} == {
        "direktion": Role.DIRECTOR,
        "fagchef": Role.HEAD_OF_DEPARTMENT,
        "leder": Role.LEADER,
        "medarbejder": Role.EMPLOYEE,
    }
    assert people["leder"].leaderships.exists()
    assert people["medarbejder"].workplace_id in set(
        people["leder"].leaderships.values_list("workplace_id", flat=True)
    )
    assert ExternalPerson.objects.get(user__username="coach").kind == "coach"


@pytest.mark.parametrize(
    ("username", "tier"),
    [
        ("hr", None),
        ("direktion", "1. Fagchefforum"),
        ("fagchef", "1. Fagchefforum"),
        ("leder", "2. Ledere"),
        ("medarbejder", "3. Medarbejdere"),
        ("coach", None),
    ],
)
def test_each_demo_login_opens_mit_overblik(demo, client, username, tier):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("programme:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mit overblik" in page
    if tier:
        assert tier in page


def test_second_run_changes_no_counts(demo):
    assert demo["second"] == demo["first"]
    assert "(0 new)" in demo["second_output"]


def test_rerun_gives_a_changed_demo_password_back(demo):
    user = User.objects.get(username="leder")
    user.set_password("et-helt-andet-kodeord")
    user.save()
    load_demo()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


def test_refuses_to_load_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo", stdout=StringIO())


def test_a_generated_person_is_the_same_at_every_scale():
    for unit in UNITS[:10]:
        small, full = people_for(unit, 0.1), people_for(unit, 1.0)
        assert full[: len(small)] == small


# --- The clarification phase (issue 3) ----------------------------------------------------


def test_step_one_is_approved_and_closed_in_every_administration(demo):
    administrations = Administration.objects.filter(is_active=True).count()
    assert InvolvementPlan.objects.filter(status="godkendt").count() == administrations
    states = StepState.objects.values_list("step__number", "status")
    assert (
        sorted(status for number, status in states if number == 1) == ["lukket"] * administrations
    )
    assert sorted(status for number, status in states if number == 2) == ["aaben"] * administrations


def test_step_two_is_under_way_with_about_sixty_percent_delivered(demo):
    led = Workplace.objects.filter(is_active=True, leaderships__isnull=False).distinct().count()
    delivered = Submission.objects.filter(status="afleveret").count()
    assert 0.5 * led <= delivered <= 0.7 * led
    assert Submission.objects.filter(status="kladde").exists()
    assert Activity.objects.count() >= delivered


def test_demo_has_a_few_hundred_realistic_inputs_and_anonymous_ones(demo):
    leader_inputs = Input.objects.filter(source="leder")
    anonymous = Input.objects.filter(source="anonym")
    assert 200 <= leader_inputs.count() <= 600
    assert anonymous.count() >= 50
    assert not anonymous.filter(submission__isnull=False).exists()
    assert not Input.history.filter(source="anonym").exists()
    assert {i.submitted_on.year for i in Input.objects.all()} == {2021}
    themes = " ".join(leader_inputs.values_list("text", flat=True)).lower()
    for word in ("facilit", "samskabelse", "dialog", "koordinering", "tillid", "refleks"):
        assert word in themes


def test_some_leaders_were_reminded_before_the_step_two_deadline(demo):
    sent = ReminderDelivery.objects.filter(status="sent")
    assert sent.exists()
    assert {d.sent_at.date().year for d in sent} == {2021}
    # Only leaders of a workplace that had not delivered were reminded.
    delivered = Submission.objects.filter(status="afleveret").values("workplace")
    undelivered_leaders = set(
        Leadership.objects.exclude(workplace__in=delivered).values_list("person_id", flat=True)
    )
    assert set(sent.values_list("person_id", flat=True)) <= undelivered_leaders


def test_demo_leader_sees_one_unit_delivered_and_one_draft(demo, client):
    client.force_login(User.objects.get(username="leder"))
    page = client.get(reverse("clarification:workplaces")).content.decode()
    assert "Valhøj Skole" in page
    assert "Valhøj Skole, SFO" in page
    statuses = dict(
        Submission.objects.filter(workplace__code__in=["1101", "1102"]).values_list(
            "workplace__name", "status"
        )
    )
    assert statuses == {"Valhøj Skole": "kladde", "Valhøj Skole, SFO": "afleveret"}


def test_cascade_has_criteria_and_releases_with_one_override(demo, client):
    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    kinds = list(programme.readiness_criteria.values_list("tier", "kind", "parameter"))
    assert kinds == [
        (2, "kickoff_held", None),
        (2, "seminars_held", 2),
        (2, "involvement_plan_approved", None),
        (3, "tier_released", None),
        (3, "step_closed", 2),
    ]
    released = {
        (r.administration.code, r.tier): r
        for r in CascadeRelease.objects.select_related("administration")
    }
    assert set(released) == {("BIF", 2), ("SSF", 2), ("TEK", 2), ("OEP", 2), ("SSF", 3)}
    staff = released[("SSF", 3)]
    assert staff.overridden and "Trin 2 lukkes" in staff.override_reason
    assert all(r.released_at.date() <= datetime.date(2021, 6, 21) for r in released.values())

    # The demo leader works in Børne- og Kulturforvaltningen, not released yet.
    client.force_login(User.objects.get(username="leder"))
    assert "Ikke startet endnu" in client.get(reverse("programme:home")).content.decode()
    client.force_login(User.objects.get(username="hr"))
    response = client.get(reverse("programme:cascade"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5


# --- Processing (issue 4) ---------------------------------------------------------------


def test_memo_themes_are_seeded_and_every_input_has_suggestions(demo):
    assert Theme.objects.count() == 9
    with_suggestions = Input.objects.filter(theme_assignments__isnull=False).distinct()
    # A demo text without any theme word would get none; the demo's texts all have some.
    assert with_suggestions.count() == Input.objects.count()
    assert not ThemeAssignment.objects.filter(suggested=True, matched_terms=[]).exists()


def test_hr_has_confirmed_a_good_part_and_made_groups(demo):
    inputs = Input.objects.count()
    confirmed = Input.objects.filter(theme_assignments__status="bekraeftet").distinct()
    assert 0.5 * inputs <= confirmed.count() <= 0.8 * inputs
    hr = User.objects.get(username="hr")
    assert set(ThemeAssignment.objects.confirmed().values_list("decided_by", flat=True)) == {hr.pk}
    assert Synthesis.objects.count() >= 2
    assert all(s.inputs.exists() for s in Synthesis.objects.all())
    assert ProcessingEvent.objects.filter(action="bekraeftet", actor=hr).count() == (
        ThemeAssignment.objects.confirmed().count()
    )
    # What was confirmed has been learned from.
    assert sum(Theme.objects.values_list("learned_count", flat=True)) == (
        ThemeAssignment.objects.confirmed().count()
    )


def test_the_matrix_is_computed_from_the_confirmed_themes(demo, client):
    snapshot = MatrixSnapshot.objects.get()
    assert snapshot.data["processed"] == (
        Input.objects.filter(theme_assignments__status="bekraeftet").distinct().count()
    )
    assert (
        sum(cell["inputs"] for cell in snapshot.data["cells"].values())
        >= snapshot.data["processed"]
    )
    client.force_login(User.objects.get(username="direktion"))
    response = client.get(reverse("clarification:dashboard"))
    assert response.status_code == 200
    assert response.context["matrix"]["cross_cutting"]  # the memo's themes cut across


def test_the_demo_leader_sees_i_sagde_vi_goer_filled_in(demo, client):
    published = Decision.objects.get(published_at__isnull=False)
    assert published.state == "vedtaget"
    assert Decision.objects.filter(state="indstillet").count() == 1
    assert published.events.count() == 2  # proposed, adopted

    leader = User.objects.get(username="leder")
    client.force_login(leader)
    code = leader.person.workplace.code
    content = client.get(reverse("clarification:feedback", kwargs={"code": code})).content.decode()
    assert published.title in content
    assert "Ingen beslutning svarer endnu" in content  # honest about the rest


def test_fagchefforum_has_met_its_kickoff_and_three_seminars(demo):
    from seminars import readiness
    from seminars.models import Seminar

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    assert Seminar.objects.filter(programme=programme).count() == 6
    assert readiness.kickoff_held(programme)
    assert readiness.seminars_held(programme) == 3
    tier_two = CascadeRelease.objects.filter(tier=2)
    assert tier_two.exists() and not tier_two.filter(overridden=True).exists()
    # The kick-off's ranked result chose the five themes the seminars took up.
    from seminars.kickoff import result

    top_five = {row.proposal.title for row in result(programme)[:5]}
    taken_up = set(
        Seminar.objects.filter(kind="seminar").values_list("proposals__title", flat=True)
    )
    assert top_five == taken_up
    from seminars.models import ChefgroupMeeting

    administrations = Administration.objects.filter(is_active=True).count()
    assert ChefgroupMeeting.objects.count() == 2 * administrations


def test_held_seminars_have_evaluations_one_shown_and_one_suppressed(demo):
    from seminars import evaluation

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    seminars = {s.number: s for s in Seminar.objects.filter(programme=programme, number__lte=3)}
    shown = evaluation.results(seminars[1])
    assert shown.shown and shown.answers == 6
    assert any(comments for _question, comments in shown.comments)
    hidden = evaluation.results(seminars[2])
    assert (hidden.shown, hidden.answers) == (False, None)  # not even the count
    assert seminars[2].evaluation_answers.count() == 3
    assert EvaluationReceipt.objects.count() == EvaluationAnswer.objects.count() == 14


def test_fagchefforum_has_action_learning_projects_with_cycles_and_logs(demo, client):
    projects = ActionLearningProject.objects.with_progress().prefetch_related("members__workplace")
    assert projects.count() == 4
    across = [
        p for p in projects if len({m.workplace.administration_id for m in p.members.all()}) > 1
    ]
    assert len(across) >= 2
    assert set(LearningCycle.objects.values_list("phase", flat=True)) >= {
        "handl",
        "observer",
        "planlaeg",
        "reflekter",
    }
    assert projects.filter(status="afsluttet").count() == 1
    assert LearningLogEntry.objects.count() >= 6
    client.force_login(User.objects.get(username="fagchef"))
    content = client.get(reverse("action_learning:mine")).content.decode()
    assert "Faciliterende personalemøder" in content
    assert "Sammenhængende forløb for unge på kanten" in content


def test_fagchefforum_has_coaching_in_every_state_and_the_demo_pair_wrote_notes(demo, client):
    statuses = set(CoachingSession.objects.values_list("status", flat=True))
    assert statuses == {"planlagt", "bekraeftet", "afholdt", "aflyst", "udeblevet"}
    fagchef = User.objects.get(username="fagchef")
    coach = User.objects.get(username="coach")
    mine = CoachingSession.objects.filter(coachee__user=fagchef)
    assert mine.count() == 3
    assert set(mine.values_list("coach__user", flat=True)) == {coach.pk}
    noted = CoachingNote.objects.filter(session__coachee__user=fagchef)
    assert set(noted.values_list("author", flat=True)) == {"deltager", "coach"}
    client.force_login(fagchef)
    assert "Du har brugt" in client.get(reverse("coaching:mine")).content.decode()
    client.force_login(coach)
    coach_note = noted.filter(author="coach").first()
    page = client.get(coach_note.session.get_absolute_url()).content.decode()
    assert coach_note.text in page
