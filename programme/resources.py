"""Import and export of the HR data: administrations, workplaces and people.

Each resource plans a whole file against the database (`plan`: validation, natural-key
matching, counts, a sample of the changes; no writes) and applies a plan without errors in
bulk (`apply`), with one history row per changed object naming the importer and the file.
The machinery they share is in `programme.imports`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from . import services
from .imports.bulk import (
    SAMPLE_SIZE,
    BulkImportResource,
    Change,
    Plan,
    batches,
    export_field,
    write_history,
)
from .imports.columns import (
    ADMINISTRATION_COLUMNS,
    PERSON_COLUMNS,
    WORKPLACE_COLUMNS,
    header_key,
)
from .imports.values import (
    LEADS_SEPARATOR,
    active_or_error,
    check_length,
    duplicate_error,
    find_duplicates,
    parse_headcount,
    role_labels,
    role_lookup,
    yes_no,
)
from .models import Administration, Leadership, Person, Role, Workplace

# --- Administrations -------------------------------------------------------------------


@dataclass
class AdministrationPlan(Plan):
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)


class AdministrationResource(BulkImportResource):
    columns = ADMINISTRATION_COLUMNS

    code = export_field(ADMINISTRATION_COLUMNS, "code", "code")
    name = export_field(ADMINISTRATION_COLUMNS, "name", "name")
    short_name = export_field(ADMINISTRATION_COLUMNS, "short_name", "short_name")
    is_active = export_field(ADMINISTRATION_COLUMNS, "is_active")

    class Meta:
        model = Administration
        fields = ("code", "name", "short_name", "is_active")
        export_order = fields
        import_id_fields = ("code",)

    def dehydrate_is_active(self, administration):
        return yes_no(administration.is_active)

    def plan(self, rows, *, present):
        plan = AdministrationPlan()
        existing = {
            code: {"pk": pk, "code": code, "name": name, "short_name": short, "is_active": active}
            for pk, code, name, short, active in Administration.objects.values_list(
                "pk", "code", "name", "short_name", "is_active"
            )
        }
        duplicates, codes_in_file = find_duplicates(rows, "code")
        name_duplicates, _names = find_duplicates(rows, "name")
        # Names are unique: a name may only move to a code that is not keeping it.
        name_owner = {
            record["name"]: code for code, record in existing.items() if code not in codes_in_file
        }
        for row in rows:
            values = row.values
            code, name = values.get("code", ""), values.get("name", "")
            if not code:
                plan.error(row, _("Kode mangler."))
            elif code in duplicates:
                duplicate_error(plan, row, _("Kode"), code, duplicates[code])
            check_length(plan, row, _("Kode"), code, 20)
            if not name:
                plan.error(row, _("Navn mangler."))
            elif name in name_duplicates:
                duplicate_error(plan, row, _("Navn"), name, name_duplicates[name])
            elif name_owner.get(name, code) != code:
                plan.error(
                    row,
                    _("Navnet «%(name)s» bruges allerede af forvaltningen med kode %(code)s.")
                    % {"name": name, "code": name_owner[name]},
                )
            check_length(plan, row, _("Navn"), name, 200)
            short_name = values.get("short_name", "")
            check_length(plan, row, _("Kort navn"), short_name, 60)
            active = active_or_error(plan, row)
            if row.number in plan.errors:
                continue

            old = existing.get(code)
            target = {
                "code": code,
                "name": name,
                "short_name": short_name
                if "short_name" in present
                else (old["short_name"] if old else ""),
                "is_active": active,
            }
            if old is None:
                plan.new += 1
                plan.creates.append(target)
                plan.add_sample(Change(row.number, "new", code, name))
                continue
            changed = [
                key for key in ("name", "short_name", "is_active") if old[key] != target[key]
            ]
            if not changed:
                plan.unchanged += 1
                continue
            plan.updated += 1
            plan.updates.append({**target, "pk": old["pk"], "changed": changed})
            if len(plan.sample) < SAMPLE_SIZE:
                plan.add_sample(
                    Change(
                        row.number,
                        "update",
                        code,
                        name,
                        [
                            (self.label(key), self.show(key, old[key]), self.show(key, target[key]))
                            for key in changed
                        ],
                    )
                )
        return plan

    def show(self, key: str, value) -> str:
        return yes_no(value) if isinstance(value, bool) else str(value)

    def apply(self, plan, *, user, reason, when):
        history = {"user": user, "reason": reason, "when": when}
        for chunk in batches(plan.creates):
            objects = Administration.objects.bulk_create([Administration(**t) for t in chunk])
            write_history(Administration, objects, history_type="+", **history)
        for chunk in batches(plan.updates):
            objects = [
                Administration(**{k: v for k, v in t.items() if k != "changed"}) for t in chunk
            ]
            fields = sorted({key for t in chunk for key in t["changed"]})
            Administration.objects.bulk_update(objects, fields)
            write_history(Administration, objects, history_type="~", **history)


# --- Workplaces ------------------------------------------------------------------------


@dataclass
class WorkplacePlan(Plan):
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    pks: dict[str, int] = field(default_factory=dict)


class WorkplaceResource(BulkImportResource):
    columns = WORKPLACE_COLUMNS

    code = export_field(WORKPLACE_COLUMNS, "code", "code")
    name = export_field(WORKPLACE_COLUMNS, "name", "name")
    administration = export_field(WORKPLACE_COLUMNS, "administration")
    parent = export_field(WORKPLACE_COLUMNS, "parent")
    headcount = export_field(WORKPLACE_COLUMNS, "headcount")
    is_active = export_field(WORKPLACE_COLUMNS, "is_active")

    class Meta:
        model = Workplace
        fields = ("code", "name", "administration", "parent", "headcount", "is_active")
        export_order = fields
        import_id_fields = ("code",)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("administration", "parent")

    def dehydrate_administration(self, workplace):
        return workplace.administration.code

    def dehydrate_parent(self, workplace):
        return workplace.parent.code if workplace.parent_id else ""

    def dehydrate_headcount(self, workplace):
        # A number, not a localised string: Excel gets a number cell, CSV plain digits.
        return workplace.headcount

    def dehydrate_is_active(self, workplace):
        return yes_no(workplace.is_active)

    def plan(self, rows, *, present):
        plan = WorkplacePlan()
        administrations = {}
        administration_codes = {}
        for pk, code, name in Administration.objects.values_list("pk", "code", "name"):
            administrations[code] = pk
            # People type the administration by hand: accept any case, or its full name.
            administrations.setdefault(code.casefold(), pk)
            administrations.setdefault(name.casefold(), pk)
            administration_codes[pk] = code
        records = list(
            Workplace.objects.values_list(
                "pk", "code", "name", "administration_id", "parent_id", "headcount", "is_active"
            )
        )
        code_of = {record[0]: record[1] for record in records}
        existing = {
            code: {
                "pk": pk,
                "name": name,
                "administration_id": administration_id,
                "parent": code_of.get(parent_id),
                "headcount": headcount,
                "is_active": active,
            }
            for pk, code, name, administration_id, parent_id, headcount, active in records
        }
        plan.pks = {code: record["pk"] for code, record in existing.items()}
        duplicates, codes_in_file = find_duplicates(rows, "code")
        known_codes = codes_in_file | existing.keys()

        targets = []
        for row in rows:
            values = row.values
            code, name = values.get("code", ""), values.get("name", "")
            if not code:
                plan.error(row, _("Kode mangler."))
            elif code in duplicates:
                duplicate_error(plan, row, _("Kode"), code, duplicates[code])
            check_length(plan, row, _("Kode"), code, 30)
            if not name:
                plan.error(row, _("Navn mangler."))
            check_length(plan, row, _("Navn"), name, 200)
            administration_text = values.get("administration", "")
            administration_id = administrations.get(administration_text) or administrations.get(
                administration_text.casefold()
            )
            if not administration_text:
                plan.error(row, _("Forvaltning mangler."))
            elif administration_id is None:
                plan.error(
                    row, _("Ukendt forvaltning «%(value)s».") % {"value": administration_text}
                )
            parent = values.get("parent", "") or None
            if parent is not None and parent == code:
                plan.error(row, _("En enhed kan ikke være sin egen overordnede enhed."))
                parent = None
            elif parent is not None and parent not in known_codes:
                plan.error(row, _("Ukendt overordnet enhed «%(code)s».") % {"code": parent})
                parent = None
            headcount = parse_headcount(plan, row, values.get("headcount", ""))
            active = active_or_error(plan, row)
            old = existing.get(code)
            if "parent" not in present:
                parent = old["parent"] if old else None
            if "headcount" not in present:
                headcount = old["headcount"] if old else 0
            targets.append(
                (
                    row,
                    old,
                    {
                        "code": code,
                        "name": name,
                        "administration_id": administration_id,
                        "parent": parent,
                        "headcount": headcount,
                        "is_active": active,
                    },
                )
            )

        self._check_cycles(plan, targets, existing)
        show = self._shower(administration_codes)

        for row, old, target in targets:
            if row.number in plan.errors:
                continue
            if old is None:
                plan.new += 1
                plan.creates.append(target)
                plan.add_sample(Change(row.number, "new", target["code"], target["name"]))
                continue
            changed = [
                key
                for key in ("name", "administration_id", "parent", "headcount", "is_active")
                if old[key] != target[key]
            ]
            if not changed:
                plan.unchanged += 1
                continue
            plan.updated += 1
            plan.updates.append({**target, "pk": old["pk"], "changed": changed})
            if len(plan.sample) < SAMPLE_SIZE:
                details = [
                    (self.label(key), show(key, old[key]), show(key, target[key]))
                    for key in changed
                ]
                plan.add_sample(
                    Change(row.number, "update", target["code"], target["name"], details)
                )
        return plan

    @staticmethod
    def _shower(administration_codes):
        def show(key, value):
            if key == "administration_id":
                return administration_codes.get(value, "")
            if isinstance(value, bool):
                return yes_no(value)
            return "" if value is None else str(value)

        return show

    def _check_cycles(self, plan: WorkplacePlan, targets, existing) -> None:
        """Refuse parents that would make a unit its own ancestor once the file is applied."""
        parent_of = {code: record["parent"] for code, record in existing.items()}
        rows_of = {}
        for row, _old, target in targets:
            if target["code"]:
                parent_of[target["code"]] = target["parent"]
                rows_of[target["code"]] = row
        done: set[str] = set()
        for start in rows_of:
            path: list[str] = []
            on_path: set[str] = set()
            code = start
            while code is not None and code not in done and code not in on_path:
                path.append(code)
                on_path.add(code)
                code = parent_of.get(code)
            if code is not None and code in on_path:
                cycle = path[path.index(code) :]
                text = " → ".join([*cycle, code])
                for member in cycle:
                    if member in rows_of:
                        plan.error(
                            rows_of[member],
                            _("Overordnede enheder danner en løkke: %(path)s.") % {"path": text},
                        )
            done.update(path)

    def apply(self, plan, *, user, reason, when):
        history = {"user": user, "reason": reason, "when": when}
        pks = dict(plan.pks)
        created = []
        for chunk in batches(plan.creates):
            objects = Workplace.objects.bulk_create(
                [
                    Workplace(
                        code=t["code"],
                        name=t["name"],
                        administration_id=t["administration_id"],
                        parent_id=pks.get(t["parent"]),
                        headcount=t["headcount"],
                        is_active=t["is_active"],
                    )
                    for t in chunk
                ]
            )
            pks.update((obj.code, obj.pk) for obj in objects)
            created.extend(zip(objects, chunk, strict=True))
        # A parent may be a unit created further down the same file: link it afterwards.
        relinked = []
        for obj, target in created:
            if target["parent"] and obj.parent_id is None:
                obj.parent_id = pks[target["parent"]]
                relinked.append(obj)
        for chunk in batches(relinked):
            Workplace.objects.bulk_update(chunk, ["parent"])
        for chunk in batches([obj for obj, _target in created]):
            write_history(Workplace, chunk, history_type="+", **history)

        for chunk in batches(plan.updates):
            objects = [
                Workplace(
                    pk=t["pk"],
                    code=t["code"],
                    name=t["name"],
                    administration_id=t["administration_id"],
                    parent_id=pks.get(t["parent"]),
                    headcount=t["headcount"],
                    is_active=t["is_active"],
                )
                for t in chunk
            ]
            fields = sorted(
                {
                    "administration" if k == "administration_id" else k
                    for t in chunk
                    for k in t["changed"]
                }
            )
            Workplace.objects.bulk_update(objects, fields)
            write_history(Workplace, objects, history_type="~", **history)


# --- People ----------------------------------------------------------------------------

PERSON_FIELDS = ("name", "email", "job_title", "workplace_id", "role", "is_active")


@dataclass
class PersonPlan(Plan):
    # (employee number, field values, workplaces led)
    creates: list[tuple[str, tuple, frozenset]] = field(default_factory=list)
    # (existing record, new field values)
    updates: list[tuple[tuple, tuple]] = field(default_factory=list)
    leads_added: list[tuple[int, int]] = field(default_factory=list)  # (person, unit)
    leads_removed: list[tuple[int, int, int]] = field(default_factory=list)  # (pk, person, unit)
    sync: list[int] = field(default_factory=list)  # people whose login groups must follow


class PersonResource(BulkImportResource):
    columns = PERSON_COLUMNS

    employee_number = export_field(PERSON_COLUMNS, "employee_number", "employee_number")
    name = export_field(PERSON_COLUMNS, "name", "name")
    email = export_field(PERSON_COLUMNS, "email", "email")
    job_title = export_field(PERSON_COLUMNS, "job_title", "job_title")
    workplace = export_field(PERSON_COLUMNS, "workplace")
    role = export_field(PERSON_COLUMNS, "role")
    leads = export_field(PERSON_COLUMNS, "leads")
    is_active = export_field(PERSON_COLUMNS, "is_active")

    class Meta:
        model = Person
        fields = (
            "employee_number",
            "name",
            "email",
            "job_title",
            "workplace",
            "role",
            "leads",
            "is_active",
        )
        export_order = fields
        import_id_fields = ("employee_number",)

    def describe(self, row):
        values = row.values
        name = values.get("name") or " ".join(
            part for part in (values.get("first_name", ""), values.get("last_name", "")) if part
        )
        return (values.get("employee_number", ""), name)

    # Export ------------------------------------------------------------------------------

    def before_export(self, queryset, **kwargs):
        people = queryset if queryset is not None else Person.objects.all()
        self._roles = role_labels()
        self._leads: dict[int, list[str]] = defaultdict(list)
        for person_id, code in (
            Leadership.objects.filter(person__in=people.order_by().values("pk"))
            .order_by("workplace__code")
            .values_list("person_id", "workplace__code")
        ):
            self._leads[person_id].append(code)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("workplace")

    def dehydrate_workplace(self, person):
        return person.workplace.code if person.workplace_id else ""

    def dehydrate_role(self, person):
        return self._roles.get(person.role, person.role)

    def dehydrate_leads(self, person):
        return "|".join(self._leads.get(person.pk, ()))

    def dehydrate_is_active(self, person):
        return yes_no(person.is_active)

    # Import ------------------------------------------------------------------------------

    def plan(self, rows, *, present):
        plan = PersonPlan()
        workplaces = dict(Workplace.objects.values_list("code", "pk"))
        existing = {
            record[0]: record
            for record in Person.objects.values_list(
                "employee_number",
                "pk",
                *PERSON_FIELDS,
                "user_id",
                "deactivated_at",
            )
        }
        current_leads: dict[int, dict[int, int]] = defaultdict(dict)
        for pk, person_id, workplace_id in Leadership.objects.values_list(
            "pk", "person_id", "workplace_id"
        ):
            current_leads[person_id][workplace_id] = pk
        # Excel drops leading zeros from numbers: 000123 comes back as 123. Catch it
        # instead of creating a second person.
        padded = {
            number.lstrip("0"): number
            for number in existing
            if number.startswith("0") and number.isdigit()
        }
        duplicates, numbers_in_file = find_duplicates(rows, "employee_number")
        roles = role_lookup()
        labels = role_labels()
        validate_email = EmailValidator()
        has_email, has_title = "email" in present, "job_title" in present
        has_workplace, has_role = "workplace" in present, "role" in present
        # Leaderships follow the file only when it says something about them.
        manage_leads = has_role or "leads" in present
        leader = Role.LEADER.value
        number_label = _("Medarbejdernummer")
        codes: dict[int, str] = {}

        for row in rows:
            values = row.values
            number = values.get("employee_number", "")
            if not number:
                plan.error(row, _("Medarbejdernummer mangler."))
            elif number in duplicates:
                duplicate_error(plan, row, number_label, number, duplicates[number])
            elif len(number) > 20:
                check_length(plan, row, number_label, number, 20)
            name = values.get("name", "") or " ".join(
                part for part in (values.get("first_name", ""), values.get("last_name", "")) if part
            )
            if not name:
                plan.error(row, _("Navn mangler."))
            elif len(name) > 200:
                check_length(plan, row, _("Navn"), name, 200)
            email = values.get("email", "")
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    plan.error(row, _("Ugyldig e-mailadresse «%(value)s».") % {"value": email})
            job_title = values.get("job_title", "")
            if len(job_title) > 200:
                check_length(plan, row, _("Stilling"), job_title, 200)
            code = values.get("workplace", "")
            workplace_id = workplaces.get(code) if code else None
            if code and workplace_id is None:
                plan.error(row, _("Ukendt arbejdsplads «%(code)s».") % {"code": code})
            role_text = values.get("role", "")
            role = (
                (roles.get(role_text) or roles.get(header_key(role_text)))
                if role_text
                else Role.EMPLOYEE.value
            )
            if role is None:
                plan.error(
                    row,
                    _("Ukendt rolle «%(value)s». Brug direktør, fagchef, leder eller medarbejder.")
                    % {"value": role_text},
                )
            active = active_or_error(plan, row)
            leads = None
            leads_text = values.get("leads", "")
            if leads_text:
                leads = set()
                for lead_code in LEADS_SEPARATOR.split(leads_text):
                    lead_code = lead_code.strip()
                    if not lead_code:
                        continue
                    lead_id = workplaces.get(lead_code)
                    if lead_id is None:
                        plan.error(
                            row,
                            _("Ukendt arbejdsplads «%(code)s» i «Leder for».")
                            % {"code": lead_code},
                        )
                    else:
                        leads.add(lead_id)
            if row.number in plan.errors:
                continue

            old = existing.get(number)
            if old is None:
                if number in padded:
                    plan.error(
                        row,
                        _(
                            "Medarbejdernummer %(value)s findes ikke, men %(existing)s gør. Har "
                            "Excel fjernet foranstillede nuller? Formatér kolonnen som tekst."
                        )
                        % {"value": number, "existing": padded[number]},
                    )
                    continue
                target = (
                    name,
                    email,
                    job_title,
                    workplace_id,
                    role if has_role else Role.EMPLOYEE.value,
                    active,
                )
                led = leads if leads is not None else ()
                if manage_leads and leads is None and target[4] == leader and workplace_id:
                    led = (workplace_id,)
                plan.creates.append((number, target, frozenset(led if manage_leads else ())))
                plan.new += 1
                plan.add_sample(Change(row.number, "new", number, name))
                continue

            target = (
                name,
                email if has_email else old[3],
                job_title if has_title else old[4],
                workplace_id if has_workplace else old[5],
                role if has_role else old[6],
                active,
            )
            fields_changed = target != old[2:8]
            added: set[int] = set()
            removed: list[tuple[int, int, int]] = []
            if manage_leads:
                wanted = leads
                if wanted is None:
                    wanted = {target[3]} if target[4] == leader and target[3] else set()
                held = current_leads.get(old[1], {})
                added = wanted - held.keys()
                removed = [(held[w], old[1], w) for w in held.keys() - wanted]
            if not fields_changed and not added and not removed:
                plan.unchanged += 1
                continue
            plan.updated += 1
            if fields_changed:
                plan.updates.append((old, target))
                if old[8] and (target[4] != old[6] or target[5] != old[7]):
                    plan.sync.append(old[1])
            plan.leads_added.extend((old[1], w) for w in added)
            plan.leads_removed.extend(removed)
            if len(plan.sample) < SAMPLE_SIZE:
                codes = codes or {pk: code for code, pk in workplaces.items()}
                plan.add_sample(
                    self._update_change(row, old, target, added, removed, codes, labels)
                )

        if self.complete_list:
            for number, old in existing.items():
                if old[7] and number not in numbers_in_file:
                    plan.deactivated += 1
                    plan.updates.append((old, (*old[2:7], False)))
                    if old[8]:
                        plan.sync.append(old[1])
                    plan.add_sample(Change(None, "deactivate", number, old[2]))
        return plan

    def _update_change(self, row, old, target, added, removed, codes, labels) -> Change:
        shown = {
            "workplace_id": lambda v: codes.get(v, "") if v else "",
            "role": lambda v: labels.get(v, v),
            "is_active": yes_no,
        }
        details = []
        for index, key in enumerate(PERSON_FIELDS):
            before, after = old[2 + index], target[index]
            if before != after:
                show = shown.get(key, str)
                details.append((self.label(key), show(before), show(after)))
        if added or removed:
            details.append(
                (
                    self.label("leads"),
                    ", ".join(sorted(codes[w] for _pk, _person, w in removed)) or "–",
                    ", ".join(sorted(codes[w] for w in added)) or "–",
                )
            )
        return Change(row.number, "update", old[0], target[0], details)

    def apply(self, plan, *, user, reason, when):
        history = {"user": user, "reason": reason, "when": when}
        created_pks: dict[str, int] = {}
        for chunk in batches(plan.creates):
            objects = [
                Person(
                    employee_number=number,
                    name=values[0],
                    email=values[1],
                    job_title=values[2],
                    workplace_id=values[3],
                    role=values[4],
                    is_active=values[5],
                    deactivated_at=None if values[5] else when,
                )
                for number, values, _led in chunk
            ]
            Person.objects.bulk_create(objects)
            write_history(Person, objects, history_type="+", **history)
            created_pks.update((obj.employee_number, obj.pk) for obj in objects)
        new_leaderships = [
            Leadership(person_id=created_pks[number], workplace_id=workplace_id)
            for number, _values, led in plan.creates
            if led
            for workplace_id in led
        ]

        for chunk in batches(plan.updates):
            objects = []
            fields: set[str] = set()
            for old, values in chunk:
                was_active, active = old[7], values[5]
                if was_active != active:
                    fields.add("deactivated_at")
                for index, key in enumerate(PERSON_FIELDS):
                    if old[2 + index] != values[index]:
                        fields.add("workplace" if key == "workplace_id" else key)
                objects.append(
                    Person(
                        pk=old[1],
                        employee_number=old[0],
                        name=values[0],
                        email=values[1],
                        job_title=values[2],
                        workplace_id=values[3],
                        role=values[4],
                        is_active=active,
                        user_id=old[8],
                        deactivated_at=old[9]
                        if was_active == active
                        else (None if active else when),
                    )
                )
            Person.objects.bulk_update(objects, sorted(fields))
            write_history(Person, objects, history_type="~", **history)

        new_leaderships += [
            Leadership(person_id=person_id, workplace_id=workplace_id)
            for person_id, workplace_id in plan.leads_added
        ]
        for chunk in batches(plan.leads_removed):
            gone = [
                Leadership(pk=pk, person_id=person, workplace_id=unit) for pk, person, unit in chunk
            ]
            write_history(Leadership, gone, history_type="-", **history)
            # A raw delete: Django's delete() would send a signal per row, and the history
            # rows simple_history writes from it would name neither the file nor the importer.
            Leadership.objects.filter(pk__in=[pk for pk, _p, _u in chunk])._raw_delete(
                Leadership.objects.db
            )
        for chunk in batches(new_leaderships):
            Leadership.objects.bulk_create(chunk)
            write_history(Leadership, chunk, history_type="+", **history)

        for chunk in batches(plan.sync, 500):
            for person in Person.objects.filter(pk__in=chunk).select_related("user"):
                services.sync_person_groups(person=person)
