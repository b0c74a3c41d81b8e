"""Coverage of step 2: which workplaces delivered, what they held and whom they reached.

Read-only figures for the coverage page, the overview and "Mit overblik". A figure about
people (staff reached, anonymous inputs) leaves this module only through `shown()`: below
SMALL_GROUP_LIMIT it is None, and the pages print "< 5" for None (product.md).

Every function here makes a fixed number of queries, whatever the number of workplaces,
activities or inputs. Activities and inputs are never joined in the same query: each row
of one would be repeated for every row of the other and the sums would multiply.
"""

import datetime
from dataclasses import dataclass, fields

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from programme.access import SMALL_GROUP_LIMIT, Scope, scope_for
from programme.models import Administration, Programme, Workplace

from .models import (
    Activity,
    ClarificationStep,
    Input,
    InputSource,
    StepNumber,
    StepState,
    StepStatus,
    Submission,
    SubmissionStatus,
)


def shown(count: int | None) -> int | None:
    """Return a count of people, or None when it is about fewer than SMALL_GROUP_LIMIT."""
    if count is None or count < SMALL_GROUP_LIMIT:
        return None
    return count


# --- Who follows what -------------------------------------------------------------------


def may_follow(scope: Scope) -> bool:
    """Whether the role follows step 2: HR, direktion, a fagchef, or a leader of units."""
    return scope.everything or bool(scope.administration_ids) or bool(scope.led_workplace_ids)


def followed(user) -> Q:
    """Return the condition on Workplace for the active units whose coverage the user sees."""
    scope = scope_for(user)
    active = Q(is_active=True)
    if scope.everything:
        return active
    # Step 2's own rule (Submission.for_user): the fagchef's administration and the units
    # a leader leads; not the unit someone merely works at.
    return active & (
        Q(administration_id__in=scope.administration_ids) | Q(pk__in=scope.led_workplace_ids)
    )


def followed_workplaces(user) -> QuerySet[Workplace]:
    """Return the active workplaces whose coverage the user may see."""
    return Workplace.objects.for_user(user).filter(followed(user))


def _through(condition: Q, relation: str) -> Q:
    """Return a condition on Workplace as seen from a model related to it by `relation`."""
    return Q(
        *(
            _through(child, relation)
            if isinstance(child, Q)
            else (f"{relation}__{child[0]}", child[1])
            for child in condition.children
        ),
        _connector=condition.connector,
        _negated=condition.negated,
    )


def followed_administrations(user) -> QuerySet[Administration]:
    """Return the active administrations on the user's overview: all, their own, or their units'."""
    scope = scope_for(user)
    administrations = Administration.objects.for_user(user).active()
    if scope.everything:
        return administrations
    led = Workplace.objects.filter(pk__in=scope.led_workplace_ids).values("administration_id")
    return administrations.filter(Q(pk__in=scope.administration_ids) | Q(pk__in=led))


