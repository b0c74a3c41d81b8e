""" "I sagde — vi gør": what became of a workplace's input, and the e-mail that says so.

A decision answers an input when it cites the input itself or a group (synthesis) the
input belongs to. Only adopted, published decisions are shown or announced. A workplace's
page lists the leader's inputs one by one; the anonymous inputs are summarised (how many,
which themes), as elsewhere, so that no small group can be singled out.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.models import Leadership, Programme, Workplace
from programme.reminders import Audience, Recipient, register

from .models import (
    AssignmentStatus,
    Decision,
    DecisionState,
    Input,
    InputSource,
    Publication,
    Synthesis,
    ThemeAssignment,
)
from .reminders import site_url

FEEDBACK_AUDIENCE = "afklaring.i-sagde-vi-goer"


def published(programme: Programme):
    return Decision.objects.filter(
        programme=programme, state=DecisionState.ADOPTED, published_at__isnull=False
    )


def answering(decisions, input_ids) -> dict[int, set[int]]:
    """Return, per input id, the ids of the given decisions that answer it (four queries)."""
    decision_ids = list(decisions.values_list("pk", flat=True))
    found: dict[int, set[int]] = defaultdict(set)
    for decision_id, input_id in Decision.inputs.through.objects.filter(
        decision_id__in=decision_ids, input_id__in=input_ids
    ).values_list("decision_id", "input_id"):
        found[input_id].add(decision_id)
    by_group: dict[int, set[int]] = defaultdict(set)
    for decision_id, synthesis_id in Decision.syntheses.through.objects.filter(
        decision_id__in=decision_ids
    ).values_list("decision_id", "synthesis_id"):
        by_group[synthesis_id].add(decision_id)
    if by_group:
        for synthesis_id, input_id in Synthesis.inputs.through.objects.filter(
            synthesis_id__in=list(by_group), input_id__in=input_ids
        ).values_list("synthesis_id", "input_id"):
            found[input_id] |= by_group[synthesis_id]
    return found


def answered_workplace_ids(programme: Programme, workplace_ids) -> set[int]:
    """Return which of these workplaces a published decision answers (one query).

    The pages that link to "I sagde — vi gør" show the link once there is something to
    read there; the subqueries keep it one row per workplace however many decisions,
    inputs and groups there are.
    """
    decisions = published(programme).values("pk")
    cites, groups = Decision.inputs.through.objects, Synthesis.inputs.through.objects
    direct = cites.filter(decision_id__in=decisions).values("input_id")
    grouped = groups.filter(synthesis__decisions__in=decisions).values("input_id")
    return set(
        Input.objects.filter(programme=programme, workplace_id__in=list(workplace_ids))
        .filter(Q(pk__in=direct) | Q(pk__in=grouped))
        .order_by()
        .values_list("workplace_id", flat=True)
        .distinct()
    )


@dataclass
class InputFeedback:
    input: Input
    themes: list[str]
    decisions: list[Decision]


@dataclass
class WorkplaceFeedback:
    workplace: Workplace
    inputs: list[InputFeedback] = field(default_factory=list)
    anonymous_count: int = 0
    anonymous_themes: list[str] = field(default_factory=list)
    anonymous_answered: int = 0
    decisions: list[Decision] = field(default_factory=list)

    @property
    def unanswered(self) -> list[InputFeedback]:
        return [item for item in self.inputs if not item.decisions]


def for_workplace(programme: Programme, workplace: Workplace) -> WorkplaceFeedback:
    """Gather the page of one workplace in a constant number of queries."""
    inputs = list(
        Input.objects.filter(programme=programme, workplace=workplace).order_by("source", "pk")
    )
    ids = [item.pk for item in inputs]
    themes: dict[int, list[str]] = defaultdict(list)
    for input_id, name in (
        ThemeAssignment.objects.filter(input_id__in=ids, status=AssignmentStatus.CONFIRMED)
        .order_by("theme__position", "theme__name")
        .values_list("input_id", "theme__name")
    ):
        themes[input_id].append(name)
    decisions = published(programme)
    answered = answering(decisions, ids)
    wanted = {pk for found in answered.values() for pk in found}
    by_pk = {
        d.pk: d
        for d in decisions.filter(pk__in=wanted).select_related("owner").order_by("title", "pk")
    }
    page = WorkplaceFeedback(workplace=workplace, decisions=list(by_pk.values()))
    anonymous_themes: set[str] = set()
    for item in inputs:
        chosen = [by_pk[pk] for pk in sorted(answered.get(item.pk, ())) if pk in by_pk]
        if item.source == InputSource.ANONYMOUS:
            page.anonymous_count += 1
            page.anonymous_answered += bool(chosen)
            anonymous_themes.update(themes.get(item.pk, []))
        else:
            page.inputs.append(InputFeedback(item, themes.get(item.pk, []), chosen))
    page.anonymous_themes = sorted(anonymous_themes)
    return page


# --- The e-mail -------------------------------------------------------------------------


def feedback_link(code: str) -> str:
    return site_url() + reverse("clarification:feedback", kwargs={"code": code})


def cited_workplaces(publication: Publication):
    decisions = publication.decisions.filter(state=DecisionState.ADOPTED)
    direct = Input.objects.filter(decisions__in=decisions).values("workplace_id")
    grouped = Input.objects.filter(syntheses__decisions__in=decisions).values("workplace_id")
    return Workplace.objects.filter(is_active=True).filter(pk__in=direct.union(grouped))


def feedback_recipients(publication: Publication):
    """One e-mail per cited workplace and leader: never twice for a publication."""
    titles = list(
        publication.decisions.filter(state=DecisionState.ADOPTED)
        .order_by("title")
        .values_list("title", flat=True)
    )
    rows = (
        Leadership.objects.filter(
            workplace__in=cited_workplaces(publication), person__is_active=True
        )
        .exclude(person__email="")
        .order_by("workplace__name", "person_id")
        .values_list(
            "workplace_id",
            "workplace__code",
            "workplace__name",
            "person_id",
            "person__name",
            "person__email",
        )
    )
    for workplace_id, code, workplace_name, person_id, name, email in rows:
        yield Recipient(
            key=f"workplace:{workplace_id}:person:{person_id}",
            person_id=person_id,
            email=email,
            name=name,
            context={
                "navn": name,
                "arbejdsplads": workplace_name,
                "link": feedback_link(code),
                "beslutninger": titles,
                "forloeb": publication.programme.name,
                "besked": publication.message,
            },
        )


SUBJECT = "I sagde — vi gør: hvad der kom ud af input fra {{ arbejdsplads }}"
BODY = """Kære {{ navn }}

