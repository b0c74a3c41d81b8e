"""The short anonymous evaluation after each seminar: who may answer, the answer, the results.

A participant who attended (or registered, while HR has not recorded who came) answers
once while the evaluation is open: from the seminar's end for `Seminar.evaluation_days`
days. The answer is stored without a person (seminars.models.evaluation); a receipt
records that they answered. Fagchefforum's members who can see the seminar read the
results, and only when at least SMALL_GROUP_LIMIT have answered.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.access import SMALL_GROUP_LIMIT, scope_for

from . import services
from .models import (
    SCALE_QUESTIONS,
    TEXT_QUESTIONS,
    Attendance,
    AttendanceStatus,
    EvaluationAnswer,
    EvaluationReceipt,
    Seminar,
)
from .models.evaluation import SCALE

# --- Who may answer, and when ------------------------------------------------------------


class EvaluationError(Exception):
    """The evaluation cannot be answered as asked; the message is Danish."""


def opens_at(seminar: Seminar) -> datetime.datetime:
    return seminar.ends_at


def closes_at(seminar: Seminar) -> datetime.datetime:
    return seminar.ends_at + datetime.timedelta(days=seminar.evaluation_days)


def is_open(seminar: Seminar, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return not seminar.is_cancelled and opens_at(seminar) <= now < closes_at(seminar)


def evaluators(seminar: Seminar) -> QuerySet:
    """Return the attendances whose person may answer (one query when evaluated).

    Those who attended; before HR has recorded anyone as attended or absent, those who
    registered.
    """
    recorded = Attendance.objects.filter(
        seminar=OuterRef("seminar"),
        status__in=[AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT],
    )
    return Attendance.objects.filter(seminar=seminar).filter(
        Q(status=AttendanceStatus.ATTENDED)
        | Q(status=AttendanceStatus.REGISTERED) & ~Exists(recorded)
    )


def not_answered(seminar: Seminar) -> QuerySet:
    """Return the evaluators who have not answered yet (those the reminder goes to)."""
    receipts = EvaluationReceipt.objects.filter(
        seminar=OuterRef("seminar"), person=OuterRef("person")
    )
    return evaluators(seminar).filter(~Exists(receipts))


@dataclass(frozen=True)
class EvaluationState:
    """What one user may do with a seminar's evaluation."""

    is_open: bool
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    is_evaluator: bool = False
    has_answered: bool = False

    @property
    def may_answer(self) -> bool:
        return self.is_open and self.is_evaluator and not self.has_answered

    @property
    def reason(self) -> str:
        """Why the user cannot answer now (empty when they can)."""
        if self.has_answered:
            return _("Du har evalueret seminaret. Tak for dit svar.")
        if not self.is_evaluator:
            return _("Evalueringen besvares af seminarets deltagere.")
        if not self.is_open and timezone.now() < self.opens_at:
            return _("Evalueringen åbner, når seminaret er slut.")
        if not self.is_open:
            return _("Evalueringen er lukket.")
        return ""


def state_for(seminar: Seminar, person_id: int | None) -> EvaluationState:
    """Return the person's state for the seminar's evaluation (two queries, none for HR)."""
    state = {
        "is_open": is_open(seminar),
        "opens_at": opens_at(seminar),
        "closes_at": closes_at(seminar),
    }
    if person_id is None:
        return EvaluationState(**state)
    return EvaluationState(
        **state,
        is_evaluator=evaluators(seminar).filter(person_id=person_id).exists(),
        has_answered=EvaluationReceipt.objects.filter(
            seminar=seminar, person_id=person_id
        ).exists(),
    )


@transaction.atomic
def submit_evaluation(*, seminar: Seminar, person, answers: dict, now=None) -> None:
    """Store one participant's answer and, in the same transaction, that they answered.

    `now` is for loading history (the demo); pages leave it to the clock.
    """
    # The lock on the person's attendance serialises two submissions of theirs (a double
    # click, two tabs) and a change HR makes to it at the same moment.
    attendance = evaluators(seminar).filter(person=person).select_for_update().first()
    if not is_open(seminar, now):
        raise EvaluationError(_("Evalueringen er ikke åben."))
    if attendance is None:
        raise EvaluationError(_("Evalueringen besvares af seminarets deltagere."))
    try:
        with transaction.atomic():
            EvaluationReceipt.objects.create(seminar=seminar, person=person)
    except IntegrityError:
        raise EvaluationError(_("Du har allerede evalueret seminaret.")) from None
    fields = [name for name, _question in SCALE_QUESTIONS + TEXT_QUESTIONS]
    EvaluationAnswer.objects.create(seminar=seminar, **{name: answers[name] for name in fields})


# --- Results -------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: str
    answers: int
    mean: float | None
    # (value, how many gave it, share of the answers in per cent), 1 to 5.
    distribution: list[tuple[int, int, int]]


@dataclass
class Results:
    answers: int | None  # None while hidden: not even the count is told
    shown: bool
    closed: bool = True
    questions: list[QuestionResult] = field(default_factory=list)
    # (question, the comments in random order)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)