# --- Figures ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """Step-2 figures for a workplace or a group of them.

    `staff_participants` and `anonymous_inputs` are raw counts of people and are not for
    templates: use `staff_reached`, `staff_share` and `anonymous`, which are suppressed.
    """

    workplaces: int = 0
    delivered: int = 0
    headcount: int = 0
    activities: int = 0
    staff_participants: int = 0
    med_workplaces: int = 0
    anonymous_inputs: int = 0
    leader_inputs: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def staff_reached(self) -> int | None:
        """Staff taking part, summed over the activities; None below the small-group limit."""
        return shown(self.staff_participants)

    @property
    def staff_share(self) -> int | None:
        """Staff taking part as a whole percentage of the headcount, at most 100.

        A person at two activities counts twice in the sum, so the share is capped. It is
        suppressed with the count it is computed from: with the headcount known, a
        percentage would give the small number away.
        """
        reached = self.staff_reached
        if reached is None or not self.headcount:
            return None
        return min(100, round(100 * reached / self.headcount))

    @property
    def anonymous(self) -> int | None:
        """Anonymous inputs received; None below the small-group limit."""
        return shown(self.anonymous_inputs)

    @property
    def med_involved(self) -> bool:
        return self.med_workplaces > 0


def has_delivered(programme: Programme) -> Exists:
    """Whether a workplace (the outer row) has delivered its step-2 submission."""
    return Exists(
        Submission.objects.filter(
            programme=programme, workplace=OuterRef("pk"), status=SubmissionStatus.DELIVERED
        )
    )


@dataclass(slots=True)
class WorkplaceCoverage:
    """One row of the coverage page: a workplace and its figures."""

    pk: int
    code: str
    name: str
    administration_id: int
    administration_name: str
    submission_status: str | None
    delivered_at: datetime.datetime | None
    figures: Figures

    @property
    def is_delivered(self) -> bool:
        return self.submission_status == SubmissionStatus.DELIVERED

    @property
    def is_started(self) -> bool:
        return self.submission_status is not None


def per_workplace(workplaces: QuerySet[Workplace], programme: Programme) -> list[WorkplaceCoverage]:
    """Return the rows of a page of workplaces (a sliced queryset) in four queries.

    The figures are looked up by the page's ids after the page is cut: as subqueries in
    the page's own query they would run for every workplace the ORDER BY has to sort. The
    rows are read as values, not model instances: there are fifty of them on a page.
    """
    page = list(
        workplaces.values(
            "pk",
            "code",
            "name",
            "headcount",
            "administration_id",
            "administration__name",
            "administration__short_name",
        )
    )
    ids = [workplace["pk"] for workplace in page]
    submissions = {
        workplace_id: (pk, status, delivered_at)
        for pk, workplace_id, status, delivered_at in Submission.objects.filter(
            programme=programme, workplace_id__in=ids
        )
        .order_by()
        .values_list("pk", "workplace_id", "status", "delivered_at")
    }
    activities = {
        submission_id: (n, staff, med)
        for submission_id, n, staff, med in Activity.objects.filter(
            submission_id__in=[pk for pk, _status, _at in submissions.values()]
        )
        .order_by()
        .values("submission_id")
        .annotate(
            n=Count("pk"),
            staff=Sum("staff_participants"),
            med=Count("pk", filter=Q(med_involved=True)),
        )
        .values_list("submission_id", "n", "staff", "med")
    }
    inputs = {
        workplace_id: (anonymous, leader)
        for workplace_id, anonymous, leader in Input.objects.filter(
            programme=programme, workplace_id__in=ids
        )
        .order_by()
        .values("workplace_id")
        .annotate(
            anonymous=Count("pk", filter=Q(source=InputSource.ANONYMOUS)),
            leader=Count("pk", filter=Q(source=InputSource.LEADER)),
        )
        .values_list("workplace_id", "anonymous", "leader")
    }
    rows = []
    for workplace in page:
        submission_id, status, delivered_at = submissions.get(workplace["pk"], (None, None, None))
        n_activities, staff, med = activities.get(submission_id, (0, 0, 0))
        anonymous, leader = inputs.get(workplace["pk"], (0, 0))
        rows.append(
            WorkplaceCoverage(
                pk=workplace["pk"],
                code=workplace["code"],
                name=workplace["name"],
                administration_id=workplace["administration_id"],
                administration_name=workplace["administration__short_name"]
                or workplace["administration__name"],
                submission_status=status,
                delivered_at=delivered_at,
                figures=Figures(
                    workplaces=1,
                    delivered=int(status == SubmissionStatus.DELIVERED),
                    headcount=workplace["headcount"],
                    activities=n_activities,
                    staff_participants=staff or 0,
                    med_workplaces=int(med > 0),
                    anonymous_inputs=anonymous,
                    leader_inputs=leader,
                ),
            )
        )
    return rows


def by_administration(programme: Programme, within: Q) -> dict[int, Figures]:
    """Return the figures per administration id of the workplaces `within` selects.

    `within` is a condition on Workplace (see `followed`). Three grouped queries, one per
    pass: workplaces; submissions with their activities; inputs. Activities and inputs
    never meet in one query, where each would be repeated for every row of the other. The
    condition is applied to the joined workplace, not as `workplace IN (subquery)`, which
    costs SQLite a probe per workplace.
    """
    rows: dict[int, dict[str, int]] = {}
    for row in (
        Workplace.objects.filter(within)
        .order_by()
        .values("administration_id")
        .annotate(n=Count("pk"), headcount=Coalesce(Sum("headcount"), 0))
    ):
        rows[row["administration_id"]] = {"workplaces": row["n"], "headcount": row["headcount"]}

    def merge(queryset, key: str, names: dict[str, str]) -> None:
        for row in queryset:
            figures = rows.setdefault(row[key], {})
            for name, column in names.items():
                figures[name] = row[column] or 0

    # A submission with its activities: a submission is repeated once per activity, so
    # submissions are counted distinct, and activities (at most one submission each) not.
    merge(
        Submission.objects.filter(_through(within, "workplace"), programme=programme)
        .order_by()
        .values("workplace__administration_id")
        .annotate(
            n_delivered=Count("pk", filter=Q(status=SubmissionStatus.DELIVERED), distinct=True),
            n_activities=Count("activities"),
            staff=Sum("activities__staff_participants"),
            med=Count("pk", filter=Q(activities__med_involved=True), distinct=True),
        ),
        "workplace__administration_id",
        {
            "delivered": "n_delivered",
            "activities": "n_activities",
            "staff_participants": "staff",
            "med_workplaces": "med",
        },
    )
    merge(
        Input.objects.filter(_through(within, "workplace"), programme=programme)
        .order_by()
        .values("workplace__administration_id")
        .annotate(
            anonymous=Count("pk", filter=Q(source=InputSource.ANONYMOUS)),
            leader=Count("pk", filter=Q(source=InputSource.LEADER)),
        ),
        "workplace__administration_id",
        {"anonymous_inputs": "anonymous", "leader_inputs": "leader"},
    )
    return {pk: Figures(**figures) for pk, figures in rows.items()}


# --- Cached for the overviews ------------------------------------------------------------

# The overview's totals read every submission, activity and input of the programme; at the
# size of the largest municipality that is most of the page's time. Step 2's deadline and
# states change a few times in a phase but are on every leader's and head's "Mit overblik".
# Both are cached, and dropped after the commit of any write to what they are made of:
# what a reader counted during the write is dropped with them. A reader that counts before
# a commit and stores after the drop remains, and bulk writes send no signals: the time
# limit bounds how long either can go unseen.
FIGURES_KEY = "clarification:coverage:figures:v1"
STEP_TWO_KEY = "clarification:coverage:step-two:v1"
CACHE_SECONDS = 60


def administration_figures(programme: Programme) -> dict[int, Figures]:
    """Return every administration's figures (all its active workplaces), cached."""
    cached = cache.get(FIGURES_KEY) or {}
    figures = cached.get(programme.pk)
    if figures is None:
        figures = by_administration(programme, Q(is_active=True))
        cache.set(FIGURES_KEY, {**cached, programme.pk: figures}, CACHE_SECONDS)
    return figures


