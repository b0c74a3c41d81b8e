"""Step 4 of the demo: direktionen's first decisions, one of them published.

Two proposals built on the demo's groups and themes: one adopted at a meeting and
published, so that the demo leader's "I sagde — vi gør" is filled in (the decision also
cites two of Valhøj Skole's own inputs), and one proposed, awaiting the next meeting.
Everything goes through the services, so the events and feedback e-mails are the real
ones. A rerun adds nothing.
"""

import datetime
from decimal import Decimal

from clarification.models import (
    AssignmentStatus,
    Decision,
    DecisionKind,
    DecisionState,
    Input,
    InputSource,
    Synthesis,
    Theme,
)
from clarification.services import decisions as service
from programme.models import Administration, Leadership, Person, Programme, Role

MEETING = datetime.date(2021, 6, 15)


def _first(queryset):
    return queryset.order_by("pk").first()


def load_decisions(*, programme: Programme, hr, direction, leader) -> int:
    """Create the demo's decisions; return how many there are."""
    if Decision.objects.filter(programme=programme).exists():
        return Decision.objects.filter(programme=programme).count()
    owner = _first(Person.objects.filter(role=Role.HEAD_OF_DEPARTMENT, is_active=True))
    meetings = _first(Synthesis.objects.filter(programme=programme, title__startswith="Mødekultur"))
    relatives = _first(Synthesis.objects.filter(programme=programme, title__contains="pårørende"))
    facilitating = _first(Theme.objects.filter(programme=programme, name="Faciliterende lederskab"))
    dialogue = _first(Theme.objects.filter(programme=programme, name__startswith="Dialogisk"))
    # Two of the demo leader's own inputs, preferably ones HR has tied to a theme.
    led = Leadership.objects.filter(person__user=leader).values("workplace_id")
    own = list(
        Input.objects.filter(programme=programme, workplace_id__in=led, source=InputSource.LEADER)
        .filter(theme_assignments__status=AssignmentStatus.CONFIRMED)
        .distinct()
        .order_by("pk")[:2]
    ) or list(Input.objects.filter(programme=programme, workplace_id__in=led).order_by("pk")[:2])

    course = Decision.objects.create(
        programme=programme,
        title="Undervisningsforløb: Faciliterende mødeledelse for alle ledere",
        kind=DecisionKind.COURSE,
        rationale=(
            "Input fra arbejdspladser i alle forvaltninger beskriver personalemøder med "
            "envejsinformation og ønsker møder, hvor medarbejderne selv finder løsninger. "
            "Temaet går på tværs og matcher fagchefforums seminar om faciliterende lederskab."
        ),
        next_steps=(
            "Personale & Udvikling indhenter tilbud fra to udbydere i august. Forløbet "
            "starter i oktober 2021 med fire moduler; alle ledere inviteres via "
            "fagcheferne."
        ),
        owner=owner,
        estimated_cost=Decimal("450000.00"),
        review_on=datetime.date(2022, 3, 1),
        created_by=hr,
    )
    if facilitating:
        course.themes.add(facilitating)
    if meetings:
        course.syntheses.add(meetings)
    course.inputs.add(*own)
    course.administrations.add(*Administration.objects.filter(is_active=True))
    service.propose(decision=course, by=hr)
    service.decide(
        decision=course,
        to_state=DecisionState.ADOPTED,
        held_on=MEETING,
        by=direction,
        comment="Vedtaget på direktionsmødet efter drøftelse i fagchefforum.",
    )
    service.publish(
        programme=programme,
        decisions=[course],
        by=direction,
        message="Tak for de mange input. Dette er den første beslutning; flere følger i efteråret.",
    )

    local = Decision.objects.create(
        programme=programme,
        title="Lokale udviklingsforløb: Samarbejdet med pårørende og forældre",
        kind=DecisionKind.LOCAL,
        rationale=(
            "Svære samtaler og forventningsafstemning med pårørende og forældre går igen i "
            "input fra både dagtilbud, skoler og ældreplejen."
        ),
        next_steps=(
            "Arbejdspladserne tilbydes en procesguide og sparring fra Personale & Udvikling."
        ),
        owner=owner,
        estimated_cost=Decimal("300000.00"),
        review_on=datetime.date(2022, 6, 1),
        created_by=hr,
    )
    if dialogue:
        local.themes.add(dialogue)
    if relatives:
        local.syntheses.add(relatives)
    service.propose(decision=local, by=hr)
    return 2
