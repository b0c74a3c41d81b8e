"""Anonymous input from employees: the workplace's secret link, the input and its rate limits.

Nothing here may identify the employee. The stored row holds the workplace, the input and
the date; no person, account, address, user agent or time of day, and no history row
(django-simple-history would record the time and the signed-in user). Abuse is held back
by counters in the cache only: one per link and one per client, where the client is an
HMAC of its address under a key that changes every day, kept for a few minutes.
"""

import dataclasses
import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, connections, router, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.crypto import salted_hmac

from programme.models import Programme, Workplace

from .. import tasks
from ..models import (
    AnonymousLink,
    ClarificationStep,
    Input,
    InputSource,
    StepNumber,
    StepState,
    StepStatus,
    new_token,
)
from .steps import StepClosed

# Defaults of the settings that bound anonymous input (read with getattr, so settings.py
# may override each). They let a whole department behind one municipal NAT address
# (100–300 people, a few inputs each) submit within minutes, while a script hammering a
# link is stopped after a few hundred rows, which HR can remove before rotating the link.
WINDOW_SECONDS = 10 * 60
MAX_PER_LINK = 400
MAX_PER_CLIENT = 600
# How long the form page may show a step state or a deactivated workplace late.
CACHE_SECONDS = 30


class TooManyInputs(Exception):
    """The link or the client has sent as many inputs as the window allows."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(retry_after)


@dataclasses.dataclass(frozen=True)
class AnonymousInputData:
    """What an employee may write; nothing else reaches the row."""

    kind: str
    title: str
    text: str
    suggested_form: str
    theme_guesses: str = ""


@dataclasses.dataclass(frozen=True)
class LinkInfo:
    """What the public pages need to know about a valid link, cached for a short while.

    A whole department opens the form within minutes: the cache answers the form page
    without a query. It never holds the token (the cache key is a digest of it); a
    rotation forgets it at once, and a change of step state shows on the form page
    within `cache_seconds()` — the write itself checks the step under a lock.
    """

    link_id: int
    workplace_id: int
    workplace_name: str
    administration_id: int
    administration_name: str
    programme_id: int | None
    status: str  # the step-2 StepStatus in the administration ("not started" if none)
    deadline: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == StepStatus.CLOSED


def current_programme() -> Programme | None:
    """Return the programme whose clarification phase the anonymous links feed."""
    return Programme.objects.filter(clarification_steps__number=StepNumber.EXECUTION).current()


def execution_step(programme: Programme | None) -> ClarificationStep | None:
    if programme is None:
        return None
    return programme.clarification_steps.filter(number=StepNumber.EXECUTION).first()


def cache_seconds() -> int:
    return int(getattr(settings, "ANONYMOUS_INPUT_CACHE_SECONDS", CACHE_SECONDS))


def cache_key(token: str, *parts: str) -> str:
    """Return a cache key for something about a link; the secret token is not in it."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return ":".join(["anon-input", "link", digest, *parts])


def _load_link_info(token: str) -> LinkInfo | None:
    link = (
        AnonymousLink.objects.select_related("workplace__administration")
        .filter(token=token, workplace__is_active=True)
        .first()
    )
    if link is None:
        return None
    workplace = link.workplace
    programme = current_programme()
    state = (
        StepState.objects.filter(
            step__programme=programme,
            step__number=StepNumber.EXECUTION,
            administration_id=workplace.administration_id,
        )
        .select_related("step")
        .first()
        if programme is not None
        else None
    )
    if state is not None:
        status, deadline = state.status, state.step.deadline
    else:
        step = execution_step(programme)
        status, deadline = StepStatus.NOT_STARTED, step.deadline if step else None
    return LinkInfo(
        link_id=link.pk,
        workplace_id=workplace.pk,
        workplace_name=workplace.name,
        administration_id=workplace.administration_id,
        administration_name=workplace.administration.name,
        programme_id=programme.pk if programme else None,
        status=status,
        deadline=deadline,
    )


def link_info(token: str) -> LinkInfo | None:
    """Return what the public pages need about the link, or None for a rotated or unknown one."""
    # The version changes with LinkInfo's fields, so a deploy never unpickles an old shape
    # (admit_submission() reads the same key).
    key = cache_key(token, "info", "v1")
    info = cache.get(key)
    if info is None:
        info = _load_link_info(token)
        if info is None:
            return None
        cache.set(key, info, timeout=cache_seconds())
    return info


def forget_link(token: str) -> None:
    """Drop what the cache holds about a link (its info and its rendered pages)."""
    cache.delete_many(
        [cache_key(token, "info", "v1")]
        + [cache_key(token, "page", code) for code, _name in settings.LANGUAGES]
    )