def results(seminar: Seminar, now: datetime.datetime | None = None) -> Results:
    """Return the seminar's results once the evaluation has closed with at least
    SMALL_GROUP_LIMIT answers (2 queries); otherwise nothing, not even the count.

    Shown while still open, a look before and after a colleague answers would give away
    that colleague's answer; so would an exact count below the limit.
    """
    if (now or timezone.now()) < closes_at(seminar):
        return Results(answers=None, shown=False, closed=False)
    aggregates = {"answers": Count("pk")}
    for name, _question in SCALE_QUESTIONS:
        aggregates[f"{name}__mean"] = Avg(name)
        for value in SCALE:
            aggregates[f"{name}__{value}"] = Count("pk", filter=Q(**{name: value}))
    row = EvaluationAnswer.objects.filter(seminar=seminar).aggregate(**aggregates)
    count = row["answers"]
    if count < SMALL_GROUP_LIMIT:
        return Results(answers=None, shown=False)
    questions = [
        QuestionResult(
            question=str(question),
            answers=count,
            mean=row[f"{name}__mean"],
            distribution=[
                (value, row[f"{name}__{value}"], round(100 * row[f"{name}__{value}"] / count))
                for value in SCALE
            ],
        )
        for name, question in SCALE_QUESTIONS
    ]
    texts = list(
        EvaluationAnswer.objects.filter(seminar=seminar)
        .exclude(takeaway="", improvement="")
        .values_list(*(name for name, _question in TEXT_QUESTIONS))
    )
    shuffle = secrets.SystemRandom().shuffle
    comments = []
    for index, (_name, question) in enumerate(TEXT_QUESTIONS):
        written = [row[index] for row in texts if row[index]]
        # Random order: the order of the comments must not follow the order of answering.
        shuffle(written)
        comments.append((str(question), written))
    return Results(answers=count, shown=True, questions=questions, comments=comments)


def with_evaluation_summary(seminars: QuerySet) -> QuerySet:
    """Annotate each seminar with its number of answers and the first question's mean.

    Subqueries, not joins: the panel also counts attendances, which a join would multiply.
    """
    answers = EvaluationAnswer.objects.filter(seminar=OuterRef("pk")).order_by().values("seminar")
    first = SCALE_QUESTIONS[0][0]
    return seminars.annotate(
        evaluation_answers_count=Coalesce(
            Subquery(answers.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
        evaluation_mean=Subquery(answers.annotate(mean=Avg(first)).values("mean")),
    )


# --- Pages ---------------------------------------------------------------------------------


class EvaluationForm(forms.Form):
    """The fixed questions: four on a scale from 1 to 5, two optional comments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        must_choose = gettext_lazy("Vælg et svar fra 1 til 5.")
        for name, question in SCALE_QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=question,
                choices=[(value, str(value)) for value in SCALE],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": must_choose, "invalid_choice": must_choose},
            )
        for name, question in TEXT_QUESTIONS:
            self.fields[name] = forms.CharField(
                label=question,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                error_messages={"max_length": gettext_lazy("Skriv højst %(limit_value)d tegn.")},
            )

    def scale_fields(self):
        return [self[name] for name, _question in SCALE_QUESTIONS]

    def text_fields(self):
        return [self[name] for name, _question in TEXT_QUESTIONS]


def _forum(user):
    scope = scope_for(user)
    if services.is_forum_member(scope):
        return scope
    raise PermissionDenied


def _seminar(request, pk) -> Seminar:
    return get_object_or_404(Seminar.objects.for_user(request.user), pk=pk)


def answer(request, pk):
    """The evaluation form for a participant; for anyone else, why they cannot answer."""
    scope = _forum(request.user)
    seminar = _seminar(request, pk)
    state = state_for(seminar, scope.person_id)
    form = EvaluationForm()
    status = 200
    if request.method == "POST":
        form = EvaluationForm(request.POST)
        if not state.may_answer:
            status = 403
        elif form.is_valid():
            try:
                submit_evaluation(seminar=seminar, person=scope.person, answers=form.cleaned_data)
            except EvaluationError as error:
                messages.error(request, str(error))
                state = state_for(seminar, scope.person_id)
                status = 403
            else:
                messages.success(request, _("Tak for dit svar. Det er gemt uden dit navn."))
                return redirect("evaluation:answer", pk=seminar.pk)
    return render(
        request,
        "seminars/evaluation_form.html",
        {
            "seminar": seminar,
            "state": state,
            "form": form,
            "active_nav": "seminars",
        },
        status=status,
    )


def results_page(request, pk):
    _forum(request.user)
    seminar = _seminar(request, pk)
    return render(
        request,
        "seminars/evaluation_results.html",
        {
            "seminar": seminar,
            "results": results(seminar),
            "limit": SMALL_GROUP_LIMIT,
            "closes_at": closes_at(seminar),
            "active_nav": "seminars",
        },
    )


app_name = "evaluation"
urlpatterns = [
    path("seminarer/<int:pk>/evaluering/", answer, name="answer"),
    path("seminarer/<int:pk>/evaluering/resultater/", results_page, name="results"),
]
