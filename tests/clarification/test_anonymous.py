"""Anonymous input through a workplace's link: anonymity, gating, abuse control, the pages."""

import datetime
import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clarification.models import (
    ClarificationStep,
    Input,
    InputSource,
    StepNumber,
    StepState,
    StepStatus,
)
from clarification.services import anonymous as service
from clarification.services.steps import close_step
from programme.models import Programme
from tests.clarification.factories import SubmissionFactory
from tests.programme.factories import WorkplaceFactory
from tests.reminders_support import eager_tasks  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (AnonymTestTelefon 4711; unik-streng-for-testen)"
VALID = {
    "kind": "behov",
    "title": "Mere tid til faglig sparring",
    "text": "Vi har brug for faste tider, hvor vi kan drøfte svære sager med hinanden.",
    "suggested_form": "lokalt",
    "theme_guesses": "samarbejde, trivsel",
}


@pytest.fixture
def link(steps, org):
    return service.get_or_create_link(workplace=org["wa1"])


def form_url(link):
    return reverse("clarification:anonymous-input", kwargs={"token": link.token})


def thanks_url(link):
    return reverse("clarification:anonymous-thanks", kwargs={"token": link.token})


def post(client, link, data=None, *, address=ADDRESS):
    return client.post(
        form_url(link), data or VALID, REMOTE_ADDR=address, HTTP_USER_AGENT=USER_AGENT
    )


