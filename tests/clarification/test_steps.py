"""The four steps: HR opens and closes them per administration, with sign-off and history."""

import datetime

import pytest
from django.urls import reverse

from clarification.models import ClarificationStep, StepState, StepStatus
from clarification.services.steps import (
    StepClosed,
    StepError,
    close_step,
    ensure_steps,
    move_deadline,
    open_step,
    require_open,
    state_for,
)
from tests.clarification.conftest import DEADLINES
from tests.clarification.test_plans import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_steps(programme, org):
    """The four steps, none started anywhere."""
    return {step.number: step for step in ensure_steps(programme=programme, deadlines=DEADLINES)}


def status_of(step, administration):
    """The step's status there; a state row that was never written counts as not started."""
    state = StepState.objects.filter(step=step, administration=administration).first()
    return state.status if state else StepStatus.NOT_STARTED


def open_url(number, administration, **query):
    url = reverse("clarification:step-open", kwargs={"number": number, "code": administration.code})
    return f"{url}?next={query['next']}" if "next" in query else url


def close_url(number, administration):
    return reverse(
        "clarification:step-close", kwargs={"number": number, "code": administration.code}
    )


# --- services ------------------------------------------------------------------------


def test_hr_opens_step_1_from_not_started_and_history_names_them(fresh_steps, org, users):
    state = open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])

    state.refresh_from_db()
    assert state.status == StepStatus.OPEN
    assert state.opened_by == users["hr"]
    assert state.opened_at is not None
    assert state.opened_early_reason == ""
    latest = state.history.latest()
    assert latest.status == StepStatus.OPEN
    assert latest.history_user == users["hr"]
    assert latest.history_change_reason == "Åbnet"


def test_a_later_step_does_not_open_early_without_a_reason(fresh_steps, org, users):
    with pytest.raises(StepError, match="Angiv en begrundelse"):
        open_step(step=fresh_steps[2], administration=org["admin_a"], by=users["hr"], reason="  ")

    assert status_of(fresh_steps[2], org["admin_a"]) == StepStatus.NOT_STARTED


def test_a_later_step_opens_early_with_a_reason_that_is_kept(fresh_steps, org, users):
    state = open_step(
        step=fresh_steps[2],
        administration=org["admin_a"],
        by=users["hr"],
        reason=" Forvaltningen vil i gang før sommerferien ",
    )

    state.refresh_from_db()
    assert state.status == StepStatus.OPEN
    assert state.opened_early_reason == "Forvaltningen vil i gang før sommerferien"
    assert state.history.latest().history_change_reason == "Åbnet før tid"
    # Only this administration: the other one has not started step 2.
    assert not StepState.objects.filter(
        step=fresh_steps[2], administration=org["admin_b"], status=StepStatus.OPEN
    ).exists()


def test_a_step_after_a_closed_one_opens_without_a_reason(fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    close_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    # Step 2 opened with the close; step 3 follows a step that is not closed.
    with pytest.raises(StepError):
        open_step(step=fresh_steps[3], administration=org["admin_a"], by=users["hr"])
    close_step(step=fresh_steps[2], administration=org["admin_a"], by=users["hr"])

    assert status_of(fresh_steps[3], org["admin_a"]) == StepStatus.OPEN


@pytest.mark.parametrize("status", [StepStatus.OPEN, StepStatus.CLOSED])
def test_a_step_that_has_started_cannot_be_opened_again(fresh_steps, org, users, status):
    state = state_for(step=fresh_steps[1], administration=org["admin_a"])
    state.status = status
    state.closed_at = datetime.datetime(2021, 4, 1, tzinfo=datetime.UTC)
    state.save()
    rows = state.history.count()

    with pytest.raises(StepError):
        open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])

    assert status_of(fresh_steps[1], org["admin_a"]) == status
    assert state.history.count() == rows


def test_closing_records_the_sign_off_and_opens_the_next_step(fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])

    state = close_step(
        step=fresh_steps[1],
        administration=org["admin_a"],
        by=users["hr"],
        comment=" Planen er godkendt i fagchefforum. ",
    )

    state.refresh_from_db()
    assert state.status == StepStatus.CLOSED
    assert state.closed_by == users["hr"]
    assert state.closed_at is not None
    assert state.sign_off_comment == "Planen er godkendt i fagchefforum."
    assert state.history.latest().history_change_reason == "Afsluttet"
    following = StepState.objects.get(step=fresh_steps[2], administration=org["admin_a"])
    assert following.status == StepStatus.OPEN
    assert following.opened_by == users["hr"]
    assert following.opened_at == state.closed_at
    assert following.history.latest().history_user == users["hr"]
    # The other administration is untouched.
    assert not StepState.objects.filter(administration=org["admin_b"]).exists()


