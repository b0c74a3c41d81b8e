"""Realistic Danish clarification input for the demo, spread over the memo's themes.

Each item is (theme, kind, suggested form, title, text). The theme is only the author's
intention when writing the demo; the app never reads it: it is there so that a later
theme suggestion can be checked against what a person would choose.
"""

FACILITATING = "Faciliterende lederskab"
INNOVATION = "Metoder til innovation og samskabelse"
CITIZEN_DIALOGUE = "Dialogisk samspil med borgere"
COORDINATION = "Relationel koordinering"
SOCIAL_CAPITAL = "Social kapital"
REFLEXIVITY = "Refleksivitet og responsivitet i mødet med borgeren"
DIALOGUE = "At arbejde med sin faglighed gennem dialog"
THE_OTHER = "At møde den anden med oprigtig interesse"
ACROSS = "At skabe forbindelser på tværs"

LEADER_ITEMS = [
    (
        FACILITATING,
        "behov",
        "undervisning",
        "Personalemøder der skaber dialog i stedet for envejsinformation",
        "Vores personalemøder bliver ofte til informationsmøder, hvor lederen taler og vi "
        "lytter. Vi ønsker, at ledelsen lærer at facilitere møderne, så medarbejderne selv "
        "kommer med løsninger på de problemer, vi står med i hverdagen.",
    ),
    (
        FACILITATING,
        "udfordring",
        "lokalt",
        "Mere tillid og uddelegering fra ledelsen",
        "Mange beslutninger skal forbi lederen, også små ting vi selv kunne afgøre. Det "
        "forsinker arbejdet. Vi vil gerne afprøve en model, hvor teamet får mandat og "
        "lederen understøtter i stedet for at styre.",
    ),
    (
        FACILITATING,
        "behov",
        "undervisning",
        "Træning i at stille åbne spørgsmål og lede processer",
        "Vores teamkoordinatorer skal lede processer uden at være ledere. De efterspørger "
        "redskaber til at facilitere, stille åbne spørgsmål og samle op, så alle bliver "
        "hørt, også de stille kolleger.",
    ),
    (
        FACILITATING,
        "ide",
        "begge",
        "Skiftende mødeledelse i teamet",
        "Idé: mødeledelsen går på skift mellem medarbejderne, med en kort introduktion til "
        "faciliteringsværktøjer. Det giver ejerskab og træner den faciliterende rolle hos "
        "flere end lederen.",
    ),
    (
        FACILITATING,
        "udfordring",
        "undervisning",
        "Ledelse på afstand efter covid-19",
        "Under nedlukningen ledede vi via skærmen. Nu er vi delvist tilbage, men ledelsen "
        "mangler metoder til at facilitere hybride møder, hvor nogle sidder hjemme og andre "
        "er fysisk til stede.",
    ),
    (
        INNOVATION,
        "ide",
        "lokalt",
        "Små prøvehandlinger frem for store projekter",
        "Vi vil arbejde med små, hurtige prøvehandlinger: afprøve en idé i to uger, evaluere "
        "og justere. Det passer bedre til vores hverdag end store udviklingsprojekter, der "
        "aldrig bliver færdige.",
    ),
    (
        INNOVATION,
        "behov",
        "undervisning",
        "Metoder til idéudvikling sammen med borgerne",
        "Vi har brug for konkrete metoder til innovation og samskabelse, fx workshops med "
        "borgere og pårørende, hvor vi udvikler nye løsninger sammen i stedet for at tilbyde "
        "færdige ydelser.",
    ),
    (
        INNOVATION,
        "ide",
        "begge",
        "Samskabelse med foreninger og frivillige i lokalområdet",
        "Foreningerne i området vil gerne bidrage, men vi mangler en fast måde at samarbejde "
        "på. Forslag: et samskabelsesforum to gange om året, hvor frivillige, foreninger og "
        "medarbejdere finder fælles aktiviteter.",
    ),
    (
        INNOVATION,
        "udfordring",
        "lokalt",
        "Gode idéer dør i en travl drift",
        "Medarbejderne har mange gode idéer, men de drukner i driften. Vi mangler tid og en "
        "struktur til at afprøve nye arbejdsgange og dele erfaringer med andre afdelinger.",
    ),
    (
        INNOVATION,
        "behov",
        "undervisning",
        "Innovationsværktøjer som design thinking",
        "Flere har hørt om design thinking og brugerrejser. Vi ønsker et kursus, hvor vi "
        "lærer metoderne og straks bruger dem på en konkret opgave fra vores egen "
        "arbejdsplads.",
    ),
    (
        CITIZEN_DIALOGUE,
        "udfordring",
        "undervisning",
        "De svære samtaler med pårørende",
        "Vi oplever flere konflikter med pårørende, som har store forventninger. Vi har brug "
        "for at blive bedre til dialog, hvor vi lytter og forventningsafstemmer, før "
        "situationen bliver fastlåst.",
    ),
    (
        CITIZEN_DIALOGUE,
        "ide",
        "lokalt",
        "Borgeren med ved bordet når hjælpen planlægges",
        "I dag planlægger vi hjælpen og fortæller borgeren om den bagefter. Vi vil afprøve "
        "at planlægge sammen med borgeren og de pårørende, så indsatsen tager udgangspunkt "
        "i borgerens egne mål.",
    ),
    (
        CITIZEN_DIALOGUE,
        "behov",
        "undervisning",
        "Dialog med forældre om barnets trivsel",
        "Forældresamtaler handler ofte om problemer. Vi ønsker metoder til en mere "
        "anerkendende og dialogisk samtale med forældrene, hvor vi sammen finder ud af, hvad "
        "der skal til for barnet.",
    ),
    (
        CITIZEN_DIALOGUE,
        "udfordring",
        "begge",
        "Kommunikation med borgere med et andet modersmål",
        "Mange borgere taler ikke dansk som modersmål. Vi mangler redskaber til at sikre, at "
        "de forstår og bliver forstået, og til at bruge tolk og billeder i dialogen.",
    ),
    (
        CITIZEN_DIALOGUE,
        "ide",
        "lokalt",
        "Borgerpanel for brugerne af vores tilbud",
        "Vi foreslår et borgerpanel, der mødes fire gange om året og giver os feedback på, "
        "hvordan de oplever vores service. Panelet kan også være med til at udvikle nye "
        "tilbud.",
    ),
    (
        COORDINATION,
        "udfordring",
        "lokalt",
        "Overlevering mellem dag- og aftenvagt",
        "Vigtig viden går tabt ved vagtskiftet. Vi har brug for en bedre koordinering og "
        "fælles forståelse af, hvad der er vigtigt at give videre, og respekt for hinandens "
        "opgaver på tværs af vagterne.",
    ),
    (
        COORDINATION,
        "behov",
        "undervisning",
        "Fælles mål på tværs af faggrupper",
        "Pædagoger, lærere og terapeuter arbejder med de samme børn, men med hver sine mål. "
        "Vi ønsker at lære relationel koordinering: fælles mål, fælles viden og gensidig "
        "respekt mellem faggrupperne.",
    ),
    (
        COORDINATION,
        "udfordring",
        "begge",
        "Overgangen fra daginstitution til skole",
        "Overgangen fra børnehave til skole er sårbar for mange børn. Samarbejdet mellem "
        "daginstitution, skole og SFO skal koordineres bedre, så viden om barnet følger med.",
    ),
    (
        COORDINATION,
        "ide",
        "lokalt",
        "Tværfaglige tavlemøder hver morgen",
        "Idé: et kort tavlemøde hver morgen, hvor alle faggrupper koordinerer dagens opgaver. "
        "Det har virket godt på et andet plejecenter og kan styrke samarbejdet.",
    ),
    (
        COORDINATION,
        "behov",
        "undervisning",
        "Respekt for hinandens faglighed i tværfaglige teams",
        "I de tværfaglige teams oplever vi, at nogle fagligheder vægtes højere end andre. Vi "
        "har brug for at forstå hinandens fag og koordinere på en måde, hvor alle bidrag "
        "tæller.",
    ),
    (
        SOCIAL_CAPITAL,
        "udfordring",
        "lokalt",
        "Genopbygge fællesskabet efter covid-19",
        "Efter en lang periode med hjemmearbejde og opdelte hold er fællesskabet svækket. Vi "
        "vil genopbygge tillid og samarbejde, så vi igen føler os som ét hold.",
    ),
    (
        SOCIAL_CAPITAL,
        "behov",
        "lokalt",
        "Nye kolleger skal hurtigere blive en del af fællesskabet",
        "Nye medarbejdere føler sig alene de første måneder. Vi ønsker en bedre modtagelse "
        "med makkerordning og faste samtaler, så de hurtigt oplever tillid og samhørighed.",
    ),
    (
        SOCIAL_CAPITAL,
        "udfordring",
        "begge",
        "Retfærdig fordeling af opgaverne",
        "Der er en oplevelse af, at opgaverne ikke fordeles retfærdigt. Det skader "
        "tilliden mellem kollegerne og til ledelsen. Vi vil tale åbent om fordelingen og "
        "finde fælles principper.",
    ),
    (
        SOCIAL_CAPITAL,
        "behov",
        "undervisning",
        "Viden om social kapital og trivsel",
        "Vi vil gerne lære om social kapital: tillid, retfærdighed og samarbejdsevne, og "
        "hvordan vi som arbejdsplads måler og styrker den, fx sammen med lokal-MED.",
    ),
    (
        REFLEXIVITY,
        "behov",
        "lokalt",
        "Tid til refleksion i en travl hverdag",
        "Vi løber fra opgave til opgave. Vi ønsker faste rum til refleksion, hvor vi kan "
        "tænke over, hvad der virker i mødet med borgeren, og justere vores praksis.",
    ),
    (
        REFLEXIVITY,
        "ide",
        "lokalt",
        "Kollegial sparring om konkrete borgerforløb",
        "Forslag: hver anden uge tager vi et konkret borgerforløb op og reflekterer over "
        "vores egen rolle. Hvad så vi, hvad gjorde vi, og hvad kunne vi have gjort anderledes?",
    ),
    (
        REFLEXIVITY,
        "udfordring",
        "undervisning",
        "At tilpasse indsatsen til den enkelte borger",
        "Vi følger ofte standarder, selv når borgeren har andre behov. Vi vil blive bedre til "
        "at være responsive: at lytte, opfange signaler og justere indsatsen i situationen.",
    ),
    (
        REFLEXIVITY,
        "behov",
        "undervisning",
        "Aktionslæring som metode",
        "Vi har hørt om aktionslæring og vil gerne lære metoden: at afprøve noget i praksis, "
        "observere, reflektere og planlægge næste skridt sammen med kollegerne.",
    ),
    (
        DIALOGUE,
        "udfordring",
        "lokalt",
        "Faglige drøftelser drukner i drift",
        "Møderne handler om vagtplaner og praktiske ting. Der er ikke plads til faglige "
        "drøftelser, hvor vi udvikler vores faglighed gennem dialog med hinanden.",
    ),
    (
        DIALOGUE,
        "ide",
        "begge",
        "Fagligt forum på tværs af afdelingerne",
        "Idé: et fagligt forum en gang om måneden, hvor medarbejdere fra forskellige "
        "afdelinger præsenterer en faglig problemstilling og drøfter den i dialog.",
    ),
    (
        DIALOGUE,
        "behov",
        "undervisning",
        "Uenighed som en faglig ressource",
        "Vi undgår uenighed, fordi den opleves som konflikt. Vi ønsker at lære at bruge "
        "faglig uenighed konstruktivt i dialogen, så den bliver en ressource.",
    ),
    (
        THE_OTHER,
        "behov",
        "undervisning",
        "Nysgerrighed på borgerens egen hverdag",
        "Vi kommer ofte med vores faglige briller og glemmer at spørge til borgerens egen "
        "virkelighed. Vi vil træne at møde den anden med oprigtig interesse og nysgerrighed.",
    ),
    (
        THE_OTHER,
        "ide",
        "lokalt",
        "Lyt før vi handler",
        "Forslag: de første ti minutter af hvert nyt forløb bruges kun på at lytte til "
        "borgeren. Vi vil afprøve det i tre måneder og tale om, hvad det ændrer.",
    ),
    (
        THE_OTHER,
        "udfordring",
        "begge",
        "Forståelse for kollegers arbejdsvilkår",
        "Der er misforståelser mellem administration og de udførende medarbejdere. Vi "
        "mangler interesse for hinandens virkelighed, fx ved at besøge hinanden en dag.",
    ),
    (
        ACROSS,
        "udfordring",
        "begge",
        "Samarbejde på tværs af forvaltninger om den samme familie",
        "Mange familier har kontakt med både skole, sundhedspleje, jobcenter og "
        "socialrådgiver. Vi arbejder i siloer. Vi vil skabe forbindelser på tværs, så "
        "familien oplever én samlet indsats.",
    ),
    (
        ACROSS,
        "ide",
        "lokalt",
        "Netværk for ledere på tværs af forvaltningerne",
        "Idé: et ledernetværk på tværs af forvaltninger, hvor ledere mødes om fælles "
        "udfordringer, deler erfaringer og skaber forbindelser, der gør det lettere at "
        "samarbejde om borgerne.",
    ),
    (
        ACROSS,
        "behov",
        "begge",
        "Fælles digitale værktøjer til samarbejde",
        "Under covid-19 lærte vi at bruge digitale møder og fælles dokumenter. Nu har hver "
        "afdeling sine egne løsninger. Vi har brug for fælles værktøjer på tværs og for at "
        "bruge erfaringerne fra nedlukningen.",
    ),
    (
        ACROSS,
        "ide",
        "lokalt",
        "Jobbytte mellem arbejdspladser",
        "Forslag: medarbejdere bytter arbejdsplads i en uge med en kollega fra en anden "
        "forvaltning. Det skaber forståelse og forbindelser, som gør samarbejdet lettere.",
    ),
]