Direktionen har truffet beslutninger i {{ forloeb }}, som svarer på input
fra {{ arbejdsplads }}:
{% for titel in beslutninger %}
- {{ titel }}{% endfor %}
{% if besked %}
{{ besked }}
{% endif %}
Se, hvad der skete med jeres input, og hvad der sker nu:
{{ link }}

Del gerne siden med medarbejderne. De kan også se den via arbejdspladsens link
til anonymt input.

Venlig hilsen
Personale & Udvikling
"""


def feedback_rule_defaults() -> dict:
    return {"subject": SUBJECT, "body": BODY}


def _label(publication: Publication) -> str:
    return str(publication)


FEEDBACK = Audience(
    key=FEEDBACK_AUDIENCE,
    label=_("Ledere af arbejdspladser, hvis input en offentliggjort beslutning svarer på"),
    anchor_model=Publication,
    anchor_date=lambda publication: publication.published_at,
    recipients=feedback_recipients,
    anchor_label=_label,
    default_subject=SUBJECT,
    default_body=BODY,
    variables={
        "navn": _("modtagerens navn"),
        "arbejdsplads": _("arbejdspladsens navn"),
        "link": _("adressen på arbejdspladsens side «I sagde — vi gør»"),
        "beslutninger": _("titlerne på de beslutninger, der svarer på arbejdspladsens input"),
        "forloeb": _("forløbets navn"),
        "besked": _("direktionens besked ved offentliggørelsen"),
    },
    example={
        "navn": "Anne Hansen",
        "arbejdsplads": "Valhøj Skole",
        "link": "https://eksempel.dk/afklaring/arbejdspladser/VAL/i-sagde-vi-goer/",
        "beslutninger": ["Undervisningsforløb i borgerdialog"],
        "forloeb": "Udviklingsforløb for hele organisationen",
        "besked": "",
    },
)


def register_audience() -> None:
    register(FEEDBACK)
