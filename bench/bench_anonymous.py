"""The anonymous input form under load: a department scans the QR code at once (gunicorn).

gunicorn (sync workers, as `make serve` runs it) serves the benchmark's database on a
loopback port. A load generator in separate processes plays a department of employees,
CONCURRENCY at a time: each GETs the form (for the CSRF cookie and token) and POSTs an
input, which must answer 302 to the thank-you page. The baseline is the same two requests
(GET, then POST) to a trivial public page through the same server and middleware, so the
ratio compares throughput request for request. Afterwards every sent input must be in
the database: 0 errors, 0 lost inputs. For scale, a plain Django form (CSRF token and
validation, nothing stored) is driven the same way, and the CPU each side costs in
gunicorn, PostgreSQL, Redis and the load generator is reported.

Why a Python load generator and not wrk: each employee needs its own CSRF cookie and the
token from the page it got, and we need an exact count of inputs that were accepted to
compare with the rows afterwards; that is a few lines of http.client, while wrk needs a
Debian package and Lua state per connection. The generator's own cost is the same per
request in both runs (and its processes share the two cores with the server in both),
so it does not favour either side of the ratio.
"""

import dataclasses
import http.client
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.harness import Measurement, at_most, ratio_at_least

EMPLOYEES = 600  # per measured run: 300 people behind one NAT address, two inputs each
CONCURRENCY = 30  # employees at the form at the same moment
LOAD_PROCESSES = 2
ROUNDS = 3
TARGET_RATIO = 0.5
GUNICORN_WORKERS = 3  # as `make serve` runs it
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE_RE = re.compile(r"csrftoken=([^;]+)")


# --- the load generator (runs in its own processes; standard library only) ----------------


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _employee(port, path, number, *, expect):
    """One employee: GET the page, POST an input. Return (ok, seconds, title).

    `expect` is where a form's POST must redirect to; None for the trivial page, which
    answers 200 and needs no CSRF token.
    """
    title = f"Input fra medarbejder {number}"
    start = time.perf_counter()
    status, headers, body = _request(port, "GET", path, headers={"User-Agent": "bench"})
    if status != 200:
        return False, 0.0, title
    fields = {
        "kind": "ide",
        "title": title,
        "text": "Vi vil gerne have mere tid til faglig sparring på tværs af teams. " * 4,
        "suggested_form": "lokalt",
        "theme_guesses": "samarbejde",
    }
    post_headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "bench"}
    if expect is not None:
        token = TOKEN_RE.search(body)
        cookie = COOKIE_RE.search(headers.get("Set-Cookie", ""))
        if token is None or cookie is None:
            return False, 0.0, title
        fields["csrfmiddlewaretoken"] = token.group(1).decode()
        post_headers["Cookie"] = f"csrftoken={cookie.group(1)}"
    status, headers, _body = _request(
        port, "POST", path, urllib.parse.urlencode(fields), post_headers
    )
    if expect is not None:
        ok = status == 302 and headers.get("Location", "").endswith(expect)
    else:
        ok = status == 200
    return ok, time.perf_counter() - start, title


def _load_process(port, path, numbers, threads, expect, barrier, results):
    """Run `numbers` employees, `threads` at a time, after every process is ready."""
    from concurrent.futures import ThreadPoolExecutor

    barrier.wait()
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(lambda n: _safe_employee(port, path, n, expect), numbers))
    results.put((start, time.perf_counter(), outcomes))


def _safe_employee(port, path, number, expect):
    try:
        return _employee(port, path, number, expect=expect)
    except OSError:
        return False, 0.0, f"Input fra medarbejder {number}"


@dataclasses.dataclass
class Run:
    per_second: float
    errors: int
    latencies: list[float]
    accepted: list[str]  # the titles of the inputs that were answered as expected
    load_cpu: float  # CPU seconds the load generator's processes used


