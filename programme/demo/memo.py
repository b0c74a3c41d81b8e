"""Rødovre's programme as the memo of 14 October 2020 (J.nr. 81.04.00-G00-5-20) describes it."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from programme.models import Role

from .tables import rows

PROGRAMME_SLUG = "udviklingsforloeb-2020"
NAME = "Udviklingsforløb for hele organisationen"
VISION = "Sammen om Rødovre"
JOURNAL_NUMBER = "81.04.00-G00-5-20"
# The memo's two budget years, each with a frame of 2 mio. kr.
STARTS_ON, ENDS_ON = datetime.date(2020, 1, 1), datetime.date(2021, 12, 31)
FRAMES = {2020: Decimal("2000000.00"), 2021: Decimal("2000000.00")}
# The demo shows the programme in the middle of the clarification phase: step 1 approved
# everywhere, step 2 under way (three of the five seminars held).
AS_OF = datetime.date(2021, 6, 21)
COVID_REASON = "Igangsættelsen er forsinket grundet covid-19."
PURPOSE = (
    "Formålet med udviklingsforløbet er at bidrage til den fortsatte virkeliggørelse af "
    "visionen: Sammen om Rødovre gennem udvikling og fornyelse af praksis og professionel "
    "identitet hos medarbejdere og ledere. Udviklingen og fornyelsen af praksis tager afsæt i "
    "en forståelse, hvor borgerne og medarbejderne er omdrejningspunkt og dermed medskabere af "
    "ny praksis."
)
TIERS = {
    # number: (name, roles, description)
    1: (
        "Fagchefforum",
        [Role.DIRECTOR, Role.HEAD_OF_DEPARTMENT],
        "Direktionen og alle fagchefer. Kick-off proces, 5 tematiserede seminarer med eksterne "
        "ledelseseksperter, 3 individuelle coachingsamtaler og aktionslæring i egen "
        "ledelsespraksis, så fagchefforum kan stå i spidsen for resten af forløbet.",
    ),
    2: (
        "Ledere",
        [Role.LEADER],
        "Alle ledere. Gennemfører afklaringsaktiviteterne med deres medarbejdere, indsender "
        "input og står for de lokale udviklingsforløb på arbejdspladsen.",
    ),
    3: (
        "Medarbejdere",
        [Role.EMPLOYEE],
        "Alle medarbejdere. Bidrager med udfordringer, behov og idéer i den involverende "
        "afklaringsfase og er medskabere af ny praksis.",
    ),
}
D = datetime.date
PHASES = {
    # number: (name, description, planned start and end, actual start and end)
    1: (
        "Involverende afklaringsfase",
        "Ledere og medarbejdere producerer input, som føder ind i undervisningsforløb eller "
        "lokale udviklingsforløb. Fire trin: design af afklaringsprocessen, gennemførelse, "
        "bearbejdning af input og direktionens beslutning.",
        (D(2021, 4, 19), D(2021, 9, 30)),
        (D(2021, 5, 4), None),
    ),
    2: (
        "Udviklingsfase",
        "De undervisningsforløb og lokale udviklingsforløb, som direktionen vedtager ved "
        "afklaringsfasens afslutning.",
        (D(2021, 10, 1), D(2021, 12, 31)),
        (None, None),
    ),
    3: (
        "Implementeringsfase",
        "Den nye praksis forankres på arbejdspladserne, med MED-strukturen som en naturlig del "
        "af de lokale forløb.",
        (D(2021, 11, 15), D(2021, 12, 31)),
        (None, None),
    ),
}
SEMINAR_THEMES = [
    "Faciliterende lederskab",
    "Metoder til innovation og samskabelse",
    "Dialogisk samspil med borgere",
    "Relationel koordinering",
    "Social kapital",
]
SEMINAR_DATES = [D(2021, 1, 28), D(2021, 3, 11), D(2021, 5, 27), D(2021, 8, 26), D(2021, 10, 28)]
SEMINAR_TEXT = (
    "Input fra eksterne ledelseseksperter, reflektiv dialog i fagchefforum og kobling til egen "
    "praksis gennem aktionslæring."
)
# name | tier | phase | original date | description
MILESTONES = rows("""
Notat til Økonomiudvalget til orientering | | | 2020-10-14 |
    Status på forløbet og forsinkelsen grundet covid-19.
Kick-off for fagchefforum | 1 | | 2020-04-23 | Fagcheferne introduceres til forløbet, går i
    dialog med direktionen og bidrager med input til seminarernes temaer.
Tre coachingsamtaler gennemført for hele fagchefforum | 1 | | 2021-11-30 |
    Individuelle samtaler med aktionslæringen som omdrejningspunkt.
Forvaltningernes involveringsplaner godkendt (trin 1) | 2 | 1 | 2021-04-16 | Fagchefforum og
    chefgrupperne har besluttet, hvordan ledere og medarbejdere involveres.
Kick-off events for ledere og medarbejdere | 2 | 1 | 2021-05-04 | Mindre fysiske arrangementer
    kombineret med virtuelle workshops, afhængigt af udviklingen i covid-19.
Afklaringsaktiviteter gennemført på alle arbejdspladser (trin 2) | 2 | 1 | 2021-06-25 |
Input bearbejdet og systematiseret (trin 3) | 2 | 1 | 2021-09-03 |
    Med et blik for tværgående sammenhænge.
Direktionens beslutning om udviklingsfasen (trin 4) | 2 | 1 | 2021-09-21 |
    Vedtagelse af de konkrete undervisningsforløb og lokale udviklingsforløb.
Afklaringsfasen afsluttet | 2 | 1 | 2021-09-30 |
Udviklingsfasen igangsat | 2 | 2 | 2021-10-01 |
Implementeringsfasen igangsat | 3 | 3 | 2021-11-15 |
Afrapportering til Økonomiudvalget | | | 2021-12-15 |
""") + [
    [f"Seminar {n} for fagchefforum: {theme}", "1", "", day.isoformat(), SEMINAR_TEXT]
    for n, (theme, day) in enumerate(zip(SEMINAR_THEMES, SEMINAR_DATES, strict=True), 1)
]
# The start the memo reports as delayed by covid-19, now expected in Q4 2020. The memo gives
# no original date; spring 2020, right after the budget agreement, is the demo's assumption.
POSTPONED, POSTPONED_TO = "Kick-off for fagchefforum", D(2020, 11, 26)
# The log row shows when the move was reported to Økonomiudvalget (the memo's date).
POSTPONED_RECORDED_AT = datetime.datetime(2020, 10, 14, 9, tzinfo=ZoneInfo("Europe/Copenhagen"))
