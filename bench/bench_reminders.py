"""Reminder sweep for 45,000 recipients through one Celery worker: e-mails per second, none twice.

One rule whose audience is 45,000 people falls due. The clock runs from the start of the
sweep (which creates the 45,000 delivery rows and queues the send tasks, SEND_BATCH rows
each) until every row is recorded as sent by a real `celery worker` with one pool process
on Redis against the benchmark database. The worker's mail backend appends one line per
message to a file, so the bench can count what was handed to it: every recipient exactly
once, also after a second sweep.

Without PostgreSQL and CELERY_BROKER_URL (no worker can share an in-memory SQLite
database) the tasks run in this process instead, and the line says so.
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from email.utils import parseaddr
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from bench.harness import Measurement, at_least

PEOPLE = 45_000
TARGET_PER_SECOND = 200
SEND_TIMEOUT = 1800
# One pool process, as the issue asks; BENCH_REMINDER_CONCURRENCY=2 measures `make worker`.
CONCURRENCY = int(os.environ.get("BENCH_REMINDER_CONCURRENCY", "1"))


class LineBackend(BaseEmailBackend):
    """Append "address<TAB>subject" per message to $BENCH_MAIL_FILE: cheap and countable."""

    def send_messages(self, messages):
        with open(os.environ["BENCH_MAIL_FILE"], "a", encoding="utf-8") as out:
            for message in messages:
                address = parseaddr(message.to[0])[1]
                out.write(f"{address}\t{message.subject}\n")
        return len(messages)


def _register_audience():
    from programme.models import Person, Programme
    from programme.reminders import Audience, Recipient, register

    def everyone(programme):
        rows = (
            Person.objects.filter(workplace__code="BENCH-REMINDERS", is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("pk", "name", "email")
        )
        for pk, name, email in rows.iterator(chunk_size=5000):
            yield Recipient(
                key=f"person:{pk}",
                person_id=pk,
                email=email,
                name=name,
                context={"navn": name, "forloeb": programme.name},
            )

    return register(
        Audience(
            key="bench.alle",
            label="Alle i benchmarket",
            anchor_model=Programme,
            anchor_date=lambda programme: programme.starts_on,
            recipients=everyone,
            default_subject="Velkommen til {{ forloeb }}",
            default_body="Kære {{ navn }}\n\n{{ forloeb }} begynder i dag.\n",
        )
    )


def build(audience):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from programme.models import Administration, Person, Programme, ReminderRule, Workplace

    administration = Administration.objects.create(code="BENCH-R", name="Benchmark-forvaltning")
    workplace = Workplace.objects.create(
        code="BENCH-REMINDERS", name="Alle", administration=administration
    )
    Person.objects.bulk_create(
        (
            Person(
                employee_number=f"R{i:07d}",
                name=f"Medarbejder Ærø {i}",
                email=f"medarbejder{i}@kommune.dk",
                workplace=workplace,
            )
            for i in range(PEOPLE)
        ),
        batch_size=5000,
    )
    today = timezone.localdate()
    programme = Programme.objects.create(
        name="Udviklingsforløb",
        slug="bench-reminders",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=700),
    )
    # Due today at midnight, Danish time: due now, and well within the grace period.
    return ReminderRule.objects.create(
        name="Velkomst",
        audience=audience.key,
        anchor_type=ContentType.objects.get_for_model(Programme),
        anchor_id=programme.pk,
        offset_days=0,
        time_of_day=datetime.time(0, 0),
        subject=audience.default_subject,
        body=audience.default_body,
    )


def _database_url(settings_dict) -> str:
    quote = urllib.parse.quote
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def start_worker(workdir: Path, mail_file: Path) -> subprocess.Popen:
    from django.conf import settings
    from django.db import connection

    from rodovre_udvikling.celery import app

    app.control.purge()
    name = f"bench-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    log = workdir / "worker.log"
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MAILER_BACKEND": "bench.bench_reminders.LineBackend",
        "BENCH_MAIL_FILE": str(mail_file),
    }
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "rodovre_udvikling",
                "worker",
                "--pool=prefork",
                f"--concurrency={CONCURRENCY}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                name,
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[name], timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            raise RuntimeError(f"the worker did not start:\n{log.read_text()[-3000:]}")
    return worker


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def cpu_seconds(worker: subprocess.Popen) -> float:
    """CPU time used so far by the worker's main process and its pool processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == worker.pid or int(fields[1]) == worker.pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _sent(rule) -> int:
    from programme.models import DeliveryStatus

    return rule.deliveries.filter(status=DeliveryStatus.SENT).count()


