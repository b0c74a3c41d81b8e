"""Action learning: projects, cycles in order, and a learning log only the members read."""

import datetime
import threading

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programme.access import RoleGroup
from programme.models import ExternalPerson, Role
from seminars import action_learning as service
from seminars.models import (
    ActionLearningProject,
    CyclePhase,
    LearningCycle,
    LearningLogEntry,
    ProjectMembership,
    ProjectStatus,
)
from seminars.panels import action_learning_panel
from tests.programme.factories import PersonFactory, UserFactory, login_for

pytestmark = pytest.mark.django_db

SECRET = "Jeg afbryder mine ledere, når de taler – det skal stoppe"
PROBLEM = "Mine personalemøder er envejskommunikation."
DAY = datetime.date(2021, 3, 1)


def day(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


@pytest.fixture
def world(org, users, programme):
    """Fagchef A's project with a log entry; fagchef B and a coach outside it."""
    fagchef_b = PersonFactory(workplace=org["wb1"], role=Role.HEAD_OF_DEPARTMENT)
    coach = UserFactory(username="coach", groups=[RoleGroup.COACH])
    ExternalPerson.objects.create(name="Coach Hansen", kind="coach", user=coach)
    project = service.create_project(
        programme=programme,
        creator=org["fagchef_a"],
        title="Faciliterende personalemøder",
        problem=PROBLEM,
    )
    service.write_log_entry(project=project, author=org["fagchef_a"], text=SECRET)
    return {
        **org,
        "programme": programme,
        "project": project,
        "fagchef_b": fagchef_b,
        "users": users | {"fagchef_b": login_for(fagchef_b), "coach": coach},
    }


def detail_url(project) -> str:
    return reverse("action_learning:detail", args=[project.pk])


# --- Creating a project and its members ---------------------------------------------------


def test_a_fagchef_creates_a_project_across_administrations(client, world):
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        reverse("action_learning:create"),
        {
            "title": "Tværgående koordinering",
            "problem": "Vi koordinerer sagerne gennem systemer, ikke relationer.",
            "other_members": [world["fagchef_b"].pk],
            # Mass assignment: none of these may be taken from the form.
            "created_by": world["fagchef_b"].pk,
            "status": "afsluttet",
            "programme": 999,
        },
    )

    project = ActionLearningProject.objects.get(title="Tværgående koordinering")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert set(project.members.all()) == {world["fagchef_a"], world["fagchef_b"]}
    assert project.created_by == world["fagchef_a"]
    assert project.status == ProjectStatus.ACTIVE
    assert project.programme == world["programme"]


def test_the_create_form_keeps_what_was_typed_and_answers_in_danish(client, world):
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        reverse("action_learning:create"),
        {"title": "", "problem": "Noget, jeg vil blive bedre til", "other_members": []},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Giv projektet en titel." in content
    assert "Noget, jeg vil blive bedre til" in content
    assert ActionLearningProject.objects.count() == 1


def test_only_fagchefforum_can_be_members(world):
    with pytest.raises(service.ActionLearningError, match="Kun fagchefforums medlemmer"):
        service.add_member(project=world["project"], person=world["leader_a"])
    with pytest.raises(service.ActionLearningError):
        service.create_project(
            programme=world["programme"],
            creator=world["fagchef_a"],
            title="X",
            problem="Y",
            members=[world["employee_a"]],
        )
    assert list(world["project"].members.all()) == [world["fagchef_a"]]


def test_the_member_form_offers_only_forum_members(client, world):
    client.force_login(world["users"]["fagchef"])
    url = reverse("action_learning:members", args=[world["project"].pk])

    response = client.post(url, {"person": world["leader_a"].pk})

    assert "Vælg en fra fagchefforum, der ikke allerede er med." in response.content.decode()
    assert client.post(url, {"person": world["fagchef_b"].pk}).status_code == 302
    assert world["project"].members.count() == 2


def test_adding_a_member_twice_adds_once(world):
    assert service.add_member(project=world["project"], person=world["director"]) is True
    assert service.add_member(project=world["project"], person=world["director"]) is False
    assert ProjectMembership.objects.filter(project=world["project"]).count() == 2


def test_a_project_keeps_at_least_one_member(client, world):
    client.force_login(world["users"]["fagchef"])
    url = reverse("action_learning:members", args=[world["project"].pk])

    client.post(url, {"remove": world["fagchef_a"].pk})

    assert list(world["project"].members.all()) == [world["fagchef_a"]]
    with pytest.raises(service.ActionLearningError, match="mindst ét medlem"):
        service.remove_member(project=world["project"], person=world["fagchef_a"])


