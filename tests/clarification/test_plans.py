"""Step 1: the fagchef's involvement plan, submitted and approved or returned, with history."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clarification.models import InvolvementPlan, Method, PlanStatus, StepStatus
from clarification.services.plans import (
    PlanData,
    PlanError,
    PlanIncomplete,
    approve_plan,
    return_plan,
    save_plan,
    submit_plan,
)
from clarification.services.steps import StepClosed, close_step, ensure_steps, state_for
from programme.models import Person, Role
from tests.clarification.conftest import DEADLINES
from tests.programme.factories import (
    LeadershipFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    login_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def design(programme, org):
    """The four steps; step 1 open in both administrations, the others not started."""
    steps = {s.number: s for s in ensure_steps(programme=programme, deadlines=DEADLINES)}
    for administration in (org["admin_a"], org["admin_b"]):
        state = state_for(step=steps[1], administration=administration)
        state.status = StepStatus.OPEN
        state.opened_at = timezone.now()
        state.save()
    return steps


@pytest.fixture
def fagchef_b(org):
    return login_for(PersonFactory(workplace=org["wb2"], role=Role.HEAD_OF_DEPARTMENT))


def complete_data(org, **changes) -> PlanData:
    values = {
        "methods": [Method.WORKSHOP, Method.MED_MEETING],
        "starts_on": datetime.date(2021, 4, 6),
        "ends_on": datetime.date(2021, 5, 28),
        "responsible_leaders": [org["leader_a"]],
        "med_involvement": "Forvaltnings-MED drøfter planen; lokal-MED deltager i workshops.",
        "description": "Workshops på alle skoler og dagtilbud i april og maj.",
    }
    return PlanData(**(values | changes))


def draft(programme, org, users, **changes) -> InvolvementPlan:
    return save_plan(
        programme=programme,
        administration=org["admin_a"],
        data=complete_data(org, **changes),
        by=users["fagchef"],
    )


def submitted(programme, org, users) -> InvolvementPlan:
    return submit_plan(plan=draft(programme, org, users), by=users["fagchef"])


def close_design(design, org):
    state = state_for(step=design[1], administration=org["admin_a"])
    state.status = StepStatus.CLOSED
    state.closed_at = timezone.now()
    state.save()


# --- services ------------------------------------------------------------------------


def test_first_save_creates_a_draft_with_one_history_row(design, programme, org, users):
    plan = draft(programme, org, users)

    plan = InvolvementPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.DRAFT
    assert plan.administration == org["admin_a"]
    assert plan.methods == ["workshop", "med_moede"]
    assert list(plan.responsible_leaders.all()) == [org["leader_a"]]
    assert plan.all_workplaces
    [row] = plan.history.all()
    assert row.history_user == users["fagchef"]
    assert [r.person_id for r in row.responsible_leaders.all()] == [org["leader_a"].pk]


def test_each_save_keeps_a_history_row_with_the_chosen_workplaces(design, programme, org, users):
    draft(programme, org, users)
    plan = draft(programme, org, users, all_workplaces=False, workplaces=[org["wa2"]])

    rows = list(plan.history.order_by("history_date", "history_id"))
    assert len(rows) == 2
    assert [w.workplace_id for w in rows[0].workplaces.all()] == []
    assert [w.workplace_id for w in rows[1].workplaces.all()] == [org["wa2"].pk]
    assert not rows[1].all_workplaces


def test_the_plan_keeps_methods_in_a_fixed_order_and_other_only_with_andet(
    design, programme, org, users
):
    plan = draft(
        programme, org, users, methods=["andet", "workshop", "workshop"], method_other="Walk & talk"
    )
    assert (plan.methods, plan.method_other) == (["workshop", "andet"], "Walk & talk")

    plan = draft(programme, org, users, methods=["workshop"], method_other="Walk & talk")
    assert plan.method_other == ""


def test_all_workplaces_clears_a_former_choice(design, programme, org, users):
    draft(programme, org, users, all_workplaces=False, workplaces=[org["wa1"]])

    plan = draft(programme, org, users, all_workplaces=True, workplaces=[org["wa1"]])

    assert list(plan.workplaces.all()) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"workplaces": ["wb1"], "all_workplaces": False},
        {"responsible_leaders": ["leader_b"]},
        {"responsible_leaders": ["employee_a"]},
        {"methods": ["kaffe"]},
        {"methods": ["andet"], "method_other": " "},
        {"starts_on": datetime.date(2021, 6, 1), "ends_on": datetime.date(2021, 5, 1)},
    ],
)
def test_save_rejects_what_does_not_belong_to_the_administration(
    design, programme, org, users, changes
):
    changes = {
        key: [org[v] for v in value] if key in {"workplaces", "responsible_leaders"} else value
        for key, value in changes.items()
    }
    with pytest.raises(PlanError):
        draft(programme, org, users, **changes)

    assert not InvolvementPlan.objects.exists()


def test_save_rejects_an_inactive_workplace(design, programme, org, users):
    closed_unit = WorkplaceFactory(administration=org["admin_a"], is_active=False)

    with pytest.raises(PlanError):
        draft(programme, org, users, all_workplaces=False, workplaces=[closed_unit])


@pytest.mark.parametrize("status", [StepStatus.NOT_STARTED, StepStatus.CLOSED])
def test_no_save_while_step_1_is_not_open(design, programme, org, users, status):
    state = state_for(step=design[1], administration=org["admin_a"])
    state.status = status
    state.closed_at = timezone.now()
    state.save()

    with pytest.raises(StepClosed):
        draft(programme, org, users)

    assert not InvolvementPlan.objects.exists()


def test_a_submitted_plan_cannot_be_saved(design, programme, org, users):
    submitted(programme, org, users)

    with pytest.raises(PlanError, match="indsendt"):
        draft(programme, org, users, description="Ændret efter indsendelse")

    assert InvolvementPlan.objects.get().description.startswith("Workshops")


def test_submit_names_what_an_incomplete_plan_lacks(design, programme, org, users):
    plan = draft(programme, org, users, methods=[], responsible_leaders=[], med_involvement="")

    with pytest.raises(PlanIncomplete) as raised:
        submit_plan(plan=plan, by=users["fagchef"])

    assert raised.value.missing == ["metoder", "ansvarlige ledere", "hvordan MED inddrages"]
    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT


def test_submit_records_who_and_when(design, programme, org, users):
    plan = submitted(programme, org, users)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.submitted_by == users["fagchef"]
    assert plan.submitted_at is not None
    assert plan.history.latest().status == PlanStatus.SUBMITTED


def test_approval_is_recorded_on_behalf_of_fagchefforum(design, programme, org, users):
    plan = approve_plan(
        plan=submitted(programme, org, users), by=users["direktion"], comment=" God plan "
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert (plan.approved_by, plan.approval_comment) == (users["direktion"], "God plan")
    assert plan.approved_at is not None
    latest = plan.history.latest()
    assert (latest.status, latest.history_user) == (PlanStatus.APPROVED, users["direktion"])


def test_only_a_submitted_plan_is_approved_or_returned(design, programme, org, users):
    plan = draft(programme, org, users)

    with pytest.raises(PlanError):
        approve_plan(plan=plan, by=users["hr"])
    with pytest.raises(PlanError):
        return_plan(plan=plan, by=users["hr"], comment="Ret datoerne")

    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT


def test_return_needs_a_comment_and_gives_the_fagchef_a_draft(design, programme, org, users):
    plan = submitted(programme, org, users)
    with pytest.raises(PlanError):
        return_plan(plan=plan, by=users["hr"], comment="  ")

    plan = return_plan(plan=plan, by=users["hr"], comment="Tilføj datoer for MED-møderne.")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert plan.approval_comment == "Tilføj datoer for MED-møderne."
    assert plan.submitted_at is None
    # The fagchef can edit and submit again.
    draft(programme, org, users, description="Med datoer for MED-møderne.")
    assert submit_plan(plan=plan, by=users["fagchef"]).status == PlanStatus.SUBMITTED


def test_no_approval_after_step_1_has_closed(design, programme, org, users):
    plan = submitted(programme, org, users)
    close_design(design, org)

    with pytest.raises(StepClosed):
        approve_plan(plan=plan, by=users["hr"])

    assert InvolvementPlan.objects.get().status == PlanStatus.SUBMITTED


# --- pages: who may see and do what ---------------------------------------------------


def detail_url(administration):
    return reverse("clarification:plan-detail", kwargs={"code": administration.code})


def plan_url(name, administration):
    return reverse(f"clarification:plan-{name}", kwargs={"code": administration.code})


def form_data(org, **changes):
    data = {
        "methods": ["workshop", "med_moede"],
        "method_other": "",
        "all_workplaces": "alle",
        "starts_on": "2021-04-06",
        "ends_on": "2021-05-28",
        "responsible_leaders": [org["leader_a"].pk],
        "med_involvement": "Forvaltnings-MED drøfter planen.",
        "description": "Workshops i april og maj.",
    }
    return data | changes


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef", "leder"])
def test_hr_direktion_fagchef_and_leader_read_the_plan(client, design, programme, org, users, role):
    draft(programme, org, users, description="Workshops på alle skoler.")
    client.force_login(users[role])

    response = client.get(detail_url(org["admin_a"]))

    assert response.status_code == 200
    assert "Workshops på alle skoler." in response.content.decode()


@pytest.mark.parametrize("role", ["medarbejder", "coach"])
def test_staff_and_coaches_may_not_see_plans(client, design, programme, org, users, role):
    draft(programme, org, users)
    user = users.get(role) or UserFactory(username="coach", groups=["Coach"])
    client.force_login(user)

    for name in ("detail", "edit"):
        assert client.get(plan_url(name, org["admin_a"])).status_code == 403


def test_plans_of_another_administration_answer_404(
    client, design, programme, org, users, fagchef_b
):
    save_plan(
        programme=programme,
        administration=org["admin_b"],
        data=complete_data(org, responsible_leaders=[org["leader_b"]]),
        by=fagchef_b,
    )
    for role in ("fagchef", "leder"):
        client.force_login(users[role])
        assert client.get(detail_url(org["admin_b"])).status_code == 404
    client.force_login(users["fagchef"])
    assert client.get(plan_url("edit", org["admin_b"])).status_code == 404
    assert client.post(plan_url("edit", org["admin_b"]), form_data(org)).status_code == 404
    assert client.post(plan_url("submit", org["admin_b"])).status_code == 404
    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT


def test_unknown_administration_answers_404(client, design, users):
    client.force_login(users["hr"])
    assert client.get(reverse("clarification:plan-detail", kwargs={"code": "X"})).status_code == 404


@pytest.mark.parametrize("role", ["hr", "direktion", "leder"])
def test_only_the_fagchef_edits_and_submits(client, design, programme, org, users, role):
    plan = draft(programme, org, users)
    client.force_login(users[role])

    assert client.get(plan_url("edit", org["admin_a"])).status_code == 403
    assert client.post(plan_url("edit", org["admin_a"]), form_data(org)).status_code == 403
    assert client.post(plan_url("submit", org["admin_a"])).status_code == 403
    assert InvolvementPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    assert (
        plan_url("edit", org["admin_a"])
        not in client.get(detail_url(org["admin_a"])).content.decode()
    )


@pytest.mark.parametrize("role", ["fagchef", "leder", "medarbejder"])
def test_only_hr_and_direktion_approve_or_return(client, design, programme, org, users, role):
    submitted(programme, org, users)
    client.force_login(users[role])

    assert client.post(plan_url("approve", org["admin_a"])).status_code == 403
    assert (
        client.post(plan_url("return", org["admin_a"]), {"return-comment": "x"}).status_code == 403
    )
    assert InvolvementPlan.objects.get().status == PlanStatus.SUBMITTED


def test_review_pages_take_only_post(client, design, programme, org, users):
    client.force_login(users["hr"])
    for name in ("submit", "approve", "return"):
        assert client.get(plan_url(name, org["admin_a"])).status_code == 405


# --- pages: the fagchef fills in and submits --------------------------------------------


def test_edit_form_offers_only_the_administrations_active_units_and_leaders(
    client, design, org, users
):
    WorkplaceFactory(administration=org["admin_a"], name="Lukket Fritidsklub", is_active=False)
    client.force_login(users["fagchef"])

    content = client.get(plan_url("edit", org["admin_a"])).content.decode()

    assert org["wa1"].name in content
    assert org["wa2"].name in content
    assert org["wb1"].name not in content
    assert "Lukket Fritidsklub" not in content
    assert f"{org['leader_a'].name} ({org['wa1'].name})" in content
    assert org["leader_b"].name not in content
    assert org["employee_a"].name not in content


def test_edit_form_groups_units_under_their_top_unit(client, design, org, users):
    WorkplaceFactory(administration=org["admin_a"], name="Valhøj SFO", parent=org["wa1"])
    client.force_login(users["fagchef"])

    content = client.get(plan_url("edit", org["admin_a"])).content.decode()

    group = content.index(f"<strong>{org['wa1'].name}</strong>")
    assert group < content.index("Valhøj SFO")


def test_fagchef_saves_the_plan_and_is_sent_to_it(client, design, org, users):
    client.force_login(users["fagchef"])

    response = client.post(
        plan_url("edit", org["admin_a"]),
        form_data(org, all_workplaces="udvalgte", workplaces=[org["wa1"].pk]),
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(org["admin_a"]), 302)]
    assert "Planen er gemt som kladde." in response.content.decode()
    plan = InvolvementPlan.objects.get()
    assert plan.methods == ["workshop", "med_moede"]
    assert list(plan.workplaces.all()) == [org["wa1"]]
    assert plan.starts_on == datetime.date(2021, 4, 6)
    assert plan.history.latest().history_user == users["fagchef"]


def test_edit_form_shows_the_saved_plan(client, design, programme, org, users):
    draft(programme, org, users, methods=["andet"], method_other="Walk & talk")
    client.force_login(users["fagchef"])

    content = client.get(plan_url("edit", org["admin_a"])).content.decode()

    assert 'value="Walk &amp; talk"' in content
    assert 'value="2021-04-06"' in content


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"methods": ["andet"], "method_other": ""}, "Beskriv den anden metode."),
        ({"method_other": "Walk & talk"}, "Vælg «Andet», hvis du beskriver en anden metode."),
        ({"starts_on": "2021-06-01", "ends_on": "2021-05-01"}, "Slutdatoen kan ikke ligge"),
        ({"all_workplaces": "udvalgte"}, "Vælg mindst én arbejdsplads"),
        ({"starts_on": "1. april"}, "Indtast en gyldig dato."),
    ],
)
def test_bad_input_re_renders_with_the_error_and_keeps_what_was_typed(
    client, design, org, users, changes, error
):
    client.force_login(users["fagchef"])
    data = form_data(org, med_involvement="MED-møde 12. april <b>fed</b>", **changes)

    response = client.post(plan_url("edit", org["admin_a"]), data)

    content = response.content.decode()
    assert response.status_code == 200
    assert error in content
    assert "MED-møde 12. april &lt;b&gt;fed&lt;/b&gt;" in content
    assert "Planen er ikke gemt." in content
    assert not InvolvementPlan.objects.exists()


def test_a_unit_of_another_administration_is_refused(client, design, org, users):
    client.force_login(users["fagchef"])

    response = client.post(
        plan_url("edit", org["admin_a"]),
        form_data(org, all_workplaces="udvalgte", workplaces=[org["wb1"].pk]),
    )

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not InvolvementPlan.objects.exists()


def test_mass_assignment_of_status_administration_and_sign_off_is_ignored(
    client, design, programme, org, users
):
    client.force_login(users["fagchef"])

    client.post(
        plan_url("edit", org["admin_a"]),
        form_data(
            org,
            status="godkendt",
            administration=org["admin_b"].pk,
            programme=0,
            approved_by=users["fagchef"].pk,
            submitted_by=users["hr"].pk,
            approval_comment="Godkendt af mig selv",
        ),
    )

    plan = InvolvementPlan.objects.get()
    assert (plan.administration, plan.programme, plan.status) == (
        org["admin_a"],
        programme,
        PlanStatus.DRAFT,
    )
    assert (plan.approved_by, plan.submitted_by, plan.approval_comment) == (None, None, "")


def test_fagchef_submits_a_complete_plan(client, design, programme, org, users):
    draft(programme, org, users)
    client.force_login(users["fagchef"])
    assert "Indsend" in client.get(detail_url(org["admin_a"])).content.decode()

    response = client.post(plan_url("submit", org["admin_a"]), follow=True)

    assert "Planen er indsendt." in response.content.decode()
    plan = InvolvementPlan.objects.get()
    assert (plan.status, plan.submitted_by) == (PlanStatus.SUBMITTED, users["fagchef"])


def test_an_incomplete_plan_lists_what_it_lacks_and_is_not_submitted(
    client, design, programme, org, users
):
    draft(programme, org, users, responsible_leaders=[], med_involvement="")
    client.force_login(users["fagchef"])
    content = client.get(detail_url(org["admin_a"])).content.decode()
    assert "Før planen kan indsendes, mangler den:" in content
    assert "hvordan MED inddrages" in content

    response = client.post(plan_url("submit", org["admin_a"]), follow=True)

    assert "Planen mangler: ansvarlige ledere, hvordan MED inddrages." in (
        response.content.decode()
    )
    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT


def test_submitting_a_plan_that_does_not_exist_answers_404(client, design, org, users):
    client.force_login(users["fagchef"])
    assert client.post(plan_url("submit", org["admin_a"])).status_code == 404


def test_a_submitted_plan_is_shown_read_only_to_the_fagchef(client, design, programme, org, users):
    submitted(programme, org, users)
    client.force_login(users["fagchef"])

    response = client.get(plan_url("edit", org["admin_a"]), follow=True)

    assert response.redirect_chain == [(detail_url(org["admin_a"]), 302)]
    assert "Planen er indsendt og kan ikke ændres." in response.content.decode()
    assert plan_url("edit", org["admin_a"]) not in response.content.decode()


@pytest.mark.parametrize(
    ("status", "says"),
    [(StepStatus.NOT_STARTED, "ikke åbnet endnu"), (StepStatus.CLOSED, "er afsluttet")],
)
def test_edit_answers_with_the_step_page_while_step_1_is_not_open(
    client, design, programme, org, users, status, says
):
    plan = draft(programme, org, users)
    state = state_for(step=design[1], administration=org["admin_a"])
    state.status = status
    state.closed_at = timezone.now()
    state.save()
    client.force_login(users["fagchef"])

    response = client.get(plan_url("edit", org["admin_a"]))
    assert response.status_code == 409
    assert says in response.content.decode()
    response = client.post(plan_url("edit", org["admin_a"]), form_data(org, description="Ny"))
    assert response.status_code == 409
    assert client.post(plan_url("submit", org["admin_a"])).status_code == 409
    assert InvolvementPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT
    detail = client.get(detail_url(org["admin_a"]))
    assert detail.status_code == 200
    assert plan_url("edit", org["admin_a"]) not in detail.content.decode()


# --- pages: HR or direktionen approve or return -----------------------------------------


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_or_direktion_approves_with_a_comment(client, design, programme, org, users, role):
    submitted(programme, org, users)
    client.force_login(users[role])
    assert "Godkend planen" in client.get(detail_url(org["admin_a"])).content.decode()

    response = client.post(
        plan_url("approve", org["admin_a"]),
        {"approve-comment": "Godkendt i fagchefforum 12. marts."},
        follow=True,
    )

    content = response.content.decode()
    assert f"Inddragelsesplanen for {org['admin_a'].name} er godkendt." in content
    assert "Godkendt på vegne af fagchefforum" in content
    plan = InvolvementPlan.objects.get()
    assert (plan.status, plan.approved_by, plan.approval_comment) == (
        PlanStatus.APPROVED,
        users[role],
        "Godkendt i fagchefforum 12. marts.",
    )


def test_approving_a_draft_changes_nothing(client, design, programme, org, users):
    draft(programme, org, users)
    client.force_login(users["hr"])

    response = client.post(plan_url("approve", org["admin_a"]), follow=True)

    assert "Kun en indsendt plan kan godkendes." in response.content.decode()
    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT


def test_return_without_a_comment_re_renders_the_plan_with_the_error(
    client, design, programme, org, users
):
    submitted(programme, org, users)
    client.force_login(users["hr"])

    response = client.post(plan_url("return", org["admin_a"]), {"return-comment": "  "})

    assert response.status_code == 200
    assert "Skriv, hvad der skal rettes." in response.content.decode()
    assert InvolvementPlan.objects.get().status == PlanStatus.SUBMITTED


def test_a_returned_plan_shows_the_fagchef_why(client, design, programme, org, users):
    submitted(programme, org, users)
    client.force_login(users["hr"])
    client.post(plan_url("return", org["admin_a"]), {"return-comment": "Tilføj MED-datoer."})
    assert InvolvementPlan.objects.get().status == PlanStatus.DRAFT

    client.force_login(users["fagchef"])
    content = client.get(detail_url(org["admin_a"])).content.decode()

    assert "Planen blev sendt tilbage" in content
    assert "Tilføj MED-datoer." in content
    assert plan_url("edit", org["admin_a"]) in content


def test_approving_after_step_1_closed_answers_with_the_step_page(
    client, design, programme, org, users
):
    submitted(programme, org, users)
    close_design(design, org)
    client.force_login(users["hr"])

    response = client.post(plan_url("approve", org["admin_a"]))

    assert response.status_code == 409
    assert InvolvementPlan.objects.get().status == PlanStatus.SUBMITTED
    assert "Godkend planen" not in client.get(detail_url(org["admin_a"])).content.decode()


# --- the history and the query budget ---------------------------------------------------


def test_plan_page_tells_the_history_with_who_when_and_status(
    client, design, programme, org, users
):
    plan = submitted(programme, org, users)
    return_plan(plan=plan, by=users["hr"], comment="Tilføj MED-datoer.")
    draft(programme, org, users)
    approve_plan(plan=submit_plan(plan=plan, by=users["fagchef"]), by=users["direktion"])
    client.force_login(users["leder"])

    content = client.get(detail_url(org["admin_a"])).content.decode()

    history = content[content.index('id="plan-history"') :]
    events = [
        "Godkendt på vegne af fagchefforum",
        "Indsendt",
        "Ændret",
        "Sendt tilbage til fagchefen",
        "Indsendt",
        "Oprettet som kladde",
    ]
    shown = re.findall(r'<strong class="event">([^<]+)</strong>', history)
    assert shown == events
    assert org["director"].name in history
    assert org["fagchef_a"].name in history
    assert "Tilføj MED-datoer." in history


def add_units_and_leaders(org, n):
    for i in range(n):
        unit = WorkplaceFactory(administration=org["admin_a"], name=f"Enhed {i:03d}")
        leader = PersonFactory(workplace=unit, role=Role.LEADER)
        LeadershipFactory(workplace=unit, person=leader)


def test_plan_pages_stay_within_a_query_budget(
    client, design, programme, org, users, django_assert_max_num_queries
):
    add_units_and_leaders(org, 40)
    units = list(org["admin_a"].workplaces.all())
    leaders = list(
        Person.objects.filter(role=Role.LEADER, workplace__administration=org["admin_a"])
    )
    for _round in range(12):  # a long history must not cost more queries
        draft(
            programme,
            org,
            users,
            all_workplaces=False,
            workplaces=units,
            responsible_leaders=leaders,
        )

    client.force_login(users["fagchef"])
    client.get(detail_url(org["admin_a"]))
    with django_assert_max_num_queries(16):
        assert client.get(detail_url(org["admin_a"])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(plan_url("edit", org["admin_a"])).status_code == 200
    for role in ("hr", "leder"):  # the leader's scope walks their units: two queries more
        client.force_login(users[role])
        client.get(detail_url(org["admin_a"]))
        with django_assert_max_num_queries(16):
            assert client.get(detail_url(org["admin_a"])).status_code == 200


# --- concurrency (PostgreSQL) ---------------------------------------------------------


def run_at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # reported to the test, which asserts on it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_make_one_plan(design, programme, org, users):
    results = run_at_once(
        lambda: draft(programme, org, users, description="Første"),
        lambda: draft(programme, org, users, description="Anden"),
    )

    assert all(isinstance(result, InvolvementPlan) for result in results), results
    plan = InvolvementPlan.objects.get()
    assert plan.description in {"Første", "Anden"}
    assert plan.history.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_save_racing_the_close_of_step_1_either_lands_first_or_is_refused(
    design, programme, org, users
):
    results = run_at_once(
        lambda: draft(programme, org, users),
        lambda: close_step(step=design[1], administration=org["admin_a"], by=users["hr"]),
    )

    saved, _closed = results
    if isinstance(saved, StepClosed):
        assert not InvolvementPlan.objects.exists()
    else:
        assert isinstance(saved, InvolvementPlan), saved
        # The save finished before the close: its history row is older than the sign-off.
        state = state_for(step=design[1], administration=org["admin_a"])
        assert saved.history.latest().history_date <= state.closed_at
