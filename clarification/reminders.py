"""Who is reminded of the step-2 deadline, and with what: the clarification audiences.

Both audiences are anchored to a programme's step 2 (execution) and read the step's
deadline every time, so a moved deadline moves the reminders not yet sent. Each
recipient query runs a constant number of statements, however large the organisation.

The default e-mails are stored in the rule when it is created and then edited by HR;
they are the municipality's Danish text, not interface strings, so they are not
translated.
"""

import datetime
from itertools import groupby
from operator import itemgetter
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programme.models import Leadership, Person, Programme, ReminderRule, Role, Workplace
from programme.reminders import Audience, Recipient, register

from .models import (
    ClarificationStep,
    StepNumber,
    StepState,
    StepStatus,
    Submission,
    SubmissionStatus,
)

LEADERS_NOT_DELIVERED = "afklaring.ledere-uden-aflevering"
HEAD_OF_DEPARTMENT_SUMMARY = "afklaring.fagchef-status"
# The fagchef's e-mail names this many missing workplaces, then "og N flere".
MISSING_NAMES_SHOWN = 20


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _absolute(name: str, kwargs: dict, fallback_path: str) -> str:
    """Return the page's absolute address, or the agreed path while the page is not built."""
    try:
        path = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        path = fallback_path
    return site_url() + path


def workplace_link(code: str) -> str:
    return _absolute(
        "clarification:workplace",
        {"code": code},
        f"/afklaring/arbejdspladser/{quote(code, safe='')}/",
    )


def _shared_context(step: ClarificationStep) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        deadline = formats.date_format(step.deadline, "DATE_FORMAT")
    return {"frist": deadline, "forloeb": step.programme.name, "trin": step.name}


def _open_administration_ids(step: ClarificationStep):
    return StepState.objects.filter(
        step=step, status=StepStatus.OPEN, administration__is_active=True
    ).values("administration_id")


def _delivered(step: ClarificationStep, workplace_ref: str):
    return Exists(
        Submission.objects.filter(
            programme_id=step.programme_id,
            workplace_id=OuterRef(workplace_ref),
            status=SubmissionStatus.DELIVERED,
        )
    )


def leaders_without_delivery(step: ClarificationStep):
    """Yield one e-mail per active leader, listing their workplaces that have not delivered."""
    shared = _shared_context(step)
    rows = (
        Leadership.objects.filter(
            workplace__is_active=True,
            workplace__administration_id__in=_open_administration_ids(step),
            person__is_active=True,
        )
        .exclude(person__email="")
        .exclude(_delivered(step, "workplace_id"))
        .order_by("person_id", "workplace__name", "workplace_id")
        .values_list(
            "person_id", "person__name", "person__email", "workplace__code", "workplace__name"
        )
    )
    for person_id, leaderships in groupby(rows.iterator(chunk_size=2000), key=itemgetter(0)):
        leaderships = list(leaderships)
        _pk, name, email, _code, _workplace = leaderships[0]
        workplaces = [
            {"navn": workplace_name, "link": workplace_link(code)}
            for _pk, _name, _email, code, workplace_name in leaderships
        ]
        yield Recipient(
            key=f"person:{person_id}",
            person_id=person_id,
            email=email,
            name=name,
            context={
                **shared,
                "navn": name,
                "arbejdspladser": workplaces,
                "antal": len(workplaces),
            },
        )


def head_of_department_summaries(step: ClarificationStep):
    """Yield one e-mail per active fagchef: delivered and missing workplaces of their dept."""
    shared = _shared_context(step)
    heads = list(
        Person.objects.filter(
            role=Role.HEAD_OF_DEPARTMENT,
            is_active=True,
            workplace__administration_id__in=_open_administration_ids(step),
        )
        .exclude(email="")
        .order_by("pk")
        .values_list(
            "pk", "name", "email", "workplace__administration_id", "workplace__administration__name"
        )
    )
    if not heads:
        return
    summary: dict[int, dict] = {}
    workplaces = (
        Workplace.objects.filter(is_active=True, administration_id__in={head[3] for head in heads})
        .annotate(delivered=_delivered(step, "pk"))
        .order_by("administration_id", "name", "pk")
        .values_list("administration_id", "name", "delivered")
    )
    for administration_id, name, delivered in workplaces:
        counts = summary.setdefault(administration_id, {"total": 0, "delivered": 0, "missing": []})
        counts["total"] += 1
        if delivered:
            counts["delivered"] += 1
        else:
            counts["missing"].append(name)
    link = _absolute("clarification:coverage", {}, "/")
    for pk, name, email, administration_id, administration_name in heads:
        counts = summary.get(administration_id, {"total": 0, "delivered": 0, "missing": []})
        missing = counts["missing"]
        yield Recipient(
            key=f"person:{pk}",
            person_id=pk,
            email=email,
            name=name,
            context={
                **shared,
                "navn": name,
                "forvaltning": administration_name,
                "afleveret": counts["delivered"],
                "i_alt": counts["total"],
                "mangler": len(missing),
                "manglende": missing[:MISSING_NAMES_SHOWN],
                "flere": max(0, len(missing) - MISSING_NAMES_SHOWN),
                "link": link,
            },
        )


def _step_two_anchors():
    return ClarificationStep.objects.filter(number=StepNumber.EXECUTION).select_related("programme")


def _step_label(step: ClarificationStep) -> str:
    return gettext("%(programme)s: %(step)s (frist %(deadline)s)") % {
        "programme": step.programme,
        "step": step,
        "deadline": formats.date_format(step.deadline, "SHORT_DATE_FORMAT"),
    }


