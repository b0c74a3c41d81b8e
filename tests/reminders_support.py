"""What the reminder tests share: test mail backends, a small audience, rule and sweep helpers.

The backends are also loaded by real Celery workers (MAILER_BACKEND=tests.reminders_support.…),
so this module imports nothing from the apps at import time.
"""

import datetime
import os
import time
import uuid
from smtplib import SMTPServerDisconnected

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend

# --- mail backends ---------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises before anything is accepted."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


class DirectoryBackend(FileBackend):
    """Write each message to its own file in $REMINDER_MAIL_DIR (a worker's outbox).

    With $REMINDER_MAIL_HANG_ONCE set to a path, the first message sent by any process
    creates that file and then hangs for a minute *after* it is written: the moment
    between handing a message to the server and recording it as sent.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["REMINDER_MAIL_DIR"])
        super().__init__(*args, **kwargs)

    def _get_filename(self):
        return os.path.join(self.file_path, f"{uuid.uuid4().hex}.eml")

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        marker = os.environ.get("REMINDER_MAIL_HANG_ONCE")
        if marker:
            try:
                with open(marker, "x"):
                    pass
            except FileExistsError:
                return sent
            time.sleep(60)
        return sent


def outbox_files(directory) -> list[bytes]:
    """Return the messages a DirectoryBackend wrote, one per file."""
    return [path.read_bytes() for path in sorted(directory.glob("*.eml"))]


def recipients_of(raw_messages: list[bytes]) -> list[str]:
    from email import message_from_bytes, policy

    addresses = []
    for raw in raw_messages:
        message = message_from_bytes(raw.split(b"\n" + b"-" * 79)[0], policy=policy.default)
        addresses.extend(address.addr_spec for address in message["To"].addresses)
    return addresses


# --- rules and sweeps ------------------------------------------------------------------


def make_rule(anchor, audience, *, offset_days=-7, time_of_day=datetime.time(8, 0), **fields):
    from django.contrib.contenttypes.models import ContentType

    from programme.models import ReminderRule

    fields.setdefault("name", f"{audience.label} {offset_days}")
    fields.setdefault("subject", audience.default_subject)
    fields.setdefault("body", audience.default_body)
    return ReminderRule.objects.create(
        audience=audience.key,
        anchor_type=ContentType.objects.get_for_model(anchor),
        anchor_id=anchor.pk,
        offset_days=offset_days,
        time_of_day=time_of_day,
        **fields,
    )


@pytest.fixture
def eager_tasks():
    """Run tasks in the calling thread, also when a broker is configured (unit tests).

    The real worker on Redis is tested in tests/test_worker_reminders.py.
    """
    from rodovre_udvikling.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def sweep_and_send(capture, *, now=None):
    """Run a sweep and the send tasks it queues on commit; return the sweep's result."""
    from programme import reminders

    with capture(execute=True):
        return reminders.sweep(now=now)


# --- the models' rules -----------------------------------------------------------------


def _rule(**fields):
    from django.contrib.contenttypes.models import ContentType

    from programme.models import Milestone, ReminderRule
    from tests.programme.factories import MilestoneFactory

    milestone = MilestoneFactory()
    defaults = {
        "name": "Påmindelse",
        "audience": "afklaring.ledere-uden-aflevering",
        "anchor_type": ContentType.objects.get_for_model(Milestone),
        "anchor_id": milestone.pk,
        "subject": "Emne",
        "body": "Tekst",
    }
    return ReminderRule(**(defaults | fields))


def rule_a_year_and_more_away():
    return _rule(offset_days=400)


def second_delivery_to_the_same_recipient():
    from programme.models import ReminderDelivery

    rule = _rule()
    rule.save()
    ReminderDelivery.objects.create(rule=rule, recipient_key="person:1", email="a@example.dk")
    return ReminderDelivery(rule=rule, recipient_key="person:1", email="a@example.dk")


def sent_delivery_without_time():
    from programme.models import ReminderDelivery

    rule = _rule()
    rule.save()
    return ReminderDelivery(
        rule=rule, recipient_key="person:1", email="a@example.dk", status="sendt"
    )


# Each rule the reminder models declare: a row that breaks it, and the Danish message.
# tests/programme/test_models.py checks every constraint of the app from such a table.
REMINDER_CONSTRAINT_VIOLATIONS = {
    "programme_reminderrule_offset_within_a_year": (
        rule_a_year_and_more_away,
        "Påmindelsen skal ligge højst et år fra datoen.",
    ),
    "programme_reminderdelivery_once_per_recipient": (
        second_delivery_to_the_same_recipient,
        "Modtageren har allerede fået denne påmindelse.",
    ),
    "programme_reminderdelivery_sent_has_time": (
        sent_delivery_without_time,
        "En sendt påmindelse skal have et tidspunkt.",
    ),
}
