"""Step 2, the leader's side: the workplaces list, a workplace's page, activities, input
and the delivery; who may see and change what; the step gate; history; query budgets."""

import datetime
import re
import threading

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from clarification.models import (
    Activity,
    Input,
    InputSource,
    StepNumber,
    StepStatus,
    Submission,
    SubmissionStatus,
    private_storage,
)
from clarification.services.steps import StepClosed, close_step, state_for
from clarification.services.submissions import (
    InputItem,
    NothingToDeliver,
    SubmissionError,
    add_attachment,
    deliver_submission,
    save_activity,
    save_inputs,
)
from programme.access import RoleGroup
from programme.models import MedLevel, Role
from tests.clarification.factories import (
    ActivityFactory,
    AnonymousInputFactory,
    InputFactory,
    SubmissionFactory,
)
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    MedCommitteeFactory,
    PersonFactory,
    UserFactory,
    WorkplaceFactory,
    login_for,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_files(tmp_path):
    """Keep uploaded attachments of a test in its own directory."""
    private_storage._wrapped = FileSystemStorage(location=tmp_path / "private")
    yield tmp_path / "private"
    private_storage._wrapped = empty


@pytest.fixture
def leader(client, users):
    client.force_login(users["leder"])
    return users["leder"]


def url(name, workplace=None, **kwargs):
    if workplace is not None:
        kwargs["code"] = workplace.code
    return reverse(f"clarification:{name}", kwargs=kwargs)


def activity_data(**overrides):
    data = {
        "method": "workshop",
        "method_other": "",
        "held_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "staff_participants": "14",
        "leader_participants": "2",
        "notes": "Workshop med hele personalegruppen.",
    }
    return data | overrides


def formset_data(forms, *, initial=0, action="gem"):
    """The POST of the input page: `forms` as dicts of field values, in order."""
    data = {
        "input-TOTAL_FORMS": str(len(forms)),
        "input-INITIAL_FORMS": str(initial),
        "input-MIN_NUM_FORMS": "0",
        "input-MAX_NUM_FORMS": "200",
        "handling": action,
    }
    for i, form in enumerate(forms):
        data |= {f"input-{i}-{key}": value for key, value in form.items()}
    return data


def empty_item():
    return {"kind": "", "title": "", "text": "", "suggested_form": "ved_ikke", "theme_guesses": ""}


def item(title="Behov for fælles sprog om borgerdialog", **overrides):
    return {
        "kind": "behov",
        "title": title,
        "text": "Vi mangler metoder til at inddrage borgerne.",
        "suggested_form": "undervisning",
        "theme_guesses": "Borgerinddragelse",
    } | overrides


def existing(row, **overrides):
    return {
        "id": str(row.pk),
        "kind": row.kind,
        "title": row.title,
        "text": row.text,
        "suggested_form": row.suggested_form,
        "theme_guesses": row.theme_guesses,
    } | overrides


def submission_of(workplace, programme):
    return Submission.objects.filter(workplace=workplace, programme=programme).first()


def close_step_two(steps, administration, users):
    close_step(step=steps[StepNumber.EXECUTION], administration=administration, by=users["hr"])


# --- The workplaces list --------------------------------------------------------------


@pytest.mark.parametrize("role", ["medarbejder", "coach"])
def test_staff_and_coaches_get_403_on_the_step_two_list(client, users, steps, role):
    user = UserFactory(username="coach", groups=[RoleGroup.COACH]) if role == "coach" else None
    client.force_login(user or users[role])
    assert client.get(url("workplaces")).status_code == 403


def test_leader_lists_only_the_workplaces_they_lead(client, leader, org, steps):
    content = client.get(url("workplaces")).content.decode()
    assert org["wa1"].name in content
    for other in ("wa2", "wb1", "wb2"):
        assert org[other].name not in content


def test_fagchef_lists_their_administration_only(client, users, org, steps):
    client.force_login(users["fagchef"])
    content = client.get(url("workplaces")).content.decode()
    assert org["wa1"].name in content and org["wa2"].name in content
    assert org["wb1"].name not in content and org["wb2"].name not in content