def run() -> list[Measurement]:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from programme import reminders
    from programme.models import DeliveryStatus

    rule = build(_register_audience())
    with_worker = connection.vendor == "postgresql" and bool(settings.CELERY_BROKER_URL)
    with tempfile.TemporaryDirectory() as workdir:
        mail_file = Path(workdir) / "sent.txt"
        mail_file.touch()
        os.environ["BENCH_MAIL_FILE"] = str(mail_file)  # the in-process fallback's backend
        worker = start_worker(Path(workdir), mail_file) if with_worker else None
        mailers = {"default": {"BACKEND": "bench.bench_reminders.LineBackend"}}
        try:
            with override_settings(MAILERS=mailers):
                worker_cpu = cpu_seconds(worker) if worker else 0.0
                start, start_cpu = time.perf_counter(), time.process_time()
                result = reminders.sweep()
                swept, sweep_cpu = time.perf_counter() - start, time.process_time() - start_cpu
                deadline = time.monotonic() + SEND_TIMEOUT
                while _sent(rule) < PEOPLE:
                    if time.monotonic() > deadline or (worker and worker.poll() is not None):
                        log = Path(workdir) / "worker.log"
                        tail = log.read_text()[-3000:] if log.exists() else ""
                        raise RuntimeError(f"not all sent: {_sent(rule)} of {PEOPLE}\n{tail}")
                    time.sleep(0.2)
                elapsed = time.perf_counter() - start
                worker_cpu = cpu_seconds(worker) - worker_cpu if worker else 0.0
                again = reminders.sweep()
                time.sleep(2)  # anything queued by mistake would reach the backend by now
        finally:
            if worker is not None:
                stop_worker(worker)
        lines = mail_file.read_text(encoding="utf-8").splitlines()

    addresses = [line.split("\t", 1)[0] for line in lines]
    rows = rule.deliveries.count()
    sent = rule.deliveries.filter(status=DeliveryStatus.SENT).count()
    once = result.created == result.queued == rows == sent == len(addresses) == len(
        set(addresses)
    ) == PEOPLE and (again.created, again.queued) == (0, 0)
    if worker is not None:
        where = (
            f"one worker, concurrency {CONCURRENCY}, on Redis, {reminders.SEND_BATCH} e-mails "
            f"per task; worker CPU {worker_cpu / PEOPLE * 1000:.1f} ms per e-mail"
        )
    else:
        where = "in-process: no worker without PostgreSQL and a broker"
    return [
        at_least(
            f"reminders for {PEOPLE:,} recorded and sent",
            PEOPLE / elapsed,
            TARGET_PER_SECOND,
            "e-mails/s",
            f"{where}; sweep {swept:.1f} s ({sweep_cpu / PEOPLE * 1000:.2f} ms CPU per row, "
            f"creating and queueing), all sent after {elapsed:.1f} s",
        ),
        Measurement(
            "each recipient exactly once (rows, statuses, mail lines)",
            len(addresses),
            "e-mails",
            f"== {PEOPLE:,} rows, all sent, no repeat",
            once,
            f"{rows} rows, {sent} sent, {len(set(addresses))} distinct addresses; "
            f"second sweep created {again.created}, queued {again.queued}",
        ),
    ]