def test_a_member_who_leaves_no_longer_sees_the_project(client, world):
    service.add_member(project=world["project"], person=world["fagchef_b"])
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        reverse("action_learning:members", args=[world["project"].pk]),
        {"remove": world["fagchef_a"].pk},
    )

    assert response["Location"] == reverse("action_learning:mine")
    assert client.get(detail_url(world["project"])).status_code == 404


# --- The learning log is the members' ------------------------------------------------------


def test_a_member_writes_in_the_log_and_reads_it(client, world):
    service.advance_cycle(project=world["project"], expected=(None, ""), on=DAY)
    cycle = world["project"].cycles.get()
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        detail_url(world["project"]),
        {"text": "Tjek-ind virkede", "cycle": cycle.pk, "phase": CyclePhase.PLAN},
    )

    assert response.status_code == 302
    entry = LearningLogEntry.objects.get(text="Tjek-ind virkede")
    assert (entry.author, entry.cycle, entry.phase) == (world["fagchef_a"], cycle, "planlaeg")
    content = client.get(detail_url(world["project"])).content.decode()
    assert "Tjek-ind virkede" in content
    assert SECRET in content


def test_the_log_form_keeps_the_text_on_errors(client, world):
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        detail_url(world["project"]), {"text": "Et vigtigt indlæg", "cycle": "", "phase": "handl"}
    )

    content = response.content.decode()
    assert "Vælg også den cyklus, fasen hører til." in content
    assert "Et vigtigt indlæg" in content
    assert not LearningLogEntry.objects.filter(text="Et vigtigt indlæg").exists()


def test_a_log_entry_cannot_name_a_phase_the_cycle_has_not_reached(client, world):
    service.advance_cycle(project=world["project"], expected=(None, ""), on=DAY)
    cycle = world["project"].cycles.get()
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        detail_url(world["project"]),
        {"text": "For tidligt", "cycle": cycle.pk, "phase": "observer"},
    )

    assert "Cyklussen er ikke nået til den fase endnu." in response.content.decode()


def test_a_log_entry_cannot_point_at_another_projects_cycle(client, world):
    other = service.create_project(
        programme=world["programme"], creator=world["fagchef_b"], title="B", problem="B"
    )
    cycle, _moved = service.advance_cycle(project=other, expected=(None, ""), on=DAY)
    client.force_login(world["users"]["fagchef"])

    response = client.post(detail_url(world["project"]), {"text": "Forsøg", "cycle": cycle.pk})

    assert response.status_code == 200
    assert not LearningLogEntry.objects.filter(text="Forsøg").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("hr", 404),
        ("direktion", 404),
        ("fagchef_b", 404),
        ("coach", 403),
        ("leder", 403),
        ("medarbejder", 403),
    ],
)
def test_no_one_but_the_members_opens_the_project_or_its_log(client, world, role, status):
    client.force_login(world["users"][role])
    project = world["project"]

    for url, method in [
        (detail_url(project), "get"),
        (detail_url(project), "post"),
        (reverse("action_learning:advance", args=[project.pk]), "post"),
        (reverse("action_learning:members", args=[project.pk]), "post"),
        (reverse("action_learning:complete", args=[project.pk]), "post"),
    ]:
        response = getattr(client, method)(url, {"text": "Indbrud", "on": "2021-03-01"})
        assert response.status_code == status, url
        assert SECRET not in response.content.decode()
    assert not LearningLogEntry.objects.filter(text="Indbrud").exists()
    assert not project.cycles.exists()
    assert ActionLearningProject.objects.get(pk=project.pk).status == ProjectStatus.ACTIVE


def test_a_superuser_reads_no_log_through_the_pages(client, world):
    superuser = UserFactory(username="it", is_superuser=True, is_staff=True)
    client.force_login(superuser)

    assert client.get(detail_url(world["project"])).status_code == 404
    assert not LearningLogEntry.objects.for_user(superuser).exists()


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_members_and_progress_but_not_the_log(client, world, role):
    service.add_member(project=world["project"], person=world["fagchef_b"])
    client.force_login(world["users"][role])

    for name in ("action_learning:overview", "clarification:dashboard"):
        content = client.get(reverse(name)).content.decode()
        assert SECRET not in content, name
        assert PROBLEM not in content, name
    overview = client.get(reverse("action_learning:overview")).content.decode()
    assert "Faciliterende personalemøder" in overview
    assert world["fagchef_a"].name in overview and world["fagchef_b"].name in overview
    assert world["admin_a"].name in overview and world["admin_b"].name in overview
    assert not LearningLogEntry.objects.for_user(world["users"][role]).exists()


def test_a_director_who_is_a_member_reads_the_log(client, world):
    service.add_member(project=world["project"], person=world["director"])
    client.force_login(world["users"]["direktion"])

    assert SECRET in client.get(detail_url(world["project"])).content.decode()


