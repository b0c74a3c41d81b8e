"""The clarification phase of the demo, as it stood on 21 June 2021.

Step 1 is approved and closed in every administration; step 2 is open, about 60 % of the
workplaces have delivered (the rest have a draft or nothing yet), employees have given
anonymous input through their workplaces' links, and the 7-days-before reminder has gone
to the leaders who had not delivered. Everything is written through the services, so
gates, locks and history are the real ones; only the dates are set back to 2021.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clarification.models import (
    Input,
    InputSource,
    InvolvementPlan,
    Method,
    StepNumber,
    StepState,
    StepStatus,
    Submission,
    SubmissionStatus,
)
from clarification.reminders import LEADERS, ensure_default_rules
from clarification.services import anonymous, plans, steps, submissions
from programme.models import (
    Administration,
    Leadership,
    MedCommittee,
    Person,
    Programme,
    ReminderDelivery,
    Role,
    Workplace,
)

from .clarification_texts import ANONYMOUS_ITEMS, LEADER_ITEMS

SEED = 2021
D = datetime.date
DEADLINES = {
    StepNumber.DESIGN: D(2021, 4, 16),
    StepNumber.EXECUTION: D(2021, 6, 25),
    StepNumber.PROCESSING: D(2021, 9, 3),
    StepNumber.DECISION: D(2021, 9, 21),
}
DELIVERED_SHARE = 0.6
DRAFT_SHARE = 0.15
# The demo leader's own units: one delivered, one still a draft, so both states show.
DEMO_LEADER_DELIVERED = "1102"  # Valhøj Skole, SFO
DEMO_LEADER_DRAFT = "1101"  # Valhøj Skole
ACTIVITY_METHODS = [
    Method.WORKSHOP,
    Method.STAFF_MEETING,
    Method.DIALOGUE_MEETING,
    Method.VIRTUAL_WORKSHOP,
    Method.MED_MEETING,
]


@dataclass
class ClarificationResult:
    delivered: int = 0
    drafts: int = 0
    leader_inputs: int = 0
    anonymous_inputs: int = 0
    reminders_sent: int = 0


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _approve_plans(programme: Programme, design, *, hr, direction) -> None:
    """Step 1 in every administration: a submitted plan, approved, the step closed."""
    for administration in Administration.objects.active().order_by("code"):
        state = steps.state_for(step=design, administration=administration)
        if state.status == StepStatus.CLOSED:
            continue
        if state.status == StepStatus.NOT_STARTED:
            steps.open_step(step=design, administration=administration, by=hr)
        head = (
            Person.objects.filter(
                role=Role.HEAD_OF_DEPARTMENT,
                is_active=True,
                workplace__administration=administration,
            )
            .select_related("user")
            .first()
        )
        leaders = Person.objects.filter(
            role=Role.LEADER, is_active=True, workplace__administration=administration
        ).order_by("employee_number")[:3]
        plan = InvolvementPlan.objects.filter(
            programme=programme, administration=administration
        ).first()
        if plan is None or plan.status == "kladde":
            plan = plans.save_plan(
                programme=programme,
                administration=administration,
                data=plans.PlanData(
                    methods=[Method.WORKSHOP, Method.STAFF_MEETING, Method.MED_MEETING],
                    starts_on=D(2021, 5, 4),
                    ends_on=D(2021, 6, 25),
                    responsible_leaders=list(leaders),
                    med_involvement=(
                        "Forvaltnings-MED drøfter planen, og hvert lokal-MED er med til at "
                        "planlægge workshoppen på arbejdspladsen."
                    ),
                    description=(
                        "Hver arbejdsplads holder en workshop med alle medarbejdere i maj eller "
                        "juni; mindre arbejdspladser bruger et personalemøde. Lederen indsender "
                        "input i appen, og medarbejderne kan give input anonymt via plakaten."
                    ),
                ),
                by=head.user if head else hr,
            )
        if plan.status == "kladde":
            plan = plans.submit_plan(plan=plan, by=head.user if head else hr)
        if plan.status == "indsendt":
            plans.approve_plan(
                plan=plan, by=direction, comment="Godkendt i fagchefforum 15. april 2021."
            )
        steps.close_step(
            step=design,
            administration=administration,
            by=hr,
            comment="Inddragelsesplanen er godkendt af fagchefforum.",
        )
    # Back to the spring of 2021 (the services stamp their writes with today's time).
    StepState.objects.filter(step=design).update(
        opened_at=_at(D(2021, 3, 1)), closed_at=_at(D(2021, 4, 16))
    )
    StepState.objects.filter(step__programme=programme, step__number=2).update(
        opened_at=_at(D(2021, 4, 16))
    )
    InvolvementPlan.objects.filter(programme=programme).update(
        submitted_at=_at(D(2021, 4, 9)), approved_at=_at(D(2021, 4, 15))
    )


def _leader_items(rng: random.Random, workplace: Workplace) -> list[submissions.InputItem]:
    chosen = rng.sample(LEADER_ITEMS, k=rng.randint(3, 6))
    return [
        submissions.InputItem(
            data={
                "kind": kind,
                "title": title,
                "text": text,
                "suggested_form": form,
                "theme_guesses": theme if rng.random() < 0.3 else "",
            }
        )
        for theme, kind, form, title, text in chosen
    ]


def _workplace_step_two(
    programme, workplace, rng, committees, *, deliver: bool, by
) -> tuple[int, int]:
    """One workplace's activity and input; delivered or left as a draft."""
    held_on = D(2021, 5, 10) + datetime.timedelta(days=rng.randint(0, 30))
    committee = committees.get(workplace.pk)
    submissions.save_activity(
        programme=programme,
        workplace=workplace,
        data={
            "method": rng.choice(ACTIVITY_METHODS),
            "held_on": held_on,
            "staff_participants": max(1, round(workplace.headcount * rng.uniform(0.55, 0.95))),
            "leader_participants": 1,
            "med_involved": committee is not None,
            "med_committee": committee,
            "notes": "",
        },
        by=by,
    )
    items = _leader_items(rng, workplace)
    submissions.save_inputs(programme=programme, workplace=workplace, items=items, by=by)
    Input.objects.filter(workplace=workplace, source=InputSource.LEADER).update(
        submitted_on=held_on + datetime.timedelta(days=2)
    )
    if deliver:
        submissions.deliver_submission(programme=programme, workplace=workplace, by=by)
        Submission.objects.filter(programme=programme, workplace=workplace).update(
            delivered_at=_at(held_on + datetime.timedelta(days=3), hour=15)
        )
    return len(items), int(deliver)