def get_or_create_link(*, workplace: Workplace) -> AnonymousLink:
    """Return the workplace's link, creating it the first time it is needed."""
    link = AnonymousLink.objects.filter(workplace=workplace).first()
    if link is not None:
        return link
    try:
        # A savepoint: two leaders opening the poster at once both try to create it.
        with transaction.atomic():
            return AnonymousLink.objects.create(workplace=workplace)
    except IntegrityError:
        return AnonymousLink.objects.get(workplace=workplace)


@transaction.atomic
def rotate_link(*, workplace: Workplace) -> AnonymousLink:
    """Give the workplace a new secret link; the old one stops working at once."""
    link = get_or_create_link(workplace=workplace)
    link = AnonymousLink.objects.select_for_update().get(pk=link.pk)
    old_token = link.token
    link.token = new_token()
    link.rotated_at = timezone.now()
    link.save(update_fields=["token", "rotated_at"])
    # After the commit: a page view in between would cache the old link again.
    transaction.on_commit(lambda: forget_link(old_token))
    return link


def submit_anonymous_input(*, admission: "Admission", data: AnonymousInputData) -> Input:
    """Store one anonymous input for the link's workplace while step 2 is open there.

    One statement does the gate and the write: the row is inserted only if the step's
    state is open, read under a share lock (PostgreSQL) so that a close in progress is
    waited for and then seen. A whole department submits within minutes, and this saves
    the transaction's four round trips (BEGIN, SELECT … FOR UPDATE, INSERT, COMMIT).
    The admission that took the suggestion run's guard queues the run, stored or not.
    """
    try:
        return _submit(admission.info, data)
    finally:
        if admission.queues_suggestions:
            tasks.queue_pending_run()


def _submit(info: LinkInfo, data: AnonymousInputData) -> Input:
    if info.programme_id is None:
        raise StepClosed(None, StepNumber.EXECUTION)
    item = Input(
        programme_id=info.programme_id,
        workplace_id=info.workplace_id,
        submission=None,
        source=InputSource.ANONYMOUS,
        kind=data.kind,
        title=data.title,
        text=data.text,
        suggested_form=data.suggested_form,
        theme_guesses=data.theme_guesses,
        submitted_on=timezone.localdate(),
        suggestions_pending=True,
    )
    # A history row would hold the exact time and the signed-in user, if any.
    item.skip_history_when_saving = True
    using = router.db_for_write(Input)
    pre_save.send(sender=Input, instance=item, raw=False, using=using, update_fields=None)
    pk = _insert_while_open(item, administration_id=info.administration_id, using=using)
    if pk is None:
        state = (
            StepState.objects.select_related("step", "administration")
            .filter(
                step__programme_id=info.programme_id,
                step__number=StepNumber.EXECUTION,
                administration_id=info.administration_id,
            )
            .first()
        )
        raise StepClosed(state, StepNumber.EXECUTION)
    item.pk = pk
    item._state.adding = False
    item._state.db = using
    # Receivers (the coverage cache) see the row as save() makes it.
    post_save.send(
        sender=Input, instance=item, created=True, update_fields=None, raw=False, using=using
    )
    return item


