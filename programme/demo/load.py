"""Load the demo into the database: only what is missing, repairing the logins.

Everything is keyed on natural keys (administration and workplace codes, employee
numbers, usernames, the programme's slug), so a rerun never duplicates a row.
"""

import datetime
import hashlib
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clarification.matrix import recompute
from programme.access import RoleGroup
from programme.models import (
    Administration,
    BudgetYear,
    ExternalKind,
    ExternalPerson,
    Leadership,
    MedCommittee,
    MedLevel,
    Milestone,
    Person,
    Phase,
    Postponement,
    Programme,
    Role,
    Tier,
    Workplace,
)
from programme.services import (
    ensure_role_groups,
    grant_hr,
    postpone_milestone,
    refresh_organisation_snapshot,
    sync_person_groups,
)

from . import memo
from .action_learning import load_action_learning
from .cascade import load_cascade
from .clarification import load_clarification
from .coaching import load_coaching
from .decisions import load_decisions
from .organisation import (
    ADMINISTRATION_FOR_DIGIT,
    ADMINISTRATIONS,
    EXTERNAL_PEOPLE,
    SEED,
    UNITS,
    people_for,
    scaled_headcount,
)
from .processing import load_processing
from .seminars import load_seminars

# A reserved top-level domain (RFC 2606): a demo reminder can never reach a real inbox.
EMAIL_DOMAIN = "rodovre.example"
# Shared by every demo login and printed by `make run`. It is public, which is why the
# command refuses to run without DEBUG unless forced.
DEMO_PASSWORD = "kaskade-afklaring-seminar-2020"
OWNER_UNIT_CODE = "4102"  # Personale & Udvikling
CHANGE_REASON = "Demodata"

# --- Logins ---------------------------------------------------------------------------

# The person behind each demo login (employee numbers; see `people_for`).
PERSON_LOGINS = {
    "direktion": "4002002",  # Kommunaldirektør, Direktionssekretariatet
    "fagchef": "1001002",  # Børne- og kulturchef
    "leder": "1101001",  # Skoleleder, Valhøj Skole (and its SFO below it)
    "medarbejder": "1101003",  # staff at Valhøj Skole
}


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    who: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoResult:
    administrations: int = 0
    workplaces: int = 0
    people: int = 0
    new_people: int = 0
    med_committees: int = 0
    external_people: int = 0
    seconds: float = 0.0
    logins: list[Login] = field(default_factory=list)
    clarification: object | None = None
    processing: object | None = None


# --- Loading --------------------------------------------------------------------------


