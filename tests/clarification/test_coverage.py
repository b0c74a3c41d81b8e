"""Coverage of step 2 and the overview: exact figures, small groups suppressed, scope per role."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clarification.coverage import (
    CACHE_SECONDS,
    FIGURES_KEY,
    STEP_TWO_KEY,
    Figures,
    by_administration,
    per_workplace,
    shown,
)
from clarification.models import InputSource, StepStatus, SubmissionStatus
from clarification.services.steps import close_step, state_for
from clarification.templatetags.small_groups import people
from clarification.views.coverage import WORKPLACES_PER_PAGE, overview_panel
from programme import services
from programme.access import SMALL_GROUP_LIMIT, RoleGroup
from programme.models import ExternalPerson, Role, Workplace
from tests.clarification.factories import (
    ActivityFactory,
    AnonymousInputFactory,
    InputFactory,
    SubmissionFactory,
)
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
    WorkplaceFactory,
)

pytestmark = pytest.mark.django_db

DELIVERED_AT = datetime.datetime(2021, 5, 20, 10, tzinfo=datetime.UTC)


def deliver(submission):
    submission.status = SubmissionStatus.DELIVERED
    submission.delivered_at = DELIVERED_AT
    submission.save()
    return submission


@pytest.fixture
def coach(db):
    user = UserFactory(username="coach", groups=[RoleGroup.COACH])
    ExternalPerson.objects.create(name="Coach Hansen", kind="coach", user=user)
    return user


@pytest.fixture
def world(org, users, programme, steps):
    """Step 2 in progress, with figures chosen so that no raw small number is ambiguous.

    wa1 (headcount 20): delivered; 2 activities (12 + 6 staff, MED once); 3 leader and
        6 anonymous inputs. A join of activities and inputs would count 12 of each.
    wa2 (headcount 18): a draft; 1 activity with 4 staff; 1 leader and 3 anonymous inputs.
    wb1 (headcount 20): delivered; 1 activity with 30 staff (over the headcount); 2 leader
        inputs, no anonymous ones.
    wb2: nothing yet.
    Noise that must not count: another programme's submission at wb2, and a closed-down
    workplace in administration A with a delivered submission.
    """
    wa1, wa2, wb1 = org["wa1"], org["wa2"], org["wb1"]
    wa2.headcount = 18
    wa2.save()
    s_a1 = deliver(SubmissionFactory(programme=programme, workplace=wa1))
    ActivityFactory(submission=s_a1, staff_participants=12, med_involved=True)
    ActivityFactory(submission=s_a1, staff_participants=6)
    InputFactory.create_batch(3, submission=s_a1)
    AnonymousInputFactory.create_batch(6, programme=programme, workplace=wa1)

    s_a2 = SubmissionFactory(programme=programme, workplace=wa2)
    ActivityFactory(submission=s_a2, staff_participants=4)
    InputFactory(submission=s_a2)
    AnonymousInputFactory.create_batch(3, programme=programme, workplace=wa2)

    s_b1 = deliver(SubmissionFactory(programme=programme, workplace=wb1))
    ActivityFactory(submission=s_b1, staff_participants=30)
    InputFactory.create_batch(2, submission=s_b1)

    other = ProgrammeFactory(slug="et-andet-forloeb")
    s_other = deliver(SubmissionFactory(programme=other, workplace=org["wb2"]))
    ActivityFactory(submission=s_other, staff_participants=50, med_involved=True)
    InputFactory.create_batch(4, submission=s_other)
    AnonymousInputFactory.create_batch(9, programme=other, workplace=org["wb2"])

    closed = WorkplaceFactory(administration=org["admin_a"], name="Lukket enhed", is_active=False)
    s_closed = deliver(SubmissionFactory(programme=programme, workplace=closed))
    ActivityFactory(submission=s_closed, staff_participants=40)
    AnonymousInputFactory.create_batch(7, programme=programme, workplace=closed)
    services.refresh_organisation_snapshot()
    return {**org, "programme": programme, "users": users, "steps": steps}


ADMIN_A = Figures(
    workplaces=2,
    delivered=1,
    headcount=38,
    activities=3,
    staff_participants=22,
    med_workplaces=1,
    anonymous_inputs=9,
    leader_inputs=4,
)
ADMIN_B = Figures(
    workplaces=2,
    delivered=1,
    headcount=40,
    activities=1,
    staff_participants=30,
    med_workplaces=0,
    anonymous_inputs=0,
    leader_inputs=2,
)


class Tables(HTMLParser):
    """The text of every table cell on a page, row by row, and each row's raw HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.row_html = re.findall(r"<tr>.*?</tr>", html, flags=re.S)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def row(self, first_cell: str) -> list[str]:
        [row] = [row for row in self.rows if row and row[0] == first_cell]
        return row

    def html_of(self, name: str) -> str:
        [html] = [html for html in self.row_html if name in html]
        return html


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(f"clarification:{name}"), params)