def text_of_every_table() -> str:
    """Return every row of every table in the database, as one text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def cache_keys() -> list[str]:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return [key.decode() for key in backend._cache.get_client().scan_iter("*")]
    assert isinstance(backend, LocMemCache)
    return list(backend._cache)


# --- the right visitor ---------------------------------------------------------------------


def test_employee_gives_input_through_the_link_and_is_thanked(client, link, org, steps):
    response = client.get(form_url(link))
    assert response.status_code == 200
    assert "Valhøj Skole" in response.text
    assert "30. juni 2021" in response.text  # the step-2 deadline

    response = post(client, link)

    assert response.status_code == 302
    assert response["Location"] == thanks_url(link)
    item = Input.objects.get()
    assert item.workplace == org["wa1"]
    assert item.programme == steps[2].programme
    assert (item.kind, item.title, item.suggested_form) == ("behov", VALID["title"], "lokalt")
    assert item.theme_guesses == "samarbejde, trivsel"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Tak for dit input" in thanks.text
    assert "Hvad sker der nu?" in thanks.text


def test_public_pages_have_the_footer_but_no_signed_in_navigation(client, link, users):
    client.force_login(users["medarbejder"])  # even a signed-in employee sees no menu

    for url in (form_url(link), thanks_url(link)):
        page = client.get(url).text
        assert reverse("accessibility") in page
        assert "Tilgængelighedserklæring" in page
        assert "Log ud" not in page
        assert 'href="/"' not in page
        assert "Mit overblik" not in page
        assert 'name="robots" content="noindex' in page


# --- anonymity ------------------------------------------------------------------------------


def test_anonymous_row_holds_no_personal_data_and_no_table_holds_the_address(
    client, link, org, users, steps, caplog
):
    # A signed-in employee is just as anonymous as one who is not.
    client.force_login(users["medarbejder"])
    caplog.set_level(logging.DEBUG)
    histories_before = Input.history.count()

    response = post(client, link)

    assert response.status_code == 302
    item = Input.objects.get()
    stored = {field.attname: getattr(item, field.attname) for field in Input._meta.concrete_fields}
    assert stored == {
        "id": item.pk,
        "programme_id": steps[2].programme_id,
        "workplace_id": org["wa1"].pk,
        "submission_id": None,
        "source": InputSource.ANONYMOUS,
        "kind": "behov",
        "title": VALID["title"],
        "text": VALID["text"],
        "suggested_form": "lokalt",
        "theme_guesses": "samarbejde, trivsel",
        "submitted_on": timezone.localdate(),
        "suggestions_pending": True,  # a flag, not a time
    }
    assert type(item.submitted_on) is datetime.date  # the day, not the time
    assert Input.history.count() == histories_before == 0
    assert not LogEntry.objects.exists()
    everything = text_of_every_table()
    assert ADDRESS not in everything
    assert USER_AGENT not in everything
    assert "AnonymTestTelefon" not in everything
    assert not [r for r in caplog.records if ADDRESS in r.getMessage()]
    keys = cache_keys()
    assert any("anon-input:rate:client:" in key for key in keys)  # the counter is there…
    assert not [key for key in keys if ADDRESS in key]  # …under a key without the address
    assert not [key for key in keys if link.token in key]  # nor is the secret link


def test_client_key_hides_the_address_and_changes_every_day():
    monday, tuesday = datetime.date(2021, 5, 3), datetime.date(2021, 5, 4)

    key = service.client_key(ADDRESS, today=monday)

    assert ADDRESS not in key and "203" not in key
    assert key == service.client_key(ADDRESS, today=monday)
    assert key != service.client_key(ADDRESS, today=tuesday)
    assert key != service.client_key("203.0.113.78", today=monday)


def test_extra_fields_cannot_place_the_input_elsewhere_or_name_its_author(client, link, org):
    other = SubmissionFactory(workplace=org["wb1"])
    data = VALID | {
        "workplace": org["wb1"].pk,
        "programme": other.programme.pk,
        "submission": other.pk,
        "source": InputSource.LEADER,
        "submitted_on": "2021-05-05",
        "author": org["leader_b"].pk,
    }

    assert post(client, link, data).status_code == 302

    item = Input.objects.get()
    assert item.workplace == org["wa1"]
    assert item.submission is None
    assert item.source == InputSource.ANONYMOUS
    assert item.submitted_on == timezone.localdate()


# --- step 2 gates the form ------------------------------------------------------------------


def test_closed_step_shows_a_closed_page_with_the_deadline(client, link, steps, org, users):
    close_step(step=steps[2], administration=org["admin_a"], by=users["hr"])

    page = client.get(form_url(link))
    refused = post(client, link)

    assert page.status_code == 200
    assert "Formularen er lukket" in page.text
    assert "Fristen for at give input var 30. juni 2021" in page.text
    assert 'name="title"' not in page.text
    assert refused.status_code == 409
    assert "Formularen er lukket" in refused.text
    assert not Input.objects.exists()


def test_step_not_yet_open_shows_when_input_can_be_given(client, link, steps, org):
    StepState.objects.filter(step=steps[2], administration=org["admin_a"]).update(
        status=StepStatus.NOT_STARTED
    )

    page = client.get(form_url(link))
    refused = post(client, link)

    assert page.status_code == 200
    assert "Formularen er ikke åbnet endnu" in page.text
    assert "Fristen for at give input er 30. juni 2021" in page.text
    assert refused.status_code == 409
    assert "Formularen er ikke åbnet endnu" in refused.text
    assert not Input.objects.exists()


def test_open_step_in_another_administration_does_not_open_this_form(client, steps, org):
    """Step 2 is open per administration: wb1's form follows admin_b, not admin_a."""
    StepState.objects.filter(step=steps[2], administration=org["admin_b"]).delete()
    link = service.get_or_create_link(workplace=org["wb1"])

    assert "Formularen er ikke åbnet endnu" in client.get(form_url(link)).text
    assert post(client, link).status_code == 409


def test_without_any_clarification_steps_the_form_is_not_open(client, org, programme):
    link = service.get_or_create_link(workplace=org["wa1"])

    page = client.get(form_url(link))

    assert page.status_code == 200
    assert "Formularen er ikke åbnet endnu" in page.text
    assert post(client, link).status_code == 409
    assert not Input.objects.exists()


def test_rotated_link_tells_the_employee_to_ask_for_the_new_poster(client, link, org):
    old = form_url(link)

    new_link = service.rotate_link(workplace=org["wa1"])

    for response in (client.get(old), client.post(old, VALID), client.get(thanks_url(link))):
        assert response.status_code == 404
        assert "Linket virker ikke længere" in response.text
        assert "Spørg din leder om den nye plakat" in response.text
    assert not Input.objects.exists()
    assert client.get(form_url(new_link)).status_code == 200


def test_unknown_token_and_inactive_workplace_get_the_invalid_link_page(client, link, org):
    assert client.get("/input/ukendt-token/").status_code == 404
    org["wa1"].is_active = False
    org["wa1"].save()

    response = client.get(form_url(link))

    assert response.status_code == 404
    assert "Linket virker ikke længere" in response.text


# --- abuse control --------------------------------------------------------------------------