def _anonymous_inputs(programme, workplaces, rng) -> int:
    """Employees' input through the links of a third of the workplaces."""
    count = 0
    for workplace in workplaces:
        link = anonymous.get_or_create_link(workplace=workplace)
        # The demo's step 3 makes every input's suggestions itself: no run is queued.
        admission = anonymous.Admission(
            info=anonymous.link_info(link.token), queues_suggestions=False
        )
        for _theme, kind, form, title, text in rng.sample(ANONYMOUS_ITEMS, k=rng.randint(2, 7)):
            item = anonymous.submit_anonymous_input(
                admission=admission,
                data=anonymous.AnonymousInputData(
                    kind=kind, title=title, text=text, suggested_form=form, theme_guesses=""
                ),
            )
            # Anonymous rows keep only the day; the demo's days are in May and June 2021.
            Input.objects.filter(pk=item.pk).update(
                submitted_on=D(2021, 5, 12) + datetime.timedelta(days=rng.randint(0, 30))
            )
            count += 1
    return count


def _reminders_sent(programme) -> int:
    """The 7-days-before reminder as it went to leaders who had not delivered (in 2021)."""
    rule = next(
        rule
        for rule in ensure_default_rules(programme=programme)
        if rule.audience == LEADERS.key and rule.offset_days == -7
    )
    if rule.deliveries.exists():
        return 0
    recipients = list(LEADERS.recipients(rule.anchor))
    sent_at = _at(DEADLINES[StepNumber.EXECUTION] - datetime.timedelta(days=7), hour=8)
    ReminderDelivery.objects.bulk_create(
        ReminderDelivery(
            rule=rule,
            recipient_key=recipient.key,
            person_id=recipient.person_id,
            email=recipient.email,
            name=recipient.name,
            context=recipient.context,
            status="sent",
            attempts=1,
            created_at=sent_at,
            queued_at=sent_at,
            claimed_at=sent_at,
            sent_at=sent_at,
            next_attempt_at=sent_at,
        )
        for recipient in recipients[: max(1, len(recipients) // 2)]
    )
    return rule.deliveries.count()


@transaction.atomic
def load_clarification(*, programme: Programme, hr, direction, leader) -> ClarificationResult:
    """Load the clarification phase into the demo programme; a rerun adds nothing."""
    result = ClarificationResult()
    all_steps = {
        step.number: step for step in steps.ensure_steps(programme=programme, deadlines=DEADLINES)
    }
    _approve_plans(programme, all_steps[StepNumber.DESIGN], hr=hr, direction=direction)
    if Submission.objects.filter(programme=programme).exists():
        return result

    rng = random.Random(SEED)
    workplaces = list(
        Workplace.objects.active()
        .filter(pk__in=Leadership.objects.values("workplace"))
        .order_by("code")
    )
    committees = {}
    for committee in MedCommittee.objects.filter(level="lokal").prefetch_related("workplaces"):
        for workplace in committee.workplaces.all():
            committees.setdefault(workplace.pk, committee)
    rng.shuffle(workplaces)
    n_delivered = round(len(workplaces) * DELIVERED_SHARE)
    n_draft = round(len(workplaces) * DRAFT_SHARE)
    delivered = {w.code for w in workplaces[:n_delivered]} - {DEMO_LEADER_DRAFT}
    delivered.add(DEMO_LEADER_DELIVERED)
    drafts = {w.code for w in workplaces[n_delivered : n_delivered + n_draft]}
    drafts = (drafts | {DEMO_LEADER_DRAFT}) - delivered
    for workplace in sorted(workplaces, key=lambda w: w.code):
        if workplace.code not in delivered | drafts:
            continue
        by = leader if workplace.code in (DEMO_LEADER_DELIVERED, DEMO_LEADER_DRAFT) else None
        items, was_delivered = _workplace_step_two(
            programme,
            workplace,
            rng,
            committees,
            deliver=workplace.code in delivered,
            by=by,
        )
        result.leader_inputs += items
        result.delivered += was_delivered
        result.drafts += 1 - was_delivered
    with_link = sorted(workplaces, key=lambda w: w.code)[::3]
    result.anonymous_inputs = _anonymous_inputs(programme, with_link, rng)
    result.reminders_sent = _reminders_sent(programme)
    assert Submission.objects.filter(status=SubmissionStatus.DELIVERED).count() == result.delivered
    return result