def drive(port, path, first, count, *, expect) -> Run:
    """Play `count` employees at CONCURRENCY."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(LOAD_PROCESSES + 1)
    results = context.Queue()
    numbers = list(range(first, first + count))
    processes = [
        context.Process(
            target=_load_process,
            args=(
                port,
                path,
                numbers[i::LOAD_PROCESSES],
                CONCURRENCY // LOAD_PROCESSES,
                expect,
                barrier,
                results,
            ),
        )
        for i in range(LOAD_PROCESSES)
    ]
    before = os.times()
    for process in processes:
        process.start()
    barrier.wait(timeout=60)
    parts = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    after = os.times()
    started = min(part[0] for part in parts)
    ended = max(part[1] for part in parts)
    outcomes = [outcome for part in parts for outcome in part[2]]
    accepted = [title for ok, _seconds, title in outcomes if ok]
    return Run(
        per_second=len(accepted) / (ended - started),
        errors=len(outcomes) - len(accepted),
        latencies=sorted(seconds for ok, seconds, _title in outcomes if ok),
        accepted=accepted,
        # Includes starting the two interpreters, the same for every run.
        load_cpu=(after.children_user + after.children_system)
        - (before.children_user + before.children_system),
    )


# --- the server ---------------------------------------------------------------------------

SERVER_SETTINGS = """
from tests.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# One address sends the whole run: raise the anonymous-input limits out of the way.
ANONYMOUS_INPUT_MAX_PER_LINK = 10**9
ANONYMOUS_INPUT_MAX_PER_CLIENT = 10**9
"""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(settings_dict) -> str:
    quote = urllib.parse.quote
    credentials = quote(settings_dict["USER"] or "")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"])
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(settings_dict['NAME'])}"


def start_gunicorn(workdir: Path, settings_dict) -> tuple[subprocess.Popen, int, Path]:
    from django.conf import settings

    (workdir / "bench_server_settings.py").write_text(SERVER_SETTINGS)
    port = _free_port()
    log = workdir / "gunicorn.log"
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench_server_settings",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(settings.BASE_DIR)]),
        "DATABASE_URL": _database_url(settings_dict),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "rodovre_udvikling.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--backlog",
            "2048",
            "--error-logfile",
            str(log),
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if _request(port, "GET", "/bench/public-trivial/")[0] == 200:
                return server, port, log
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def _process_cpu(stat: Path) -> tuple[str, float] | None:
    """Return a process's name and the CPU seconds it has used (its /proc/<pid>/stat)."""
    try:
        head, tail = stat.read_text().rsplit(")", 1)
    except OSError:
        return None  # it has exited
    fields = tail.split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return head.split("(", 1)[1], ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn and its workers (Linux /proc), for the report."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    found = (_process_cpu(Path(f"/proc/{pid}/stat")) for pid in [str(server.pid), *children])
    return sum(seconds for _name, seconds in filter(None, found))


def services_cpu_seconds() -> dict[str, float]:
    """CPU time used so far by the PostgreSQL and Redis servers on this machine (/proc)."""
    total = {"postgres": 0.0, "redis-server": 0.0}
    for found in filter(None, map(_process_cpu, Path("/proc").glob("[0-9]*/stat"))):
        name, seconds = found
        if name in total:
            total[name] += seconds
    return total


def prepare_workplace():
    """A department's workplace with step 2 open, and its link."""
    import datetime

    from clarification.models import StepNumber, StepStatus
    from clarification.services.anonymous import get_or_create_link
    from clarification.services.steps import ensure_steps, state_for
    from programme.models import Administration, Programme, Workplace

    administration = Administration.objects.create(code="BKF", name="Børne- og Kultur")
    workplace = Workplace.objects.create(
        code="BENCH1", name="Hjemmeplejen Nord", administration=administration, headcount=300
    )
    programme = Programme.objects.create(
        name="Udviklingsforløb",
        slug="bench-anonymous",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2040, 12, 31),
    )
    steps = ensure_steps(
        programme=programme,
        deadlines={n: datetime.date(2030, 1, n) for n in StepNumber},
    )
    state = state_for(step=steps[StepNumber.EXECUTION - 1], administration=administration)
    state.status = StepStatus.OPEN
    state.save()
    return workplace, get_or_create_link(workplace=workplace)


