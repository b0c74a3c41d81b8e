"""Step 3 pages: HR's workspace, an input's page and the groups."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from clarification.models import (
    AssignmentStatus,
    Input,
    ProcessingAction,
    ProcessingEvent,
    Submission,
    Synthesis,
    ThemeAssignment,
)
from clarification.services import processing
from clarification.themes import seed_memo_themes
from clarification.views.processing import search
from tests.clarification.factories import InputFactory

pytestmark = pytest.mark.django_db

URL = reverse("clarification:processing")
DIALOGUE = "Dialogisk samspil med borgere"


@pytest.fixture
def themes(programme):
    return {t.name: t for t in seed_memo_themes(programme)}


def _input(programme, workplace, title, text="", suggest=True):
    submission, _created = Submission.objects.get_or_create(
        programme=programme, workplace=workplace
    )
    item = InputFactory(submission=submission, title=title, text=text or title)
    if suggest:
        processing.suggest_for_input(item.pk)
    return item


@pytest.fixture
def world(programme, org, themes):
    return {
        "a_dialogue": _input(programme, org["wa1"], "Dialog med pårørende og borgere"),
        "a_social": _input(programme, org["wa2"], "Trivsel og fællesskab blandt kolleger"),
        "b_dialogue": _input(programme, org["wb1"], "Borgersamtaler i hjemmeplejen"),
    }


def _titles(response):
    return {item.title for item in response.context["page"].object_list}


def test_hr_sees_suggestions_with_score_terms_and_buttons(client, users, world):
    client.force_login(users["hr"])

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert DIALOGUE in html
    assert "Ord der matchede:" in html
    assert "borgersamtaler (borger + samtaler)" in html
    assert (
        reverse(
            "clarification:processing-decide",
            args=[world["a_dialogue"].theme_assignments.first().pk],
        )
        in html
    )
    assert "Bearbejdning" in html  # the navigation item


def test_matrix_link_filters_by_administration_and_theme(client, users, org, themes, world):
    client.force_login(users["hr"])

    response = client.get(URL, {"administration": org["admin_a"].pk, "theme": themes[DIALOGUE].pk})

    assert _titles(response) == {"Dialog med pårørende og borgere"}


def test_filters_by_workplace_kind_form_and_processed(client, users, org, world):
    processing.mark_processed(item=world["a_social"], by=users["hr"])
    client.force_login(users["hr"])

    assert _titles(client.get(URL, {"processed": "ja"})) == {world["a_social"].title}
    assert world["a_social"].title not in _titles(client.get(URL, {"processed": "nej"}))
    only_wa2 = {"administration": org["admin_a"].pk, "workplace": org["wa2"].pk}
    assert _titles(client.get(URL, only_wa2)) == {world["a_social"].title}
    assert _titles(client.get(URL, {"kind": "ide"})) == set()
    assert len(_titles(client.get(URL, {"form": "undervisning"}))) == 3
    # Unknown values are ignored rather than failing.
    assert len(_titles(client.get(URL, {"kind": "x", "theme": "abc", "side": "9"}))) == 3


def test_fagchef_reads_own_administration_without_buttons(client, users, world):
    client.force_login(users["fagchef"])

    response = client.get(URL)

    assert _titles(response) == {world["a_dialogue"].title, world["a_social"].title}
    assert "Bekræft" not in response.content.decode()
    assert (
        client.get(
            reverse("clarification:processing-input", args=[world["b_dialogue"].pk])
        ).status_code
        == 404
    )


def test_leader_of_other_workplace_gets_404_and_cannot_decide(client, users, world):
    item = world["a_dialogue"]
    client.force_login(users["leder_b"])

    assert client.get(reverse("clarification:processing-input", args=[item.pk])).status_code == 404
    assignment = item.theme_assignments.first()
    response = client.post(
        reverse("clarification:processing-decide", args=[assignment.pk]), {"decision": "confirm"}
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUGGESTED


def test_hr_confirms_a_suggestion_and_sees_the_event(client, users, world, themes):
    item = world["a_dialogue"]
    assignment = item.theme_assignments.get(theme=themes[DIALOGUE])
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:processing-decide", args=[assignment.pk]),
        {"decision": "confirm", "next": f"{URL}?theme={themes[DIALOGUE].pk}"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?theme={themes[DIALOGUE].pk}"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFIRMED
    page = client.get(reverse("clarification:processing-input", args=[item.pk]))
    html = page.content.decode()
    assert "Tema bekræftet" in html
    assert "Behandlet" in html


def test_next_to_another_site_is_ignored(client, users, world):
    assignment = world["a_dialogue"].theme_assignments.first()
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:processing-decide", args=[assignment.pk]),
        {"decision": "reject", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse(
        "clarification:processing-input", args=[world["a_dialogue"].pk]
    )


def test_bulk_confirmation_keeps_to_the_filtered_list(client, users, org, world):
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:processing-bulk-confirm"), {"administration": org["admin_b"].pk}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?administration={org['admin_b'].pk}"
    confirmed = set(ThemeAssignment.objects.confirmed().values_list("input__title", flat=True))
    assert confirmed == {world["b_dialogue"].title}


def test_hr_groups_inputs_into_a_new_synthesis(client, users, world):
    picked = [world["a_dialogue"], world["b_dialogue"]]
    before = {i.pk: model_to_dict(Input.objects.get(pk=i.pk)) for i in picked}
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:processing-group"),
        {"inputs": [i.pk for i in picked], "new_title": "Pårørende og borgere"},
    )

    synthesis = Synthesis.objects.get()
    assert response["Location"] == synthesis.get_absolute_url()
    assert set(synthesis.inputs.values_list("pk", flat=True)) == set(before)
    for pk, fields in before.items():
        assert model_to_dict(Input.objects.get(pk=pk)) == fields
    assert ProcessingEvent.objects.filter(action=ProcessingAction.GROUPED).count() == 2
    page = client.get(synthesis.get_absolute_url()).content.decode()
    assert "Dialog med pårørende og borgere" in page
    assert "Lagt i syntese" in page


def test_grouping_without_a_group_says_so_and_adds_nothing(client, users, world):
    client.force_login(users["hr"])

    response = client.post(
        reverse("clarification:processing-group"),
        {"inputs": [world["a_dialogue"].pk], "next": URL},
        follow=True,
    )

    assert "Vælg en syntese, eller skriv titlen på en ny." in response.content.decode()
    assert not Synthesis.objects.exists()


def test_synthesis_form_keeps_what_was_typed_on_error(client, users, programme):
    synthesis = processing.save_synthesis(
        programme=programme, title="Mødekultur", summary="", by=users["hr"]
    )
    client.force_login(users["hr"])

    response = client.post(
        synthesis.get_absolute_url(), {"title": "", "summary": "Min sammenfatning"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Min sammenfatning" in html
    assert "Dette felt er påkrævet." in html
    synthesis.refresh_from_db()
    assert synthesis.title == "Mødekultur"


def test_input_text_is_escaped(client, users, programme, org, themes):
    _input(programme, org["wa1"], '<script>alert(1)</script> dialog med "borgere"')
    client.force_login(users["hr"])

    html = client.get(URL).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_workspace_query_count_does_not_grow_with_inputs(
    client, users, programme, org, themes, django_assert_num_queries
):
    client.force_login(users["hr"])
    _input(programme, org["wa1"], "Dialog med pårørende")
    params = {"administration": org["admin_a"].pk, "theme": themes[DIALOGUE].pk, "q": "dialog"}
    client.get(URL, params)  # warm the session and the caches

    with django_assert_num_queries(15) as small:
        client.get(URL, params)
    for n in range(15):
        item = _input(programme, org["wa1" if n % 2 else "wa2"], f"Dialog med borgere {n}")
        processing.mark_processed(item=item, by=users["hr"])
    synthesis = processing.save_synthesis(
        programme=programme, title="G", summary="", by=users["hr"]
    )
    processing.add_to_synthesis(synthesis=synthesis, inputs=Input.objects.all(), by=users["hr"])
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, params)
    assert len(response.context["page"].object_list) == 16


def test_search_fallback_finds_every_word_as_typed(programme, org, themes):
    _input(programme, org["wa1"], "Borgerdialog", "Mere dialog med pårørende", suggest=False)
    _input(programme, org["wa1"], "Trivsel", "Kolleger og fællesskab", suggest=False)

    found = search(Input.objects.all(), "dialog pårørende", vendor="sqlite")

    assert [i.title for i in found] == ["Borgerdialog"]
    assert not search(Input.objects.all(), "pårørende trivsel", vendor="sqlite").exists()


@pytest.mark.postgres
def test_search_uses_danish_stemming_on_postgresql(client, users, programme, org, themes):
    _input(
        programme, org["wa1"], "Samtaler", "Vi taler med borgeren og de pårørende", suggest=False
    )
    _input(programme, org["wa1"], "Trivsel", "Kolleger og fællesskab", suggest=False)
    client.force_login(users["hr"])

    # "borgerne" and "borgeren" share the Danish stem; "og" is a stop word.
    response = client.get(URL, {"q": "borgerne og pårørende"})

    assert _titles(response) == {"Samtaler"}