def _ensure(model, lookup: dict, values: dict):
    """Return the row with `lookup`, created with `values` or updated where they differ.

    Unlike update_or_create, an unchanged row is not saved, so a rerun writes no history.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj, False


def _bulk_create_with_history(model, objs: list, now) -> None:
    """Insert new rows in bulk, with their "created" history rows (bulk_create skips them)."""
    if objs:
        # SQLite and PostgreSQL both return the new keys, which the history rows need.
        created = model.objects.bulk_create(objs)
        model.history.bulk_history_create(
            created, default_change_reason=CHANGE_REASON, default_date=now
        )


def _load_organisation(scale: float, result: DemoResult, now) -> dict[str, int]:
    """Create what is missing of the organisation and its leaders; return code → pk."""
    existing = set(Administration.objects.values_list("code", flat=True))
    new = [
        Administration(code=code, name=name, short_name=short)
        for code, name, short, _digit in ADMINISTRATIONS
        if code not in existing
    ]
    _bulk_create_with_history(Administration, new, now)
    admin_pk = dict(Administration.objects.values_list("code", "pk"))

    workplace_pk = dict(Workplace.objects.values_list("code", "pk"))
    for with_parent in (False, True):  # parents first, so the children can point at them
        new = [
            Workplace(
                code=unit.code,
                name=unit.name,
                administration_id=admin_pk[ADMINISTRATION_FOR_DIGIT[unit.code[0]]],
                parent_id=workplace_pk[unit.parent] if unit.parent else None,
                headcount=scaled_headcount(unit, scale),
            )
            for unit in UNITS
            if bool(unit.parent) == with_parent and unit.code not in workplace_pk
        ]
        _bulk_create_with_history(Workplace, new, now)
        workplace_pk = dict(Workplace.objects.values_list("code", "pk"))

    existing = set(Person.objects.values_list("employee_number", flat=True))
    emails = set(Person.objects.exclude(email="").values_list("email", flat=True))
    new, leaders = [], []
    for unit in UNITS:
        for row in people_for(unit, scale):
            if row.role == Role.LEADER:
                leaders.append((workplace_pk[unit.code], row.employee_number))
            if row.employee_number in existing:
                continue
            email, n = f"{row.email_local}@{EMAIL_DOMAIN}", 1
            while email in emails:
                n += 1
                email = f"{row.email_local}{n}@{EMAIL_DOMAIN}"
            emails.add(email)
            new.append(
                Person(
                    employee_number=row.employee_number,
                    name=row.name,
                    email=email,
                    job_title=row.job_title,
                    workplace_id=workplace_pk[unit.code],
                    role=row.role,
                )
            )
    _bulk_create_with_history(Person, new, now)
    result.new_people = len(new)

    # Leaders only for workplaces that have none: a leader HR has changed stays changed.
    led = set(Leadership.objects.values_list("workplace_id", flat=True))
    person_pk = dict(
        Person.objects.filter(employee_number__in=[n for _w, n in leaders]).values_list(
            "employee_number", "pk"
        )
    )
    new = [
        Leadership(workplace_id=workplace, person_id=person_pk[number])
        for workplace, number in leaders
        if workplace not in led and number in person_pk
    ]
    _bulk_create_with_history(Leadership, new, now)
    return workplace_pk


def _load_med_committees(workplace_pk: dict[str, int]) -> int:
    """Hoved-MED over everything, one forvaltnings-MED each, lokal-MED over groups of units."""
    admin_pk = dict(Administration.objects.values_list("code", "pk"))
    units = {unit.code: unit for unit in UNITS}
    committees: dict[str, tuple[str, set[int], list[int]]] = {
        "Hoved-MED": (MedLevel.MAIN, set(), [workplace_pk[code] for code in units]),
    }
    for code, name, _short, digit in ADMINISTRATIONS:
        committees[f"Forvaltnings-MED, {name}"] = (
            MedLevel.ADMINISTRATION,
            {admin_pk[code]},
            [workplace_pk[c] for c in units if c.startswith(digit)],
        )
    for unit in UNITS:
        root = unit
        while root.parent:
            root = units[root.parent]
        name = root.med or f"Lokal-MED {root.name}"
        _level, admins, covered = committees.setdefault(name, (MedLevel.LOCAL, set(), []))
        admins.add(admin_pk[ADMINISTRATION_FOR_DIGIT[unit.code[0]]])
        covered.append(workplace_pk[unit.code])
    for name, (level, admins, covered) in committees.items():
        # A committee across administrations (the town hall's) belongs to none of them.
        values = {"level": level, "administration_id": admins.pop() if len(admins) == 1 else None}
        committee, _created = _ensure(MedCommittee, {"name": name}, values)
        committee.workplaces.set(covered)
    return len(committees)


def _load_external_people() -> list[ExternalPerson]:
    people = []
    for name, organisation, kind, email in EXTERNAL_PEOPLE:
        values = {"name": name, "organisation": organisation, "kind": kind, "is_active": True}
        people.append(_ensure(ExternalPerson, {"email": email}, values)[0])
    return people


def _ensure_user(username: str, name: str, email: str):
    first_name, _space, last_name = name.rpartition(" ")
    values = {"first_name": first_name, "last_name": last_name, "email": email, "is_active": True}
    return _ensure(get_user_model(), {"username": username}, values)[0]


def _demo_salt() -> str:
    return hashlib.sha256(f"{SEED}:{DEMO_PASSWORD}".encode()).hexdigest()[:22]


def _is_demo_hash(encoded: str) -> bool:
    try:
        return identify_hasher(encoded).decode(encoded)["salt"] == _demo_salt()
    except ValueError:
        return False


def _set_demo_password(users: list) -> None:
    """Give every demo login the demo password, hashing it at most once.

    A hash costs about a second by design, and the command runs at every `make run`. So
    the demo hash uses a salt derived from the (public) password: a rerun recognises it
    without hashing, and a login whose password was changed gets it back.
    """
    encoded = next((u.password for u in users if _is_demo_hash(u.password)), None)
    encoded = encoded or make_password(DEMO_PASSWORD, salt=_demo_salt())
    for user in users:
        if user.password != encoded:
            user.password = encoded
            user.save(update_fields=["password"])


def _load_logins(externals: list[ExternalPerson]) -> tuple[list[Login], object]:
    """Ensure one login per role, tied to its person; return them and the HR login."""
    hr = _ensure_user("hr", "Lone Brandt", f"hr@{EMAIL_DOMAIN}")
    grant_hr(user=hr)
    users, logins = [hr], [Login("hr", "HR", "Personale & Udvikling; Django admin at /admin/")]

    people = Person.objects.select_related("workplace").in_bulk(
        PERSON_LOGINS.values(), field_name="employee_number"
    )
    for username, number in PERSON_LOGINS.items():
        person = people[number]
        user = _ensure_user(username, person.name, person.email)
        if not person.is_active:
            person.is_active, person.deactivated_at = True, None
            person.save(update_fields=["is_active", "deactivated_at"])
        if person.user_id != user.pk:
            Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
            person.user = user
            person.save(update_fields=["user"])
        sync_person_groups(person=person)
        if person.role == Role.LEADER:
            Leadership.objects.get_or_create(workplace_id=person.workplace_id, person=person)
        users.append(user)
        who = f"{person.name}, {person.job_title}, {person.workplace.name}"
        logins.append(Login(username, str(person.get_role_display()), who))

    coach = next(p for p in externals if p.kind == ExternalKind.COACH)
    user = _ensure_user("coach", coach.name, coach.email)
    user.groups.add(Group.objects.get(name=RoleGroup.COACH.value))
    if coach.user_id != user.pk:
        ExternalPerson.objects.filter(user=user).exclude(pk=coach.pk).update(user=None)
        coach.user = user
        coach.save(update_fields=["user"])
    users.append(user)
    logins.append(Login("coach", "Coach", f"{coach.name}, {coach.organisation}"))

    _set_demo_password(users)
    return logins, hr


def _load_programme(owner_unit_pk: int, recorded_by) -> Programme:
    values = {
        "name": memo.NAME,
        "vision": memo.VISION,
        "purpose": memo.PURPOSE,
        "journal_number": memo.JOURNAL_NUMBER,
        "owner_unit_id": owner_unit_pk,
        "starts_on": memo.STARTS_ON,
        "ends_on": memo.ENDS_ON,
        "is_active": True,
    }
    programme, _created = _ensure(Programme, {"slug": memo.PROGRAMME_SLUG}, values)
    for year, frame in memo.FRAMES.items():
        _ensure(BudgetYear, {"programme": programme, "year": year}, {"frame": frame})
    tiers = {}
    for number, (name, roles, description) in memo.TIERS.items():
        values = {"name": name, "description": description, "roles": [r.value for r in roles]}
        tiers[str(number)] = _ensure(Tier, {"programme": programme, "number": number}, values)[0]
    phases = {}
    for number, (name, description, planned, actual) in memo.PHASES.items():
        values = {"name": name, "description": description}
        values.update(zip(("planned_start", "planned_end"), planned, strict=True))
        values.update(zip(("actual_start", "actual_end"), actual, strict=True))
        phase = _ensure(Phase, {"programme": programme, "number": number}, values)[0]
        phase.tiers.set([tiers["2"], tiers["3"]])
        phases[str(number)] = phase

    # Milestones are only created, never reset: their dates move through postponements.
    existing = {m.name: m for m in programme.milestones.all()}
    for name, tier, phase, original, description in memo.MILESTONES:
        if name in existing:
            continue
        original = datetime.date.fromisoformat(original)
        planned = memo.POSTPONED_TO if name == memo.POSTPONED else original
        existing[name] = Milestone.objects.create(
            programme=programme,
            name=name,
            description=description,
            tier=tiers.get(tier),
            phase=phases.get(phase),
            original_date=original,
            planned_date=original,
            reached_on=planned if planned <= memo.AS_OF else None,
        )
    milestone = existing[memo.POSTPONED]
    if not milestone.postponements.exists():
        move = postpone_milestone(
            milestone=milestone,
            new_date=memo.POSTPONED_TO,
            reason=memo.COVID_REASON,
            by=recorded_by,
        )
        # Dated when the move was reported, not when the demo happened to be loaded.
        Postponement.objects.filter(pk=move.pk).update(recorded_at=memo.POSTPONED_RECORDED_AT)
    return programme


@transaction.atomic
def load_demo(*, scale: float = 1.0) -> DemoResult:
    """Load or complete the demo programme, organisation and logins; count what is there."""
    started = time.monotonic()
    result = DemoResult()
    ensure_role_groups()
    workplace_pk = _load_organisation(scale, result, timezone.now())
    result.med_committees = _load_med_committees(workplace_pk)
    externals = _load_external_people()
    result.logins, hr = _load_logins(externals)
    programme = _load_programme(workplace_pk[OWNER_UNIT_CODE], recorded_by=hr)
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["direktion", "leder"])
    }
    result.clarification = load_clarification(
        programme=programme, hr=hr, direction=users["direktion"], leader=users["leder"]
    )
    result.processing = load_processing(programme=programme, hr=hr)
    load_decisions(programme=programme, hr=hr, direction=users["direktion"], leader=users["leder"])
    # Fagchefforum before the cascade: tier 2 waits for the kick-off and two seminars.
    load_seminars(programme=programme, hr=hr)
    load_coaching(programme=programme, hr=hr)
    load_action_learning(programme=programme)
    load_cascade(programme=programme, hr=hr)
    refresh_organisation_snapshot()
    # Last: the theme × administration matrix counts what the steps above confirmed.
    recompute(programme)

    result.administrations = Administration.objects.count()
    result.workplaces = Workplace.objects.count()
    result.people = Person.objects.count()
    result.external_people = ExternalPerson.objects.count()
    result.seconds = time.monotonic() - started
    return result
