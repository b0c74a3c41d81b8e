"""The memo's themes and aims, as the taxonomy HR starts from (and may then edit)."""

from dataclasses import dataclass

from django.db import transaction

from programme.models import Programme

from .models import Theme, ThemeKind


@dataclass(frozen=True)
class MemoTheme:
    kind: str
    name: str
    description: str
    keywords: tuple[str, ...]


# The six content themes ("Indholdsmæssig tematisering") and the three aims ("Uanset om man
# er medarbejder eller leder, handler det om …") of the memo, in its order. The keywords
# are the words people use about each theme in practice; HR refines them in the admin.
MEMO_THEMES = (
    MemoTheme(
        ThemeKind.THEME,
        "Faciliterende lederskab",
        "Ledelse, der faciliterer i stedet for at styre: mødeledelse, processer og "
        "uddelegering, så medarbejderne selv finder løsninger og får ejerskab.",
        (
            "faciliterende",
            "facilitere",
            "facilitering",
            "lederskab",
            "ledelse",
            "leder",
            "mødeledelse",
            "proces",
            "uddelegering",
            "ejerskab",
        ),
    ),
    MemoTheme(
        ThemeKind.THEME,
        "Metoder til innovation og samskabelse",
        "Metoder til at udvikle og afprøve nye løsninger sammen med borgere, foreninger, "
        "frivillige og kolleger: prøvehandlinger, idéudvikling og design thinking.",
        (
            "innovation",
            "samskabelse",
            "samskabende",
            "nytænkning",
            "idé",
            "idéudvikling",
            "afprøve",
            "eksperiment",
            "frivillige",
            "foreninger",
            "nye løsninger",
        ),
    ),
    MemoTheme(
        ThemeKind.THEME,
        "Dialogisk samspil med borgere",
        "Dialog med borgere, pårørende og forældre, hvor man lytter, forventningsafstemmer "
        "og planlægger sammen med borgeren ud fra borgerens egne mål.",
        (
            "borger",
            "borgerdialog",
            "pårørende",
            "forældre",
            "dialog med borgeren",
            "samtale",
            "forventningsafstemning",
            "lytte",
            "brugerinddragelse",
        ),
    ),
    MemoTheme(
        ThemeKind.THEME,
        "Relationel koordinering",
        "Koordinering mellem faggrupper og afdelinger gennem fælles mål, fælles viden og "
        "gensidig respekt: overlevering, tværfagligt samarbejde og klare snitflader.",
        (
            "koordinering",
            "koordinere",
            "relationel",
            "overlevering",
            "snitflade",
            "tværfagligt samarbejde",
            "faggrupper",
            "fælles mål",
            "vagtskifte",
            "kommunikation",
            "sagsgang",
        ),
    ),
    MemoTheme(
        ThemeKind.THEME,
        "Social kapital",
        "Tillid, retfærdighed og samarbejdsevne på arbejdspladsen: fællesskab, trivsel og "
        "et godt arbejdsmiljø, hvor kolleger hjælper hinanden.",
        (
            "social kapital",
            "tillid",
            "fællesskab",
            "trivsel",
            "arbejdsmiljø",
            "kollegaer",
            "kolleger",
            "sammenhold",
            "retfærdighed",
            "samarbejdsevne",
            "nye medarbejdere",
            "sygefravær",
        ),
    ),
    MemoTheme(
        ThemeKind.THEME,
        "Refleksivitet og responsivitet i mødet med borgeren",
        "At reflektere over egen praksis og svare på det, borgeren faktisk bringer: "
        "refleksion, supervision, faglig sparring og at tilpasse sig den enkelte situation.",
        (
            "refleksion",
            "reflektere",
            "refleksivitet",
            "responsivitet",
            "responsiv",
            "egen praksis",
            "supervision",
            "sparring",
            "mødet med borgeren",
            "tilpasse",
        ),
    ),
    MemoTheme(
        ThemeKind.AIM,
        "At arbejde med sin faglighed gennem dialog",
        "At udvikle og forfine evnen til at arbejde med sin faglighed gennem dialog med "
        "kolleger og andre faggrupper: faglige drøftelser, fælles sprog og videndeling.",
        (
            "faglighed",
            "fagligt",
            "faglig dialog",
            "drøftelse",
            "videndeling",
            "fælles sprog",
            "faglig udvikling",
            "erfaringsudveksling",
        ),
    ),
    MemoTheme(
        ThemeKind.AIM,
        "At møde den anden med oprigtig interesse",
        "I stigende grad at møde 'den anden' med en oprigtig interesse for dennes virkelighed: "
        "nysgerrighed, anerkendelse og forståelse for borgerens og kollegens perspektiv.",
        (
            "den anden",
            "oprigtig interesse",
            "nysgerrighed",
            "nysgerrig",
            "anerkendelse",
            "forståelse",
            "perspektiv",
            "virkelighed",
            "fordomme",
            "kultur",
        ),
    ),
    MemoTheme(
        ThemeKind.AIM,
        "At skabe forbindelser på tværs",
        "At skabe stadigt flere og bedre forbindelser på tværs af afdelinger, forvaltninger "
        "og organisatoriske grænseflader, så borgerne oplever velfærden som meningsfuld.",
        (
            "på tværs",
            "tværgående",
            "forbindelser",
            "netværk",
            "afdelinger",
            "forvaltninger",
            "grænseflader",
            "siloer",
            "samarbejde på tværs",
            "sammenhæng",
        ),
    ),
)


@transaction.atomic
def seed_memo_themes(programme: Programme) -> list[Theme]:
    """Create the memo's themes the programme lacks; a rerun changes nothing.

    A theme HR has edited (its description or keywords) keeps HR's text: only the names
    are matched, and only missing themes are created.
    """
    existing = {theme.name: theme for theme in Theme.objects.filter(programme=programme)}
    themes = []
    for position, item in enumerate(MEMO_THEMES, start=1):
        theme = existing.get(item.name)
        if theme is None:
            theme = Theme.objects.create(
                programme=programme,
                kind=item.kind,
                name=item.name,
                description=item.description,
                keywords="\n".join(item.keywords),
                position=position,
            )
        themes.append(theme)
    return themes
