"""Step 3: theme suggestions, a person's decisions on them, processed marks and groups.

Nothing here changes an input's own row (but its suggestions_pending flag): themes are
tied to it by ThemeAssignment, a group points at it, and every action is written as a
ProcessingEvent (who, when).
"""

import logging
from collections import Counter, defaultdict

from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import Programme

from .. import matrix, suggestions
from ..models import (
    AssignmentStatus,
    Input,
    InputSource,
    ProcessingAction,
    ProcessingEvent,
    Synthesis,
    Theme,
    ThemeAssignment,
)

logger = logging.getLogger(__name__)

# The most inputs one bulk confirmation decides; the page says how many remain.
BULK_LIMIT = 500


class ProcessingError(Exception):
    """A processing action that cannot be done; the message is for the person."""


def _event(*, action, programme_id, by=None, item=None, theme_id=None, synthesis=None, **details):
    return ProcessingEvent(
        programme_id=programme_id,
        action=action,
        input=item,
        theme_id=theme_id,
        synthesis=synthesis,
        actor=by,
        details=details,
    )


# --- Suggestions --------------------------------------------------------------------------


@transaction.atomic
def suggest_for_input(input_id: int) -> bool:
    """Suggest themes for one input; return whether its suggestions changed.

    Rows a person has decided on (confirmed, rejected, added) are never touched; the
    open suggestions are replaced by the current ranking. A second run with the same
    texts and themes finds nothing to change, so running twice has the effect once.
    """
    # The lock serialises two runs for the same input (a task redelivered while the
    # first still runs), so they cannot both insert the same suggestion.
    item = Input.objects.select_for_update().filter(pk=input_id).first()
    if item is None:
        return False
    profiles = suggestions.profiles_for(item.programme_id)
    ranked = profiles.rank(suggestions.input_text(item))
    existing = {a.theme_id: a for a in ThemeAssignment.objects.filter(input=item)}
    decided = {pk for pk, a in existing.items() if a.status != AssignmentStatus.SUGGESTED}
    wanted = {}
    for rank, suggestion in enumerate(ranked, start=1):
        if suggestion.theme_pk not in decided:
            wanted[suggestion.theme_pk] = (rank, suggestion)

    changed = False
    stale = [
        a.pk
        for pk, a in existing.items()
        if a.status == AssignmentStatus.SUGGESTED and pk not in wanted
    ]
    if stale:
        ThemeAssignment.objects.filter(pk__in=stale).delete()
        changed = True
    for theme_pk, (rank, suggestion) in wanted.items():
        row = existing.get(theme_pk)
        values = {
            "score": suggestion.score,
            "rank": rank,
            "matched_terms": suggestion.matched_terms,
        }
        if row is None:
            ThemeAssignment.objects.create(input=item, theme_id=theme_pk, **values)
            changed = True
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[*values, "updated_at"])
            changed = True
    # The machine's own work is no person's processing action; for an anonymous input its
    # time would also tell, within seconds, when the input arrived (the row keeps a day).
    if changed and item.source != InputSource.ANONYMOUS:
        _event(
            action=ProcessingAction.SUGGESTED,
            programme_id=item.programme_id,
            item=item,
            themes=list(wanted),
        ).save()
    if item.suggestions_pending:
        Input.objects.filter(pk=item.pk).update(suggestions_pending=False)
    return changed


SUGGEST_BATCH = 200


def suggest_pending(*, limit: int = SUGGEST_BATCH) -> int:
    """Suggest themes for inputs that are waiting (oldest first); return how many were done.

    Each input is done in its own transaction, under its row lock, so a crash loses at
    most the one in hand and two runs at once do each input's work once.
    """
    pending = list(
        Input.objects.filter(suggestions_pending=True)
        .order_by("pk")
        .values_list("pk", "programme_id", "workplace_id")[:limit]
    )
    for input_id, _programme_id, _workplace_id in pending:
        try:
            suggest_for_input(input_id)
        except OperationalError:
            raise  # the database is away: the task retries the whole batch later
        except Exception:
            # One input that cannot be suggested must not hold up every later one: it
            # is logged and left to HR, who assigns its themes by hand.
            logger.exception("Theme suggestions failed for input %s; left to HR.", input_id)
            Input.objects.filter(pk=input_id).update(suggestions_pending=False)
    # A new anonymous input reaches the matrix's totals here, not from the public form
    # (matrix.on_change): one update per programme for the whole batch.
    with transaction.atomic():
        for _input_id, programme_id, workplace_id in pending:
            matrix.schedule(programme_id, workplace_id)
    return len(pending)


# --- Learning from the confirmations -------------------------------------------------------