FEWER = "< 5færre end 5"  # the visible "< 5" and the screen reader's "færre end 5"


# --- The figures -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [None, 0, 1, SMALL_GROUP_LIMIT - 1])
def test_fewer_than_five_people_are_not_shown(count):
    assert shown(count) is None


@pytest.mark.parametrize("count", [SMALL_GROUP_LIMIT, 6, 1234])
def test_five_or_more_people_are_shown(count):
    assert shown(count) == count


@pytest.mark.parametrize("count", [None, 0, 3, 4])
def test_people_filter_prints_fewer_than_five_without_the_number(count):
    html = str(people(count))
    assert html == (
        '<span aria-hidden="true">&lt; 5</span><span class="visually-hidden">færre end 5</span>'
    )


def test_people_filter_prints_larger_counts_in_danish():
    assert people(5) == "5"
    assert people(12345) == "12.345"


def test_staff_share_is_a_capped_percentage_suppressed_with_its_count():
    assert Figures(headcount=40, staff_participants=22).staff_share == 55
    assert Figures(headcount=20, staff_participants=30).staff_share == 100
    # 4 of 20 would be 20 %: with the headcount known, that gives the 4 away.
    assert Figures(headcount=20, staff_participants=4).staff_share is None
    assert Figures(headcount=0, staff_participants=8).staff_share is None


def test_figures_per_administration_are_exact(world):
    figures = by_administration(world["programme"], Q(is_active=True))

    assert figures[world["admin_a"].pk] == ADMIN_A
    assert figures[world["admin_b"].pk] == ADMIN_B


def test_figures_per_workplace_are_exact(world):
    rows = {row.pk: row for row in per_workplace(Workplace.objects.active(), world["programme"])}

    wa1, wa2, wb1, wb2 = (rows[world[key].pk] for key in ("wa1", "wa2", "wb1", "wb2"))
    assert wa1.is_delivered and wa1.delivered_at == DELIVERED_AT
    assert wa1.figures == Figures(1, 1, 20, 2, 18, 1, 6, 3)
    assert not wa2.is_delivered and wa2.is_started
    assert wa2.figures == Figures(1, 0, 18, 1, 4, 0, 3, 1)
    assert wb1.figures == Figures(1, 1, 20, 1, 30, 0, 0, 2)
    assert not wb2.is_started
    assert wb2.figures == Figures(1, 0, 20, 0, 0, 0, 0, 0)


def test_administration_totals_are_the_sum_of_their_workplaces(world):
    rows = per_workplace(Workplace.objects.active(), world["programme"])
    per_administration: dict[int, Figures] = {}
    for row in rows:
        key = row.administration_id
        per_administration[key] = per_administration.get(key, Figures()) + row.figures

    assert per_administration == by_administration(world["programme"], Q(is_active=True))


# --- The coverage page -----------------------------------------------------------------


def test_hr_sees_every_workplace_with_its_figures(client, world):
    response = get(client, world["users"]["hr"], "coverage")

    assert response.status_code == 200
    tables = Tables(response.content.decode())
    assert tables.row("Valhøj Skole") == [
        "Valhøj Skole",
        "Børne- og Kulturforvaltningen",
        "Afleveret 20.05.2021",
        "2",
        "18 af 20 (90 %)",
        "Ja",
        "6",
        "3",
    ]
    assert tables.row("Plejecenter Ejbyhøj")[4:] == ["30 af 20 (100 %)", "Nej", FEWER, "2"]
    assert tables.row("Hjemmeplejen Nord")[2:] == [
        "Ikke afleveret",
        "0",
        f"{FEWER} af 20",
        "Nej",
        FEWER,
        "0",
    ]
    assert "Lukket enhed" not in response.content.decode()


