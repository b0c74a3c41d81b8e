"""Reminders through a real Celery worker on Redis, against the PostgreSQL test database.

quality.md rows 16 (reminders go out once, also "I sagde — vi gør" after a publication) and
17 (worker killed mid-task: the documented at-most-once guarantee holds, no duplicate). The
workers write each e-mail to its own file (tests.reminders_support.DirectoryBackend), which
the tests read.
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clarification.feedback import FEEDBACK_AUDIENCE
from clarification.models import (
    ClarificationStep,
    Decision,
    DecisionKind,
    DecisionState,
    StepStatus,
    Synthesis,
)
from clarification.reminders import ensure_default_rules
from clarification.services import decisions
from clarification.services.steps import ensure_steps, state_for
from programme import reminders
from programme.models import DeliveryStatus, ReminderDelivery, ReminderRule, Role
from programme.tasks import send_reminder
from rodovre_udvikling.celery import app
from tests.clarification.conftest import DEADLINES
from tests.clarification.factories import InputFactory, SubmissionFactory
from tests.programme.factories import (
    AdministrationFactory,
    LeadershipFactory,
    PersonFactory,
    ProgrammeFactory,
    WorkplaceFactory,
    hr_user,
    login_for,
)
from tests.reminders_support import outbox_files, recipients_of
from tests.test_worker import STARTUP_TIMEOUT, TASK_TIMEOUT, Worker, _database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# 7 days before the step-2 deadline (30 June 2021), 08.00 Danish summer time.
DUE = datetime.datetime(2021, 6, 23, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture
def workers(tmp_path):
    """Start reminder workers on demand; stop (or reap) each one afterwards."""
    started: list[Worker] = []
    app.control.purge()

    def start(*, mail_dir: Path, hang_marker: Path | None = None, concurrency: int = 2):
        name = f"reminders-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        log_path = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "PYTHONPATH": str(settings.BASE_DIR),
            "MAILER_BACKEND": "tests.reminders_support.DirectoryBackend",
            "REMINDER_MAIL_DIR": str(mail_dir),
        }
        if hang_marker is not None:
            env["REMINDER_MAIL_HANG_ONCE"] = str(hang_marker)
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "rodovre_udvikling",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            name,
        ]
        with log_path.open("wb") as log:
            # Its own process group, so the test can kill the worker and its pool at once.
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log_path, name)
        started.append(worker)

        def ready():
            if process.poll() is not None:
                raise AssertionError(f"the worker exited:\n{worker.log()}")
            return app.control.ping(destination=[name], timeout=0.5)

        wait_for(ready, timeout=STARTUP_TIMEOUT, what=f"the worker to answer:\n{worker.log()}")
        return worker

    yield start
    killed = False
    for worker in started:
        if worker.process.poll() is None:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
        else:
            killed = True
    if killed:
        # A worker killed with SIGKILL leaves its unacknowledged messages in the broker,
        # where Redis would hand them out again after the visibility timeout, naming rows
        # of a later test database. No worker runs now, so none of ours is in flight.
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        broker.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def mail_dir(tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


def step_two_with_leaders(count: int, *, delivered: int = 0, fagchefs: bool = False):
    """A programme whose step 2 is open in one administration with `count` leaders."""
    programme = ProgrammeFactory()
    steps = {step.number: step for step in ensure_steps(programme=programme, deadlines=DEADLINES)}
    administration = AdministrationFactory()
    state = state_for(step=steps[2], administration=administration)
    state.status = StepStatus.OPEN
    state.save()
    leaders = []
    for n in range(count):
        workplace = WorkplaceFactory(administration=administration)
        leaders.append(LeadershipFactory(workplace=workplace).person)
        if n < delivered:
            workplace.submissions.create(
                programme=programme, status="afleveret", delivered_at=timezone.now()
            )
    if fagchefs:
        PersonFactory(workplace=workplace, role=Role.HEAD_OF_DEPARTMENT)
    ensure_default_rules(programme=programme)
    return steps[2], leaders


def statuses() -> Counter:
    return Counter(ReminderDelivery.objects.values_list("status", flat=True))


def pool_processes(worker: Worker) -> list[int]:
    """The worker's pool processes (children of the main process)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == worker.process.pid:
            children.append(int(stat.parent.name))
    return children