# Anonymous input reads as employees write on their phones: shorter and more direct.
ANONYMOUS_ITEMS = [
    (
        SOCIAL_CAPITAL,
        "udfordring",
        "lokalt",
        "Vi taler ikke sammen længere",
        "Efter corona sidder alle i hver sit hjørne. Vi skal have fællesskabet tilbage.",
    ),
    (
        FACILITATING,
        "behov",
        "begge",
        "Bliv hørt på møderne",
        "Det er altid de samme der får ordet. Lederen skal sørge for at alle bliver hørt.",
    ),
    (
        REFLEXIVITY,
        "behov",
        "lokalt",
        "Tid til at tænke",
        "Vi har aldrig tid til at stoppe op og snakke om hvordan det går med borgerne.",
    ),
    (
        COORDINATION,
        "udfordring",
        "lokalt",
        "Ingen ved hvem der gør hvad",
        "Opgaverne falder mellem to stole mellem teamene. Vi skal koordinere bedre.",
    ),
    (
        CITIZEN_DIALOGUE,
        "behov",
        "undervisning",
        "Kursus i konflikthåndtering",
        "Vi møder vrede borgere og pårørende. Jeg vil gerne lære at tage samtalen roligt.",
    ),
    (
        INNOVATION,
        "ide",
        "lokalt",
        "Lad os prøve nye ting",
        "Giv os lov til at afprøve nye idéer uden at alt skal godkendes først.",
    ),
    (
        ACROSS,
        "ide",
        "begge",
        "Besøg hos andre afdelinger",
        "Det ville være godt at se hvordan de arbejder andre steder i kommunen.",
    ),
    (
        THE_OTHER,
        "behov",
        "undervisning",
        "Mere interesse for borgerens historie",
        "Vi skal spørge mere ind til borgerens liv og ikke kun til opgaven.",
    ),
    (
        DIALOGUE,
        "udfordring",
        "lokalt",
        "Faglighed bliver glemt",
        "Vi snakker kun om drift og vagtplaner. Hvornår snakker vi fag?",
    ),
    (
        SOCIAL_CAPITAL,
        "udfordring",
        "begge",
        "Uretfærdig fordeling",
        "Nogle får altid de tunge opgaver. Det går ud over tilliden i gruppen.",
    ),
]
