"""The short anonymous evaluation after a seminar: the answers, and who has answered.

An answer and the record that someone answered are two rows that share nothing but the
seminar. The answer has no person, no user, no time (not even a date) and a random UUID
key, so neither its key nor its fields can be matched to a receipt or a reminder; the
receipt says only that a person answered, so they answer once and are not reminded.
seminars.evaluation creates both in one transaction.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programme.models import Person

from .seminars import Seminar

SCALE = range(1, 6)
# The fixed questions, in the order they are asked: (field, question). A field name is
# the column of EvaluationAnswer, so the results can be aggregated per question.
SCALE_QUESTIONS = [
    ("benefit", _("Udbytte for min ledelse")),
    ("relevance", _("Relevans for velfærdsfornyelsen")),
    ("input_quality", _("Oplæggets kvalitet")),
    ("dialogue", _("Den refleksive dialog")),
]
TEXT_QUESTIONS = [
    ("takeaway", _("Det tager jeg med")),
    ("improvement", _("Det kunne være bedre")),
]


def _scale_field(question):
    return models.PositiveSmallIntegerField(question)


def _in_scale(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": SCALE.start, f"{field}__lte": SCALE.stop - 1}),
        name=f"%(app_label)s_%(class)s_{field}_in_scale",
        violation_error_message=_("Svarene går fra 1 til 5."),
    )


class EvaluationAnswer(models.Model):
    """One participant's answer to a seminar's evaluation, with nothing that says whose."""

    # Random, so the order of the keys says nothing about the order of the answers.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seminar = models.ForeignKey(
        Seminar, on_delete=models.CASCADE, related_name="evaluation_answers"
    )
    benefit = _scale_field(SCALE_QUESTIONS[0][1])
    relevance = _scale_field(SCALE_QUESTIONS[1][1])
    input_quality = _scale_field(SCALE_QUESTIONS[2][1])
    dialogue = _scale_field(SCALE_QUESTIONS[3][1])
    takeaway = models.TextField(TEXT_QUESTIONS[0][1], blank=True, default="")
    improvement = models.TextField(TEXT_QUESTIONS[1][1], blank=True, default="")

    class Meta:
        verbose_name = _("evalueringssvar")
        verbose_name_plural = _("evalueringssvar")
        constraints = [_in_scale(field) for field, _question in SCALE_QUESTIONS]

    def __str__(self):
        return _("Svar på evalueringen af %(seminar)s") % {"seminar": self.seminar_id}


class EvaluationReceipt(models.Model):
    """That a person has answered a seminar's evaluation; never what, and never when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seminar = models.ForeignKey(
        Seminar, on_delete=models.CASCADE, related_name="evaluation_receipts"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="evaluation_receipts")

    class Meta:
        verbose_name = _("kvittering for evaluering")
        verbose_name_plural = _("kvitteringer for evaluering")
        constraints = [
            models.UniqueConstraint(
                fields=["seminar", "person"],
                name="%(app_label)s_%(class)s_once_per_person",
                violation_error_message=_("Du har allerede evalueret seminaret."),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.seminar}"