def test_hr_lists_every_workplace_and_filters_by_administration_and_delivery(
    client, users, org, steps, programme
):
    SubmissionFactory(
        programme=programme,
        workplace=org["wb1"],
        status=SubmissionStatus.DELIVERED,
        delivered_at=timezone.now(),
    )
    client.force_login(users["hr"])

    everything = client.get(url("workplaces")).content.decode()
    only_b = client.get(url("workplaces"), {"forvaltning": org["admin_b"].pk}).content.decode()
    delivered = client.get(url("workplaces"), {"status": "afleveret"}).content.decode()
    not_delivered = client.get(url("workplaces"), {"status": "ikke-afleveret"}).content.decode()

    assert all(org[key].name in everything for key in ("wa1", "wa2", "wb1", "wb2"))
    assert org["wb1"].name in only_b and org["wa1"].name not in only_b
    assert org["wb1"].name in delivered and org["wa1"].name not in delivered
    assert org["wb1"].name not in not_delivered and org["wa1"].name in not_delivered


def test_list_shows_counts_delivery_and_the_step_state_of_each_administration(
    client, users, org, steps, programme
):
    submission = SubmissionFactory(programme=programme, workplace=org["wa1"])
    ActivityFactory.create_batch(2, submission=submission)
    InputFactory.create_batch(3, submission=submission)
    AnonymousInputFactory(programme=programme, workplace=org["wa1"])
    close_step_two(steps, org["admin_b"], users)
    client.force_login(users["hr"])

    response = client.get(url("workplaces"))

    rows = {w.code: w for w in response.context["page"]}
    wa1, wb1 = rows[org["wa1"].code], rows[org["wb1"].code]
    assert (wa1.n_activities, wa1.n_inputs, wa1.submission_status) == (2, 3, "kladde")
    assert (wb1.n_activities, wb1.n_inputs, wb1.submission_status) == (0, 0, None)
    assert wa1.step_two.status == StepStatus.OPEN
    assert wb1.step_two.status == StepStatus.CLOSED
    assert "30. juni 2021" in response.content.decode()