def test_filled_honeypot_is_thanked_but_nothing_is_stored(client, link):
    response = post(client, link, VALID | {"hjemmeside": "http://spam.example"})

    assert response.status_code == 302
    assert response["Location"] == thanks_url(link)
    assert not Input.objects.exists()


def test_honeypot_is_hidden_from_people_and_assistive_technology(client, link):
    page = client.get(form_url(link)).text

    field = page[page.index('name="hjemmeside"') - 400 : page.index('name="hjemmeside"') + 100]
    assert 'class="visually-hidden"' in field and 'aria-hidden="true"' in field
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_one_client_over_its_limit_gets_a_danish_429_and_keeps_its_input(client, link, settings):
    settings.ANONYMOUS_INPUT_MAX_PER_CLIENT = 2
    assert post(client, link).status_code == 302
    assert post(client, link).status_code == 302

    data = VALID | {"title": "Min tredje idé", "text": "Den skal ikke gå tabt."}
    response = post(client, link, data)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Prøv igen om et par minutter" in response.text
    assert "Min tredje idé" in response.text
    assert "Den skal ikke gå tabt." in response.text
    assert Input.objects.count() == 2
    # Another address behind another NAT is not held back by this one.
    assert post(client, link, address="198.51.100.9").status_code == 302


def test_a_link_over_its_limit_is_held_back_whatever_the_address(client, link, settings):
    settings.ANONYMOUS_INPUT_MAX_PER_LINK = 3
    for n in range(3):
        assert post(client, link, address=f"198.51.100.{n}").status_code == 302

    response = post(client, link, address="198.51.100.200")

    assert response.status_code == 429
    assert Input.objects.count() == 3


def test_default_limits_let_a_department_behind_one_address_submit(steps, org):
    """300 people behind the municipality's NAT, two inputs each, over three workplaces."""
    links = [service.get_or_create_link(workplace=org[key]) for key in ("wa1", "wa2")]
    links.append(
        service.get_or_create_link(workplace=WorkplaceFactory(administration=org["admin_a"]))
    )
    for n in range(600):
        assert service.admit_submission(token=links[n % 3].token, address=ADDRESS)

    with pytest.raises(service.TooManyInputs):
        service.admit_submission(token=links[0].token, address=ADDRESS)


def test_one_workplace_of_300_may_each_give_an_input_within_the_window(steps, org):
    token = service.get_or_create_link(workplace=org["wa1"]).token
    for n in range(300):
        admission = service.admit_submission(token=token, address=f"10.0.{n // 250}.{n % 250}")
        assert admission.info.workplace_id == org["wa1"].pk


def test_text_over_2000_characters_is_refused_in_danish_and_kept(client, link):
    long_text = "Vi ønsker mere sparring. " * 80 + "Slut."  # 2,005 characters

    response = post(client, link, VALID | {"text": long_text})

    assert response.status_code == 200
    assert "Teksten må højst være på 2000 tegn, men den er på 2005" in response.text
    assert "Slut.</textarea>" in response.text
    assert "Dit input er ikke sendt endnu" in response.text
    assert not Input.objects.exists()


def test_line_breaks_count_as_one_character_each(client, link):
    text = ("x" * 99 + "\r\n") * 20  # 2,000 characters as the employee sees them

    assert post(client, link, VALID | {"text": text}).status_code == 302

    assert Input.objects.get().text == (("x" * 99 + "\n") * 20).strip()


def test_missing_answers_are_explained_next_to_the_fields_and_input_is_kept(client, link):
    response = post(client, link, {"text": "Mit input er <script>alert(1)</script>"})

    assert response.status_code == 200
    assert "Vælg, om det er en udfordring, et behov eller en idé." in response.text
    assert "Skriv en kort overskrift." in response.text
    assert "Mit input er &lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text
    assert not Input.objects.exists()


