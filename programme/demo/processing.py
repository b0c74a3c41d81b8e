"""Step 3 of the demo: the memo's themes, suggestions, HR's confirmations and a few groups.

HR has confirmed the theme each demo text was written about (clarification_texts) for
about two thirds of the inputs, and grouped some of them; the rest wait in the workspace.
Everything goes through the services, so events and learned profiles are the real ones.
"""

import random
from dataclasses import dataclass

from clarification.models import AssignmentStatus, Input, Synthesis, Theme, ThemeAssignment
from clarification.services import processing
from clarification.themes import seed_memo_themes
from programme.models import Programme

from .clarification_texts import ANONYMOUS_ITEMS, LEADER_ITEMS

SEED = 2021
CONFIRMED_SHARE = 0.65
# (title, summary, the demo texts' titles it groups)
GROUPS = [
    (
        "Mødekultur: fra envejsinformation til dialog",
        "Mange arbejdspladser beskriver personalemøder, hvor lederen informerer, og ønsker "
        "møder, der faciliteres, så medarbejderne selv finder løsninger.",
        (
            "Personalemøder der skaber dialog i stedet for envejsinformation",
            "Skiftende mødeledelse i teamet",
            "Træning i at stille åbne spørgsmål og lede processer",
        ),
    ),
    (
        "Samarbejdet med pårørende og forældre",
        "Svære samtaler og forventningsafstemning med pårørende og forældre går igen på "
        "tværs af forvaltningerne.",
        (
            "De svære samtaler med pårørende",
            "Dialog med forældre om barnets trivsel",
        ),
    ),
]
# At most this many inputs per group, so the demo's groups stay readable.
GROUP_SIZE = 12


@dataclass
class ProcessingResult:
    themes: int = 0
    suggested: int = 0
    confirmed: int = 0
    groups: int = 0


def load_processing(*, programme: Programme, hr) -> ProcessingResult:
    """Seed the themes, suggest for every input, confirm and group as HR; a rerun adds nothing."""
    result = ProcessingResult(themes=len(seed_memo_themes(programme)))
    if Synthesis.objects.filter(programme=programme).exists():
        return result
    inputs = list(Input.objects.filter(programme=programme).order_by("pk"))
    for item in inputs:
        result.suggested += processing.suggest_for_input(item.pk)

    intended = {title: theme for theme, _k, _f, title, _t in LEADER_ITEMS + ANONYMOUS_ITEMS}
    theme_pk = dict(Theme.objects.filter(programme=programme).values_list("name", "pk"))
    open_rows = {
        (a.input_id, a.theme_id): a
        for a in ThemeAssignment.objects.filter(
            input__programme=programme, status=AssignmentStatus.SUGGESTED
        )
    }
    rng = random.Random(SEED)
    to_confirm, to_add = [], []
    for item in inputs:
        wanted = theme_pk.get(intended.get(item.title, ""))
        if wanted is None or rng.random() >= CONFIRMED_SHARE:
            continue
        row = open_rows.get((item.pk, wanted))
        if row is not None:
            to_confirm.append(row)
        else:
            to_add.append((item, wanted))
    result.confirmed = processing.confirm_many(assignments=to_confirm, by=hr)
    themes = Theme.objects.in_bulk(list(theme_pk.values()))
    for item, wanted in to_add:
        processing.add_theme(item=item, theme=themes[wanted], by=hr)
        result.confirmed += 1

    for title, summary, titles in GROUPS:
        synthesis = processing.save_synthesis(
            programme=programme, title=title, summary=summary, by=hr
        )
        members = Input.objects.filter(programme=programme, title__in=titles).order_by("pk")
        pks = list(members.values_list("pk", flat=True)[:GROUP_SIZE])
        processing.add_to_synthesis(
            synthesis=synthesis, inputs=Input.objects.filter(pk__in=pks), by=hr
        )
        result.groups += 1
    return result