def test_workplaces_list_keeps_its_queries_at_ten_times_the_data(
    client, users, org, programme, steps, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            workplace = WorkplaceFactory(administration=org["admin_a"])
            submission = SubmissionFactory(programme=programme, workplace=workplace)
            ActivityFactory.create_batch(2, submission=submission)
            InputFactory.create_batch(2, submission=submission)

    client.force_login(users["hr"])
    grow(3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url("workplaces")).status_code == 200
    grow(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("workplaces"))
    assert len(response.context["page"].object_list) >= 30


# --- The workplace page ---------------------------------------------------------------


def test_leader_sees_their_workplace_page_with_the_buttons(client, leader, org, steps):
    response = client.get(url("workplace", org["wa1"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Registrér aktivitet" in content
    assert url("inputs-edit", org["wa1"]) in content
    assert "Ikke påbegyndt" in content
    assert "30. juni 2021" in content


@pytest.mark.parametrize("other", ["wa2", "wb1"])
def test_leader_gets_404_on_the_page_of_a_workplace_they_do_not_lead(
    client, leader, org, steps, other
):
    assert client.get(url("workplace", org[other])).status_code == 404


@pytest.mark.parametrize("role", ["fagchef", "hr", "direktion"])
def test_readers_see_the_workplace_page_without_any_button(
    client, users, org, steps, programme, role
):
    submission = SubmissionFactory(programme=programme, workplace=org["wa1"])
    activity = ActivityFactory(submission=submission)
    InputFactory(submission=submission, title="Mere tid til faglig sparring")
    client.force_login(users[role])

    content = client.get(url("workplace", org["wa1"])).content.decode()

    assert "Mere tid til faglig sparring" in content
    assert "Kun arbejdspladsens leder kan registrere" in content
    assert url("activity-create", org["wa1"]) not in content
    assert url("activity-edit", org["wa1"], pk=activity.pk) not in content
    assert url("inputs-edit", org["wa1"]) not in content
    assert url("deliver", org["wa1"]) not in content


def test_fagchef_gets_404_on_another_administrations_workplace(client, users, org, steps):
    client.force_login(users["fagchef"])
    assert client.get(url("workplace", org["wb1"])).status_code == 404


@pytest.mark.parametrize(("anonymous", "shown"), [(0, "&lt; 5"), (4, "&lt; 5"), (5, "5"), (7, "7")])
def test_anonymous_inputs_are_counted_only_from_five(
    client, leader, org, steps, programme, anonymous, shown
):
    AnonymousInputFactory.create_batch(anonymous, programme=programme, workplace=org["wa1"])

    response = client.get(url("workplace", org["wa1"]))

    assert response.context["anonymous_count"] == (anonymous if anonymous >= 5 else None)
    figure = re.search(
        r"Anonyme input modtaget</dt>\s*<dd[^>]*>(?:<span aria-hidden=\"true\">)?([^<·]+)",
        response.content.decode(),
    )
    assert figure.group(1).strip() == shown


def test_workplace_page_keeps_its_queries_at_ten_times_the_data(
    client, leader, org, programme, steps, django_assert_max_num_queries
):
    submission = SubmissionFactory(programme=programme, workplace=org["wa1"])
    committee = MedCommitteeFactory()
    committee.workplaces.add(org["wa1"])

    def grow(n):
        for _ in range(n):
            ActivityFactory(submission=submission, med_involved=True, med_committee=committee)
            row = InputFactory(submission=submission)
            add_attachment(item=row, upload=SimpleUploadedFile("a.png", PNG), by=leader)
            AnonymousInputFactory(programme=programme, workplace=org["wa1"])

    grow(2)
    # 16, and one more for the link to "I sagde — vi gør": does a published decision answer
    # the workplace? (clarification.feedback.answered_workplace_ids)
    with django_assert_max_num_queries(17) as small:
        assert client.get(url("workplace", org["wa1"])).status_code == 200
    grow(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("workplace", org["wa1"]))
    assert len(response.context["inputs"]) == 20


def test_hostile_text_is_escaped_on_the_workplace_page(client, leader, org, steps, programme):
    hostile = '<script>alert(1)</script>"onmouseover=alert(1)'
    submission = SubmissionFactory(programme=programme, workplace=org["wa1"])
    ActivityFactory(submission=submission, method="andet", method_other=hostile)
    InputFactory(submission=submission, title=hostile, text=hostile, theme_guesses=hostile)

    content = client.get(url("workplace", org["wa1"])).content.decode()

    assert "<script>alert(1)" not in content
    assert '"onmouseover' not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- Activities -----------------------------------------------------------------------


def test_leader_registers_an_activity(client, leader, org, steps, programme):
    committee = MedCommitteeFactory(name="Lokal-MED Valhøj")
    committee.workplaces.add(org["wa1"])

    response = client.post(
        url("activity-create", org["wa1"]),
        activity_data(med_involved="on", med_committee=str(committee.pk)),
    )

    assert response.status_code == 302
    assert response["Location"] == url("workplace", org["wa1"]) + "#aktiviteter"
    activity = Activity.objects.get()
    assert activity.submission == submission_of(org["wa1"], programme)
    assert activity.submission.status == SubmissionStatus.DRAFT
    assert (activity.staff_participants, activity.leader_participants) == (14, 2)
    assert activity.med_committee == committee
    assert activity.history.get().history_user == leader
    page = client.get(response["Location"]).content.decode()
    assert "Aktiviteten er registreret." in page
    assert "Lokal-MED Valhøj" in page


def test_activity_form_ignores_a_posted_submission_or_workplace(
    client, leader, org, programme, steps
):
    foreign = SubmissionFactory(programme=programme, workplace=org["wb1"])

    client.post(
        url("activity-create", org["wa1"]),
        activity_data(submission=str(foreign.pk), workplace=str(org["wb1"].pk)),
    )

    activity = Activity.objects.get()
    assert activity.submission.workplace == org["wa1"]
    assert not foreign.activities.exists()


def test_activity_in_the_future_is_refused_in_danish_and_keeps_what_was_typed(
    client, leader, org, steps
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url("activity-create", org["wa1"]),
        activity_data(held_on=tomorrow.isoformat(), notes="Husk referatet"),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Datoen kan ikke ligge i fremtiden" in content
    assert "Husk referatet" in content
    assert 'value="14"' in content
    assert not Activity.objects.exists()


def test_negative_participants_are_refused(client, leader, org, steps):
    response = client.post(
        url("activity-create", org["wa1"]), activity_data(staff_participants="-3")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["staff_participants"]
    assert not Activity.objects.exists()


def test_committee_only_when_med_was_involved(client, leader, org, steps):
    committee = MedCommitteeFactory()
    committee.workplaces.add(org["wa1"])

    response = client.post(
        url("activity-create", org["wa1"]), activity_data(med_committee=str(committee.pk))
    )

    assert "Vælg kun et MED-udvalg, når" in str(response.context["form"].errors["med_committee"])
    assert not Activity.objects.exists()


def test_committee_must_cover_the_workplace(client, leader, org, steps):
    own = MedCommitteeFactory(name="Lokal-MED Valhøj")
    own.workplaces.add(org["wa1"])
    administration = MedCommitteeFactory(
        name="Forvaltnings-MED A", level=MedLevel.ADMINISTRATION, administration=org["admin_a"]
    )
    main = MedCommitteeFactory(name="Hoved-MED", level=MedLevel.MAIN)
    other_local = MedCommitteeFactory(name="Lokal-MED Ejbyhøj")
    other_local.workplaces.add(org["wb1"])
    other_administration = MedCommitteeFactory(
        name="Forvaltnings-MED B", level=MedLevel.ADMINISTRATION, administration=org["admin_b"]
    )

    form = client.get(url("activity-create", org["wa1"])).context["form"]
    response = client.post(
        url("activity-create", org["wa1"]),
        activity_data(med_involved="on", med_committee=str(other_local.pk)),
    )

    assert set(form.fields["med_committee"].queryset) == {own, administration, main}
    assert other_administration not in form.fields["med_committee"].queryset
    assert response.context["form"].errors["med_committee"]
    assert not Activity.objects.exists()


def test_more_staff_than_the_headcount_is_a_warning_not_an_error(client, leader, org, steps):
    assert org["wa1"].headcount == 20

    response = client.post(
        url("activity-create", org["wa1"]), activity_data(staff_participants="35"), follow=True
    )

    content = response.content.decode()
    assert Activity.objects.get().staff_participants == 35
    assert "35 deltagende medarbejdere" in content
    assert "normering på 20" in content


def test_leader_edits_an_activity_and_the_history_keeps_both_versions(
    client, leader, org, programme, steps
):
    activity = save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=leader
    )

    form = client.get(url("activity-edit", org["wa1"], pk=activity.pk)).context["form"]
    client.post(
        url("activity-edit", org["wa1"], pk=activity.pk), activity_data(staff_participants="9")
    )

    activity.refresh_from_db()
    assert form.initial["staff_participants"] == 14
    assert activity.staff_participants == 9
    assert [h.staff_participants for h in activity.history.order_by("history_id")] == [14, 9]
    assert {h.history_user for h in activity.history.all()} == {leader}


def test_activity_delete_asks_first_and_deletes_on_post(client, leader, org, programme, steps):
    activity = save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=leader
    )
    delete_url = url("activity-delete", org["wa1"], pk=activity.pk)

    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    assert "Ja, slet aktiviteten" in confirm.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()

    response = client.post(delete_url)
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert activity.history.filter(history_type="-", history_user=leader).exists()


def test_leader_gets_404_on_another_workplaces_activities(
    client, leader, users, org, programme, steps
):
    theirs = save_activity(
        programme=programme, workplace=org["wb1"], data=activity_data(), by=users["leder_b"]
    )
    mine = save_activity(programme=programme, workplace=org["wa1"], data=activity_data(), by=leader)

    # Their activity under their workplace's address, and under mine.
    for code in (org["wb1"], org["wa1"]):
        assert client.get(url("activity-edit", code, pk=theirs.pk)).status_code == 404
        assert (
            client.post(url("activity-edit", code, pk=theirs.pk), activity_data()).status_code
            == 404
        )
        assert client.get(url("activity-delete", code, pk=theirs.pk)).status_code == 404
        assert client.post(url("activity-delete", code, pk=theirs.pk)).status_code == 404
    assert client.get(url("activity-create", org["wb1"])).status_code == 404
    # Mine under their workplace's address.
    assert client.post(url("activity-delete", org["wb1"], pk=mine.pk)).status_code == 404

    theirs.refresh_from_db()
    assert theirs.staff_participants == 14
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("role", ["fagchef", "hr", "direktion"])
def test_readers_may_not_write_activities(client, users, leader, org, programme, steps, role):
    activity = save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=leader
    )
    client.force_login(users[role])

    assert client.get(url("activity-create", org["wa1"])).status_code == 403
    assert client.post(url("activity-create", org["wa1"]), activity_data()).status_code == 403
    assert client.post(url("activity-delete", org["wa1"], pk=activity.pk)).status_code == 403
    assert Activity.objects.count() == 1


# --- Input ----------------------------------------------------------------------------


def test_input_page_shows_three_empty_items_to_start_with(client, leader, org, steps):
    response = client.get(url("inputs-edit", org["wa1"]))

    formset = response.context["formset"]
    assert response.status_code == 200
    assert len(formset.forms) == 3
    assert all(form.instance.pk is None for form in formset.forms)
    assert "Gem og tilføj flere felter" in response.content.decode()


def test_leader_saves_two_items_and_the_empty_one_is_ignored(client, leader, org, programme, steps):
    response = client.post(
        url("inputs-edit", org["wa1"]),
        formset_data([item("Første"), item("Anden", kind="ide"), empty_item()]),
    )

    assert response.status_code == 302
    assert response["Location"] == url("workplace", org["wa1"]) + "#input"
    rows = list(Input.objects.order_by("pk"))
    assert [(r.title, r.kind) for r in rows] == [("Første", "behov"), ("Anden", "ide")]
    submission = submission_of(org["wa1"], programme)
    assert submission.status == SubmissionStatus.DRAFT
    assert all(r.submission == submission and r.source == InputSource.LEADER for r in rows)
    assert rows[0].history.get().history_user == leader


def test_save_and_add_more_fields_without_javascript(client, leader, org, steps):
    response = client.post(
        url("inputs-edit", org["wa1"]),
        formset_data([item("Første"), item("Anden"), empty_item()], action="flere"),
    )

    # The one still empty item plus three more.
    assert response.status_code == 302
    assert response["Location"] == url("inputs-edit", org["wa1"]) + "?felter=4#nye-felter"
    page = client.get(response["Location"])
    forms = page.context["formset"].forms
    assert [f.instance.title for f in forms[:2]] == ["Første", "Anden"]
    assert len(forms) == 6
    assert all(f.instance.pk is None for f in forms[2:])
    assert 'id="nye-felter"' in page.content.decode()


def test_invalid_item_keeps_everything_typed_and_adds_the_fields_asked_for(
    client, leader, org, steps
):
    response = client.post(
        url("inputs-edit", org["wa1"]),
        formset_data(
            [item("Gyldig"), item("Mangler type", kind="", text="Tekst, der skal bevares")],
            action="flere",
        ),
    )

    content = response.content.decode()
    formset = response.context["formset"]
    assert response.status_code == 200
    assert not Input.objects.exists()
    assert len(formset.forms) == 5
    assert formset.forms[1].errors["kind"]
    assert "Gyldig" in content and "Tekst, der skal bevares" in content
    assert "Dit input er ikke gemt" in content


def test_text_over_4000_characters_is_refused(client, leader, org, steps):
    response = client.post(url("inputs-edit", org["wa1"]), formset_data([item(text="x" * 4001)]))

    assert response.context["formset"].forms[0].errors["text"]
    assert not Input.objects.exists()


def test_input_form_ignores_posted_workplace_source_submission_and_author(
    client, leader, org, programme, steps
):
    foreign = SubmissionFactory(programme=programme, workplace=org["wb1"])
    hostile = item(
        workplace=str(org["wb1"].pk),
        source="anonym",
        submission=str(foreign.pk),
        programme="999",
        author=str(org["leader_b"].pk),
        submitted_on="2000-01-01",
    )

    client.post(url("inputs-edit", org["wa1"]), formset_data([hostile]) | {"workplace": "1"})

    row = Input.objects.get()
    assert row.workplace == org["wa1"]
    assert row.source == InputSource.LEADER
    assert row.submission == submission_of(org["wa1"], programme)
    assert row.submitted_on == timezone.localdate()


def test_leader_cannot_edit_another_workplaces_input_through_a_tampered_id(
    client, leader, org, programme, steps
):
    theirs = InputFactory(
        submission=SubmissionFactory(programme=programme, workplace=org["wb1"]), title="Deres"
    )

    response = client.post(
        url("inputs-edit", org["wa1"]),
        formset_data([existing(theirs, title="Overskrevet")], initial=1),
    )
    deleting = client.post(
        url("inputs-edit", org["wa1"]),
        formset_data([existing(theirs, DELETE="on")], initial=1),
    )

    assert response.status_code == 200
    assert deleting.status_code in (200, 302)
    theirs.refresh_from_db()
    assert theirs.title == "Deres"
    assert Input.objects.count() == 1
    assert client.get(url("inputs-edit", org["wb1"])).status_code == 404


def test_leader_changes_and_deletes_items(client, leader, org, programme, steps):
    save_inputs(
        programme=programme,
        workplace=org["wa1"],
        items=[InputItem(data=item("Behold")), InputItem(data=item("Slet mig"))],
        by=leader,
    )
    keep, drop = Input.objects.order_by("pk")

    client.post(
        url("inputs-edit", org["wa1"]),
        formset_data(
            [existing(keep, title="Beholdt og rettet"), existing(drop, DELETE="on"), empty_item()],
            initial=2,
        ),
    )

    assert list(Input.objects.values_list("title", flat=True)) == ["Beholdt og rettet"]
    assert drop.history.filter(history_type="-", history_user=leader).exists()


def test_unchanged_items_write_no_history(client, leader, org, programme, steps):
    save_inputs(
        programme=programme,
        workplace=org["wa1"],
        items=[InputItem(data=item("Uændret"))],
        by=leader,
    )
    row = Input.objects.get()

    client.post(url("inputs-edit", org["wa1"]), formset_data([existing(row)], initial=1))

    assert row.history.count() == 1


@pytest.mark.parametrize("role", ["fagchef", "hr", "direktion"])
def test_readers_may_not_write_input(client, users, org, steps, role):
    client.force_login(users[role])

    assert client.get(url("inputs-edit", org["wa1"])).status_code == 403
    assert client.post(url("inputs-edit", org["wa1"]), formset_data([item()])).status_code == 403
    assert not Input.objects.exists()


def test_edits_after_delivery_are_kept_in_history(client, leader, org, programme, steps):
    save_inputs(
        programme=programme, workplace=org["wa1"], items=[InputItem(data=item("Før"))], by=leader
    )
    deliver_submission(programme=programme, workplace=org["wa1"], by=leader)
    row = Input.objects.get()

    client.post(
        url("inputs-edit", org["wa1"]),
        formset_data([existing(row, title="Efter aflevering")], initial=1),
    )

    row.refresh_from_db()
    submission = row.submission
    assert row.title == "Efter aflevering"
    assert submission.status == SubmissionStatus.DELIVERED
    titles = [h.title for h in row.history.order_by("history_id")]
    assert titles == ["Før", "Efter aflevering"]
    assert row.history.latest("history_id").history_user == leader
    statuses = [h.status for h in submission.history.order_by("history_id")]
    assert statuses[-1] == SubmissionStatus.DELIVERED
    assert SubmissionStatus.DRAFT in statuses


def test_the_last_item_of_a_delivered_submission_cannot_be_removed(
    client, leader, org, programme, steps
):
    save_inputs(
        programme=programme, workplace=org["wa1"], items=[InputItem(data=item())], by=leader
    )
    deliver_submission(programme=programme, workplace=org["wa1"], by=leader)
    row = Input.objects.get()

    response = client.post(
        url("inputs-edit", org["wa1"]), formset_data([existing(row, DELETE="on")], initial=1)
    )

    assert "mindst én aktivitet eller ét input" in response.content.decode()
    assert Input.objects.filter(pk=row.pk).exists()


# --- Delivery -------------------------------------------------------------------------


def test_delivering_nothing_is_refused_in_danish(client, leader, org, programme, steps):
    response = client.post(url("deliver", org["wa1"]), follow=True)

    assert "Registrér mindst én aktivitet eller ét input" in response.content.decode()
    submission = submission_of(org["wa1"], programme)
    assert submission is None or submission.status == SubmissionStatus.DRAFT


def test_leader_delivers_and_the_page_says_afleveret(client, leader, org, programme, steps):
    save_activity(programme=programme, workplace=org["wa1"], data=activity_data(), by=leader)

    response = client.post(url("deliver", org["wa1"]), follow=True)

    submission = submission_of(org["wa1"], programme)
    content = response.content.decode()
    assert submission.status == SubmissionStatus.DELIVERED
    assert submission.delivered_by == leader
    assert submission.delivered_at is not None
    assert "er afleveret. Tak!" in content
    assert "Afleveret" in content
    assert url("deliver", org["wa1"]) not in content


def test_delivering_twice_changes_nothing(client, leader, org, programme, steps):
    save_activity(programme=programme, workplace=org["wa1"], data=activity_data(), by=leader)
    client.post(url("deliver", org["wa1"]))
    first = submission_of(org["wa1"], programme)
    history = first.history.count()

    response = client.post(url("deliver", org["wa1"]), follow=True)

    again = submission_of(org["wa1"], programme)
    assert (again.delivered_at, again.delivered_by) == (first.delivered_at, first.delivered_by)
    assert again.history.count() == history
    assert "havde allerede afleveret" in response.content.decode()


def test_deliver_answers_only_post(client, leader, org, steps):
    assert client.get(url("deliver", org["wa1"])).status_code == 405


def test_deliver_without_csrf_token_is_refused(users, org, programme, steps):
    save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=users["leder"]
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["leder"])

    assert client.post(url("deliver", org["wa1"])).status_code == 403
    assert submission_of(org["wa1"], programme).status == SubmissionStatus.DRAFT


def test_leader_gets_404_delivering_for_another_workplace(client, leader, org, programme, steps):
    assert client.post(url("deliver", org["wb1"])).status_code == 404
    assert submission_of(org["wb1"], programme) is None


def test_service_refuses_to_deliver_an_empty_submission(users, org, programme, steps):
    with pytest.raises(NothingToDeliver):
        deliver_submission(programme=programme, workplace=org["wa1"], by=users["leder"])


# --- The step gate --------------------------------------------------------------------


def test_closed_step_makes_the_page_read_only_with_a_danish_banner(
    client, leader, users, org, programme, steps
):
    activity = save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=leader
    )
    close_step_two(steps, org["admin_a"], users)

    content = client.get(url("workplace", org["wa1"])).content.decode()
    activity_form = client.get(url("activity-edit", org["wa1"], pk=activity.pk))
    inputs_form = client.get(url("inputs-edit", org["wa1"]))

    assert "Trin 2 blev afsluttet for" in content
    assert "Siden kan kun læses" in content
    assert url("activity-create", org["wa1"]) not in content
    assert url("deliver", org["wa1"]) not in content
    assert all(f.disabled for f in activity_form.context["form"].fields.values())
    assert "Gem aktivitet" not in activity_form.content.decode()
    assert "Siden kan kun læses" in activity_form.content.decode()
    assert inputs_form.context["formset"].forms == []
    assert "Gem kladde" not in inputs_form.content.decode()


def test_writes_into_a_closed_step_get_the_step_closed_page(
    client, leader, users, org, programme, steps
):
    activity = save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=leader
    )
    close_step_two(steps, org["admin_a"], users)

    answers = [
        client.post(url("activity-create", org["wa1"]), activity_data()),
        client.post(url("activity-edit", org["wa1"], pk=activity.pk), activity_data()),
        client.post(url("activity-delete", org["wa1"], pk=activity.pk)),
        client.post(url("inputs-edit", org["wa1"]), formset_data([item()])),
        client.post(url("deliver", org["wa1"])),
    ]

    for response in answers:
        assert response.status_code == 409
        assert "Trinnet er ikke åbent" in response.content.decode()
    assert Activity.objects.count() == 1
    assert not Input.objects.exists()
    assert submission_of(org["wa1"], programme).status == SubmissionStatus.DRAFT


