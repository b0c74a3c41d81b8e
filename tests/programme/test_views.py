import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme import services
from programme.models import AdministrationSnapshot, BudgetYear, Postponement, Role
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    MedCommitteeFactory,
    MilestoneFactory,
    PersonFactory,
    PhaseFactory,
    UserFactory,
    WorkplaceFactory,
    login_for,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("programme:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef", "leder", "medarbejder"])
def test_every_role_sees_mit_overblik(client, users, programme, role):
    client.force_login(users[role])
    response = client.get(reverse("programme:home"))
    assert response.status_code == 200
    assert "Mit overblik" in response.content.decode()


def test_mit_overblik_shows_the_persons_tier_and_workplace(client, users, org, programme):
    client.force_login(users["leder"])
    content = client.get(reverse("programme:home")).content.decode()
    assert "2. Ledere" in content
    assert org["wa1"].name in content
    assert org["admin_a"].name in content


# --- Object-level access (IDOR) -----------------------------------------------------


def status_of(client, user, workplace):
    client.force_login(user)
    return client.get(workplace.get_absolute_url()).status_code


def test_leader_gets_404_on_other_administrations_workplace(client, users, org):
    assert status_of(client, users["leder"], org["wa1"]) == 200
    assert status_of(client, users["leder"], org["wb1"]) == 404


def test_leader_gets_404_on_a_sibling_workplace_they_do_not_lead(client, users, org):
    assert org["wa2"].administration == org["wa1"].administration
    assert status_of(client, users["leder"], org["wa2"]) == 404


def test_leader_sees_the_staff_of_their_workplace(client, users, org):
    client.force_login(users["leder"])
    content = client.get(org["wa1"].get_absolute_url()).content.decode()
    assert 'id="staff"' in content
    assert org["employee_a"].name in content


def test_leader_of_a_parent_unit_sees_a_child_unit_and_its_staff(client, tree):
    client.force_login(tree["top_leader_user"])
    response = client.get(tree["grandchild"].get_absolute_url())
    assert response.status_code == 200
    assert tree["grandchild_employee"].name in response.content.decode()


def test_leader_of_a_child_unit_gets_404_on_the_parent(client, tree):
    assert status_of(client, tree["child_leader_user"], tree["top"]) == 404