def test_small_numbers_are_shown_as_fewer_than_five_and_never_printed(client, world):
    response = get(client, world["users"]["hr"], "coverage")

    tables = Tables(response.content.decode())
    assert tables.row("Børnehuset Sønderbo") == [
        "Børnehuset Sønderbo",
        "Børne- og Kulturforvaltningen",
        "Ikke afleveret (kladde)",
        "1",
        f"{FEWER} af 18",
        "Nej",
        FEWER,
        "1",
    ]
    # 4 staff and 3 anonymous inputs: neither number is anywhere in the row, not even
    # hidden, nor a percentage that would give them away.
    html = tables.html_of("Børnehuset Sønderbo")
    assert not re.search(r"(?<![\d.])[34](?![\d.])", html), html
    assert "%" not in html


def test_leader_sees_only_the_units_they_lead(client, world):
    response = get(client, world["users"]["leder"], "coverage")

    names = [row["name"] for row in response.context["rows"]]
    assert names == ["Valhøj Skole"]
    assert "Børnehuset Sønderbo" not in response.content.decode()


def test_fagchef_sees_their_administrations_workplaces(client, world):
    response = get(client, world["users"]["fagchef"], "coverage")

    names = [row["name"] for row in response.context["rows"]]
    assert names == ["Børnehuset Sønderbo", "Valhøj Skole"]


@pytest.mark.parametrize("role", ["hr", "direktion"])
def test_hr_and_direktion_see_every_administration(client, world, role):
    response = get(client, world["users"][role], "coverage")

    names = {row["name"] for row in response.context["rows"]}
    assert {"Valhøj Skole", "Børnehuset Sønderbo", "Plejecenter Ejbyhøj", "Hjemmeplejen Nord"} <= (
        names
    )


@pytest.mark.parametrize("name", ["coverage", "overview"])
@pytest.mark.parametrize("role", ["medarbejder", "coach"])
def test_staff_and_coaches_may_not_follow_step_two(client, world, coach, name, role):
    user = coach if role == "coach" else world["users"][role]
    assert get(client, user, name).status_code == 403