def test_csrf_is_enforced_on_the_public_form(link):
    client = Client(enforce_csrf_checks=True)

    assert client.post(form_url(link), VALID).status_code == 403
    assert not Input.objects.exists()

    client.get(form_url(link))
    token = client.cookies["csrftoken"].value
    response = client.post(form_url(link), VALID | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Input.objects.count() == 1


def test_public_pages_are_not_cached(client, link):
    for url in (form_url(link), thanks_url(link)):
        assert "no-store" in client.get(url)["Cache-Control"]


def feedback_url(link):
    return reverse("clarification:anonymous-feedback", kwargs={"token": link.token})


def test_form_and_thanks_link_to_the_workplaces_i_sagde_vi_goer(client, link):
    form = client.get(form_url(link)).text
    cached = client.get(form_url(link)).text
    thanks = client.get(thanks_url(link)).text

    for page in (form, cached, thanks):
        assert f'href="{feedback_url(link)}"' in page
    # The page behind the link says honestly when there is nothing to read yet.
    page = client.get(feedback_url(link))
    assert page.status_code == 200
    assert "Direktionen har endnu ikke offentliggjort beslutninger" in page.text


def test_the_closed_form_links_to_i_sagde_vi_goer_and_the_unopened_does_not(
    client, link, steps, org, users
):
    StepState.objects.filter(step=steps[2], administration=org["admin_a"]).update(
        status=StepStatus.NOT_STARTED
    )
    not_open = client.get(form_url(link)).text
    cache.clear()
    StepState.objects.filter(step=steps[2], administration=org["admin_a"]).update(
        status=StepStatus.OPEN
    )
    close_step(step=steps[2], administration=org["admin_a"], by=users["hr"])

    closed = client.get(form_url(link)).text

    assert "Formularen er ikke åbnet endnu" in not_open
    assert feedback_url(link) not in not_open
    assert "Formularen er lukket" in closed
    assert f'href="{feedback_url(link)}"' in closed


def test_each_cached_form_links_to_its_own_workplaces_page(client, link, org, steps):
    other = service.get_or_create_link(workplace=org["wa2"])
    client.get(form_url(other))  # cached first

    page = client.get(form_url(link)).text

    assert other.token not in page
    assert f'href="{feedback_url(link)}"' in page


# --- query budgets --------------------------------------------------------------------------


def test_form_answers_in_a_fixed_number_of_queries(client, link, django_assert_max_num_queries):
    for _ in range(3):  # more inputs must not make the form slower
        assert post(client, link).status_code == 302
    cache.clear()

    with django_assert_max_num_queries(3):  # the link, the programme, the step's state
        assert client.get(form_url(link)).status_code == 200
    with django_assert_max_num_queries(0):  # the department behind it: from the cache
        assert client.get(form_url(link)).status_code == 200
    with django_assert_max_num_queries(4):  # the gate's lock and the row (+ savepoint)
        assert post(client, link).status_code == 302
    with django_assert_max_num_queries(0):
        assert client.get(thanks_url(link)).status_code == 200


# --- the cached page ------------------------------------------------------------------------


def test_cached_form_gives_every_visitor_their_own_csrf_token(link):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(form_url(link)), second.get(form_url(link))]  # rendered, then cached

    tokens = [page.text.split('name="csrfmiddlewaretoken" value="')[1][:64] for page in pages]

    assert tokens[0] != tokens[1]
    assert "csrf-placeholder" not in pages[1].text
    for visitor, token in zip((first, second), tokens, strict=True):
        response = visitor.post(form_url(link), VALID | {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert Input.objects.count() == 2


def test_closing_the_step_refuses_input_at_once_though_the_form_is_cached(
    client, link, steps, org, users
):
    assert client.get(form_url(link)).status_code == 200  # now cached

    close_step(step=steps[2], administration=org["admin_a"], by=users["hr"])
    response = post(client, link)

    assert response.status_code == 409
    assert "Formularen er lukket" in response.text
    assert not Input.objects.exists()


def test_rotation_forgets_the_cached_form_at_once(
    client, link, org, django_capture_on_commit_callbacks
):
    assert client.get(form_url(link)).status_code == 200  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        service.rotate_link(workplace=org["wa1"])

    assert client.get(form_url(link)).status_code == 404
    assert post(client, link).status_code == 404


# --- the service -------------------------------------------------------------------------


def test_link_is_created_once_per_workplace(org):
    first = service.get_or_create_link(workplace=org["wa1"])

    assert service.get_or_create_link(workplace=org["wa1"]) == first
    assert first.token != service.get_or_create_link(workplace=org["wa2"]).token


def test_rotating_gives_a_new_token_and_records_when(org):
    old = service.get_or_create_link(workplace=org["wa1"]).token

    link = service.rotate_link(workplace=org["wa1"])

    assert link.token != old
    assert link.rotated_at is not None
    assert service.link_info(old) is None
    assert service.link_info(link.token).link_id == link.pk


def test_the_programme_with_clarification_steps_is_the_one_fed(steps, programme):
    Programme.objects.create(
        name="Et andet forløb",
        slug="andet",
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2019, 12, 31),
    )

    assert service.current_programme() == programme
    assert ClarificationStep.objects.filter(programme=programme, number=StepNumber.EXECUTION)


# --- theme suggestions for a burst ----------------------------------------------------------


@pytest.mark.usefixtures("eager_tasks")
def test_a_burst_of_anonymous_input_gets_its_suggestions_from_one_run_with_the_effect_once(
    client, link, programme, django_capture_on_commit_callbacks
):
    from clarification.models import ProcessingEvent
    from clarification.services import processing
    from clarification.themes import seed_memo_themes

    seed_memo_themes(programme)
    texts = [
        "Vi vil gerne samskabe løsninger med borgerne og deres netværk.",
        "Mere social kapital: tillid og samarbejde på tværs af teams.",
        "Faciliterende ledelse, der giver plads til faglig refleksion.",
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n, text in enumerate(texts):
            post(client, link, VALID | {"text": text}, address=f"10.1.0.{n}")
    assert Input.objects.filter(suggestions_pending=True).count() == 3
    # The first of the burst took the guard and queues the run; nothing else waits for the
    # commit (the matrix counts the inputs from that run, not from the form).
    assert len(callbacks) == 1

    callbacks[0]()  # the run (eager here) does the whole burst

    assert not Input.objects.filter(suggestions_pending=True).exists()
    assert all(item.theme_assignments.exists() for item in Input.objects.all())
    assert processing.suggest_pending() == 0
    # The machine's suggestions leave no timed event that would tell when an input came.
    assert not ProcessingEvent.objects.exists()


def test_an_input_that_cannot_be_suggested_does_not_hold_up_the_others(
    client, link, programme, monkeypatch, caplog
):
    from clarification.services import processing
    from clarification.themes import seed_memo_themes

    seed_memo_themes(programme)
    for n in range(3):
        post(client, link, VALID | {"title": f"Idé {n}"}, address=f"10.3.0.{n}")
    first = Input.objects.order_by("pk").first()
    real = processing.suggestions.input_text

    def breaks_on_the_first(item):
        if item.pk == first.pk:
            raise ValueError("an input the ranking cannot read")
        return real(item)

    monkeypatch.setattr(processing.suggestions, "input_text", breaks_on_the_first)

    assert processing.suggest_pending() == 3

    assert not Input.objects.filter(suggestions_pending=True).exists()
    assert not first.theme_assignments.exists()
    assert Input.objects.exclude(pk=first.pk).filter(theme_assignments__isnull=False).exists()
    assert f"input {first.pk}" in caplog.text


def test_the_admission_counts_and_only_the_first_of_a_burst_takes_the_suggestion_guard(
    link, settings
):
    from clarification import tasks

    settings.ANONYMOUS_INPUT_MAX_PER_CLIENT = 3
    first = service.admit_submission(token=link.token, address=ADDRESS)  # info from the DB
    second = service.admit_submission(token=link.token, address=ADDRESS)  # one round trip

    assert first.info == second.info and first.info.workplace_id == link.workplace_id
    assert (first.queues_suggestions, second.queues_suggestions) == (True, False)
    cache.delete(tasks.PENDING_GUARD_KEY)  # what the run does when it starts
    assert service.admit_submission(token=link.token, address=ADDRESS).queues_suggestions

    cache.delete(tasks.PENDING_GUARD_KEY)
    with pytest.raises(service.TooManyInputs):
        service.admit_submission(token=link.token, address=ADDRESS)
    # A refused input does not take the guard: it queues no run and holds none back.
    assert cache.add(tasks.PENDING_GUARD_KEY, 1, 30)


def test_a_new_anonymous_input_reaches_the_matrix_through_the_suggestion_run(
    client, link, programme, django_capture_on_commit_callbacks
):
    from clarification.services import processing

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(client, link)
    assert not any(hasattr(callback, "matrix_programme") for callback in callbacks)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert processing.suggest_pending() == 1

    (update,) = [callback for callback in callbacks if hasattr(callback, "matrix_programme")]
    assert update.matrix_programme == programme.pk
    assert update.workplaces == {link.workplace_id}