def test_the_admin_shows_no_log_and_no_problem_statement(client, world):
    project = world["project"]
    client.force_login(world["users"]["hr"])

    assert LearningLogEntry not in admin.site._registry
    for url in [
        reverse("admin:seminars_actionlearningproject_changelist"),
        reverse("admin:seminars_actionlearningproject_change", args=[project.pk]),
        reverse("admin:seminars_actionlearningproject_history", args=[project.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
        assert PROBLEM not in response.content.decode(), url
    delete = reverse("admin:seminars_actionlearningproject_delete", args=[project.pk])
    assert client.get(delete).status_code == 403


def test_a_log_entry_is_named_without_its_text(world):
    entry = LearningLogEntry.objects.get()
    assert SECRET not in str(entry)


# --- Cycles: plan → act → observe → reflect, in order --------------------------------------


def test_a_cycle_goes_through_the_four_phases_then_a_new_one_begins(world):
    project = world["project"]
    steps = [
        (None, ""),
        (1, "planlaeg"),
        (1, "handl"),
        (1, "observer"),
        (1, "reflekter"),
        (1, service.COMPLETED),
    ]
    for n, expected in enumerate(steps):
        _cycle, moved = service.advance_cycle(project=project, expected=expected, on=day(n))
        assert moved, expected

    first, second = project.cycles.order_by("number")
    assert (first.plan_started_on, first.act_started_on, first.observe_started_on) == (
        day(0),
        day(1),
        day(2),
    )
    assert (first.reflect_started_on, first.completed_on) == (day(3), day(4))
    assert (second.number, second.phase, second.plan_started_on) == (2, "planlaeg", day(5))
    assert ActionLearningProject.objects.with_progress().get().cycles_completed == 1


def test_the_same_step_twice_moves_the_cycle_once(client, world):
    client.force_login(world["users"]["fagchef"])
    url = reverse("action_learning:advance", args=[world["project"].pk])

    for _ in range(2):
        assert client.post(url, {"on": "2021-03-01", "cycle": "", "phase": ""}).status_code == 302
    client.post(url, {"on": "2021-03-02", "cycle": "1", "phase": "planlaeg"})
    client.post(url, {"on": "2021-03-02", "cycle": "1", "phase": "planlaeg"})

    cycle = world["project"].cycles.get()
    assert (cycle.number, cycle.phase) == (1, "handl")


def test_a_phase_cannot_begin_before_the_previous_one(client, world):
    service.advance_cycle(project=world["project"], expected=(None, ""), on=DAY)
    client.force_login(world["users"]["fagchef"])

    response = client.post(
        reverse("action_learning:advance", args=[world["project"].pk]),
        {"on": "2021-02-01", "cycle": "1", "phase": "planlaeg"},
    )

    assert response.status_code == 200
    assert "Datoen kan ikke ligge før 01-03-2021" in response.content.decode()
    assert world["project"].cycles.get().phase == "planlaeg"


def test_a_phase_cannot_begin_in_the_future(world):
    future = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(service.ActionLearningError, match="fremtiden"):
        service.advance_cycle(project=world["project"], expected=(None, ""), on=future)


@pytest.mark.parametrize(
    "fields",
    [
        # Skips act and observe.
        {"phase": "reflekter", "reflect_started_on": DAY},
        # Acting without a date for it.
        {"phase": "handl"},
        # Completed before reflecting.
        {
            "phase": "observer",
            "act_started_on": DAY,
            "observe_started_on": DAY,
            "completed_on": DAY,
        },
        # Acting before planning.
        {"phase": "handl", "act_started_on": DAY - datetime.timedelta(days=1)},
    ],
)
def test_the_database_keeps_the_phases_in_order(world, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningCycle.objects.create(
            project=world["project"], number=1, plan_started_on=DAY, **fields
        )


def test_a_project_has_one_open_cycle(world):
    LearningCycle.objects.create(project=world["project"], number=1, plan_started_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningCycle.objects.create(project=world["project"], number=2, plan_started_on=DAY)


def test_completing_a_project_is_idempotent_and_stops_its_cycles(client, world):
    client.force_login(world["users"]["fagchef"])
    url = reverse("action_learning:complete", args=[world["project"].pk])

    client.post(url)
    first = ActionLearningProject.objects.get()
    client.post(url)

    project = ActionLearningProject.objects.get()
    assert project.status == ProjectStatus.COMPLETED
    assert project.completed_on == first.completed_on
    assert project.history.filter(status=ProjectStatus.COMPLETED).count() == 1
    with pytest.raises(service.ActionLearningError, match="afsluttet"):
        service.advance_cycle(project=project, expected=(None, ""), on=DAY)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_members_moving_the_cycle_at_once_move_it_one_step(org, programme):
    fagchef_b = PersonFactory(workplace=org["wb1"], role=Role.HEAD_OF_DEPARTMENT)
    project = service.create_project(
        programme=programme, creator=org["fagchef_a"], title="T", problem="P", members=[fagchef_b]
    )
    service.advance_cycle(project=project, expected=(None, ""), on=DAY)
    barrier = threading.Barrier(2)
    moved, errors = [], []

    def advance():
        try:
            barrier.wait()
            moved.append(
                service.advance_cycle(project=project, expected=(1, "planlaeg"), on=day(1))[1]
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=advance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(moved) == [False, True]
    assert project.cycles.get().phase == "handl"


# --- Lists and the panel cost the same at any size -----------------------------------------


def _more_projects(world, n):
    for i in range(n):
        project = service.create_project(
            programme=world["programme"],
            creator=world["fagchef_a"],
            title=f"Projekt {i}",
            problem="P",
            members=[world["fagchef_b"], world["director"]],
        )
        service.advance_cycle(project=project, expected=(None, ""), on=DAY)
        service.write_log_entry(project=project, author=world["fagchef_b"], text="x")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Measured: session, login, scope (groups, person), navigation and programme, then the
# page's own queries (projects, members, cycles; on the detail page also the log).
@pytest.mark.parametrize(
    ("role", "name", "budget"),
    [
        ("fagchef", "action_learning:mine", 10),
        ("hr", "action_learning:overview", 10),
        ("fagchef", "action_learning:detail", 12),
    ],
)
def test_pages_do_not_grow_with_the_projects(
    client, world, django_assert_max_num_queries, role, name, budget
):
    client.force_login(world["users"][role])
    url = detail_url(world["project"]) if name.endswith("detail") else reverse(name)
    _queries(client, url)  # warm the caches the pages share with the rest of the site
    before = _queries(client, url)

    _more_projects(world, 5)
    for project in ActionLearningProject.objects.all():
        service.write_log_entry(project=project, author=world["fagchef_a"], text="y")

    with django_assert_max_num_queries(budget):
        client.get(url)
    assert _queries(client, url) == before


def test_the_panel_counts_active_projects_per_administration_in_two_queries(world):
    service.add_member(project=world["project"], person=world["fagchef_b"])
    for n, expected in enumerate(
        [(None, ""), (1, "planlaeg"), (1, "handl"), (1, "observer"), (1, "reflekter")]
    ):
        service.advance_cycle(project=world["project"], expected=expected, on=day(n))
    finished = service.create_project(
        programme=world["programme"], creator=world["fagchef_b"], title="Færdig", problem="P"
    )
    service.complete_project(project=finished)
    service.create_project(
        programme=world["programme"], creator=world["fagchef_b"], title="Ny", problem="P"
    )

    with CaptureQueriesContext(connection) as queries:
        panel = action_learning_panel(world["programme"])

    assert len(queries) == 2
    assert (panel["projects"], panel["cycles_completed"]) == (2, 1)
    assert [(r["name"], r["projects"], r["cycles_completed"]) for r in panel["rows"]] == [
        (world["admin_a"].name, 1, 1),
        (world["admin_b"].name, 2, 1),
    ]


def test_the_panel_does_not_grow_with_the_projects(world, django_assert_num_queries):
    _more_projects(world, 5)
    with django_assert_num_queries(2):
        panel = action_learning_panel(world["programme"])
    assert panel["projects"] == 6


def test_the_dashboard_has_the_panel(client, world):
    client.force_login(world["users"]["direktion"])

    content = client.get(reverse("clarification:dashboard")).content.decode()

    assert "Aktionslæringsprojekter i gang" in content


def test_user_text_is_escaped_on_the_overview(client, world):
    ActionLearningProject.objects.filter(pk=world["project"].pk).update(
        title='<script>alert(1)</script>"onmouseover='
    )
    client.force_login(world["users"]["hr"])

    content = client.get(reverse("action_learning:overview")).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;" in content


def test_a_completed_project_refuses_new_steps_and_members_with_a_message(client, world):
    service.complete_project(project=world["project"])
    client.force_login(world["users"]["fagchef"])
    project = world["project"]

    advance = client.post(
        reverse("action_learning:advance", args=[project.pk]),
        {"on": "2021-03-01", "cycle": "", "phase": ""},
        follow=True,
    )
    member = client.post(
        reverse("action_learning:members", args=[project.pk]),
        {"person": world["fagchef_b"].pk},
        follow=True,
    )

    for response in (advance, member):
        assert "Projektet er afsluttet." in response.content.decode()
    assert not project.cycles.exists()
    assert list(project.members.all()) == [world["fagchef_a"]]


def test_removing_a_member_by_a_made_up_id_answers_404(client, world):
    client.force_login(world["users"]["fagchef"])
    url = reverse("action_learning:members", args=[world["project"].pk])

    assert client.post(url, {"remove": "abc"}).status_code == 404
    assert client.post(url, {"remove": world["fagchef_b"].pk}).status_code == 404