def test_employee_sees_their_own_workplace_without_the_staff_list(client, users, org):
    colleague = PersonFactory(workplace=org["wa1"], name="Kollega Kristensen")
    client.force_login(users["medarbejder"])
    response = client.get(org["wa1"].get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="staff"' not in content
    assert colleague.name not in content
    assert response.context["people_page"] is None


@pytest.mark.parametrize("other", ["wa2", "wb1", "wb2"])
def test_employee_gets_404_on_any_other_workplace(client, users, org, other):
    assert status_of(client, users["medarbejder"], org[other]) == 404


def test_employee_my_workplace_is_their_own(client, users, org):
    client.force_login(users["medarbejder"])
    response = client.get(reverse("programme:my-workplace"))
    assert response.status_code == 200
    assert response.context["workplace"] == org["wa1"]


@pytest.mark.parametrize("own", ["wa1", "wa2"])
def test_fagchef_sees_every_workplace_of_their_administration_with_staff(client, users, org, own):
    client.force_login(users["fagchef"])
    response = client.get(org[own].get_absolute_url())
    assert response.status_code == 200
    assert response.context["may_see_staff"]


@pytest.mark.parametrize("other", ["wb1", "wb2"])
def test_fagchef_gets_404_on_another_administrations_workplace(client, users, org, other):
    assert status_of(client, users["fagchef"], org[other]) == 404


@pytest.mark.parametrize("role", ["hr", "direktion"])
@pytest.mark.parametrize("workplace", ["wa1", "wa2", "wb1", "wb2"])
def test_hr_and_direktion_see_every_workplace(client, users, org, role, workplace):
    assert status_of(client, users[role], org[workplace]) == 200


def test_unknown_workplace_code_is_404(client, users):
    client.force_login(users["hr"])
    url = reverse("programme:workplace-detail", kwargs={"code": "FINDES-IKKE"})
    assert client.get(url).status_code == 404


def test_workplace_page_links_only_child_units_the_user_may_open(client, tree):
    sibling_of_grandchild = WorkplaceFactory(
        administration=tree["child"].administration, parent=tree["child"], name="Skjult Stue"
    )
    employee = PersonFactory(workplace=tree["child"])
    client.force_login(login_for(employee))
    content = client.get(tree["child"].get_absolute_url()).content.decode()
    assert sibling_of_grandchild.name not in content
    assert tree["grandchild"].name not in content


# --- The workplace list -------------------------------------------------------------


def listed(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("programme:workplace-list"), params)
    assert response.status_code == 200
    return set(response.context["page"].object_list)


def test_leader_lists_only_the_workplaces_they_lead(client, users, org):
    assert listed(client, users["leder"]) == {org["wa1"]}


def test_fagchef_lists_their_administration_only(client, users, org):
    assert listed(client, users["fagchef"]) == {org["wa1"], org["wa2"]}


def test_filtering_on_another_administration_reveals_nothing(client, users, org):
    assert listed(client, users["fagchef"], forvaltning=org["admin_b"].pk) == set()


def test_searching_finds_no_workplace_outside_the_scope(client, users, org):
    assert listed(client, users["leder"], q=org["wb1"].code) == set()
    assert listed(client, users["hr"], q=org["wb1"].code) == {org["wb1"]}


def test_employee_and_coach_may_not_use_the_workplace_list(client, users, coach):
    for user in (users["medarbejder"], coach):
        client.force_login(user)
        response = client.get(reverse("programme:workplace-list"))
        assert response.status_code == 403
        assert "Ingen adgang" in response.content.decode()


# --- What each role is shown --------------------------------------------------------


@pytest.fixture
def budget(programme):
    BudgetYear.objects.create(programme=programme, year=2020, frame=2_000_000)
    BudgetYear.objects.create(programme=programme, year=2021, frame=2_000_000)


@pytest.mark.parametrize(
    ("role", "sees_budget"),
    [
        ("hr", True),
        ("direktion", True),
        ("fagchef", False),
        ("leder", False),
        ("medarbejder", False),
    ],
)
def test_only_hr_and_direktion_see_the_budget_frames(
    client, users, programme, budget, role, sees_budget
):
    client.force_login(users[role])
    for url in (programme.get_absolute_url(), reverse("programme:home")):
        content = client.get(url).content.decode()
        assert ("2.000.000,00 kr." in content) is sees_budget, url


def test_navigation_shows_each_role_what_it_may_use(client, users, coach):
    users = users | {"coach": coach}
    expectations = {
        "coach": {"Coaching"},
        "hr": {
            "Afklaringsfasen",
            "Bearbejdning",
            "Direktionens overblik",
            "Beslutninger",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Administration",
            "Kaskade",
        },
        "direktion": {
            "Afklaringsfasen",
            "Direktionens overblik",
            "Beslutninger",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Kaskade",
        },
        "fagchef": {
            "Afklaringsfasen",
            "Temaer på tværs",
            "Seminarer",
            "Coaching",
            "Organisation",
            "Kaskade",
        },
        "leder": {"Afklaringsfasen", "Mine arbejdspladser (trin 2)", "Organisation"},
        "medarbejder": {"Min arbejdsplads"},
    }
    for role, expected in expectations.items():
        client.force_login(users[role])
        labels = {str(label) for _url, label, _key in client.get("/").context["nav_items"]}
        assert labels == {"Mit overblik", "Forløbet", "Min kalender"} | expected, role


def test_small_administrations_are_shown_as_fewer_than_five(client, users, org, programme):
    big = AdministrationFactory(name="Teknik- og Miljøforvaltningen")
    PersonFactory.create_batch(7, workplace=WorkplaceFactory(administration=big))
    services.refresh_organisation_snapshot()
    assert AdministrationSnapshot.objects.get(administration=org["admin_b"]).people == 2

    client.force_login(users["hr"])
    response = client.get(reverse("programme:home"))

    rows = {s.administration: s.people_shown for s in response.context["snapshots"]}
    assert rows[org["admin_b"]] is None
    assert rows[big] == 7
    assert "&lt; 5" in response.content.decode()


# --- Query budgets ------------------------------------------------------------------


def grow(org, programme, factor):
    """Add `factor` times a slice of organisation and programme (deeper trees included)."""
    admin_a, wa1 = org["admin_a"], org["wa1"]
    parent = wa1
    for _level in range(2 * factor):  # a chain below the leader's unit, deeper each time
        parent = WorkplaceFactory(administration=admin_a, parent=parent)
        PersonFactory.create_batch(2, workplace=parent)
    WorkplaceFactory.create_batch(10 * factor, administration=admin_a)
    WorkplaceFactory.create_batch(10 * factor, administration=org["admin_b"])
    for _n in range(factor):
        WorkplaceFactory(administration=AdministrationFactory())
        LeadershipFactory(workplace=wa1, person=PersonFactory(workplace=wa1, role=Role.LEADER))
        MedCommitteeFactory().workplaces.add(wa1)
    # More than a page (100) of staff at wa1 once grown tenfold.
    PersonFactory.create_batch(15 * factor, workplace=wa1, job_title="Lærer")
    tiers = list(programme.tiers.all())
    first_phase = programme.phases.count() + 1
    phases = [PhaseFactory(programme=programme, number=first_phase + n) for n in range(3 * factor)]
    for phase in phases:
        phase.tiers.set(tiers)
    for n in range(5 * factor):
        milestone = MilestoneFactory(
            programme=programme,
            tier=tiers[n % len(tiers)],
            phase=phases[n % len(phases)],
            planned_date=datetime.date(2027, 1, 1) + datetime.timedelta(days=n),
        )
        services.postpone_milestone(
            milestone=milestone,
            new_date=milestone.planned_date + datetime.timedelta(days=30),
            reason="Udskudt grundet covid-19",
            by=None,
        )
    first_year = 2020 + programme.budget_years.count()
    for year in range(first_year, first_year + factor):
        BudgetYear.objects.create(programme=programme, year=year, frame=1_000_000)
    services.refresh_organisation_snapshot()


def page_url(page, org, programme):
    return {
        "home": reverse("programme:home"),
        "programme": programme.get_absolute_url(),
        "workplace-list": reverse("programme:workplace-list"),
        "workplace-detail": org["wa1"].get_absolute_url(),
    }[page]


# The most queries each page may make, whatever the size of the organisation. They
# include the session (read from the cache, saved on every request), the user, and the
# scope: groups, person, and for a leader the units they lead and the unit tree.
QUERY_BUDGETS = {
    "home": {
        "hr": 14,
        "direktion": 15,
        "fagchef": 14,
        "leder": 16,
        "medarbejder": 13,
        "coach": 12,
    },
    "programme": {
        "hr": 13,
        "direktion": 13,
        "fagchef": 12,
        "leder": 14,
        "medarbejder": 12,
        "coach": 12,
    },
    "workplace-list": {"hr": 9, "direktion": 9, "fagchef": 9, "leder": 11},
    "workplace-detail": {"hr": 13, "direktion": 13, "fagchef": 13, "leder": 15, "medarbejder": 11},
}


def queries_for(client, user, url):
    client.force_login(user)
    client.get(url)  # warm up per-process caches (translations, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page_name", sorted(QUERY_BUDGETS))
def test_page_queries_do_not_grow_with_the_organisation(
    client, users, org, programme, coach, page_name, django_assert_max_num_queries
):
    logins = users | {"coach": coach}
    budgets = QUERY_BUDGETS[page_name]
    url = page_url(page_name, org, programme)
    grow(org, programme, 1)
    small = {role: queries_for(client, logins[role], url) for role in budgets}

    grow(org, programme, 10)

    for role, budget in budgets.items():
        client.force_login(logins[role])
        client.get(url)
        with django_assert_max_num_queries(budget, info=role) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(captured) == small[role], role


# --- The admin's "Udskyd" ---------------------------------------------------------------

MILESTONE_DATE = datetime.date(2021, 6, 1)


@pytest.fixture
def milestone(programme):
    return MilestoneFactory(
        programme=programme, name="Kick-off for ledere", planned_date=MILESTONE_DATE
    )


def postpone_url(milestone):
    return reverse("admin:programme_milestone_postpone", args=[milestone.pk])


def test_hr_postpones_a_milestone_with_a_reason(client, users, milestone):
    client.force_login(users["hr"])
    assert client.get(postpone_url(milestone)).status_code == 200

    response = client.post(
        postpone_url(milestone), {"new_date": "2021-09-01", "reason": "Udskudt grundet covid-19"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:programme_milestone_change", args=[milestone.pk])
    postponement = Postponement.objects.get(milestone=milestone)
    assert (postponement.old_date, postponement.new_date) == (
        MILESTONE_DATE,
        datetime.date(2021, 9, 1),
    )
    assert postponement.recorded_by == users["hr"]
    milestone.refresh_from_db()
    assert milestone.planned_date == datetime.date(2021, 9, 1)
    assert milestone.original_date == MILESTONE_DATE
    history = milestone.history.latest()
    assert history.history_user == users["hr"]
    assert history.history_change_reason == "Udskudt grundet covid-19"


def test_postponement_message_gives_the_new_date_in_danish(client, users, milestone):
    client.force_login(users["hr"])

    response = client.post(
        postpone_url(milestone),
        {"new_date": "2021-09-01", "reason": "Udskudt grundet covid-19"},
        follow=True,
    )

    assert "er flyttet til 1. september 2021." in response.content.decode()


def test_a_concurrent_move_to_the_same_date_is_a_form_error_not_a_crash(
    client, users, milestone, monkeypatch
):
    # Another HR user moved the milestone to this date between the page and the post: the
    # service, holding the row lock, refuses; the view must show that, not fail.
    def moved_meanwhile(**kwargs):
        raise services.MilestoneNotMoved("Milepælen ligger allerede på denne dato.")

    monkeypatch.setattr(services, "postpone_milestone", moved_meanwhile)
    client.force_login(users["hr"])

    response = client.post(postpone_url(milestone), {"new_date": "2021-09-01", "reason": "x"})

    assert response.status_code == 200
    assert "Milepælen ligger allerede på denne dato." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"new_date": "2021-09-01", "reason": "   "}, "Dette felt er påkrævet."),
        ({"new_date": "2021-06-01", "reason": "Covid-19"}, "Vælg en anden dato end den nuværende."),
        ({"new_date": "1. juni", "reason": "Covid-19"}, "Indtast en gyldig dato."),
    ],
)
def test_bad_postponement_re_renders_in_danish_keeping_the_input(
    client, users, milestone, data, error
):
    client.force_login(users["hr"])
    versions = milestone.history.count()

    response = client.post(postpone_url(milestone), data)

    content = response.content.decode()
    assert response.status_code == 200
    assert error in content
    assert f'value="{data["new_date"]}"' in content
    assert data["reason"].strip() in content
    assert not Postponement.objects.exists()
    milestone.refresh_from_db()
    assert milestone.planned_date == MILESTONE_DATE
    assert milestone.history.count() == versions