def test_closing_keeps_an_early_opening_of_the_next_step(fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    early = open_step(
        step=fresh_steps[2], administration=org["admin_a"], by=users["hr"], reason="Klar tidligt"
    )

    close_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])

    following = StepState.objects.get(pk=early.pk)
    assert following.opened_at == early.opened_at
    assert following.opened_early_reason == "Klar tidligt"


def test_closing_the_last_step_opens_nothing(fresh_steps, org, users):
    state = state_for(step=fresh_steps[4], administration=org["admin_a"])
    state.status = StepStatus.OPEN
    state.save()

    close_step(step=fresh_steps[4], administration=org["admin_a"], by=users["hr"])

    assert status_of(fresh_steps[4], org["admin_a"]) == StepStatus.CLOSED
    assert StepState.objects.filter(administration=org["admin_a"]).count() == 1


@pytest.mark.parametrize("status", [StepStatus.NOT_STARTED, StepStatus.CLOSED])
def test_only_an_open_step_can_be_closed(fresh_steps, org, users, status):
    state = state_for(step=fresh_steps[2], administration=org["admin_a"])
    state.status = status
    state.closed_at = datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)
    state.save()

    with pytest.raises(StepClosed) as raised:
        close_step(step=fresh_steps[2], administration=org["admin_a"], by=users["hr"])

    assert raised.value.number == 2
    assert status_of(fresh_steps[2], org["admin_a"]) == status
    assert not StepState.objects.filter(step=fresh_steps[3]).exists()


def test_require_open_lets_writes_through_only_while_the_step_is_open(steps, org, programme):
    assert require_open(programme=programme, number=2, administration=org["admin_a"]).is_open
    with pytest.raises(StepClosed, match="afsluttet"):
        require_open(programme=programme, number=1, administration=org["admin_a"])
    with pytest.raises(StepClosed, match="ikke åbnet"):
        require_open(programme=programme, number=3, administration=org["admin_a"])


def test_moving_a_deadline_records_who_and_from_which_date(fresh_steps, users):
    step = move_deadline(step=fresh_steps[2], deadline=datetime.date(2021, 7, 15), by=users["hr"])

    step.refresh_from_db()
    assert step.deadline == datetime.date(2021, 7, 15)
    latest = step.history.latest()
    assert latest.history_user == users["hr"]
    assert latest.history_change_reason == "Frist flyttet fra 2021-06-30 til 2021-07-15"


def test_moving_a_deadline_to_the_same_date_writes_no_history(fresh_steps, users):
    rows = fresh_steps[2].history.count()

    move_deadline(step=fresh_steps[2], deadline=DEADLINES[2], by=users["hr"])

    assert fresh_steps[2].history.count() == rows


# --- the admin: moving a deadline ----------------------------------------------------


def admin_change(client, step, **changes):
    data = {"name": step.name, "description": step.description, "deadline": step.deadline}
    data.update(changes)
    url = reverse("admin:clarification_clarificationstep_change", args=[step.pk])
    return client.post(url, {k: str(v) for k, v in data.items()})


def test_hr_moves_a_deadline_in_the_admin_through_the_service(client, fresh_steps, users):
    client.force_login(users["hr"])

    response = admin_change(client, fresh_steps[2], deadline="2021-08-02")

    assert response.status_code == 302
    step = ClarificationStep.objects.get(pk=fresh_steps[2].pk)
    assert step.deadline == datetime.date(2021, 8, 2)
    latest = step.history.latest()
    assert latest.history_change_reason == "Frist flyttet fra 2021-06-30 til 2021-08-02"
    assert latest.history_user == users["hr"]
    assert step.history.count() == 2  # created, moved: no empty save beside the move


def test_admin_saves_other_changes_beside_a_moved_deadline(client, fresh_steps, users):
    client.force_login(users["hr"])

    admin_change(client, fresh_steps[2], deadline="2021-08-02", description="Ny tekst")

    step = ClarificationStep.objects.get(pk=fresh_steps[2].pk)
    assert (step.deadline, step.description) == (datetime.date(2021, 8, 2), "Ny tekst")
    assert step.history.latest().history_change_reason.startswith("Frist flyttet")


