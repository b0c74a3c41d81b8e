"""Anonymous input from employees: the workplace's secret link, the input and its rate limits.

Nothing here may identify the employee. The stored row holds the workplace, the input and
the date; no person, account, address, user agent or time of day, and no history row
(django-simple-history would record the time and the signed-in user). Abuse is held back
by counters in the cache only: one per link and one per client, where the client is an
HMAC of its address under a key that changes every day, kept for a few minutes.
"""

import dataclasses
import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from programme.models import Programme, Workplace

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
from .steps import require_open

# Defaults of the settings that bound anonymous input (read with getattr, so settings.py
# may override each). They let a whole department behind one municipal NAT address
# (100–300 people, a few inputs each) submit within minutes, while a script hammering a
# link is stopped after a few hundred rows, which HR can remove before rotating the link.
WINDOW_SECONDS = 10 * 60
MAX_PER_LINK = 400
MAX_PER_CLIENT = 600


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
class FormState:
    """Whether a workplace's anonymous form takes input now, and the step-2 deadline."""

    is_open: bool
    status: str  # a StepStatus; "not started" also when the programme has no steps
    deadline: datetime.date | None


def current_programme() -> Programme | None:
    """Return the programme whose clarification phase the anonymous links feed."""
    return Programme.objects.filter(clarification_steps__number=StepNumber.EXECUTION).current()


def execution_step(programme: Programme | None) -> ClarificationStep | None:
    if programme is None:
        return None
    return programme.clarification_steps.filter(number=StepNumber.EXECUTION).first()


def form_state(*, workplace: Workplace) -> FormState:
    """Return whether step 2 is open in the workplace's administration (two queries)."""
    programme = current_programme()
    if programme is None:
        return FormState(is_open=False, status=StepStatus.NOT_STARTED, deadline=None)
    state = (
        StepState.objects.filter(
            step__programme=programme,
            step__number=StepNumber.EXECUTION,
            administration_id=workplace.administration_id,
        )
        .select_related("step")
        .first()
    )
    if state is None:
        step = execution_step(programme)
        return FormState(
            is_open=False,
            status=StepStatus.NOT_STARTED,
            deadline=step.deadline if step else None,
        )
    return FormState(is_open=state.is_open, status=state.status, deadline=state.step.deadline)


def find_link(token: str) -> AnonymousLink | None:
    """Return the active workplace's link with this token, or None (rotated or unknown)."""
    return (
        AnonymousLink.objects.select_related("workplace__administration")
        .filter(token=token, workplace__is_active=True)
        .first()
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
    link.token = new_token()
    link.rotated_at = timezone.now()
    link.save(update_fields=["token", "rotated_at"])
    return link


@transaction.atomic
def submit_anonymous_input(*, link: AnonymousLink, data: AnonymousInputData) -> Input:
    """Store one anonymous input for the link's workplace while step 2 is open there."""
    workplace = link.workplace
    programme = current_programme()
    require_open(
        programme=programme,
        number=StepNumber.EXECUTION,
        administration=workplace.administration,
    )
    item = Input(
        programme=programme,
        workplace=workplace,
        submission=None,
        source=InputSource.ANONYMOUS,
        kind=data.kind,
        title=data.title,
        text=data.text,
        suggested_form=data.suggested_form,
        theme_guesses=data.theme_guesses,
        submitted_on=timezone.localdate(),
    )
    # A history row would hold the exact time and the signed-in user, if any.
    item.skip_history_when_saving = True
    item.save()
    return item


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


def _count(key: str, timeout: int) -> int:
    """Add one to a counter in the cache and return it; the first hit creates it."""
    try:
        return cache.incr(key)
    except ValueError:
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    # Another request created it between our two calls.
    return cache.incr(key)


def count_submission(*, link: AnonymousLink, address: str | None) -> None:
    """Count one input against the link and the client; raise TooManyInputs past a limit.

    Fixed windows: cheap (two cache round trips per counter) and good enough to stop a
    flood; a burst at a window's edge may reach twice the limit.
    """
    window, per_link, per_client = limits()
    now = time.time()
    slot = int(now // window)
    retry_after = max(1, int((slot + 1) * window - now))
    timeout = window + 60
    if _count(f"anon-input:client:{client_key(address)}:{slot}", timeout) > per_client:
        raise TooManyInputs(retry_after)
    if _count(f"anon-input:link:{link.pk}:{slot}", timeout) > per_link:
        raise TooManyInputs(retry_after)
