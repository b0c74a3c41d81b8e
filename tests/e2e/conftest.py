"""Browser fixtures: Debian's Chromium through Playwright against the live server.

Every page a test opens is watched: a Content-Security-Policy violation, a console error
or an uncaught exception fails the test, and `axe` runs axe-core's WCAG 2.1 AA rules.
"""

import datetime
import json
import shutil
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from programme import services
from programme.access import RoleGroup
from programme.models import Administration, Postponement, Workplace
from tests.programme.factories import (
    ExternalPersonFactory,
    MilestoneFactory,
    PhaseFactory,
    UserFactory,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's package
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# Served to the browser by `page.route`, never by the app: same origin as the pages.
AXE_URL = "/__e2e__/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "korrekt-hest-batteri-47"  # UserFactory's password
POSTPONEMENT_REASON = "Udskudt grundet covid-19"

# Runs in every document before its own scripts; reports what the CSP blocked.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation({
    page: document.location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
  });
});
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium: `playwright install` cannot download one here."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Point relative `page.goto()` at the live server.

    Overriding pytest-playwright's own `base_url` also keeps its fallback fixture, an
    instance method that pytest 9 warns about, out of the run.
    """
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
    }


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran."""

    csp_violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        self.console_errors.append(f"{message.text} ({url})")

    def assert_none(self) -> None:
        __tracebackhide__ = True
        assert not self.csp_violations, "CSP violations:\n" + "\n".join(
            json.dumps(v, ensure_ascii=False) for v in self.csp_violations
        )
        assert not self.console_errors, "Console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(page: Page, live_server, page_problems: PageProblems) -> Page:
    """A page on the live server that fails the test on CSP violations and console errors."""
    page.set_default_timeout(10_000)
    page.route(
        AXE_URL,
        lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"),
    )
    page.context.expose_function(
        "__reportCspViolation", lambda violation: page_problems.csp_violations.append(violation)
    )
    page.context.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("console", page_problems.record_console)
    page.on("pageerror", lambda error: page_problems.console_errors.append(f"uncaught: {error}"))
    yield page
    page_problems.assert_none()


def format_violations(violations: list[dict]) -> str:
    """Render axe-core violations one rule at a time, with the offending elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page and return the violations."""
    # Contrast and layout depend on the stylesheets: wait until they have loaded.
    page.wait_for_load_state("load")
    # `add_script_tag(path=…)` inserts an inline script, which our CSP (nonces, no
    # 'unsafe-inline') rightly blocks; loaded from our own origin it passes 'self'.
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_21_AA,
    )
    return [
        {key: v[key] for key in ("id", "impact", "help", "helpUrl")}
        | {
            "nodes": [
                {key: n.get(key) for key in ("target", "html", "failureSummary")}
                for n in v["nodes"]
            ]
        }
        for v in result["violations"]
    ]


@pytest.fixture
def axe(page_problems: PageProblems):
    """Assert that the page has no WCAG 2.1 AA violations axe-core can find."""

    def check(page: Page) -> None:
        __tracebackhide__ = True
        violations = run_axe(page)
        assert not violations, f"axe-core on {page.url}:\n{format_violations(violations)}"
        page_problems.assert_none()

    return check


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form with the keyboard alone."""
    page.goto("/log-ind/")
    # The username field has autofocus; the password is one Tab away.
    expect(page.get_by_label("Brugernavn")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adgangskode")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")


@pytest.fixture
def journey_world(org, users, programme):
    """The programme with phases and milestones (one postponed) and a login per role."""
    # LeadershipFactory gives each leader a workplace and an administration of their own
    # before `org` moves them; remove those so the pages show exactly the `org` units.
    Workplace.objects.exclude(pk__in=[org[key].pk for key in ("wa1", "wa2", "wb1", "wb2")]).delete()
    Administration.objects.exclude(pk__in=[org["admin_a"].pk, org["admin_b"].pk]).delete()
    today = timezone.localdate()
    tiers = {tier.number: tier for tier in programme.tiers.all()}
    for number, name, start, end in [
        (1, "Afklaring", today - datetime.timedelta(days=90), today + datetime.timedelta(days=30)),
        (2, "Udvikling", today + datetime.timedelta(days=31), today + datetime.timedelta(days=200)),
        (3, "Implementering", today + datetime.timedelta(days=201), None),
    ]:
        phase = PhaseFactory(
            programme=programme,
            number=number,
            name=name,
            planned_start=start,
            planned_end=end,
            actual_start=start if number == 1 else None,
        )
        phase.tiers.set([tiers[2], tiers[3]])
    MilestoneFactory(
        programme=programme,
        name="Afklaring afsluttet",
        tier=tiers[2],
        planned_date=today + datetime.timedelta(days=30),
    )
    postponed = MilestoneFactory(
        programme=programme,
        name="Fælles seminar for ledere",
        tier=tiers[2],
        planned_date=today + datetime.timedelta(days=60),
    )
    services.postpone_milestone(
        milestone=postponed,
        new_date=today + datetime.timedelta(days=150),
        reason=POSTPONEMENT_REASON,
        by=users["hr"],
    )
    assert Postponement.objects.filter(milestone=postponed).count() == 1
    coach = UserFactory(username="coach", first_name="Karen", groups=[RoleGroup.COACH])
    ExternalPersonFactory(name="Karen Coach", user=coach)
    services.refresh_organisation_snapshot()
    return {**org, "programme": programme, "users": {**users, "coach": coach}}