def run() -> list[Measurement]:
    from django.db import connection

    from clarification.models import Input

    if connection.vendor != "postgresql":
        return [
            Measurement(
                "anonymous form under load (gunicorn)",
                0,
                "skipped",
                "needs PostgreSQL",
                True,
                "set DATABASE_URL: gunicorn cannot share the in-memory SQLite test database",
            )
        ]
    workplace, link = prepare_workplace()
    # Three pages through the same server, GET then POST each: the trivial page (the
    # baseline), a plain Django form (CSRF token and validation, nothing stored: what any
    # public form costs) and the anonymous form.
    phases = {
        "trivial": ("/bench/public-trivial/", None),
        "plain form": ("/bench/public-plain-form/", "/bench/public-trivial/"),
        "form": (f"/input/{link.token}/", "/tak/"),
    }
    rates = {name: [] for name in phases}
    cpu = {
        name: {"gunicorn": 0.0, "load": 0.0, "postgres": 0.0, "redis-server": 0.0}
        for name in phases
    }
    form_latencies, sent = [], []
    total_errors = 0
    with tempfile.TemporaryDirectory() as workdir:
        server, port, log = start_gunicorn(Path(workdir), connection.settings_dict)
        try:
            # Warm up: workers load templates and open their database connections.
            for name, (path, expect) in phases.items():
                run_ = drive(port, path, 0, 100, expect=expect)
                total_errors += run_.errors
                if name == "form":
                    sent += run_.accepted
            for round_number in range(ROUNDS):
                for name, (path, expect) in phases.items():
                    first = 100 + round_number * EMPLOYEES
                    gunicorn_before, services_before = (
                        server_cpu_seconds(server),
                        services_cpu_seconds(),
                    )
                    run_ = drive(port, path, first, EMPLOYEES, expect=expect)
                    cpu[name]["gunicorn"] += server_cpu_seconds(server) - gunicorn_before
                    cpu[name]["load"] += run_.load_cpu
                    for service, seconds in services_cpu_seconds().items():
                        cpu[name][service] += seconds - services_before[service]
                    rates[name].append(run_.per_second)
                    total_errors += run_.errors
                    if name == "form":
                        form_latencies += run_.latencies
                        sent += run_.accepted
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_log = log.read_text()
    connection.close()  # the rows were written by gunicorn's connections
    stored = list(
        Input.objects.filter(workplace=workplace, source="anonym").values_list("title", flat=True)
    )
    lost = len(set(sent) - set(stored)) + abs(len(stored) - len(sent))
    median = {name: statistics.median(values) for name, values in rates.items()}
    ms = {
        name: {key: seconds / (ROUNDS * EMPLOYEES) * 1000 for key, seconds in parts.items()}
        for name, parts in cpu.items()
    }
    p95 = form_latencies[int(len(form_latencies) * 0.95)] if form_latencies else 0
    errors_in_log = server_log.count("Traceback")
    # Seconds per employee on each side: the ratio is submissions/s ÷ trivial GET+POST/s.
    throughput = ratio_at_least(
        f"anonymous input, {CONCURRENCY} at once, vs trivial page",
        1 / median["form"],
        1 / median["trivial"],
        TARGET_RATIO,
        "trivial",
    )
    form, trivial, plain = ms["form"], ms["trivial"], ms["plain form"]
    throughput.detail = (
        f"{median['form']:.0f} submissions/s vs {median['trivial']:.0f} trivial GET+POST/s; "
        f"p95 {p95 * 1000:.0f} ms per employee; CPU per GET+POST: gunicorn "
        f"{form['gunicorn']:.1f} ms vs {trivial['gunicorn']:.1f} ms trivial, PostgreSQL "
        f"{form['postgres']:.1f} ms, Redis {form['redis-server']:.1f} ms, load generator "
        f"{form['load']:.1f} ms vs {trivial['load']:.1f} ms; {GUNICORN_WORKERS} sync workers"
    )
    plain_form = Measurement(
        "plain Django form (CSRF, validation; stores nothing), for scale",
        median["plain form"] / median["trivial"],
        "× baseline",
        "none",
        True,
        f"{median['plain form']:.0f} GET+POST/s; gunicorn CPU {plain['gunicorn']:.1f} ms",
    )
    return [
        throughput,
        plain_form,
        at_most(
            "anonymous input errors under load",
            total_errors + errors_in_log,
            0,
            "errors",
            f"{len(sent)} inputs accepted in {ROUNDS} runs of {EMPLOYEES} plus warm-up",
        ),
        at_most(
            "anonymous inputs lost (sent, but not in the database)",
            lost,
            0,
            "inputs",
            f"{len(stored)} rows stored for {len(sent)} accepted",
        ),
    ]