def _learn(changes: dict[int, list[tuple[Input, int]]]) -> None:
    """Add (+1) or withdraw (-1) inputs from their themes' learned profiles.

    The themes are locked in key order, so two bulk confirmations cannot deadlock.
    """
    now = timezone.now()
    for theme_pk in sorted(changes):
        theme = Theme.objects.select_for_update().get(pk=theme_pk)
        counts = Counter(theme.learned_terms)
        count = theme.learned_count
        for item, sign in changes[theme_pk]:
            for s in suggestions.stems(suggestions.input_text(item)):
                counts[s] += sign
            count += sign
        learned = {s: n for s, n in counts.items() if n > 0}
        # update(): the learned profile is no edit of HR's and writes no history row.
        Theme.objects.filter(pk=theme_pk).update(
            learned_terms=learned, learned_count=max(count, 0), updated_at=now
        )


@transaction.atomic
def rebuild_learned_profiles(programme: Programme) -> int:
    """Recompute every theme's learned profile from the confirmed inputs; return how many."""
    counts: dict[int, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    confirmed = (
        ThemeAssignment.objects.filter(theme__programme=programme)
        .confirmed()
        .values_list("theme_id", "input__title", "input__text", "input__theme_guesses")
    )
    for theme_pk, title, text, guesses in confirmed.iterator(chunk_size=2000):
        counts[theme_pk].update(suggestions.stems(f"{title}\n{text}\n{guesses}"))
        totals[theme_pk] += 1
    now = timezone.now()
    for theme in Theme.objects.select_for_update().filter(programme=programme).order_by("pk"):
        Theme.objects.filter(pk=theme.pk).update(
            learned_terms=dict(counts[theme.pk]),
            learned_count=totals[theme.pk],
            updated_at=now,
        )
    return sum(totals.values())


# --- A person's decisions -------------------------------------------------------------------


@transaction.atomic
def decide(*, assignment: ThemeAssignment, status: str, by) -> ThemeAssignment:
    """Confirm or reject a suggested (or earlier decided) theme for an input."""
    if status not in (AssignmentStatus.CONFIRMED, AssignmentStatus.REJECTED):
        raise ProcessingError(_("Ukendt afgørelse."))
    assignment = (
        ThemeAssignment.objects.select_for_update()
        .select_related("input", "theme")
        .get(pk=assignment.pk)
    )
    if assignment.status == status:
        return assignment
    was_confirmed = assignment.status == AssignmentStatus.CONFIRMED
    assignment.status = status
    assignment.decided_by = by
    assignment.decided_at = timezone.now()
    assignment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    if status == AssignmentStatus.CONFIRMED:
        _learn({assignment.theme_id: [(assignment.input, +1)]})
    elif was_confirmed:
        _learn({assignment.theme_id: [(assignment.input, -1)]})
    _event(
        action=(
            ProcessingAction.CONFIRMED
            if status == AssignmentStatus.CONFIRMED
            else ProcessingAction.REJECTED
        ),
        programme_id=assignment.input.programme_id,
        by=by,
        item=assignment.input,
        theme_id=assignment.theme_id,
        score=assignment.score,
    ).save()
    return assignment


@transaction.atomic
def add_theme(*, item: Input, theme: Theme, by) -> ThemeAssignment:
    """Tie a theme the system did not suggest to an input, confirmed by the person."""
    if theme.programme_id != item.programme_id:
        raise ProcessingError(_("Temaet hører ikke til forløbet."))
    item = Input.objects.select_for_update().get(pk=item.pk)
    assignment, created = ThemeAssignment.objects.get_or_create(
        input=item,
        theme=theme,
        defaults={"suggested": False, "status": AssignmentStatus.SUGGESTED},
    )
    if not created and assignment.status == AssignmentStatus.CONFIRMED:
        return assignment
    _event(
        action=ProcessingAction.THEME_ADDED,
        programme_id=item.programme_id,
        by=by,
        item=item,
        theme_id=theme.pk,
    ).save()
    return decide(assignment=assignment, status=AssignmentStatus.CONFIRMED, by=by)


def unconfirmed(inputs):
    """Return the inputs that have no confirmed theme."""
    return inputs.exclude(
        Exists(
            ThemeAssignment.objects.filter(input=OuterRef("pk"), status=AssignmentStatus.CONFIRMED)
        )
    )


@transaction.atomic
def bulk_confirm_top(*, inputs, by, limit: int = BULK_LIMIT) -> tuple[int, bool]:
    """Confirm the best open suggestion of each input in `inputs` without a confirmed theme.

    Return how many were confirmed and whether more remain for another round. An input
    without suggestions is left alone: it needs a person to read it.
    """
    candidates = unconfirmed(inputs).filter(
        Exists(
            ThemeAssignment.objects.filter(input=OuterRef("pk"), status=AssignmentStatus.SUGGESTED)
        )
    )
    input_pks = list(candidates.order_by("pk").values_list("pk", flat=True)[: limit + 1])
    more = len(input_pks) > limit
    input_pks = input_pks[:limit]
    best: dict[int, ThemeAssignment] = {}
    for assignment in (
        ThemeAssignment.objects.filter(input_id__in=input_pks, status=AssignmentStatus.SUGGESTED)
        .only("pk", "input_id", "theme_id", "score")
        .order_by("input_id", "-score", "theme_id")
    ):
        best.setdefault(assignment.input_id, assignment)
    done = confirm_many(assignments=list(best.values()), by=by, bulk=True)
    return done, more


@transaction.atomic
def confirm_many(*, assignments: list[ThemeAssignment], by, bulk: bool = False) -> int:
    """Confirm many open suggestions at once; return how many were still open."""
    rows = list(
        ThemeAssignment.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.pk for a in assignments], status=AssignmentStatus.SUGGESTED)
        .select_related("input")
        .order_by("pk")
    )
    now = timezone.now()
    ThemeAssignment.objects.filter(pk__in=[a.pk for a in rows]).update(
        status=AssignmentStatus.CONFIRMED, decided_by=by, decided_at=now, updated_at=now
    )
    changes: dict[int, list] = defaultdict(list)
    events = []
    for assignment in rows:
        changes[assignment.theme_id].append((assignment.input, +1))
        events.append(
            _event(
                action=ProcessingAction.CONFIRMED,
                programme_id=assignment.input.programme_id,
                by=by,
                item=assignment.input,
                theme_id=assignment.theme_id,
                score=assignment.score,
                **({"bulk": True} if bulk else {}),
            )
        )
    _learn(changes)
    ProcessingEvent.objects.bulk_create(events)
    return len(rows)