def test_worker_sends_each_reminder_once_and_reruns_send_nothing(workers, mail_dir):
    worker = workers(mail_dir=mail_dir)
    step_two_with_leaders(6, delivered=2, fagchefs=True)

    result = reminders.sweep(now=DUE)
    wait_for(
        lambda: statuses() == {DeliveryStatus.SENT: 5},
        timeout=TASK_TIMEOUT,
        what=f"5 reminders sent:\n{worker.log()}",
    )
    log_mark = worker.log_size()
    again = reminders.sweep(now=DUE + datetime.timedelta(minutes=2))
    # Every send task once more, as a redelivery would: each finds its row taken.
    for pk in ReminderDelivery.objects.values_list("pk", flat=True):
        send_reminder.delay(pk)
    wait_for(
        lambda: worker.log(log_mark).count("succeeded") >= 5,
        timeout=TASK_TIMEOUT,
        what=f"the reruns:\n{worker.log(log_mark)}",
    )

    assert (result.created, result.queued) == (5, 5)
    assert (again.created, again.queued) == (0, 0)
    assert worker.log(log_mark).count(": 'skipped'") == 5
    sent_to = recipients_of(outbox_files(mail_dir))
    assert sorted(sent_to) == sorted(ReminderDelivery.objects.values_list("email", flat=True))
    assert len(sent_to) == len(set(sent_to)) == 5


def test_a_pool_process_killed_after_handing_over_the_message_sends_no_duplicate(
    workers, mail_dir, tmp_path
):
    hang = tmp_path / "hang"
    worker = workers(mail_dir=mail_dir, hang_marker=hang, concurrency=1)
    step_two_with_leaders(4)

    reminders.sweep(now=DUE)
    # The first message is written; its process now hangs before recording it as sent.
    wait_for(hang.exists, timeout=TASK_TIMEOUT, what=f"the first message:\n{worker.log()}")
    (child,) = pool_processes(worker)
    os.kill(child, signal.SIGKILL)
    # The worker rejects the lost task back to the queue (task_reject_on_worker_lost); its
    # second run finds the first row claimed and leaves it, and sends the others.
    wait_for(
        lambda: statuses() == {DeliveryStatus.SENT: 3, DeliveryStatus.SENDING: 1},
        timeout=TASK_TIMEOUT,
        what=f"the other reminders:\n{worker.log()}",
    )
    wait_for(
        lambda: "'skipped': 1" in worker.log(),
        timeout=TASK_TIMEOUT,
        what=f"the redelivered task:\n{worker.log()}",
    )
    later = reminders.sweep(now=timezone.now() + reminders.STALE_CLAIM_AFTER)

    assert "WorkerLostError" in worker.log()
    assert later.uncertain == 1
    assert later.queued == 0
    assert statuses() == {DeliveryStatus.SENT: 3, DeliveryStatus.UNCERTAIN: 1}
    sent_to = recipients_of(outbox_files(mail_dir))
    assert len(sent_to) == len(set(sent_to)) == 4


def test_a_worker_killed_mid_run_and_restarted_sends_no_duplicate(workers, mail_dir, tmp_path):
    hang = tmp_path / "hang"
    first = workers(mail_dir=mail_dir, hang_marker=hang, concurrency=1)
    step_two_with_leaders(8)

    reminders.sweep(now=DUE)
    wait_for(hang.exists, timeout=TASK_TIMEOUT, what=f"the first message:\n{first.log()}")
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    assert statuses()[DeliveryStatus.SENDING] == 1

    second = workers(mail_dir=mail_dir)
    # The queue still holds messages the dead worker had not taken; the new one sends them.
    # Wait until it has nothing more to do.
    previous = None
    while (current := statuses()) != previous:
        previous = current
        time.sleep(1.5)
    # The messages the dead worker held are lost until Redis' visibility timeout: the sweep
    # queues their rows again once they are REQUEUE_AFTER old, and marks the claim it left
    # behind uncertain, never to be resent.
    later = reminders.sweep(now=timezone.now() + reminders.STALE_CLAIM_AFTER)
    wait_for(
        lambda: statuses() == {DeliveryStatus.SENT: 7, DeliveryStatus.UNCERTAIN: 1},
        timeout=TASK_TIMEOUT,
        what=f"every reminder settled ({statuses()}):\n{second.log()}",
    )

    assert later.uncertain == 1
    sent_to = recipients_of(outbox_files(mail_dir))
    assert len(sent_to) == len(set(sent_to)) == 8
    assert ClarificationStep.objects.count() == 4


