"""The demo's fictional organisation: administrations, workplaces, the people in them.

Each workplace has its own fixed random stream, so the same employee number always
belongs to the same generated person, whatever the scale and whatever the other units.
"""

import random
import unicodedata
from dataclasses import dataclass

from programme.models import Role

from .tables import rows, weighted, words

SEED = "sammen-om-rodovre"


@dataclass(frozen=True)
class Kind:
    """A type of workplace: its leaders' titles, who works there and as what."""

    leaders: tuple[str, str]
    female_share: float
    titles: tuple[str, ...]
    weights: tuple[int, ...]


# kind | leader | second leader | women (%) | staff titles with their weights
KINDS = {
    row[0]: Kind(
        (row[1], row[2]),
        int(row[3]) / 100,
        *weighted(row[4]),
    )
    for row in rows("""
sekretariat | Sekretariatschef | Afdelingsleder | 70 | Konsulent 5, Specialkonsulent 3,
    Chefkonsulent 1, Fuldmægtig 2, Administrativ medarbejder 3
skole | Skoleleder | Viceskoleleder | 70 | Lærer 60, Pædagog 14, Pædagogmedhjælper 6,
    Skolesekretær 2, Teknisk servicemedarbejder 2, Læsevejleder 1, AKT-vejleder 1
sfo | SFO-leder | Souschef | 70 | Pædagog 6, Pædagogmedhjælper 3, Pædagogisk assistent 2
dagtilbud | Daginstitutionsleder | Pædagogisk leder | 88 | Pædagog 12, Pædagogmedhjælper 6,
    Pædagogisk assistent 3, Køkkenmedarbejder 1
dagpleje | Dagplejeleder | Dagplejepædagog | 97 | Dagplejer 14, Dagplejepædagog 1
ppr | PPR-leder | Souschef | 80 | Psykolog 5, Tale-hørelærer 2, Ergoterapeut 1,
    Fysioterapeut 1, Administrativ medarbejder 1
tandpleje | Overtandlæge | Klinikleder | 90 | Tandlæge 3, Tandplejer 3, Klinikassistent 5
ungdomsskole | Ungdomsskoleleder | Afdelingsleder | 55 | Ungdomsskolelærer 4,
    Klubmedarbejder 3, Pædagog 2
kultur | Kulturchef | Afdelingsleder | 65 | Bibliotekar 4, Biblioteksassistent 3,
    Kulturformidler 2, Administrativ medarbejder 1
musikskole | Musikskoleleder | Souschef | 50 | Musikskolelærer 8, Administrativ medarbejder 1
idraet | Driftsleder | Afdelingsleder | 45 | Livredder 4, Svømmelærer 3, Driftstekniker 3,
    Idrætskonsulent 1
pleje | Plejecenterleder | Afdelingsleder | 88 | Social- og sundhedsassistent 10,
    Social- og sundhedshjælper 8, Sygeplejerske 3, Ergoterapeut 1, Fysioterapeut 1,
    Aktivitetsmedarbejder 1, Ernæringsassistent 2
hjemmepleje | Leder af hjemmeplejen | Gruppeleder | 85 | Social- og sundhedshjælper 10,
    Social- og sundhedsassistent 6, Planlægger 1, Sygeplejerske 1
sygepleje | Leder af sygeplejen | Gruppeleder | 90 | Sygeplejerske 8,
    Social- og sundhedsassistent 2
traening | Leder af træningscentret | Souschef | 75 | Fysioterapeut 5, Ergoterapeut 4,
    Træningsassistent 1
myndighed | Afdelingsleder | Teamleder | 80 | Socialrådgiver 6, Sagsbehandler 3, Visitator 1,
    Familiebehandler 1, Administrativ medarbejder 1
sundhedspleje | Ledende sundhedsplejerske | Souschef | 100 | Sundhedsplejerske 1
botilbud | Forstander | Afdelingsleder | 70 | Socialpædagog 8, Social- og sundhedsassistent 3,
    Pædagogmedhjælper 2, Nattevagt 1
vejpark | Driftsleder | Værkfører | 15 | Anlægsgartner 5, Vejarbejder 4, Maskinfører 2,
    Chauffør 1, Mekaniker 1
plan | Afdelingsleder | Teamleder | 50 | Byggesagsbehandler 3, Ingeniør 2, Arkitekt 1,
    Planlægger 2, Miljømedarbejder 2
ejendom | Ejendomschef | Driftsleder | 20 | Ejendomsservicetekniker 5, Bygningskonstruktør 2,
    Ejendomsinspektør 1, Energikonsulent 1
rengoering | Rengøringsleder | Områdeleder | 75 | Rengøringsassistent 14, Serviceassistent 2
genbrug | Pladsformand | Driftsleder | 20 | Genbrugsmedarbejder 1
central | Afdelingschef | Teamleder | 65 | Konsulent 5, Specialkonsulent 2, Jurist 1,
    Administrativ medarbejder 3
personale | Chef for Personale & Udvikling | Teamleder | 80 | HR-konsulent 4,
    Organisationskonsulent 2, HR-partner 1, Arbejdsmiljøkonsulent 1
oekonomi | Økonomichef | Teamleder | 60 | Økonomikonsulent 4, Controller 2, Bogholder 2,
    Lønkonsulent 2
it | IT-chef | Teamleder | 30 | IT-supporter 4, IT-konsulent 3, Systemadministrator 2,
    Digitaliseringskonsulent 2
borgerservice | Borgerservicechef | Teamleder | 75 | Borgerservicemedarbejder 8,
    Sagsbehandler 3, Kontorelev 1
jobcenter | Jobcenterchef | Teamleder | 75 | Jobkonsulent 5, Virksomhedskonsulent 2,
    Socialrådgiver 3, Sagsbehandler 3, Administrativ medarbejder 1
""")
}