def test_step_not_yet_open_says_so(client, leader, org, programme, steps):
    state = state_for(step=steps[StepNumber.EXECUTION], administration=org["admin_a"])
    state.status = StepStatus.NOT_STARTED
    state.save()

    content = client.get(url("workplace", org["wa1"])).content.decode()

    assert "Trin 2 er ikke åbnet for" in content
    assert client.post(url("deliver", org["wa1"])).status_code == 409


def test_services_check_the_gate_themselves(users, org, programme, steps):
    close_step_two(steps, org["admin_a"], users)

    with pytest.raises(StepClosed):
        save_activity(
            programme=programme, workplace=org["wa1"], data=activity_data(), by=users["leder"]
        )
    with pytest.raises(StepClosed):
        save_inputs(
            programme=programme,
            workplace=org["wa1"],
            items=[InputItem(data=item())],
            by=users["leder"],
        )
    assert not Submission.objects.exists()


def test_service_never_touches_an_input_outside_the_submission(users, org, programme, steps):
    theirs = InputFactory(submission=SubmissionFactory(programme=programme, workplace=org["wb1"]))

    with pytest.raises(SubmissionError):
        save_inputs(
            programme=programme,
            workplace=org["wa1"],
            items=[InputItem(pk=theirs.pk, data={"title": "Overtaget"})],
            by=users["leder"],
        )

    theirs.refresh_from_db()
    assert theirs.title != "Overtaget"


