"""factory_boy factories for the organisation and the programme, valid by default."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from programme.access import GROUP_FOR_PERSON_ROLE, RoleGroup
from programme.models import (
    Administration,
    ExternalPerson,
    Leadership,
    MedCommittee,
    Milestone,
    Person,
    Phase,
    Programme,
    Role,
    Tier,
    Workplace,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    password = factory.django.Password("korrekt-hest-batteri-47")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[str(g) for g in extracted]))


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration

    code = factory.Sequence(lambda n: f"F{n:02d}")
    name = factory.Sequence(lambda n: f"Forvaltning {n}")


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    code = factory.Sequence(lambda n: f"AP{n:04d}")
    name = factory.Sequence(lambda n: f"Arbejdsplads {n}")
    administration = factory.SubFactory(AdministrationFactory)
    headcount = 20


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_number = factory.Sequence(lambda n: f"{100000 + n}")
    name = factory.Sequence(lambda n: f"Person Nummer{n}")
    email = factory.LazyAttribute(lambda p: f"{p.employee_number}@example.dk")
    job_title = "Pædagog"
    workplace = factory.SubFactory(WorkplaceFactory)
    role = Role.EMPLOYEE


class LeadershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leadership

    workplace = factory.SubFactory(WorkplaceFactory)
    person = factory.SubFactory(
        PersonFactory, role=Role.LEADER, workplace=factory.SelfAttribute("..workplace")
    )


class MedCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedCommittee

    name = factory.Sequence(lambda n: f"Lokal-MED {n}")
    level = "lokal"


class ExternalPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalPerson

    name = factory.Sequence(lambda n: f"Coach {n}")
    kind = "coach"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = "Udviklingsforløb for hele organisationen"
    slug = factory.Sequence(lambda n: f"forloeb-{n}")
    vision = "Sammen om Rødovre"
    journal_number = "81.04.00-G00-5-20"
    starts_on = datetime.date(2020, 1, 1)
    ends_on = datetime.date(2030, 12, 31)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Niveau {n + 1}")
    roles = factory.LazyFunction(lambda: [Role.EMPLOYEE.value])


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Fase {n + 1}")
    planned_start = datetime.date(2021, 4, 1)
    planned_end = datetime.date(2021, 9, 30)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Milepæl {n}")
    original_date = factory.SelfAttribute("planned_date")
    planned_date = datetime.date(2031, 6, 1)


def login_for(person: Person, *, extra_groups=()) -> object:
    """Give a person a login in the group of their role (plus any extra groups)."""
    groups = [GROUP_FOR_PERSON_ROLE[person.role], *extra_groups]
    user = UserFactory(username=f"u{person.employee_number}", groups=groups)
    person.user = user
    person.save(update_fields=["user"])
    return user


def hr_user():
    return UserFactory(username="hr", is_staff=True, groups=[RoleGroup.HR])