ADMINISTRATIONS = [
    # code, name, short name, the first digit of its workplaces' codes
    ("BKF", "Børne- og Kulturforvaltningen", "Børn og Kultur", "1"),
    ("SSF", "Social- og Sundhedsforvaltningen", "Social og Sundhed", "2"),
    ("TEK", "Teknisk Forvaltning", "Teknik og Miljø", "3"),
    ("OEP", "Økonomi- og Personaleforvaltningen", "Økonomi og Personale", "4"),
    ("BIF", "Beskæftigelses- og Integrationsforvaltningen", "Beskæftigelse", "5"),
]
ADMINISTRATION_FOR_DIGIT = {digit: code for code, _name, _short, digit in ADMINISTRATIONS}


@dataclass(frozen=True)
class Unit:
    """A workplace of the demo. The code is HR's unit number: never change or reuse one."""

    code: str
    name: str
    kind: str
    headcount: int
    parent: str
    # The lokal-MED that covers the unit; empty: its own (children: their parent's).
    med: str
    # People right after the leaders, as (role, job title).
    extras: tuple[tuple[str, str], ...]


# code | name | kind | headcount | parent | lokal-MED | people after the leaders
UNITS = [
    Unit(
        code,
        name,
        kind,
        int(headcount),
        parent,
        f"Lokal-MED {med}" if med else "",
        tuple(tuple(p.strip() for p in e.split(":")) for e in extras.split(";") if e.strip()),
    )
    for code, name, kind, headcount, parent, med, extras in rows("""
1001 | Børne- og Kulturforvaltningen, Sekretariatet | sekretariat | 36 | | Rådhuset |
    fagchef: Børne- og kulturchef
1101 | Valhøj Skole | skole | 86 | | |
1102 | Valhøj Skole, SFO | sfo | 22 | 1101 | |
1103 | Tinderhøj Skole | skole | 80 | | |
1104 | Tinderhøj Skole, SFO | sfo | 20 | 1103 | |
1105 | Hendriksholm Skole | skole | 90 | | |
1106 | Hendriksholm Skole, SFO | sfo | 24 | 1105 | |
1107 | Islev Skole | skole | 78 | | |
1108 | Islev Skole, SFO | sfo | 18 | 1107 | |
1109 | Rødovre Skole | skole | 76 | | |
1110 | Nyager Skole | skole | 83 | | |
1111 | Broengskolen | skole | 72 | | |
1112 | Skovmoseskolen (specialskole) | skole | 52 | | |
1201 | Børnehuset Sønderbo | dagtilbud | 27 | | Dagtilbud Syd |
1202 | Vuggestuen Mælkebøtten | dagtilbud | 21 | | Dagtilbud Syd |
1203 | Børnehaven Regnbuen | dagtilbud | 23 | | Dagtilbud Syd |
1204 | Daginstitutionen Solstrålen | dagtilbud | 31 | | Dagtilbud Nord |
1205 | Børnehuset Kløverbakken | dagtilbud | 29 | | Dagtilbud Nord |
1206 | Børnehuset Espelund | dagtilbud | 33 | | Dagtilbud Nord |
1207 | Daginstitutionen Nørregård | dagtilbud | 30 | | Dagtilbud Nord |
1208 | Børnehaven Troldehøjen | dagtilbud | 22 | | Dagtilbud Syd |
1209 | Vuggestuen Bikuben | dagtilbud | 19 | | Dagtilbud Nord |
1210 | Børnehuset Milestedet | dagtilbud | 28 | | Dagtilbud Syd |
1211 | Daginstitutionen Bybækken | dagtilbud | 32 | | Dagtilbud Nord |
1212 | Børnehuset Kærene | dagtilbud | 26 | | Dagtilbud Syd |
1213 | Skovbørnehaven Egely | dagtilbud | 20 | | Dagtilbud Nord |
1214 | Børnehuset Rødager | dagtilbud | 29 | | Dagtilbud Syd |
1301 | Dagplejen | dagpleje | 70 | | |
1302 | Pædagogisk Psykologisk Rådgivning | ppr | 26 | | |
1303 | Den Kommunale Tandpleje | tandpleje | 38 | | |
1304 | Rødovre Ungdomsskole | ungdomsskole | 30 | | |
1305 | Ungdomsklubben Nyager | ungdomsskole | 12 | 1304 | |
1401 | Rødovre Bibliotek | kultur | 42 | | Kultur og Fritid |
1402 | Rødovre Musikskole | musikskole | 24 | | Kultur og Fritid |
1403 | Kulturhuset Espelund | kultur | 16 | | Kultur og Fritid |
1404 | Rødovre Svømmehal og Idrætsanlæg | idraet | 32 | | Kultur og Fritid |
2001 | Social- og Sundhedsforvaltningen, Sekretariatet | sekretariat | 30 | | Rådhuset |
    fagchef: Social- og sundhedschef
2101 | Plejecenter Ejbyhøj | pleje | 120 | | |
2102 | Plejecenter Broloftet | pleje | 105 | | |
2103 | Plejecenter Engskrænten | pleje | 98 | | |
2104 | Plejecenter Nørregårdsparken | pleje | 86 | | |
2201 | Hjemmeplejen | hjemmepleje | 12 | | Hjemmepleje og Sygepleje |
2202 | Hjemmeplejen Nord | hjemmepleje | 72 | 2201 | |
2203 | Hjemmeplejen Syd | hjemmepleje | 75 | 2201 | |
2204 | Hjemmeplejen Aften og Nat | hjemmepleje | 44 | 2201 | |
2205 | Hjemmesygeplejen | sygepleje | 38 | | Hjemmepleje og Sygepleje |
2206 | Træningscenter Rødovre | traening | 28 | | Sundhed og Træning |
2207 | Visitation og Hjælpemidler | myndighed | 22 | | Sundhed og Træning |
2301 | Sundhedsplejen | sundhedspleje | 16 | | Børn og Familie |
2302 | Børne- og Familieafdelingen | myndighed | 58 | | Børn og Familie |
2303 | Familiehuset | myndighed | 18 | | Børn og Familie |
2401 | Bofællesskabet Valhøjs Allé | botilbud | 32 | | Handicap og Psykiatri |
2402 | Botilbuddet Egegården | botilbud | 36 | | Handicap og Psykiatri |
2403 | Aktivitets- og Samværstilbuddet Tårnhuset | botilbud | 20 | | Handicap og Psykiatri |
2404 | Rusmiddelcenter Rødovre | myndighed | 14 | | Handicap og Psykiatri |
3001 | Teknisk Forvaltning, Sekretariatet | sekretariat | 16 | | Rådhuset |
    fagchef: Teknisk chef
3101 | Vej og Park | vejpark | 8 | | |
3102 | Vej og Park, Grønne Områder | vejpark | 34 | 3101 | |
3103 | Vej og Park, Veje og Renhold | vejpark | 28 | 3101 | |
3104 | Vej og Park, Materielgården | vejpark | 10 | 3101 | |
3105 | Genbrugsstationen | genbrug | 9 | | Vej og Park |
3201 | Plan og Byggeri | plan | 22 | | Rådhuset |
3202 | Miljø og Klima | plan | 14 | | Rådhuset |
3203 | Ejendomscentret | ejendom | 26 | | Ejendomme og Rengøring |
3204 | Den Kommunale Rengøring | rengoering | 128 | | Ejendomme og Rengøring |
4001 | Økonomi- og Personaleforvaltningen, Sekretariatet | sekretariat | 10 | | Rådhuset |
    fagchef: Økonomi- og personalechef
4002 | Direktionssekretariatet | sekretariat | 14 | | Rådhuset | direktoer: Kommunaldirektør;
    direktoer: Direktør for Børn, Kultur og Beskæftigelse;
    direktoer: Direktør for Teknik, Social og Sundhed
4101 | Økonomiafdelingen | oekonomi | 24 | | Rådhuset |
4102 | Personale & Udvikling | personale | 18 | | Rådhuset |
4103 | Løn og Personaleadministration | oekonomi | 16 | | Rådhuset |
4104 | IT og Digitalisering | it | 32 | | Rådhuset |
4105 | Borgerservice | borgerservice | 38 | | Rådhuset |
4106 | Kommunikation | central | 8 | | Rådhuset |
4107 | Jura og Indkøb | central | 11 | | Rådhuset |
5001 | Beskæftigelses- og Integrationsforvaltningen, Sekretariatet | sekretariat | 12 | |
    Rådhuset | fagchef: Beskæftigelseschef
5101 | Jobcenter Rødovre | jobcenter | 10 | | |
5102 | Jobcenter Rødovre, Job og Virksomhed | jobcenter | 40 | 5101 | |
5103 | Jobcenter Rødovre, Unge | jobcenter | 22 | 5101 | |
5104 | Jobcenter Rødovre, Sygedagpenge og Fleksjob | jobcenter | 30 | 5101 | |
5105 | Jobcenter Rødovre, Forsikrede Ledige | jobcenter | 18 | 5101 | |
5201 | Ydelsescentret | borgerservice | 28 | | Ydelse og Integration |
5202 | Integration og Sprog | jobcenter | 20 | | Ydelse og Integration |
5203 | Ungdommens Uddannelsesvejledning | jobcenter | 12 | | Jobcenter Rødovre |
5204 | Beskæftigelsestilbuddet Værkstedet | vejpark | 16 | | Jobcenter Rødovre |
""")
]