def followed_figures(user, programme: Programme) -> dict[int, Figures]:
    """Return the figures per administration id that the user's overview shows.

    Whole administrations (HR and direktion: all; a fagchef: their own) come from the
    cached totals. A leader's units are counted on their own: a leader sees theirs, not
    their administration's.
    """
    scope = scope_for(user)
    totals = administration_figures(programme)
    if scope.everything:
        return totals
    figures = {pk: totals[pk] for pk in scope.administration_ids if pk in totals}
    if scope.led_workplace_ids:
        units = Q(is_active=True, pk__in=scope.led_workplace_ids) & ~Q(
            administration_id__in=scope.administration_ids
        )
        figures.update(by_administration(programme, units))
    return figures


@dataclass(frozen=True)
class StepTwo:
    """Step 2 of a programme: its deadline and its status per administration id."""

    deadline: datetime.date | None
    statuses: dict[int, str]

    def status_label(self, administration_id: int) -> str:
        """Return the Danish label of the step's status there; no state means not started."""
        return StepStatus(self.statuses.get(administration_id, StepStatus.NOT_STARTED)).label


def step_two(programme: Programme) -> StepTwo:
    """Return step 2's deadline and its status in every administration, cached."""
    cached = cache.get(STEP_TWO_KEY) or {}
    found = cached.get(programme.pk)
    if found is None:
        execution = StepNumber.EXECUTION
        found = StepTwo(
            deadline=ClarificationStep.objects.filter(programme=programme, number=execution)
            .values_list("deadline", flat=True)
            .first(),
            statuses=dict(
                StepState.objects.filter(step__programme=programme, step__number=execution)
                .order_by()
                .values_list("administration_id", "status")
            ),
        )
        cache.set(STEP_TWO_KEY, {**cached, programme.pk: found}, CACHE_SECONDS)
    return found


def forget_figures(sender=None, instance=None, created=False, **kwargs) -> None:
    """Drop the cached totals once the write that changed what they count has committed.

    A new anonymous input is the exception: a department sends hundreds within minutes
    through the QR code, and the totals count them within CACHE_SECONDS without a cache
    round trip per input. Everything else (leaders' inputs, deliveries, a removed
    anonymous input) shows at once.
    """
    if sender is Input and created and instance.source == InputSource.ANONYMOUS:
        return
    transaction.on_commit(lambda: cache.delete(FIGURES_KEY))


def forget_step_two(**kwargs) -> None:
    """Drop the cached step-2 states once the write that changed them has committed."""
    transaction.on_commit(lambda: cache.delete(STEP_TWO_KEY))


def connect() -> None:
    """Drop what is cached here whenever what it is made of changes."""
    for signal in (post_save, post_delete):
        for model in (Submission, Activity, Input, Workplace):
            signal.connect(
                forget_figures, sender=model, dispatch_uid=f"coverage-{model.__name__}-{signal}"
            )
        for model in (ClarificationStep, StepState):
            signal.connect(
                forget_step_two, sender=model, dispatch_uid=f"coverage-{model.__name__}-{signal}"
            )


# --- For the pages ------------------------------------------------------------------------


def step_states(
    user, programme: Programme, administrations: list[Administration]
) -> dict[tuple[int, int], StepState]:
    """Return the user's visible step states, keyed by (administration id, step number)."""
    states = (
        StepState.objects.for_user(user)
        .filter(step__programme=programme, administration__in=administrations)
        .select_related("step")
        .order_by()
    )
    return {(state.administration_id, state.step.number): state for state in states}


def submissions_of(workplaces, programme: Programme) -> dict[int, Submission]:
    """Return the step-2 submissions of a few workplaces, by workplace id, in one query."""
    return {
        submission.workplace_id: submission
        for submission in Submission.objects.filter(
            programme=programme, workplace__in=workplaces
        ).only("workplace_id", "status", "delivered_at")
    }