def test_admin_does_not_move_a_step_to_another_number(client, fresh_steps, users):
    client.force_login(users["hr"])

    admin_change(client, fresh_steps[2], number=4)

    assert ClarificationStep.objects.get(pk=fresh_steps[2].pk).number == 2


def test_admin_step_state_list_links_to_the_step_pages(client, fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"], reason="")
    state_for(step=fresh_steps[3], administration=org["admin_a"])
    client.force_login(users["hr"])

    content = client.get(reverse("admin:clarification_stepstate_changelist")).content.decode()

    assert close_url(1, org["admin_a"]) in content
    assert open_url(3, org["admin_a"]) in content


# --- pages ---------------------------------------------------------------------------


def test_hr_sees_what_opening_step_1_will_do(client, fresh_steps, org, users):
    client.force_login(users["hr"])

    response = client.get(open_url(1, org["admin_a"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Det sker, når du åbner trinnet" in content
    assert "inddragelsesplan" in content
    assert 'name="reason"' not in content  # step 1 needs no reason


def test_hr_opens_a_step_and_is_sent_back_with_a_message(client, fresh_steps, org, users):
    client.force_login(users["hr"])
    back = reverse("clarification:plan-detail", kwargs={"code": org["admin_a"].code})

    response = client.post(open_url(1, org["admin_a"]), {"next": back}, follow=True)

    assert response.redirect_chain == [(back, 302)]
    assert f"Trin 1 er åbnet for {org['admin_a'].name}." in response.content.decode()
    assert status_of(fresh_steps[1], org["admin_a"]) == StepStatus.OPEN


def test_opening_early_without_a_reason_re_renders_with_the_error(client, fresh_steps, org, users):
    client.force_login(users["hr"])
    url = open_url(2, org["admin_a"])
    assert "skal skrive en begrundelse" in client.get(url).content.decode()

    response = client.post(url, {"reason": "   "})

    assert response.status_code == 200
    assert "Angiv en begrundelse for at åbne trinnet før tid." in response.content.decode()
    assert not StepState.objects.filter(step=fresh_steps[2], status=StepStatus.OPEN).exists()


def test_opening_early_with_a_reason_keeps_it(client, fresh_steps, org, users):
    client.force_login(users["hr"])

    response = client.post(open_url(2, org["admin_a"]), {"reason": "Workshops i maj"})

    assert response.status_code == 302
    state = StepState.objects.get(step=fresh_steps[2], administration=org["admin_a"])
    assert (state.status, state.opened_early_reason) == (StepStatus.OPEN, "Workshops i maj")


def test_a_foreign_next_address_is_not_followed(client, fresh_steps, org, users):
    client.force_login(users["hr"])

    response = client.post(open_url(1, org["admin_a"]), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_extra_fields_posted_to_open_are_ignored(client, fresh_steps, org, users):
    client.force_login(users["hr"])

    client.post(
        open_url(1, org["admin_a"]),
        {"status": "lukket", "opened_by": users["leder"].pk, "administration": org["admin_b"].pk},
    )

    state = StepState.objects.get(step=fresh_steps[1])
    assert (state.administration, state.status, state.opened_by) == (
        org["admin_a"],
        StepStatus.OPEN,
        users["hr"],
    )


def test_open_page_of_an_open_step_is_read_only(client, steps, org, users):
    client.force_login(users["hr"])
    url = open_url(2, org["admin_a"])

    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Trinnet er allerede åbent i forvaltningen." in content
    assert '<form method="post" novalidate>' not in content

    response = client.post(url, {"reason": "igen"}, follow=True)
    assert "Trinnet kan kun åbnes, når det ikke er startet." in response.content.decode()
    assert status_of(steps[2], org["admin_a"]) == StepStatus.OPEN


def test_hr_closes_a_step_with_a_comment_and_the_next_opens(client, steps, org, users):
    client.force_login(users["hr"])
    url = close_url(2, org["admin_a"])
    content = client.get(url).content.decode()
    assert "Trin 3 åbnes derefter for forvaltningen." in content

    response = client.post(url, {"comment": "Alle har afleveret."}, follow=True)

    assert (
        f"Trin 2 er afsluttet for {org['admin_a'].name}, og trin 3 er åbnet."
        in response.content.decode()
    )
    state = StepState.objects.get(step=steps[2], administration=org["admin_a"])
    assert (state.status, state.closed_by, state.sign_off_comment) == (
        StepStatus.CLOSED,
        users["hr"],
        "Alle har afleveret.",
    )
    assert status_of(steps[3], org["admin_a"]) == StepStatus.OPEN
    assert status_of(steps[2], org["admin_b"]) == StepStatus.OPEN


def test_close_page_of_step_1_warns_when_the_plan_is_not_approved(client, fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    client.force_login(users["hr"])

    content = client.get(close_url(1, org["admin_a"])).content.decode()

    assert "Forvaltningen har ingen inddragelsesplan." in content


def test_close_page_of_a_closed_step_shows_the_sign_off_read_only(client, steps, org, users):
    state = StepState.objects.get(step=steps[1], administration=org["admin_a"])
    state.closed_by = users["hr"]
    state.sign_off_comment = "Godkendt <script>alert(1)</script>"
    state.save()
    client.force_login(users["hr"])

    response = client.get(close_url(1, org["admin_a"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Trinnet er allerede afsluttet i forvaltningen." in content
    assert "Godkendt &lt;script&gt;" in content
    assert "<script>alert(1)" not in content


def test_closing_a_step_that_has_not_started_changes_nothing(client, steps, org, users):
    client.force_login(users["hr"])
    url = close_url(3, org["admin_a"])
    assert "ikke åbnet i forvaltningen endnu" in client.get(url).content.decode()

    response = client.post(url, {"comment": "for tidligt"})

    assert response.status_code == 302
    assert not StepState.objects.filter(step=steps[3], status=StepStatus.CLOSED).exists()


@pytest.mark.parametrize("role", ["direktion", "fagchef", "leder", "medarbejder"])
def test_only_hr_may_open_or_close_steps(client, fresh_steps, org, users, role):
    client.force_login(users[role])

    for url in (open_url(1, org["admin_a"]), close_url(1, org["admin_a"])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "comment": "x"}).status_code == 403

    assert not StepState.objects.filter(status=StepStatus.OPEN).exists()


def test_unknown_administration_or_step_number_answers_404(client, fresh_steps, org, users):
    client.force_login(users["hr"])

    unknown_code = reverse("clarification:step-open", kwargs={"number": 1, "code": "FINDES-IKKE"})
    assert client.get(unknown_code).status_code == 404
    for number in (0, 5):
        assert client.get(open_url(number, org["admin_a"])).status_code == 404
        assert client.post(close_url(number, org["admin_a"])).status_code == 404


def test_step_pages_show_the_states_history(client, fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    client.force_login(users["hr"])

    content = client.get(close_url(1, org["admin_a"])).content.decode()

    assert "Historik for trinnet i forvaltningen" in content
    assert "Åbnet" in content


def test_step_pages_stay_within_a_query_budget(
    client, fresh_steps, org, users, django_assert_max_num_queries
):
    for _round in range(15):  # a long history must not add queries
        state = state_for(step=fresh_steps[1], administration=org["admin_a"])
        state.sign_off_comment = f"runde {_round}"
        state.save()
    client.force_login(users["hr"])
    client.get(open_url(1, org["admin_a"]))  # warm the session

    with django_assert_max_num_queries(14):
        assert client.get(open_url(1, org["admin_a"])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(close_url(1, org["admin_a"])).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_early_open_racing_the_close_of_the_previous_step_agree(fresh_steps, org, users):
    open_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"])
    results = run_at_once(
        lambda: close_step(step=fresh_steps[1], administration=org["admin_a"], by=users["hr"]),
        lambda: open_step(
            step=fresh_steps[2], administration=org["admin_a"], by=users["hr"], reason="Tidligt"
        ),
    )

    closed, opened = results
    assert isinstance(closed, StepState), closed
    assert status_of(fresh_steps[1], org["admin_a"]) == StepStatus.CLOSED
    assert status_of(fresh_steps[2], org["admin_a"]) == StepStatus.OPEN
    state = StepState.objects.get(step=fresh_steps[2], administration=org["admin_a"])
    if isinstance(opened, StepState):
        # The early open came first; the close left it as it was.
        assert state.opened_early_reason == "Tidligt"
    else:
        # The close came first and opened step 2; the early open was refused.
        assert isinstance(opened, StepError), opened
        assert state.opened_early_reason == ""
    assert state.history.filter(status=StepStatus.OPEN).count() == 1