@transaction.atomic
def mark_processed(*, item: Input, by, note: str = "") -> ProcessingEvent:
    """Record that a person has processed the input, whether or not it got a theme."""
    item = Input.objects.select_for_update().get(pk=item.pk)
    return ProcessingEvent.objects.create(
        programme_id=item.programme_id,
        action=ProcessingAction.MARKED_PROCESSED,
        input=item,
        actor=by,
        details={"note": note} if note else {},
    )


# --- Groups (syntheses) ---------------------------------------------------------------------


@transaction.atomic
def save_synthesis(
    *, programme: Programme, title: str, summary: str, by, synthesis: Synthesis | None = None
) -> Synthesis:
    """Create a group, or change its title and summary."""
    if synthesis is None:
        synthesis = Synthesis(programme=programme, created_by=by)
        action = ProcessingAction.SYNTHESIS_CREATED
    else:
        synthesis = Synthesis.objects.select_for_update().get(pk=synthesis.pk)
        action = ProcessingAction.SYNTHESIS_CHANGED
        if synthesis.title == title and synthesis.summary == summary:
            return synthesis
    synthesis.title = title
    synthesis.summary = summary
    synthesis._history_user = by
    synthesis.save()
    _event(action=action, programme_id=programme.pk, by=by, synthesis=synthesis).save()
    return synthesis


@transaction.atomic
def add_to_synthesis(*, synthesis: Synthesis, inputs, by) -> int:
    """Point the group at the inputs (never changing them); return how many were new."""
    synthesis = Synthesis.objects.select_for_update().get(pk=synthesis.pk)
    items = list(inputs.filter(programme_id=synthesis.programme_id))
    present = set(
        synthesis.inputs.filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)
    )
    new = [item for item in items if item.pk not in present]
    if not new:
        return 0
    synthesis.inputs.add(*new)
    ProcessingEvent.objects.bulk_create(
        _event(
            action=ProcessingAction.GROUPED,
            programme_id=synthesis.programme_id,
            by=by,
            item=item,
            synthesis=synthesis,
        )
        for item in new
    )
    return len(new)


@transaction.atomic
def remove_from_synthesis(*, synthesis: Synthesis, item: Input, by) -> bool:
    """Take an input out of the group (the input itself stays as it was)."""
    synthesis = Synthesis.objects.select_for_update().get(pk=synthesis.pk)
    if not synthesis.inputs.filter(pk=item.pk).exists():
        return False
    synthesis.inputs.remove(item)
    _event(
        action=ProcessingAction.UNGROUPED,
        programme_id=synthesis.programme_id,
        by=by,
        item=item,
        synthesis=synthesis,
    ).save()
    return True