def outbox_messages(directory) -> list:
    """The messages a DirectoryBackend wrote, parsed (the body decoded from its transfer)."""
    from email import message_from_bytes, policy

    return [
        message_from_bytes(raw.split(b"\n" + b"-" * 79)[0], policy=policy.default)
        for raw in outbox_files(directory)
    ]


def test_publishing_a_decision_mails_each_cited_workplaces_leaders_once(workers, mail_dir):
    """quality.md row 16 for "I sagde — vi gør": one e-mail per workplace and leader."""
    worker = workers(mail_dir=mail_dir)
    programme = ProgrammeFactory()
    administration = AdministrationFactory()
    direct, grouped, uncited = WorkplaceFactory.create_batch(3, administration=administration)
    leaders = {
        direct: [LeadershipFactory(workplace=direct).person for _ in range(2)],
        grouped: [LeadershipFactory(workplace=grouped).person],
        uncited: [LeadershipFactory(workplace=uncited).person],
    }
    inputs = {
        workplace: InputFactory(
            submission=SubmissionFactory(programme=programme, workplace=workplace)
        )
        for workplace in leaders
    }
    group = Synthesis.objects.create(programme=programme, title="Borgerdialog")
    group.inputs.add(inputs[grouped])
    hr, direktion = hr_user(), login_for(PersonFactory(role=Role.DIRECTOR))
    decision = Decision.objects.create(
        programme=programme, title="Kursus i borgerdialog", kind=DecisionKind.COURSE, rationale="x"
    )
    decision.inputs.add(inputs[direct])
    decision.syntheses.add(group)
    decisions.propose(decision=decision, by=hr)
    decisions.decide(
        decision=decision,
        to_state=DecisionState.ADOPTED,
        held_on=datetime.date(2021, 9, 14),
        by=direktion,
    )

    # On commit, the publication's rule creates its deliveries and queues them on Redis.
    publication = decisions.publish(programme=programme, decisions=[decision], by=direktion)
    wait_for(
        lambda: statuses() == {DeliveryStatus.SENT: 3},
        timeout=TASK_TIMEOUT,
        what=f"3 feedback e-mails sent ({statuses()}):\n{worker.log()}",
    )
    log_mark = worker.log_size()
    # Everything that could send it again: HR's "send now", two sweeps, every task twice.
    rule = ReminderRule.objects.get(anchor_id=publication.pk, audience=FEEDBACK_AUDIENCE)
    assert reminders.send_rule_now(rule=rule, by=hr) == (0, 0)
    sweeps = [reminders.sweep(), reminders.sweep()]
    pks = list(ReminderDelivery.objects.values_list("pk", flat=True))
    for _ in range(2):
        for pk in pks:
            send_reminder.delay(pk)
    wait_for(
        lambda: worker.log(log_mark).count("succeeded") >= 2 * len(pks),
        timeout=TASK_TIMEOUT,
        what=f"the reruns:\n{worker.log(log_mark)}",
    )

    assert [(s.created, s.queued) for s in sweeps] == [(0, 0), (0, 0)]
    assert worker.log(log_mark).count(": 'skipped'") == 2 * len(pks)
    messages = outbox_messages(mail_dir)
    sent_to = Counter(address.addr_spec for m in messages for address in m["To"].addresses)
    cited = [person for workplace in (direct, grouped) for person in leaders[workplace]]
    assert sent_to == Counter({person.email: 1 for person in cited})
    for workplace in (direct, grouped):
        link = reverse("clarification:feedback", kwargs={"code": workplace.code})
        for person in leaders[workplace]:
            (message,) = (m for m in messages if m["To"].addresses[0].addr_spec == person.email)
            body = message.get_body().get_content()
            assert settings.SITE_URL + link in body
            assert "Kursus i borgerdialog" in body