def test_postponing_ignores_extra_fields(client, users, milestone):
    intruder = UserFactory(username="andenbruger")
    client.force_login(users["hr"])

    client.post(
        postpone_url(milestone),
        {
            "new_date": "2021-09-01",
            "reason": "Covid-19",
            "old_date": "2000-01-01",
            "original_date": "2000-01-01",
            "recorded_by": intruder.pk,
            "milestone": 0,
        },
    )

    postponement = Postponement.objects.get()
    assert postponement.old_date == MILESTONE_DATE
    assert postponement.recorded_by == users["hr"]
    milestone.refresh_from_db()
    assert milestone.original_date == MILESTONE_DATE


def test_staff_without_change_permission_may_not_postpone(client, milestone):
    staff = UserFactory(username="kontor", is_staff=True)
    client.force_login(staff)

    assert client.get(postpone_url(milestone)).status_code == 403
    response = client.post(postpone_url(milestone), {"new_date": "2021-09-01", "reason": "x"})

    assert response.status_code == 403
    assert not Postponement.objects.exists()


def test_leader_without_staff_flag_is_sent_to_the_admin_login(client, users, milestone):
    client.force_login(users["leder"])
    response = client.post(postpone_url(milestone), {"new_date": "2021-09-01", "reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Postponement.objects.exists()
