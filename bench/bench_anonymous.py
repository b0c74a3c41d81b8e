"""The anonymous input form under load: a department scans the QR code at once (gunicorn).

gunicorn (sync workers, as `make serve` runs it) serves the benchmark's database on a
loopback port. A load generator in separate processes plays a department of employees,
CONCURRENCY at a time: each GETs the form (for the CSRF cookie and token) and POSTs an
input, which must answer 302 to the thank-you page. The baseline is the same two requests
(GET, then POST) to a trivial public page through the same server and middleware, so the
ratio compares throughput request for request. Afterwards every sent input must be in
the database: 0 errors, 0 lost inputs.

Why a Python load generator and not wrk: each employee needs its own CSRF cookie and the
token from the page it got, and we need an exact count of inputs that were accepted to
compare with the rows afterwards; that is a few lines of http.client, while wrk needs a
Debian package and Lua state per connection. The generator's own cost is the same per
request in both runs (and its processes share the two cores with the server in both),
so it does not favour either side of the ratio.
"""

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


def _employee(port, path, number, *, real_form):
    """One employee: GET the page, POST an input. Return (ok, seconds, title)."""
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
    if real_form:
        token = TOKEN_RE.search(body)
        cookie = COOKIE_RE.search(headers.get("Set-Cookie", ""))
        if token is None or cookie is None:
            return False, 0.0, title
        fields["csrfmiddlewaretoken"] = token.group(1).decode()
        post_headers["Cookie"] = f"csrftoken={cookie.group(1)}"
    status, headers, _body = _request(
        port, "POST", path, urllib.parse.urlencode(fields), post_headers
    )
    if real_form:
        ok = status == 302 and headers.get("Location", "").endswith("/tak/")
    else:
        ok = status == 200
    return ok, time.perf_counter() - start, title


def _load_process(port, path, numbers, threads, real_form, barrier, results):
    """Run `numbers` employees, `threads` at a time, after every process is ready."""
    from concurrent.futures import ThreadPoolExecutor

    barrier.wait()
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = list(
            pool.map(lambda n: _safe_employee(port, path, n, real_form=real_form), numbers)
        )
    results.put((start, time.perf_counter(), outcomes))


def _safe_employee(port, path, number, *, real_form):
    try:
        return _employee(port, path, number, real_form=real_form)
    except OSError:
        return False, 0.0, f"Input fra medarbejder {number}"


def drive(port, path, first, count, *, real_form):
    """Play `count` employees at CONCURRENCY; return (per second, errors, latencies, titles)."""
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
                real_form,
                barrier,
                results,
            ),
        )
        for i in range(LOAD_PROCESSES)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=60)
    parts = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    started = min(part[0] for part in parts)
    ended = max(part[1] for part in parts)
    outcomes = [outcome for part in parts for outcome in part[2]]
    accepted = [title for ok, _seconds, title in outcomes if ok]
    latencies = sorted(seconds for ok, seconds, _title in outcomes if ok)
    errors = len(outcomes) - len(accepted)
    return len(accepted) / (ended - started), errors, latencies, accepted


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


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn and its workers (Linux /proc), for the report."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in [str(server.pid), *children]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


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
    form_path = f"/input/{link.token}/"
    trivial_path = "/bench/public-trivial/"
    with tempfile.TemporaryDirectory() as workdir:
        server, port, log = start_gunicorn(Path(workdir), connection.settings_dict)
        try:
            sent = []
            # Warm up both: workers load templates and open their database connections.
            drive(port, trivial_path, 0, 100, real_form=False)
            _rate, errors, _latencies, accepted = drive(port, form_path, 0, 100, real_form=True)
            sent += accepted
            total_errors = errors
            trivial_rates, form_rates, form_latencies = [], [], []
            cpu = {"trivial": 0.0, "form": 0.0}
            for round_number in range(ROUNDS):
                before = server_cpu_seconds(server)
                rate, errors, _latencies, _titles = drive(
                    port, trivial_path, 0, EMPLOYEES, real_form=False
                )
                cpu["trivial"] += server_cpu_seconds(server) - before
                trivial_rates.append(rate)
                total_errors += errors
                first = 100 + round_number * EMPLOYEES
                before = server_cpu_seconds(server)
                rate, errors, latencies, accepted = drive(
                    port, form_path, first, EMPLOYEES, real_form=True
                )
                cpu["form"] += server_cpu_seconds(server) - before
                form_rates.append(rate)
                form_latencies += latencies
                total_errors += errors
                sent += accepted
        finally:
            server.terminate()
            server.wait(timeout=30)
        server_log = log.read_text()
    connection.close()  # the rows were written by gunicorn's connections
    stored = list(
        Input.objects.filter(workplace=workplace, source="anonym").values_list("title", flat=True)
    )
    lost = len(set(sent) - set(stored)) + abs(len(stored) - len(sent))
    trivial = statistics.median(trivial_rates)
    form = statistics.median(form_rates)
    p95 = form_latencies[int(len(form_latencies) * 0.95)] if form_latencies else 0
    errors_in_log = server_log.count("Traceback")
    # Seconds per employee on each side: the ratio is submissions/s ÷ trivial GET+POST/s.
    throughput = ratio_at_least(
        f"anonymous input, {CONCURRENCY} at once, vs trivial page",
        1 / form,
        1 / trivial,
        TARGET_RATIO,
        "trivial",
    )
    per_employee = {key: seconds / (ROUNDS * EMPLOYEES) * 1000 for key, seconds in cpu.items()}
    throughput.detail = (
        f"{form:.0f} submissions/s vs {trivial:.0f} trivial GET+POST/s "
        f"({2 * trivial:.0f} trivial requests/s); p95 {p95 * 1000:.0f} ms per employee; "
        f"gunicorn CPU {per_employee['form']:.1f} ms per submission vs "
        f"{per_employee['trivial']:.1f} ms per trivial GET+POST; "
        f"{GUNICORN_WORKERS} sync workers"
    )
    return [
        throughput,
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
