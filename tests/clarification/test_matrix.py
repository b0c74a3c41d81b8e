"""The theme × administration matrix: numbers, snapshots, concurrency, pages and dashboard."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clarification import matrix
from clarification.models import (
    AssignmentStatus,
    Decision,
    DecisionKind,
    MatrixSnapshot,
    Theme,
    ThemeAssignment,
    ThemeKind,
)
from tests.clarification.factories import (
    ActivityFactory,
    AnonymousInputFactory,
    InputFactory,
    SubmissionFactory,
)
from tests.programme.factories import AdministrationFactory, WorkplaceFactory


def theme(programme, name, position=0):
    return Theme.objects.create(
        programme=programme, name=name, kind=ThemeKind.THEME, position=position
    )


def confirm(item, chosen, status=AssignmentStatus.CONFIRMED):
    return ThemeAssignment.objects.create(input=item, theme=chosen, status=status, suggested=False)


@pytest.fixture
def world(org, programme):
    """Inputs in both administrations; staff reached from the step-2 activities."""
    social = theme(programme, "Social kapital", 1)
    dialogue = theme(programme, "Dialogisk samspil med borgere", 2)
    submissions = {
        key: SubmissionFactory(programme=programme, workplace=org[key])
        for key in ("wa1", "wa2", "wb1")
    }
    ActivityFactory(submission=submissions["wa1"], staff_participants=12)
    ActivityFactory(submission=submissions["wa1"], staff_participants=3)
    ActivityFactory(submission=submissions["wa2"], staff_participants=2)
    ActivityFactory(submission=submissions["wb1"], staff_participants=30)
    a1 = InputFactory(submission=submissions["wa1"])
    a2 = InputFactory(submission=submissions["wa1"])
    a3 = InputFactory(submission=submissions["wa2"])
    b1 = InputFactory(submission=submissions["wb1"])
    anonymous = AnonymousInputFactory(programme=programme, workplace=org["wb2"])
    unprocessed = InputFactory(submission=submissions["wb1"])
    for item in (a1, a2, a3, b1, anonymous):
        confirm(item, social)
    confirm(a1, dialogue)
    confirm(b1, dialogue, status=AssignmentStatus.SUGGESTED)  # not counted
    confirm(unprocessed, dialogue, status=AssignmentStatus.REJECTED)  # not counted
    return {"social": social, "dialogue": dialogue, "programme": programme, **org}


def test_cells_count_confirmed_inputs_their_workplaces_and_the_staff_they_reached(world):
    data = matrix.compute(world["programme"])

    social, dialogue = world["social"].pk, world["dialogue"].pk
    a, b = world["admin_a"].pk, world["admin_b"].pk
    assert data["cells"] == {
        f"{social}:{a}": {"inputs": 3, "workplaces": 2, "staff": 12 + 3 + 2},
        f"{social}:{b}": {"inputs": 2, "workplaces": 2, "staff": 30},  # wb2: anonymous only
        f"{dialogue}:{a}": {"inputs": 1, "workplaces": 1, "staff": 15},
    }
    assert (data["inputs"], data["processed"]) == (6, 5)
    assert data["cross_cutting_min"] == 3


def test_a_theme_is_cross_cutting_from_the_programmes_minimum(world):
    programme = world["programme"]
    programme.cross_cutting_min_administrations = 2
    programme.save()
    snapshot, _created = matrix.recompute(programme)

    table = matrix.rows(snapshot)

    assert [row.theme["name"] for row in table["cross_cutting"]] == ["Social kapital"]
    assert [row.theme["name"] for row in table["rows"]] == [
        "Social kapital",  # cross-cutting first
        "Dialogisk samspil med borgere",
    ]
    assert table["unprocessed"] == 1


def test_a_fagchef_sees_their_column_but_cross_cutting_is_judged_across_all(world):
    world["programme"].cross_cutting_min_administrations = 2
    world["programme"].save()
    snapshot, _created = matrix.recompute(world["programme"])

    table = matrix.rows(snapshot, administration_ids={world["admin_a"].pk})

    assert [c["id"] for c in table["columns"]] == [world["admin_a"].pk]
    social = table["rows"][0]
    assert social.cross_cutting and social.administrations == 2
    assert [cell.inputs for cell in social.cells] == [3]


def test_recompute_twice_stores_one_snapshot_with_identical_numbers(world):
    first, created_first = matrix.recompute(world["programme"])
    second, created_second = matrix.recompute(world["programme"])

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert MatrixSnapshot.objects.count() == 1
    assert matrix.compute(world["programme"]) == first.data


def test_a_change_makes_a_new_snapshot(world):
    matrix.recompute(world["programme"])
    confirm(
        InputFactory(programme=world["programme"], submission__workplace=world["wa2"]),
        world["dialogue"],
    )

    snapshot, created = matrix.recompute(world["programme"])

    assert created
    assert snapshot.data["cells"][f"{world['dialogue'].pk}:{world['admin_a'].pk}"]["inputs"] == 2


def test_an_update_recounts_only_changed_workplaces_and_agrees_with_a_full_count(world):
    programme = world["programme"]
    matrix.recompute(programme)
    added = InputFactory(submission=SubmissionFactory(programme=programme, workplace=world["wb2"]))
    confirm(added, world["dialogue"])
    gone = ThemeAssignment.objects.filter(theme=world["social"], input__workplace=world["wa2"])
    gone.delete()

    snapshot, created = matrix.update(programme, {world["wb2"].pk, world["wa2"].pk})

    assert created
    assert snapshot.data == matrix.compute(programme)
    assert matrix.update(programme, {world["wb2"].pk})[1] is False  # nothing moved


def test_changes_in_one_transaction_queue_one_recompute(world):
    # The test's transaction stands for a bulk confirmation: inputs, then their themes.
    items = [InputFactory(submission__programme=world["programme"]) for _ in range(3)]
    for item in items:
        confirm(item, world["social"])

    hooks = [
        hook
        for _savepoints, hook, _robust in connection.run_on_commit
        if getattr(hook, "matrix_programme", None) == world["programme"].pk
    ]
    assert len(hooks) == 1
    assert {item.workplace_id for item in items} <= hooks[0].workplaces


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_are_serialised_and_store_one_snapshot(org, programme):
    social = theme(programme, "Social kapital")
    for _ in range(20):
        confirm(InputFactory(submission__programme=programme), social)
    results, errors = [], []
    barrier = threading.Barrier(3)

    def run():
        try:
            barrier.wait()
            results.append(matrix.recompute(programme)[1])
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, False, True]
    assert MatrixSnapshot.objects.filter(programme=programme).count() == 1


# --- Pages ------------------------------------------------------------------------------


def test_matrix_page_shows_numbers_small_groups_and_links_to_the_inputs(client, users, world):
    matrix.recompute(world["programme"])
    client.force_login(users["hr"])

    response = client.get(reverse("clarification:matrix"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Social kapital" in content
    assert "Beregnet" in content
    # wb1's 30 staff + nothing from the anonymous-only wb2: shown; 2 staff would be "< 5".
    assert "30 medarb." in content
    drill = f"{reverse('clarification:processing')}?administration={world['admin_b'].pk}"
    assert f'href="{drill}&amp;theme={world["social"].pk}"' in content
    assert "heat-4" in content  # the busiest cell carries the strongest colour


def test_staff_counts_under_five_are_suppressed(client, users, org, programme):
    small = theme(programme, "Relationel koordinering")
    submission = SubmissionFactory(programme=programme, workplace=org["wa2"])
    ActivityFactory(submission=submission, staff_participants=3)
    confirm(InputFactory(submission=submission), small)
    matrix.recompute(programme)
    client.force_login(users["direktion"])

    content = client.get(reverse("clarification:matrix")).content.decode()

    assert "færre end 5" in content
    assert "3 medarb." not in content


def test_matrix_page_says_when_nothing_is_computed_yet(client, users, programme):
    client.force_login(users["hr"])

    response = client.get(reverse("clarification:matrix"))

    assert "ikke beregnet endnu" in response.content.decode()


@pytest.mark.parametrize("role", ["leder", "medarbejder"])
def test_leaders_and_staff_may_not_see_the_matrix(client, users, world, role):
    client.force_login(users[role])

    assert client.get(reverse("clarification:matrix")).status_code == 403


@pytest.mark.parametrize("role", ["fagchef", "leder", "medarbejder"])
def test_only_hr_and_direktion_have_the_dashboard(client, users, world, role):
    client.force_login(users[role])

    assert client.get(reverse("clarification:dashboard")).status_code == 403


def test_dashboard_has_the_panels(client, users, world):
    matrix.recompute(world["programme"])
    Decision.objects.create(
        programme=world["programme"],
        title="Kursus i dialog",
        kind=DecisionKind.COURSE,
        rationale="x",
    )
    client.force_login(users["direktion"])

    response = client.get(reverse("clarification:dashboard"))

    content = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Trinnene pr. forvaltning",
        "Tema × forvaltning",
        "Beslutninger (trin 4)",
        "Fagchefforum: kick-off og seminarer",
    ):
        assert heading in content
    assert ("Kladde", 1) in response.context["decisions"]


def _queries(client, name):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["clarification:matrix", "clarification:dashboard"])
def test_queries_do_not_grow_with_the_inputs(client, users, world, name):
    matrix.recompute(world["programme"])
    client.force_login(users["hr"])
    _queries(client, name)  # warm the caches the pages share with the rest of the site
    before = _queries(client, name)

    extra = AdministrationFactory(name="Teknik- og Miljøforvaltningen")
    for _ in range(3):
        submission = SubmissionFactory(
            programme=world["programme"], workplace=WorkplaceFactory(administration=extra)
        )
        for _ in range(5):
            confirm(InputFactory(submission=submission), world["dialogue"])
    matrix.recompute(world["programme"])

    assert _queries(client, name) == before