def _insert_while_open(item: Input, *, administration_id: int, using: str) -> int | None:
    """INSERT the row if step 2 is open in the administration; return its pk, or None."""
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = [field for field in Input._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(item, True), connection) for field in fields]
    state_table, step_table = StepState._meta.db_table, ClarificationStep._meta.db_table
    # SQLite has no row locks; it runs one write at a time.
    lock = " FOR SHARE OF state" if connection.vendor == "postgresql" else ""
    sql = (
        f"INSERT INTO {quote(Input._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"SELECT {', '.join(['%s'] * len(fields))} "
        f"WHERE EXISTS (SELECT 1 FROM {quote(state_table)} state "
        f"INNER JOIN {quote(step_table)} step ON state.step_id = step.id "
        "WHERE step.programme_id = %s AND step.number = %s "
        f"AND state.administration_id = %s AND state.status = %s{lock}) "
        f"RETURNING {quote(Input._meta.pk.column)}"
    )
    params = [
        *values,
        item.programme_id,
        StepNumber.EXECUTION.value,
        administration_id,
        StepStatus.OPEN.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


# --- Rate limits ----------------------------------------------------------------------


def limits() -> tuple[int, int, int]:
    """Return (window in seconds, inputs per link, inputs per client) from the settings."""
    return (
        int(getattr(settings, "ANONYMOUS_INPUT_WINDOW_SECONDS", WINDOW_SECONDS)),
        int(getattr(settings, "ANONYMOUS_INPUT_MAX_PER_LINK", MAX_PER_LINK)),
        int(getattr(settings, "ANONYMOUS_INPUT_MAX_PER_CLIENT", MAX_PER_CLIENT)),
    )


def client_key(address: str | None, *, today: datetime.date | None = None) -> str:
    """Return a key that tells clients apart for one day without revealing the address.

    An HMAC under a key derived from SECRET_KEY and the date: the same address gives
    another key tomorrow, and the key cannot be turned back into the address.
    """
    today = today or timezone.localdate()
    return salted_hmac(
        f"clarification.anonymous.client:{today.isoformat()}",
        address or "",
        algorithm="sha256",
    ).hexdigest()[:32]


# One round trip to Redis per submission, atomic: count the input against the client and
# the link (a counter lives for its window), read the link's cached info and, if the input
# is let through, take the guard of the pending-suggestions run (tasks.PENDING_GUARD_KEY).
# KEYS: client counter, link counter, link info, guard. ARGV: counter lifetime, the two
# limits, guard lifetime. Returns {by client, by link, info or nil, 1 if the guard was taken}.
ADMIT_SCRIPT = """
local by_client = redis.call('INCR', KEYS[1])
if by_client == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local by_link = redis.call('INCR', KEYS[2])
if by_link == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
local info = redis.call('GET', KEYS[3])
local taken = 0
if info and by_client <= tonumber(ARGV[2]) and by_link <= tonumber(ARGV[3]) then
  if redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[4]) then taken = 1 end
end
return {by_client, by_link, info or false, taken}
"""
_admit_script = None


@dataclasses.dataclass(frozen=True)
class Admission:
    """A submission let through the rate limits, for a valid link."""

    info: LinkInfo
    # Whether this submission took the guard, and so queues the suggestion run.
    queues_suggestions: bool


def _admit_in_redis(backend: RedisCache, keys: list[str], limits_: tuple[int, int, int]):
    global _admit_script
    client = backend._cache.get_client(write=True)
    if _admit_script is None:
        _admit_script = client.register_script(ADMIT_SCRIPT)
    window, per_link, per_client = limits_
    by_client, by_link, raw, taken = _admit_script(
        keys=[backend.make_key(key) for key in keys],
        args=[window + 60, per_client, per_link, tasks.PENDING_GUARD_SECONDS],
        client=client,
    )
    info = None if raw is None else backend._cache._serializer.loads(raw)
    return by_client, by_link, info, bool(taken)


def _count_one(backend, key: str, timeout: int) -> int:
    try:
        return backend.incr(key)
    except ValueError:
        pass
    if backend.add(key, 1, timeout=timeout):
        return 1
    # Another request created it between our two calls.
    return backend.incr(key)


def admit_submission(*, token: str, address: str | None) -> Admission | None:
    """Count one input against the client and the link; return its admission.

    Return None for a rotated or unknown link; raise TooManyInputs past a limit.
    Fixed windows: cheap, and good enough to stop a flood; a burst at a window's edge
    may reach twice the limit. A refused input counts too, so a flood stays refused.
    The link's counter is keyed by a digest of its token: a rotated link starts afresh.
    On Redis the usual case is one round trip (ADMIT_SCRIPT); on other caches a few.
    """
    window, per_link, per_client = limits()
    now = time.time()
    slot = int(now // window)
    info_key = cache_key(token, "info", "v1")
    keys = [
        f"anon-input:rate:client:{client_key(address)}:{slot}",
        cache_key(token, "rate", str(slot)),
        info_key,
        tasks.PENDING_GUARD_KEY,
    ]
    backend = caches["default"]
    taken = None  # whether this submission took the suggestion run's guard; None: not tried
    if isinstance(backend, RedisCache):
        by_client, by_link, info, taken = _admit_in_redis(
            backend, keys, (window, per_link, per_client)
        )
    else:
        by_client, by_link = (_count_one(backend, key, window + 60) for key in keys[:2])
        info = backend.get(info_key)
    if info is None:
        info = _load_link_info(token)
        if info is None:
            return None
        cache.set(info_key, info, timeout=cache_seconds())
        taken = None  # the script takes the guard only for a link it knows
    if by_client > per_client or by_link > per_link:
        raise TooManyInputs(retry_after=max(1, int((slot + 1) * window - now)))
    if taken is None:
        taken = tasks.take_pending_guard()
    return Admission(info=info, queues_suggestions=taken)