@pytest.mark.parametrize("name", ["coverage", "overview"])
def test_anonymous_visitor_is_sent_to_login(client, world, name):
    response = client.get(reverse(f"clarification:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_filtering_on_another_administration_is_not_found(client, world):
    code = world["admin_b"].code
    assert get(client, world["users"]["fagchef"], "coverage", forvaltning=code).status_code == 404
    assert get(client, world["users"]["leder"], "coverage", forvaltning=code).status_code == 404
    assert get(client, world["users"]["hr"], "coverage", forvaltning="XX").status_code == 404


def test_coverage_filters_by_administration_and_delivery(client, world):
    hr = world["users"]["hr"]

    def names(**params):
        response = get(client, hr, "coverage", **params)
        assert response.status_code == 200
        return {row["name"] for row in response.context["rows"]}

    admin_a = world["admin_a"].code
    assert names(forvaltning=admin_a) == {"Valhøj Skole", "Børnehuset Sønderbo"}
    assert names(forvaltning=admin_a, afleveret="ja") == {"Valhøj Skole"}
    assert names(forvaltning=admin_a, afleveret="nej") == {"Børnehuset Sønderbo"}
    assert {"Valhøj Skole", "Plejecenter Ejbyhøj"} == names(afleveret="ja")
    assert "Valhøj Skole" not in names(afleveret="nej")
    # An unknown filter value is ignored, not an error.
    assert "Valhøj Skole" in names(afleveret="<script>")


def test_coverage_pages_keep_the_filters(client, world):
    WorkplaceFactory.create_batch(WORKPLACES_PER_PAGE, administration=world["admin_a"])
    admin_a = world["admin_a"].code

    response = get(client, world["users"]["hr"], "coverage", forvaltning=admin_a, afleveret="nej")

    assert len(response.context["rows"]) == WORKPLACES_PER_PAGE
    assert f"?forvaltning={admin_a}&amp;afleveret=nej&amp;side=2" in response.content.decode()
    second = get(
        client, world["users"]["hr"], "coverage", forvaltning=admin_a, afleveret="nej", side=2
    )
    assert len(second.context["rows"]) == 1


def test_coverage_page_links_each_workplace_to_its_step_two_page(client, world):
    response = get(client, world["users"]["leder"], "coverage")

    url = reverse("clarification:workplace", kwargs={"code": world["wa1"].code})
    assert f'<a href="{url}">Valhøj Skole</a>' in response.content.decode()


# --- The overview ------------------------------------------------------------------------


def test_overview_shows_each_steps_status_and_the_coverage_per_administration(
    client, world, time_machine
):
    time_machine.move_to(datetime.datetime(2021, 6, 1, 12, tzinfo=datetime.UTC))

    response = get(client, world["users"]["direktion"], "overview")

    assert response.status_code == 200
    tables = Tables(response.content.decode())
    name_a, name_b = world["admin_a"].name, world["admin_b"].name
    steps_a, coverage_a = (row for row in tables.rows if row and row[0] == name_a)
    steps_b, coverage_b = (row for row in tables.rows if row and row[0] == name_b)
    assert steps_a == [
        name_a,
        "Lukket 01.04.2021",
        "Åben",
        "Ikke startet",
        "Ikke startet",
        f"Se planen for {name_a}",
    ]
    assert steps_b[1:5] == ["Lukket 01.04.2021", "Åben", "Ikke startet", "Ikke startet"]
    assert coverage_a[:7] == [name_a, "1 af 2", "3", "22 (58 %)", "1", "9", "4"]
    assert coverage_b[:7] == [name_b, "1 af 2", "1", "30 (75 %)", "0", FEWER, "2"]
    assert tables.row("I alt")[:7] == ["I alt", "2 af 4", "4", "52 (67 %)", "1", "9", "6"]


def test_overview_has_no_action_links_for_direktion(client, world):
    response = get(client, world["users"]["direktion"], "overview")

    content = response.content.decode()
    assert "/aabn/" not in content and "/afslut/" not in content
    assert response.context["rows"][0].steps[1].action_url == ""


def test_hr_gets_links_to_open_and_close_the_steps(client, world):
    response = get(client, world["users"]["hr"], "overview")

    admin_a = world["admin_a"]
    cells = next(r for r in response.context["rows"] if r.administration == admin_a).steps
    assert cells[0].action_url == ""  # step 1 is closed: nothing left to do
    assert cells[1].action_url == reverse(
        "clarification:step-close", kwargs={"number": 2, "code": admin_a.code}
    )
    assert cells[2].action_url == reverse(
        "clarification:step-open", kwargs={"number": 3, "code": admin_a.code}
    )
    assert cells[1].action_url in response.content.decode()


def test_an_open_step_past_its_deadline_says_so_in_text(client, world, time_machine):
    time_machine.move_to(datetime.datetime(2021, 7, 15, 12, tzinfo=datetime.UTC))

    response = get(client, world["users"]["hr"], "overview")

    assert "Fristen er overskredet" in response.content.decode()


def test_fagchef_overview_shows_their_administration_only(client, world):
    response = get(client, world["users"]["fagchef"], "overview")

    rows = response.context["rows"]
    assert [row.administration for row in rows] == [world["admin_a"]]
    assert rows[0].figures == ADMIN_A
    assert world["admin_b"].name not in response.content.decode()


def test_leader_overview_shows_their_administrations_steps_and_their_own_units(client, world):
    response = get(client, world["users"]["leder"], "overview")

    rows = response.context["rows"]
    assert [row.administration for row in rows] == [world["admin_a"]]
    assert rows[0].steps[1].status == StepStatus.OPEN
    # Not the whole administration's figures: only Valhøj Skole's.
    assert rows[0].figures == Figures(1, 1, 20, 2, 18, 1, 6, 3)
    assert "de enheder, du leder" in response.content.decode()
    assert all(cell.action_url == "" for cell in rows[0].steps)


def test_overview_without_steps_or_programme_is_a_clear_page(client, org, users):
    response = get(client, users["hr"], "overview")
    assert response.status_code == 200
    assert "Der er endnu ikke oprettet et udviklingsforløb." in response.content.decode()
    assert get(client, users["hr"], "coverage").status_code == 200

    ProgrammeFactory()
    response = get(client, users["hr"], "overview")
    assert "Afklaringsfasens trin er ikke oprettet endnu." in response.content.decode()


def test_overview_panel_renders_on_its_own_for_a_dashboard(world):
    html = render_to_string(
        "clarification/overview.html#panel", overview_panel(world["users"]["direktion"])
    )

    assert "<html" not in html and "<h1" not in html
    assert html.count("<table") == 2
    assert world["admin_b"].name in html


def test_tables_have_captions_scoped_headers_and_a_focusable_scroll_region(client, world):
    for name in ("overview", "coverage"):
        content = get(client, world["users"]["hr"], name).content.decode()
        tables = content.count("<table")
        assert tables >= 1
        assert content.count("<caption") == tables
        assert content.count('tabindex="0" role="region" aria-labelledby=') == tables
        assert "<th>" not in content


# --- "Mit overblik" and the navigation -------------------------------------------------


def test_leader_sees_their_units_step_two_on_mit_overblik(client, world):
    client.force_login(world["users"]["leder"])
    response = client.get(reverse("programme:home"))

    tables = Tables(response.content.decode())
    assert ["Valhøj Skole", "Åben", "30.06.2021", "Afleveret 20.05.2021"] in tables.rows
    url = reverse("clarification:workplace", kwargs={"code": world["wa1"].code})
    assert f'<a href="{url}">Valhøj Skole</a>' in response.content.decode()


def test_fagchef_sees_their_administrations_deliveries_on_mit_overblik(client, world):
    client.force_login(world["users"]["fagchef"])
    response = client.get(reverse("programme:home"))

    tables = Tables(response.content.decode())
    assert [world["admin_a"].name, "Åben", "1 af 2"] in tables.rows
    assert reverse("clarification:overview") in response.content.decode()


def test_employee_sees_no_step_two_panel(client, world):
    client.force_login(world["users"]["medarbejder"])
    response = client.get(reverse("programme:home"))

    assert "Afklaringsfasen: trin 2" not in response.content.decode()


def test_navigation_offers_the_clarification_phase_to_those_who_follow_it(client, world, coach):
    users = world["users"] | {"coach": coach}
    expected = {
        "hr": ["Afklaringsfasen"],
        "direktion": ["Afklaringsfasen"],
        "fagchef": ["Afklaringsfasen"],
        "leder": ["Afklaringsfasen", "Mine arbejdspladser (trin 2)"],
        "medarbejder": [],
        "coach": [],
    }
    for role, labels in expected.items():
        client.force_login(users[role])
        items = client.get(reverse("programme:home")).context["nav_items"]
        found = [str(label) for _url, label, key in items if key.startswith("clarification")]
        assert found == labels, role
    client.force_login(users["leder"])
    urls = {key: url for url, _label, key in client.get("/").context["nav_items"]}
    assert urls["clarification"] == reverse("clarification:overview")
    assert urls["clarification-workplaces"] == reverse("clarification:workplaces")


# --- Query budgets ---------------------------------------------------------------------


def grow(world, factor):
    """Add `factor` times a slice of step 2: workplaces, submissions, activities, inputs."""
    programme = world["programme"]
    for administration in (world["admin_a"], world["admin_b"], AdministrationFactory()):
        state_for(step=world["steps"][2], administration=administration)
        for n in range(5 * factor):
            workplace = WorkplaceFactory(administration=administration)
            submission = SubmissionFactory(programme=programme, workplace=workplace)
            if n % 2:
                deliver(submission)
            ActivityFactory.create_batch(2, submission=submission, med_involved=bool(n % 3))
            InputFactory.create_batch(2, submission=submission)
            AnonymousInputFactory(programme=programme, workplace=workplace)
    # Units below the leader's own: the leader's list grows too.
    for _n in range(factor):
        child = WorkplaceFactory(administration=world["admin_a"], parent=world["wa1"])
        deliver(SubmissionFactory(programme=programme, workplace=child))
    # Another leader of a grown unit, so the home page has more to show.
    LeadershipFactory(
        workplace=world["wa1"], person=PersonFactory(workplace=world["wa1"], role=Role.LEADER)
    )
    services.refresh_organisation_snapshot()


def count_queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm per-process caches (translations, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The most queries each page may make, whatever the size: the user, the scope (groups,
# person, for a leader the led units and the unit tree), the programme, the page's own,
# and saving the session (three statements). The coverage page: administrations, the count,
# a page of workplaces, then their submissions, activities and inputs. The overview:
# administrations, steps, states; the totals come from the cache (three grouped queries
# when they are not there, and always for a leader's own units).
QUERY_BUDGETS = {
    "clarification:coverage": {"hr": 13, "direktion": 13, "fagchef": 13, "leder": 15},
    "clarification:overview": {"hr": 10, "direktion": 10, "fagchef": 10, "leder": 15},
    # A leader's units' submissions: one query; step 2's states and the totals are cached.
    # And one for which of them a published decision answers ("I sagde — vi gør").
    "programme:home": {"hr": 8, "direktion": 8, "fagchef": 8, "leder": 12},
}


@pytest.mark.parametrize("name", sorted(QUERY_BUDGETS))
def test_page_queries_do_not_grow_with_step_two(client, world, name, django_assert_max_num_queries):
    url = reverse(name)
    budgets = QUERY_BUDGETS[name]
    grow(world, 1)
    small = {role: count_queries(client, world["users"][role], url) for role in budgets}

    grow(world, 10)

    for role, budget in budgets.items():
        client.force_login(world["users"][role])
        client.get(url)
        with django_assert_max_num_queries(budget, info=role) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(captured) == small[role], role


def test_input_sources_are_the_two_the_figures_count():
    # The figures split input into anonymous and leader's: a third source would vanish.
    assert set(InputSource.values) == {"anonym", "leder"}


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef"])
def test_overview_counts_the_totals_in_three_queries_when_they_are_not_cached(client, world, role):
    url = reverse("clarification:overview")
    warm = count_queries(client, world["users"][role], url)
    grow(world, 2)
    cache.delete(FIGURES_KEY)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    assert len(captured) == warm + 3


def test_a_delivery_shows_on_the_overview_once_committed(
    client, world, django_capture_on_commit_callbacks
):
    hr = world["users"]["hr"]
    before = get(client, hr, "overview").context["total"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = SubmissionFactory(programme=world["programme"], workplace=world["wb2"])
        ActivityFactory(submission=submission, staff_participants=7)
        AnonymousInputFactory(programme=world["programme"], workplace=world["wb2"])
        deliver(submission)
    assert callbacks

    after = get(client, hr, "overview").context["total"]

    assert after.delivered == before.delivered + 1
    assert after.activities == before.activities + 1
    assert after.staff_participants == before.staff_participants + 7
    assert after.anonymous_inputs == before.anonymous_inputs + 1


def test_a_closed_down_workplace_leaves_the_totals_once_committed(
    client, world, django_capture_on_commit_callbacks
):
    hr = world["users"]["hr"]
    before = get(client, hr, "overview").context["total"]
    with django_capture_on_commit_callbacks(execute=True):
        world["wa1"].is_active = False
        world["wa1"].save()

    after = get(client, hr, "overview").context["total"]

    assert after.workplaces == before.workplaces - 1
    assert after.delivered == before.delivered - 1


def test_totals_stay_until_the_write_commits(client, world, django_capture_on_commit_callbacks):
    hr = world["users"]["hr"]
    spam = AnonymousInputFactory(programme=world["programme"], workplace=world["wb2"])
    before = get(client, hr, "overview").context["total"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        spam.delete()  # HR removes an anonymous input

    # Not yet committed: a reader may have counted without it, and keeps what it counted.
    assert get(client, hr, "overview").context["total"] == before
    for callback in callbacks:
        callback()
    after = get(client, hr, "overview").context["total"]
    assert after.anonymous_inputs == before.anonymous_inputs - 1


def test_new_anonymous_inputs_reach_the_totals_when_the_cached_ones_expire(
    client, world, django_capture_on_commit_callbacks
):
    """A department's burst through the QR code costs no cache write per input."""
    hr = world["users"]["hr"]
    before = get(client, hr, "overview").context["total"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        AnonymousInputFactory(programme=world["programme"], workplace=world["wb2"])

    assert callbacks == []
    assert get(client, hr, "overview").context["total"] == before
    assert CACHE_SECONDS <= 60  # the bound on how late the totals show it
    cache.delete(FIGURES_KEY)  # what CACHE_SECONDS does
    after = get(client, hr, "overview").context["total"]
    assert after.anonymous_inputs == before.anonymous_inputs + 1


@pytest.mark.parametrize(("role", "recounted"), [("hr", 5), ("fagchef", 5), ("leder", 2)])
def test_mit_overblik_recounts_step_two_in_a_few_queries_when_not_cached(
    client, world, role, recounted
):
    url = reverse("programme:home")
    warm = count_queries(client, world["users"][role], url)
    grow(world, 2)
    cache.delete_many([FIGURES_KEY, STEP_TWO_KEY])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 200
    # Step 2's deadline and states (two), and for HR and fagchef the totals (three).
    assert len(captured) == warm + recounted


def test_mit_overblik_shows_a_closed_step_once_committed(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["users"]["leder"])
    assert ["Valhøj Skole", "Åben", "30.06.2021", "Afleveret 20.05.2021"] in Tables(
        client.get(reverse("programme:home")).content.decode()
    ).rows
    with django_capture_on_commit_callbacks(execute=True):
        close_step(
            step=world["steps"][2],
            administration=world["admin_a"],
            by=world["users"]["hr"],
            comment="Alle har haft mulighed for at aflevere.",
        )

    rows = Tables(client.get(reverse("programme:home")).content.decode()).rows
    assert ["Valhøj Skole", "Lukket", "30.06.2021", "Afleveret 20.05.2021"] in rows