FEMALE = words("""Anne Kirsten Hanne Mette Anna Helle Susanne Lene Maria Marianne Lone
Camilla Pia Louise Charlotte Bente Tina Gitte Inge Karen Julie Trine Rikke Sofie Christina Heidi
Line Maja Emma Ida Laura Katrine Signe Stine Malene Dorthe Birgitte Jette Lisbeth Annette Janne
Anja Sanne Nanna Cecilie Mia Sara Caroline Josefine Mathilde Freja Karina Tanja Winnie Vibeke
Merete Ulla Pernille Ditte Henriette Sidsel Astrid Kamilla Eva Lise Hanna Randi""")
MALE = words("""Peter Jens Lars Michael Henrik Thomas Søren Jan Niels Christian Martin Jesper
Morten Rasmus Anders Mads Kim Hans Jørgen Per Ole Poul Torben Steen Bo Brian Kasper Mikkel Jakob
Jonas Frederik Mathias Nikolaj Simon Kenneth Claus Allan René Flemming Carsten Erik Bjarne
Kristian Emil Magnus Oliver Tobias Daniel Nicolai Jeppe Esben Troels Ulrik Palle Finn Kåre""")
# Surnames with their rough frequency in Denmark.
SURNAMES, SURNAME_WEIGHTS = weighted(
    """Nielsen 16, Jensen 16, Hansen 14, Andersen 10, Pedersen 10, Christensen 8, Larsen 8,
    Sørensen 6, Rasmussen 6, Jørgensen 6, Petersen 6, Madsen 4, Kristensen 4, Olsen 4, Thomsen 4,
    Christiansen 4, Poulsen 4, Johansen 4, Møller 4, Mortensen 4, Knudsen 2, Jakobsen 2,
    Jacobsen 2, Mikkelsen 2, Olesen 2, Frederiksen 2, Laursen 2, Henriksen 2, Lund 2, Schmidt 2,
    Holm 2, Eriksen 2, Kristiansen 2, Clausen 2, Simonsen 2, Svendsen 2, Andreasen 2, Nissen 1,
    Iversen 1, Jeppesen 1, Vestergaard 1, Mogensen 1, Jespersen 1, Nørgaard 1, Jepsen 1,
    Frandsen 1, Søndergaard 1, Bak 1, Kjær 1, Dam 1, Berg 1, Lauridsen 1, Overgaard 1, Kjeldsen 1,
    Østergaard 1, Dahl 1, Bech 1, Friis 1, Lind 1"""
)
MIDDLE = words("""Holm Lund Bach Dahl Skov Krogh Munk Friis Kjær Juhl Bang Bjerre Vinther Sand
Brandt Hald Lykke Lindholm Damgaard Bruun""")
# Not all of Rødovre's staff are of Danish descent: about one in eleven here is not.
OTHER_FEMALE = words("Fatima Aisha Zeynep Amina Maryam Leyla Agnieszka Natalia Elif Huda Nadia")
OTHER_MALE = words("Mohammed Ali Ahmad Hassan Mehmet Omar Tomasz Piotr Emre Bilal Yusuf Karim")
OTHER_SURNAMES = words("Yilmaz Hussein Ahmed Khan Nowak Kowalski Abdi Demir Öztürk Nguyen Şahin")