LEADER_SUBJECT = "Påmindelse: Aflevér jeres input til {{ forloeb }} senest {{ frist }}"
LEADER_BODY = """Kære {{ navn }}

Fristen for at aflevere input fra afklaringsfasen er {{ frist }}.
{% if antal == 1 %}Denne arbejdsplads, som du er leder af, har endnu ikke afleveret:
{% else %}Disse {{ antal }} arbejdspladser, som du er leder af, har endnu ikke afleveret:
{% endif %}{% for arbejdsplads in arbejdspladser %}
- {{ arbejdsplads.navn }}: {{ arbejdsplads.link }}{% endfor %}

Registrér de afklaringsaktiviteter, I har holdt med medarbejderne, skriv
jeres input, og tryk "Aflever", når I er færdige. Har I afleveret i
mellemtiden, kan du se bort fra denne e-mail.

Venlig hilsen
Personale & Udvikling
"""

HEAD_SUBJECT = (
    "Status for {{ forvaltning }}: {{ afleveret }} af {{ i_alt }} arbejdspladser har afleveret"
)
HEAD_BODY = """Kære {{ navn }}

Fristen for at aflevere input fra afklaringsfasen er {{ frist }}.
I {{ forvaltning }} har {{ afleveret }} af {{ i_alt }} arbejdspladser afleveret.
{% if mangler %}
Disse arbejdspladser mangler at aflevere:
{% for arbejdsplads in manglende %}
- {{ arbejdsplads }}{% endfor %}{% if flere %}
- og {{ flere }} flere{% endif %}
{% else %}
Alle arbejdspladser har afleveret. Tak for indsatsen!
{% endif %}
Du kan følge afleveringerne her: {{ link }}

Venlig hilsen
Personale & Udvikling
"""

_SHARED_VARIABLES = {
    "navn": _("modtagerens navn"),
    "frist": _("fristen for trin 2, fx 30. juni 2021"),
    "forloeb": _("forløbets navn"),
    "trin": _("trinnets navn"),
}

LEADERS = Audience(
    key=LEADERS_NOT_DELIVERED,
    label=_("Ledere af arbejdspladser, der ikke har afleveret (trin 2)"),
    anchor_model=ClarificationStep,
    anchor_date=lambda step: step.deadline,
    recipients=leaders_without_delivery,
    anchors=_step_two_anchors,
    anchor_label=_step_label,
    default_subject=LEADER_SUBJECT,
    default_body=LEADER_BODY,
    variables={
        **_SHARED_VARIABLES,
        "arbejdspladser": _("lederens arbejdspladser uden aflevering, hver med .navn og .link"),
        "antal": _("antal arbejdspladser i listen"),
    },
    example={
        "navn": "Anne Hansen",
        "frist": "30. juni 2021",
        "forloeb": "Udviklingsforløb for hele organisationen",
        "trin": "Gennemførelse",
        "arbejdspladser": [
            {"navn": "Valhøj Skole", "link": "https://eksempel.dk/afklaring/arbejdspladser/1/"},
            {"navn": "SFO Valhøj", "link": "https://eksempel.dk/afklaring/arbejdspladser/2/"},
        ],
        "antal": 2,
    },
)

HEADS = Audience(
    key=HEAD_OF_DEPARTMENT_SUMMARY,
    label=_("Fagchefer: status for egen forvaltning (trin 2)"),
    anchor_model=ClarificationStep,
    anchor_date=lambda step: step.deadline,
    recipients=head_of_department_summaries,
    anchors=_step_two_anchors,
    anchor_label=_step_label,
    default_subject=HEAD_SUBJECT,
    default_body=HEAD_BODY,
    variables={
        **_SHARED_VARIABLES,
        "forvaltning": _("fagchefens forvaltning"),
        "afleveret": _("antal arbejdspladser, der har afleveret"),
        "i_alt": _("antal aktive arbejdspladser i forvaltningen"),
        "mangler": _("antal, der mangler"),
        "manglende": _("navnene på de første 20, der mangler"),
        "flere": _("antal manglende ud over de 20"),
        "link": _("adressen på dækningsoversigten"),
    },
    example={
        "navn": "Birthe Nielsen",
        "frist": "30. juni 2021",
        "forloeb": "Udviklingsforløb for hele organisationen",
        "trin": "Gennemførelse",
        "forvaltning": "Børne- og Kulturforvaltningen",
        "afleveret": 38,
        "i_alt": 61,
        "mangler": 23,
        "manglende": ["Valhøj Skole", "Børnehuset Sønderbo"],
        "flere": 3,
        "link": "https://eksempel.dk/afklaring/daekning/",
    },
)


def register_audiences() -> None:
    register(LEADERS)
    register(HEADS)


# (audience, days before the deadline, the rule's name)
DEFAULT_RULES = (
    (LEADERS, -7, "Trin 2: ledere uden aflevering, 7 dage før fristen"),
    (LEADERS, -1, "Trin 2: ledere uden aflevering, dagen før fristen"),
    (HEADS, -7, "Trin 2: status til fagchefen, 7 dage før fristen"),
)


@transaction.atomic
def ensure_default_rules(*, programme: Programme) -> list[ReminderRule]:
    """Create the step-2 reminder rules of a programme unless they exist (idempotent)."""
    step = ClarificationStep.objects.select_for_update().get(
        programme=programme, number=StepNumber.EXECUTION
    )
    anchor_type = ContentType.objects.get_for_model(ClarificationStep)
    rules = []
    for audience, offset_days, name in DEFAULT_RULES:
        rule, _created = ReminderRule.objects.get_or_create(
            audience=audience.key,
            anchor_type=anchor_type,
            anchor_id=step.pk,
            offset_days=offset_days,
            defaults={
                "name": name,
                "time_of_day": datetime.time(8, 0),
                "subject": audience.default_subject,
                "body": audience.default_body,
            },
        )
        rules.append(rule)
    return rules
