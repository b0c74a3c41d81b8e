"""Step 3: themes, suggestions, HR's decisions, processed marks and groups (services)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from clarification.models import (
    AssignmentStatus,
    Input,
    ProcessingAction,
    ProcessingEvent,
    Submission,
    Theme,
    ThemeAssignment,
)
from clarification.services import processing
from clarification.services.submissions import InputItem, save_inputs
from clarification.tasks import suggest_themes
from clarification.themes import MEMO_THEMES, seed_memo_themes
from tests.clarification.factories import InputFactory

pytestmark = pytest.mark.django_db

DIALOGUE = "Dialogisk samspil med borgere"
SOCIAL = "Social kapital"


@pytest.fixture
def themes(programme):
    return {t.name: t for t in seed_memo_themes(programme)}


def _input(programme, workplace, title, text="", **kwargs):
    submission, _created = Submission.objects.get_or_create(
        programme=programme, workplace=workplace
    )
    return InputFactory(
        submission=submission,
        title=title,
        text=text or title,
        **kwargs,
    )


def _suggestions(callbacks):
    """The on-commit callbacks that queue a suggestion task (others drop cached figures)."""
    return [c for c in callbacks if "suggest_themes" in repr(c)]


def _open(item):
    return {
        a.theme.name: a for a in ThemeAssignment.objects.filter(input=item).select_related("theme")
    }


# --- Themes -------------------------------------------------------------------------------


def test_seeding_the_memo_themes_twice_creates_them_once(programme):
    first = seed_memo_themes(programme)
    second = seed_memo_themes(programme)

    assert [t.pk for t in first] == [t.pk for t in second]
    assert Theme.objects.filter(programme=programme).count() == len(MEMO_THEMES) == 9
    assert Theme.history.count() == 9
    assert all(t.description and t.keyword_list for t in first)


def test_seeding_keeps_hrs_edits(programme, themes):
    theme = themes[DIALOGUE]
    theme.keywords = "borgermøde"
    theme.save()

    seed_memo_themes(programme)

    theme.refresh_from_db()
    assert theme.keywords == "borgermøde"


# --- Suggestions ----------------------------------------------------------------------------


def test_input_gets_explained_suggestions(programme, org, themes):
    item = _input(
        programme, org["wa1"], "Borgersamtaler", "Vi vil blive bedre til dialog med pårørende."
    )

    assert processing.suggest_for_input(item.pk) is True

    rows = _open(item)
    top = min(rows.values(), key=lambda a: a.rank)
    assert top.theme.name == DIALOGUE
    assert top.status == AssignmentStatus.SUGGESTED
    assert top.score > 0
    assert {m["word"] for m in top.matched_terms} >= {"borgersamtaler", "pårørende", "dialog"}


def test_suggesting_twice_has_the_effect_once(programme, org, themes):
    item = _input(programme, org["wa1"], "Dialog med pårørende og borgere")

    suggest_themes(item.pk)
    before = list(ThemeAssignment.objects.filter(input=item).values())
    assert suggest_themes(item.pk) is False

    assert list(ThemeAssignment.objects.filter(input=item).values()) == before
    assert ProcessingEvent.objects.filter(action=ProcessingAction.SUGGESTED).count() == 1


def test_a_persons_decision_is_never_overwritten(programme, org, themes, users):
    item = _input(programme, org["wa1"], "Dialog med pårørende og borgere i trivsel")
    processing.suggest_for_input(item.pk)
    rows = _open(item)
    confirmed = processing.decide(
        assignment=rows[DIALOGUE], status=AssignmentStatus.CONFIRMED, by=users["hr"]
    )
    rejected = processing.decide(
        assignment=rows[SOCIAL], status=AssignmentStatus.REJECTED, by=users["hr"]
    )
    snapshot = {a.pk: model_to_dict(a) for a in (confirmed, rejected)}

    # The text changes so the ranking changes, and the suggestions run again.
    Input.objects.filter(pk=item.pk).update(title="Kantinen", text="Kaffe og kage i kantinen")
    processing.suggest_for_input(item.pk)

    for pk, fields in snapshot.items():
        assert model_to_dict(ThemeAssignment.objects.get(pk=pk)) == fields


def test_input_without_theme_words_gets_no_suggestion(programme, org, themes):
    item = _input(programme, org["wa1"], "Printeren", "Printeren på gangen mangler papir")

    assert processing.suggest_for_input(item.pk) is False
    assert not ThemeAssignment.objects.filter(input=item).exists()


def test_confirmations_teach_the_suggestions(programme, org, themes, users):
    """Inputs confirmed for a theme lift it for a new input that shares their words."""
    texts = [
        "Fredagsbar og kaffemøder i kantinen",
        "Morgenkaffe i kantinen for hele huset",
        "Julefrokost og kantinen som mødested",
    ]
    for text in texts:
        taught = _input(programme, org["wa1"], text)
        processing.add_theme(item=taught, theme=themes[SOCIAL], by=users["hr"])
    themes[SOCIAL].refresh_from_db()
    assert themes[SOCIAL].learned_count == 3
    assert themes[SOCIAL].learned_terms["kantin"] == 3

    new = _input(programme, org["wa2"], "Kaffe i kantinen", "Mere kaffe i kantinen om morgenen")
    processing.suggest_for_input(new.pk)

    top = min(_open(new).values(), key=lambda a: a.rank)
    assert top.theme.name == SOCIAL
    assert {"word": "kantinen", "source": "input"} in top.matched_terms


def test_withdrawn_confirmation_is_unlearned(programme, org, themes, users):
    item = _input(programme, org["wa1"], "Fredagsbar i kantinen")
    assignment = processing.add_theme(item=item, theme=themes[SOCIAL], by=users["hr"])

    processing.decide(assignment=assignment, status=AssignmentStatus.REJECTED, by=users["hr"])

    themes[SOCIAL].refresh_from_db()
    assert themes[SOCIAL].learned_count == 0
    assert "kantin" not in themes[SOCIAL].learned_terms
    # The learned profile is no edit of HR's: no history rows beyond the seeding.
    assert themes[SOCIAL].history.count() == 1


def test_rebuilding_the_profiles_gives_what_the_confirmations_built(programme, org, themes, users):
    for text in ("Kaffe i kantinen", "Dialog med pårørende og borgere"):
        item = _input(programme, org["wa1"], text)
        processing.add_theme(item=item, theme=themes[SOCIAL], by=users["hr"])
    themes[SOCIAL].refresh_from_db()
    built = (themes[SOCIAL].learned_terms, themes[SOCIAL].learned_count)

    processing.rebuild_learned_profiles(programme)

    themes[SOCIAL].refresh_from_db()
    assert (themes[SOCIAL].learned_terms, themes[SOCIAL].learned_count) == built


def test_new_or_reworded_input_queues_suggestions_on_commit(
    programme, org, steps, users, django_capture_on_commit_callbacks
):
    item = InputItem(
        data={"kind": "behov", "title": "Borgerdialog", "text": "Mere dialog med borgerne"}
    )
    with django_capture_on_commit_callbacks() as callbacks:
        save_inputs(programme=programme, workplace=org["wa1"], items=[item], by=users["leder"])
    assert len(_suggestions(callbacks)) == 1

    row = Input.objects.get(title="Borgerdialog")
    same = InputItem(pk=row.pk, data={"suggested_form": "lokalt"})
    with django_capture_on_commit_callbacks() as callbacks:
        save_inputs(programme=programme, workplace=org["wa1"], items=[same], by=users["leder"])
    assert len(_suggestions(callbacks)) == 0

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        save_inputs(programme=programme, workplace=org["wa1"], items=[item], by=users["leder"])
        raise RuntimeError
    assert len(_suggestions(callbacks)) == 0


# --- Decisions, bulk confirmation, processed ---------------------------------------------------


def test_decisions_are_recorded_as_events(programme, org, themes, users):
    item = _input(programme, org["wa1"], "Dialog med pårørende")
    processing.suggest_for_input(item.pk)

    processing.decide(
        assignment=_open(item)[DIALOGUE], status=AssignmentStatus.CONFIRMED, by=users["hr"]
    )

    event = ProcessingEvent.objects.get(action=ProcessingAction.CONFIRMED)
    assert (event.input, event.theme, event.actor) == (item, themes[DIALOGUE], users["hr"])
    assert event.at is not None


def test_bulk_confirmation_confirms_the_top_suggestion_of_undecided_inputs(
    programme, org, themes, users
):
    decided = _input(programme, org["wa1"], "Dialog med pårørende og trivsel")
    open_items = [
        _input(programme, org["wa1"], "Trivsel og fællesskab blandt kolleger"),
        _input(programme, org["wa2"], "Dialog med borgere og pårørende"),
    ]
    nothing = _input(programme, org["wa2"], "Printeren mangler papir")
    for item in [decided, *open_items, nothing]:
        processing.suggest_for_input(item.pk)
    processing.decide(
        assignment=_open(decided)[SOCIAL], status=AssignmentStatus.CONFIRMED, by=users["hr"]
    )

    done, more = processing.bulk_confirm_top(
        inputs=Input.objects.filter(programme=programme), by=users["hr"]
    )

    assert (done, more) == (2, False)
    for item in open_items:
        confirmed = ThemeAssignment.objects.filter(input=item).confirmed().get()
        assert confirmed.rank == 1
        assert confirmed.decided_by == users["hr"]
    # The input HR had decided on keeps only HR's choice.
    assert [a.theme.name for a in ThemeAssignment.objects.filter(input=decided).confirmed()] == [
        SOCIAL
    ]
    assert not ThemeAssignment.objects.filter(input=nothing).exists()
    assert ProcessingEvent.objects.filter(details__bulk=True).count() == 2
    # A second press finds nothing left.
    assert processing.bulk_confirm_top(
        inputs=Input.objects.filter(programme=programme), by=users["hr"]
    ) == (0, False)


def test_bulk_confirmation_stops_at_its_limit(programme, org, themes, users):
    for n in range(3):
        item = _input(programme, org["wa1"], f"Dialog med pårørende {n}")
        processing.suggest_for_input(item.pk)

    assert processing.bulk_confirm_top(inputs=Input.objects.all(), by=users["hr"], limit=2) == (
        2,
        True,
    )
    assert processing.bulk_confirm_top(inputs=Input.objects.all(), by=users["hr"], limit=2) == (
        1,
        False,
    )


def test_marking_processed_records_an_event_and_leaves_the_input(programme, org, users):
    item = _input(programme, org["wa1"], "Et input")
    before = model_to_dict(Input.objects.get(pk=item.pk))

    processing.mark_processed(item=item, by=users["hr"])

    assert model_to_dict(Input.objects.get(pk=item.pk)) == before
    event = ProcessingEvent.objects.get(action=ProcessingAction.MARKED_PROCESSED)
    assert (event.input, event.actor) == (item, users["hr"])


# --- Groups ------------------------------------------------------------------------------------


def test_grouping_never_changes_or_deletes_an_input(programme, org, users):
    items = [_input(programme, org["wa1"], f"Input {n}") for n in range(3)]
    before = {i.pk: model_to_dict(Input.objects.get(pk=i.pk)) for i in items}
    history = {i.pk: i.history.count() for i in items}

    first = processing.save_synthesis(
        programme=programme, title="Mødekultur", summary="", by=users["hr"]
    )
    second = processing.save_synthesis(
        programme=programme, title="Pårørende", summary="", by=users["hr"]
    )
    inputs = Input.objects.filter(pk__in=before)
    assert processing.add_to_synthesis(synthesis=first, inputs=inputs, by=users["hr"]) == 3
    assert processing.add_to_synthesis(synthesis=first, inputs=inputs, by=users["hr"]) == 0
    processing.add_to_synthesis(
        synthesis=second, inputs=Input.objects.filter(pk=items[0].pk), by=users["hr"]
    )
    processing.save_synthesis(
        programme=programme,
        title="Mødekultur på tværs",
        summary="Sammenfatning",
        by=users["hr"],
        synthesis=first,
    )
    processing.remove_from_synthesis(synthesis=first, item=items[0], by=users["hr"])
    second.delete()

    assert Input.objects.filter(pk__in=before).count() == 3
    for item in items:
        assert model_to_dict(Input.objects.get(pk=item.pk)) == before[item.pk]
        assert item.history.count() == history[item.pk]
    assert set(first.inputs.values_list("pk", flat=True)) == {items[1].pk, items[2].pk}


def test_an_input_can_be_in_several_groups(programme, org, users):
    item = _input(programme, org["wa1"], "Input")
    for title in ("A", "B"):
        synthesis = processing.save_synthesis(
            programme=programme, title=title, summary="", by=users["hr"]
        )
        processing.add_to_synthesis(
            synthesis=synthesis, inputs=Input.objects.filter(pk=item.pk), by=users["hr"]
        )

    assert item.syntheses.count() == 2
    grouped = ProcessingEvent.objects.filter(action=ProcessingAction.GROUPED, input=item)
    assert grouped.count() == 2
    assert {e.actor for e in grouped} == {users["hr"]}


# --- HR's tools: the command and the admin -------------------------------------------------------


def test_seed_command_is_rerunnable_and_rebuilds_profiles(programme, org, themes, users):
    item = _input(programme, org["wa1"], "Kaffe i kantinen")
    processing.add_theme(item=item, theme=themes[SOCIAL], by=users["hr"])
    Theme.objects.filter(pk=themes[SOCIAL].pk).update(learned_terms={}, learned_count=0)
    out = StringIO()

    call_command("seed_memo_themes", programme=programme.slug, rebuild_profiles=True, stdout=out)
    call_command("seed_memo_themes", programme=programme.slug, stdout=out)

    assert Theme.objects.filter(programme=programme).count() == 9
    themes[SOCIAL].refresh_from_db()
    assert themes[SOCIAL].learned_count == 1
    assert "9 temaer fra notatet; 1 lært" in out.getvalue()


def test_hr_edits_a_theme_in_the_admin_with_history(client, programme, themes, users):
    theme = themes[DIALOGUE]
    client.force_login(users["hr"])
    url = reverse("admin:clarification_theme_change", args=[theme.pk])

    response = client.post(
        url,
        {
            "programme": programme.pk,
            "parent": "",
            "kind": theme.kind,
            "name": theme.name,
            "description": theme.description,
            "keywords": "borgerdialog\nborgermøde",
            "position": theme.position,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.keyword_list == ["borgerdialog", "borgermøde"]
    assert theme.history.count() == 2
    assert (
        client.get(reverse("admin:clarification_theme_history", args=[theme.pk])).status_code == 200
    )
