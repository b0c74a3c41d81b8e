"""Tasks run by a real Celery worker on Redis against the test database (not eagerly).

quality.md rows 18 (tasks enqueue on commit) and 19 (the aggregation is idempotent and
safe to run concurrently).
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from programme.models import Administration, AdministrationSnapshot, Role
from programme.tasks import refresh_organisation_snapshot
from rodovre_udvikling.celery import app
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    WorkplaceFactory,
)

# The worker reads the test database, so both must be PostgreSQL (an in-memory SQLite
# test database is invisible to another process).
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TASK = refresh_organisation_snapshot.name
STARTUP_TIMEOUT = 60.0
TASK_TIMEOUT = 30.0


def wait_for(predicate, *, timeout: float, what: str):
    """Poll until `predicate()` is truthy and return its value; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
    return result


class Worker:
    """A `celery worker` subprocess and what it has logged."""

    def __init__(self, process: subprocess.Popen, log_path: Path, name: str):
        self.process = process
        self.log_path = log_path
        self.name = name

    def log(self, since: int = 0) -> str:
        return self.log_path.read_bytes()[since:].decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def received(self, since: int = 0) -> list[str]:
        """Ids of the snapshot tasks the worker has taken off the queue."""
        return re.findall(rf"Task {re.escape(TASK)}\[([0-9a-f-]+)\] received", self.log(since))

    def wait_succeeded(self, task_id: str) -> None:
        def succeeded():
            if self.process.poll() is not None:
                raise AssertionError(f"the worker died:\n{self.log()}")
            return f"[{task_id}] succeeded" in self.log()

        wait_for(succeeded, timeout=TASK_TIMEOUT, what=f"task {task_id}:\n{self.log()}")


def _database_url() -> str:
    """The URL of the test database pytest-django created (NAME is test_… by now)."""
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{quote(db['NAME'], safe='')}"
    )


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """Start one worker for this module on the test database; stop it afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    # Messages left by earlier runs or by other tests would name rows that do not exist.
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "rodovre_udvikling",
        "worker",
        # Two processes, as `make worker` runs: the concurrent calls really overlap.
        "--pool=prefork",
        "--concurrency=2",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        name,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    started = Worker(process, log_path, name)

    def ready():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited with {process.returncode}:\n{started.log()}")
        return app.control.ping(destination=[name], timeout=0.5)

    try:
        wait_for(ready, timeout=STARTUP_TIMEOUT, what=f"the worker to answer:\n{started.log()}")
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _snapshot() -> dict[str, tuple[int, int, int, int]]:
    return {
        s.administration.name: (s.workplaces, s.people, s.leaders, s.headcount)
        for s in AdministrationSnapshot.objects.select_related("administration")
    }


@pytest.fixture
def organisation():
    """Two administrations; the expected snapshot is (workplaces, people, leaders, headcount)."""
    schools = AdministrationFactory(name="Børne- og Kulturforvaltningen")
    care = AdministrationFactory(name="Social- og Sundhedsforvaltningen")
    school = WorkplaceFactory(administration=schools, headcount=12)
    nursery = WorkplaceFactory(administration=schools, headcount=8)
    WorkplaceFactory(administration=schools, headcount=5, is_active=False)
    home_care = WorkplaceFactory(administration=care, headcount=30)
    leader = PersonFactory(workplace=school, role=Role.LEADER)
    LeadershipFactory(workplace=school, person=leader)
    PersonFactory.create_batch(3, workplace=school)
    PersonFactory(workplace=school, is_active=False)
    PersonFactory.create_batch(2, workplace=nursery)
    PersonFactory(workplace=home_care)
    return {
        "Børne- og Kulturforvaltningen": (2, 6, 1, 20),
        "Social- og Sundhedsforvaltningen": (1, 1, 0, 30),
    }


def test_worker_writes_the_snapshot_and_concurrent_reruns_change_nothing(worker, organisation):
    first = refresh_organisation_snapshot.delay()
    wait_for(lambda: _snapshot() == organisation, timeout=TASK_TIMEOUT, what="the snapshot")
    worker.wait_succeeded(first.id)
    first_computed = max(AdministrationSnapshot.objects.values_list("computed_at", flat=True))

    again = [refresh_organisation_snapshot.delay(), refresh_organisation_snapshot.delay()]
    for result in again:
        worker.wait_succeeded(result.id)

    assert _snapshot() == organisation
    assert AdministrationSnapshot.objects.count() == Administration.objects.count() == 2
    # The reruns did write: the rows carry a later time, not just the first run's numbers.
    assert all(
        computed > first_computed
        for computed in AdministrationSnapshot.objects.values_list("computed_at", flat=True)
    )


def test_task_queued_on_commit_runs_once_after_the_commit(worker, organisation):
    log_mark = worker.log_size()
    with transaction.atomic():
        refresh_organisation_snapshot.delay_on_commit()
    wait_for(lambda: _snapshot() == organisation, timeout=TASK_TIMEOUT, what="the snapshot")
    assert len(worker.received(since=log_mark)) == 1


class RolledBack(Exception):
    pass


def test_task_queued_in_a_rolled_back_transaction_is_never_sent(worker):
    AdministrationFactory(name="Børne- og Kulturforvaltningen")
    log_mark = worker.log_size()

    with pytest.raises(RolledBack), transaction.atomic():
        AdministrationFactory(name="Rullet tilbage")
        refresh_organisation_snapshot.delay_on_commit()
        raise RolledBack

    assert not Administration.objects.filter(name="Rullet tilbage").exists()
    # The queue is first in, first out: once the worker has run a task sent after the
    # rollback, it would already have received one sent by the rolled-back block.
    after = refresh_organisation_snapshot.delay()
    worker.wait_succeeded(after.id)
    assert worker.received(since=log_mark) == [after.id]
