"""factory_boy factories for the clarification phase, valid by default."""

import datetime

import factory

from clarification.models import (
    Activity,
    ClarificationStep,
    Input,
    InputKind,
    InputSource,
    InvolvementPlan,
    Method,
    StepNumber,
    StepState,
    Submission,
    SuggestedForm,
)
from tests.programme.factories import AdministrationFactory, ProgrammeFactory, WorkplaceFactory


class ClarificationStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClarificationStep
        django_get_or_create = ["programme", "number"]

    programme = factory.SubFactory(ProgrammeFactory)
    number = StepNumber.EXECUTION
    name = factory.LazyAttribute(lambda step: StepNumber(step.number).label)
    deadline = datetime.date(2021, 6, 30)


class StepStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepState
        django_get_or_create = ["step", "administration"]

    step = factory.SubFactory(ClarificationStepFactory)
    administration = factory.SubFactory(AdministrationFactory)
    status = "aaben"


class InvolvementPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvementPlan

    programme = factory.SubFactory(ProgrammeFactory)
    administration = factory.SubFactory(AdministrationFactory)
    methods = factory.LazyFunction(lambda: [Method.WORKSHOP.value])
    description = "Workshops på alle arbejdspladser i maj."


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    programme = factory.SubFactory(ProgrammeFactory)
    workplace = factory.SubFactory(WorkplaceFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    submission = factory.SubFactory(SubmissionFactory)
    method = Method.WORKSHOP
    held_on = datetime.date(2021, 5, 10)
    staff_participants = 12
    leader_participants = 1


class InputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Input

    submission = factory.SubFactory(SubmissionFactory)
    programme = factory.SelfAttribute("submission.programme")
    workplace = factory.SelfAttribute("submission.workplace")
    source = InputSource.LEADER
    kind = InputKind.NEED
    title = factory.Sequence(lambda n: f"Behov for fælles sprog om borgerdialog {n}")
    text = "Vi mangler metoder til at inddrage borgerne i planlægningen af hverdagen."
    suggested_form = SuggestedForm.COURSE


class AnonymousInputFactory(InputFactory):
    submission = None
    programme = factory.SubFactory(ProgrammeFactory)
    workplace = factory.SubFactory(WorkplaceFactory)
    source = InputSource.ANONYMOUS