# name | organisation | kind | e-mail (fictional firms, reserved domains)
EXTERNAL_PEOPLE = rows("""
Birgitte Lykke Hald | Hald Ledelsesudvikling ApS | coach | birgitte@hald-ledelse.example
Jakob Thorsen | Dialogisk Coaching | coach | jakob@dialogisk-coaching.example
Marianne Skou | Nordvest Coaching & Aktionslæring | coach | ms@nordvest-coaching.example
Henrik Vinther | Institut for Ledelse og Organisation | ekspert | hv@ledelsesinstitut.example
Signe Brandt | Samskabelseslaboratoriet | ekspert | signe@samskabelse.example
Kasper Dahl | Center for Dialogisk Praksis | ekspert | kd@dialogisk-praksis.example
Lotte Aagaard | Relationel Velfærd | ekspert | lotte@relationel-velfaerd.example
Torben Kirkegaard | Forum for Social Kapital | ekspert | tk@socialkapital.example
""")

# --- Generation ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    employee_number: str
    first: str
    middle: str
    last: str
    job_title: str
    role: str

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first, self.middle, self.last) if part)

    @property
    def email_local(self) -> str:
        return f"{_ascii(self.first)}.{_ascii(self.last)}"


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "." for ch in text).strip(".")


def _leader_count(unit: Unit) -> int:
    # From the full-scale headcount, so nobody's role depends on the scale.
    return 2 if unit.headcount >= 40 else 1