# --- A leader of two workplaces, a parent unit ----------------------------------------


def test_leader_of_a_parent_unit_writes_for_the_unit_below(client, leader, org, programme, steps):
    child = WorkplaceFactory(administration=org["admin_a"], parent=org["wa1"])

    response = client.post(url("activity-create", child), activity_data())

    assert response.status_code == 302
    assert Activity.objects.get().submission.workplace == child


def test_fagchef_who_also_leads_writes_only_for_the_unit_they_lead(client, org, programme, steps):
    person = PersonFactory(workplace=org["wa2"], role=Role.HEAD_OF_DEPARTMENT)
    LeadershipFactory(workplace=org["wa2"], person=person)
    user = login_for(person, extra_groups=["Leder"])
    client.force_login(user)

    assert client.get(url("activity-create", org["wa2"])).status_code == 200
    assert client.get(url("activity-create", org["wa1"])).status_code == 403
    assert client.get(url("workplace", org["wa1"])).status_code == 200


# --- Concurrency on PostgreSQL --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_deliver_once(users, org, programme, steps):
    save_activity(
        programme=programme, workplace=org["wa1"], data=activity_data(), by=users["leder"]
    )
    barrier = threading.Barrier(2)
    errors = []

    def deliver():
        try:
            barrier.wait()
            deliver_submission(programme=programme, workplace=org["wa1"], by=users["leder"])
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    submission = submission_of(org["wa1"], programme)
    assert errors == []
    assert submission.status == SubmissionStatus.DELIVERED
    assert submission.history.filter(status=SubmissionStatus.DELIVERED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_writes_make_one_submission(users, org, programme, steps):
    barrier = threading.Barrier(3)
    errors = []

    def write(n):
        try:
            barrier.wait()
            save_inputs(
                programme=programme,
                workplace=org["wa1"],
                items=[InputItem(data=item(f"Punkt {n}"))],
                by=users["leder"],
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Submission.objects.filter(workplace=org["wa1"]).count() == 1
    assert Input.objects.filter(workplace=org["wa1"]).count() == 3


def test_a_new_administration_without_a_step_state_is_not_open(client, programme, steps):
    administration = AdministrationFactory()
    workplace = WorkplaceFactory(administration=administration)
    person = PersonFactory(workplace=workplace, role=Role.LEADER)
    LeadershipFactory(workplace=workplace, person=person)
    client.force_login(login_for(person))

    response = client.get(url("workplace", workplace))

    assert response.context["step"].status == StepStatus.NOT_STARTED
    assert "Trin 2 er ikke åbnet for" in response.content.decode()
    assert client.post(url("activity-create", workplace), activity_data()).status_code == 409


def test_service_refuses_a_committee_that_does_not_cover_the_workplace(
    users, org, programme, steps
):
    other_local = MedCommitteeFactory(name="Lokal-MED Ejbyhøj")
    other_local.workplaces.add(org["wb1"])

    with pytest.raises(SubmissionError):
        save_activity(
            programme=programme,
            workplace=org["wa1"],
            data=activity_data(med_involved=True, med_committee=other_local),
            by=users["leder"],
        )

    assert not Activity.objects.exists()
