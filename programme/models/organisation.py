"""The organisation and its people: administrations, workplaces, MED committees, staff."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..access import scope_for


class Role(models.TextChoices):
    """A person's role in the programme, as HR records it."""

    DIRECTOR = "direktoer", _("Direktør")
    HEAD_OF_DEPARTMENT = "fagchef", _("Fagchef")
    LEADER = "leder", _("Leder")
    EMPLOYEE = "medarbejder", _("Medarbejder")


class MedLevel(models.TextChoices):
    MAIN = "hoved", _("Hoved-MED")
    ADMINISTRATION = "forvaltning", _("Forvaltnings-MED")
    LOCAL = "lokal", _("Lokal-MED")


class ExternalKind(models.TextChoices):
    COACH = "coach", _("Coach")
    EXPERT = "ekspert", _("Ekstern oplægsholder")


# --- Organisation ---------------------------------------------------------------------


class AdministrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(pk__in=scope.administration_ids) | Q(workplaces__pk__in=scope.workplace_ids)
        ).distinct()


class Administration(models.Model):
    """A department of the municipality (forvaltning)."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=200, unique=True)
    short_name = models.CharField(_("kort navn"), max_length=60, blank=True, default="")
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("forvaltning")
        verbose_name_plural = _("forvaltninger")
        ordering = ["name"]
        permissions = [
            ("import_administration", _("Kan importere forvaltninger")),
            ("export_administration", _("Kan eksportere forvaltninger")),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class WorkplaceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(administration_id__in=scope.administration_ids) | Q(pk__in=scope.workplace_ids)
        )


class Workplace(models.Model):
    """A unit where people work: a school, a day-care centre, a team (arbejdsplads)."""

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    administration = models.ForeignKey(
        Administration,
        verbose_name=_("forvaltning"),
        on_delete=models.PROTECT,
        related_name="workplaces",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("overordnet enhed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    headcount = models.PositiveIntegerField(
        _("normering (antal ansatte)"),
        default=0,
        help_text=_("Antal ansatte ifølge HR; bruges til at beregne, hvor mange der er nået."),
    )
    leaders = models.ManyToManyField(
        "Person",
        verbose_name=_("ledere"),
        through="Leadership",
        related_name="led_workplaces",
        blank=True,
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    objects = WorkplaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("arbejdsplads")
        verbose_name_plural = _("arbejdspladser")
        ordering = ["administration__name", "name"]
        indexes = [models.Index(fields=["administration", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("En arbejdsplads kan ikke være sin egen overordnede."),
            ),
        ]
        permissions = [
            ("import_workplace", _("Kan importere arbejdspladser")),
            ("export_workplace", _("Kan eksportere arbejdspladser")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme:workplace-detail", kwargs={"code": self.code})


class Leadership(models.Model):
    """A person leads a workplace; a workplace may have several leaders."""

    workplace = models.ForeignKey(Workplace, on_delete=models.CASCADE, related_name="leaderships")
    person = models.ForeignKey("Person", on_delete=models.CASCADE, related_name="leaderships")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ledelse")
        verbose_name_plural = _("ledelser")
        constraints = [
            models.UniqueConstraint(
                fields=["workplace", "person"],
                name="%(app_label)s_%(class)s_unique_leader",
                violation_error_message=_("Personen er allerede leder af arbejdspladsen."),
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.workplace}"


class MedCommittee(models.Model):
    """A co-determination committee (MED-udvalg) and the units it covers."""

    name = models.CharField(_("navn"), max_length=200, unique=True)
    level = models.CharField(_("niveau"), max_length=20, choices=MedLevel.choices)
    administration = models.ForeignKey(
        Administration,
        verbose_name=_("forvaltning"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="med_committees",
    )
    workplaces = models.ManyToManyField(
        Workplace,
        verbose_name=_("dækker arbejdspladser"),
        related_name="med_committees",
        blank=True,
    )
    history = HistoricalRecords(m2m_fields=[workplaces])

    class Meta:
        verbose_name = _("MED-udvalg")
        verbose_name_plural = _("MED-udvalg")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level=MedLevel.ADMINISTRATION) | Q(administration__isnull=False),
                name="%(app_label)s_%(class)s_administration_level_has_administration",
                violation_error_message=_("Et forvaltnings-MED skal høre til en forvaltning."),
            ),
        ]

    def __str__(self):
        return self.name


# --- People ---------------------------------------------------------------------------


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        visible = Q(workplace__administration_id__in=scope.administration_ids) | Q(
            workplace_id__in=scope.led_workplace_ids
        )
        if scope.person_id:
            visible |= Q(pk=scope.person_id)
        return self.filter(visible)


class Person(models.Model):
    """An employee as HR knows them; the employee number is the natural key."""

    employee_number = models.CharField(_("medarbejdernummer"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    job_title = models.CharField(_("stilling"), max_length=200, blank=True, default="")
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("arbejdsplads"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    role = models.CharField(
        _("rolle i forløbet"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    deactivated_at = models.DateTimeField(_("gjort inaktiv"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["name", "employee_number"]
        indexes = [
            models.Index(fields=["workplace", "is_active"]),
            models.Index(fields=["role"]),
        ]
        permissions = [
            ("import_person", _("Kan importere personer")),
            ("export_person", _("Kan eksportere personer")),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_number})"

    @property
    def administration(self) -> Administration | None:
        return self.workplace.administration if self.workplace_id else None


class ExternalPerson(models.Model):
    """A coach or expert from outside the municipality; never part of the HR data."""

    name = models.CharField(_("navn"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True, default="")
    kind = models.CharField(_("type"), max_length=20, choices=ExternalKind.choices)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("telefon"), max_length=40, blank=True, default="")
    is_active = models.BooleanField(_("aktiv"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="external_person",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ekstern person")
        verbose_name_plural = _("eksterne personer")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class ImportRun(models.Model):
    """A confirmed HR import: who ran it, on which file, and what it changed."""

    model_name = models.CharField(_("datatype"), max_length=60)
    file_name = models.CharField(_("fil"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importeret af"),
        on_delete=models.PROTECT,
        related_name="import_runs",
    )
    imported_at = models.DateTimeField(_("tidspunkt"), default=timezone.now)
    complete_list = models.BooleanField(_("komplet liste"), default=False)
    rows = models.PositiveIntegerField(_("rækker"), default=0)
    new = models.PositiveIntegerField(_("nye"), default=0)
    updated = models.PositiveIntegerField(_("opdaterede"), default=0)
    unchanged = models.PositiveIntegerField(_("uændrede"), default=0)
    deactivated = models.PositiveIntegerField(_("gjort inaktive"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.model_name}: {self.file_name} ({self.imported_at:%d-%m-%Y %H:%M})"


class AdministrationSnapshot(models.Model):
    """Head counts per administration, computed in the background for the overviews."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="snapshot"
    )
    workplaces = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    leaders = models.PositiveIntegerField(default=0)
    headcount = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("optælling pr. forvaltning")
        verbose_name_plural = _("optællinger pr. forvaltning")

    def __str__(self):
        return f"{self.administration}: {self.people}"