def scaled_headcount(unit: Unit, scale: float) -> int:
    minimum = _leader_count(unit) + len(unit.extras) + 1
    return max(minimum, round(unit.headcount * scale))


def people_for(unit: Unit, scale: float = 1.0) -> list[PersonRow]:
    """Return the unit's people: its leaders, then the extras, then the staff.

    Person n of a unit is the same whatever the scale and whatever the other units hold.
    """
    rng = random.Random(f"{SEED}:{unit.code}")
    vacancies = rng.choice((0, 0, 1, 1, 2)) if unit.headcount > 10 else 0
    kind = KINDS[unit.kind]
    n_leaders = _leader_count(unit)
    minimum = n_leaders + len(unit.extras) + 1
    rows = []
    for index in range(max(minimum, scaled_headcount(unit, scale) - vacancies)):
        female = rng.random() < kind.female_share
        if rng.random() < 0.09:
            first = rng.choice(OTHER_FEMALE if female else OTHER_MALE)
            middle, last = "", rng.choice(OTHER_SURNAMES)
        else:
            first = rng.choice(FEMALE if female else MALE)
            middle = rng.choice(MIDDLE) if rng.random() < 0.2 else ""
            last = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        title = rng.choices(kind.titles, kind.weights)[0]
        role = Role.EMPLOYEE.value
        if index < n_leaders:
            role, title = Role.LEADER.value, kind.leaders[index]
        elif index < minimum - 1:
            role, title = unit.extras[index - n_leaders]
        rows.append(
            PersonRow(
                employee_number=f"{unit.code}{index + 1:03d}",
                first=first,
                middle=middle,
                last=last,
                job_title=title,
                role=role,
            )
        )
    return rows
