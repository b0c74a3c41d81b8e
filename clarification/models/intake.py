"""The clarification phase: its four steps per administration, plans, activities and input."""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.access import scope_for
from programme.models import Administration, MedCommittee, Person, Programme, Workplace


class StepNumber(models.IntegerChoices):
    DESIGN = 1, _("Design af afklaringsprocessen")
    EXECUTION = 2, _("Gennemførelse")
    PROCESSING = 3, _("Bearbejdning af input")
    DECISION = 4, _("Beslutning")


class StepStatus(models.TextChoices):
    NOT_STARTED = "ikke_startet", _("Ikke startet")
    OPEN = "aaben", _("Åben")
    CLOSED = "lukket", _("Lukket")


class Method(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    STAFF_MEETING = "personalemoede", _("Personalemøde")
    MED_MEETING = "med_moede", _("MED-møde")
    DIALOGUE_MEETING = "dialogmoede", _("Dialogmøde")
    VIRTUAL_WORKSHOP = "virtuel_workshop", _("Virtuel workshop")
    SURVEY = "spoergeskema", _("Spørgeskema")
    OTHER = "andet", _("Andet")


class PlanStatus(models.TextChoices):
    DRAFT = "kladde", _("Kladde")
    SUBMITTED = "indsendt", _("Indsendt")
    APPROVED = "godkendt", _("Godkendt")


class SubmissionStatus(models.TextChoices):
    DRAFT = "kladde", _("Kladde")
    DELIVERED = "afleveret", _("Afleveret")


class InputKind(models.TextChoices):
    CHALLENGE = "udfordring", _("Udfordring")
    NEED = "behov", _("Behov")
    IDEA = "ide", _("Idé")


class SuggestedForm(models.TextChoices):
    COURSE = "undervisning", _("Undervisningsforløb")
    LOCAL = "lokalt", _("Lokalt udviklingsforløb")
    BOTH = "begge", _("Begge dele")
    UNSURE = "ved_ikke", _("Ved ikke")


class InputSource(models.TextChoices):
    LEADER = "leder", _("Fra arbejdspladsens leder")
    ANONYMOUS = "anonym", _("Anonymt fra en medarbejder")


# --- The four steps -------------------------------------------------------------------


class ClarificationStep(models.Model):
    """One of the four steps of a programme's clarification phase, with its deadline."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="clarification_steps"
    )
    number = models.PositiveSmallIntegerField(_("trin"), choices=StepNumber.choices)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    deadline = models.DateField(_("frist"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trin i afklaringsfasen")
        verbose_name_plural = _("trin i afklaringsfasen")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Forløbet har allerede dette trin."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class StepStateQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(administration_id__in=scope.administration_ids)
            | Q(administration__workplaces__pk__in=scope.led_workplace_ids)
        ).distinct()

    def open(self):
        return self.filter(status=StepStatus.OPEN)


class StepState(models.Model):
    """Where one step stands in one administration, and who opened and signed it off."""

    step = models.ForeignKey(ClarificationStep, on_delete=models.PROTECT, related_name="states")
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="step_states"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    opened_at = models.DateTimeField(_("åbnet"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_early_reason = models.TextField(
        _("begrundelse for tidlig åbning"), blank=True, default=""
    )
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sign_off_comment = models.TextField(_("kommentar ved afslutning"), blank=True, default="")
    history = HistoricalRecords()

    objects = StepStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("trinstatus")
        verbose_name_plural = _("trinstatus")
        ordering = ["step__number", "administration__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "administration"],
                name="%(app_label)s_%(class)s_unique_administration",
                violation_error_message=_("Trinnet har allerede en status i forvaltningen."),
            ),
            models.CheckConstraint(
                condition=~Q(status="lukket") | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_sign_off",
                violation_error_message=_("Et lukket trin skal have en afslutning."),
            ),
        ]

    def __str__(self):
        return f"{self.step} — {self.administration}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN


# --- Step 1: the involvement plan -------------------------------------------------------


class InvolvementPlanQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(administration_id__in=scope.administration_ids)
            | Q(administration__workplaces__pk__in=scope.led_workplace_ids)
        ).distinct()


class InvolvementPlan(models.Model):
    """How an administration will involve its leaders and staff (step 1)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="involvement_plans"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="involvement_plans"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    methods = models.JSONField(_("metoder"), default=list, blank=True)
    method_other = models.CharField(_("anden metode"), max_length=200, blank=True, default="")
    all_workplaces = models.BooleanField(_("alle arbejdspladser deltager"), default=True)
    workplaces = models.ManyToManyField(
        Workplace, verbose_name=_("deltagende arbejdspladser"), blank=True, related_name="+"
    )
    starts_on = models.DateField(_("fra"), null=True, blank=True)
    ends_on = models.DateField(_("til"), null=True, blank=True)
    responsible_leaders = models.ManyToManyField(
        Person, verbose_name=_("ansvarlige ledere"), blank=True, related_name="+"
    )
    med_involvement = models.TextField(_("sådan inddrages MED"), blank=True, default="")
    description = models.TextField(_("beskrivelse af processen"), blank=True, default="")
    submitted_at = models.DateTimeField(_("indsendt"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_comment = models.TextField(_("kommentar til godkendelsen"), blank=True, default="")
    history = HistoricalRecords(m2m_fields=[workplaces, responsible_leaders])

    objects = InvolvementPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("inddragelsesplan")
        verbose_name_plural = _("inddragelsesplaner")
        ordering = ["administration__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "administration"],
                name="%(app_label)s_%(class)s_unique_administration",
                violation_error_message=_("Forvaltningen har allerede en inddragelsesplan."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Slutdatoen kan ikke ligge før startdatoen."),
            ),
        ]

    def __str__(self):
        return _("Inddragelsesplan for %(administration)s") % {
            "administration": self.administration
        }

    def get_absolute_url(self):
        return reverse("clarification:plan-detail", kwargs={"code": self.administration.code})


# --- Step 2: activities and input -----------------------------------------------------


class SubmissionQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(workplace__administration_id__in=scope.administration_ids)
            | Q(workplace_id__in=scope.led_workplace_ids)
        )

    def delivered(self):
        return self.filter(status=SubmissionStatus.DELIVERED)


class Submission(models.Model):
    """A workplace's contribution to step 2: its activities and input, and whether delivered."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="submissions")
    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    delivered_at = models.DateTimeField(_("afleveret"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)
    history = HistoricalRecords()

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("aflevering")
        verbose_name_plural = _("afleveringer")
        ordering = ["workplace__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "workplace"],
                name="%(app_label)s_%(class)s_unique_workplace",
                violation_error_message=_("Arbejdspladsen har allerede en aflevering."),
            ),
            models.CheckConstraint(
                condition=~Q(status="afleveret") | Q(delivered_at__isnull=False),
                name="%(app_label)s_%(class)s_delivered_has_time",
                violation_error_message=_("En aflevering skal have et tidspunkt."),
            ),
        ]

    def __str__(self):
        return f"{self.workplace}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("clarification:workplace", kwargs={"code": self.workplace.code})

    @property
    def is_delivered(self) -> bool:
        return self.status == SubmissionStatus.DELIVERED


class Activity(models.Model):
    """A clarification activity a workplace held with its staff."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="activities")
    method = models.CharField(_("metode"), max_length=30, choices=Method.choices)
    method_other = models.CharField(_("anden metode"), max_length=200, blank=True, default="")
    held_on = models.DateField(_("dato"))
    staff_participants = models.PositiveIntegerField(_("medarbejdere, der deltog"))
    leader_participants = models.PositiveIntegerField(_("ledere, der deltog"), default=1)
    med_involved = models.BooleanField(_("MED var inddraget"), default=False)
    med_committee = models.ForeignKey(
        MedCommittee,
        verbose_name=_("MED-udvalg"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("noter"), blank=True, default="", max_length=2000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("afklaringsaktivitet")
        verbose_name_plural = _("afklaringsaktiviteter")
        ordering = ["submission", "held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(med_committee__isnull=True) | Q(med_involved=True),
                name="%(app_label)s_%(class)s_committee_only_when_involved",
                violation_error_message=_("Vælg kun et MED-udvalg, når MED var inddraget."),
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.held_on:%d-%m-%Y}"


class InputQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            Q(workplace__administration_id__in=scope.administration_ids)
            | Q(workplace_id__in=scope.led_workplace_ids)
        )

    def anonymous(self):
        return self.filter(source=InputSource.ANONYMOUS)


class Input(models.Model):
    """One challenge, need or idea from a workplace.

    An anonymous row holds no person, account, address or time of day: only the workplace
    and the date. History is kept for the leader's rows only, since a history row would
    record the exact time.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="inputs")
    workplace = models.ForeignKey(Workplace, on_delete=models.PROTECT, related_name="inputs")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="inputs"
    )
    source = models.CharField(_("kilde"), max_length=10, choices=InputSource.choices)
    kind = models.CharField(_("type"), max_length=20, choices=InputKind.choices)
    title = models.CharField(_("overskrift"), max_length=200)
    text = models.TextField(_("beskrivelse"), max_length=4000)
    suggested_form = models.CharField(
        _("foreslået form"),
        max_length=20,
        choices=SuggestedForm.choices,
        default=SuggestedForm.UNSURE,
    )
    theme_guesses = models.CharField(
        _("egne bud på temaer"), max_length=300, blank=True, default=""
    )
    submitted_on = models.DateField(_("modtaget"), default=timezone.localdate)
    # Waiting for theme suggestions from the worker (clarification.tasks.suggest_pending).
    # A flag, not a time: an anonymous row must not tell when it arrived, not even
    # roughly. Bookkeeping, so not in the history.
    suggestions_pending = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["suggestions_pending"])

    objects = InputQuerySet.as_manager()

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("input")
        ordering = ["workplace", "pk"]
        indexes = [
            models.Index(fields=["programme", "workplace", "source"]),
            models.Index(
                fields=["id"],
                condition=models.Q(suggestions_pending=True),
                name="clarif_input_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="anonym") | Q(submission__isnull=True),
                name="%(app_label)s_%(class)s_anonymous_outside_submission",
                violation_error_message=_("Anonymt input hører ikke til lederens aflevering."),
            ),
            models.CheckConstraint(
                condition=~Q(source="leder") | Q(submission__isnull=False),
                name="%(app_label)s_%(class)s_leader_input_in_submission",
                violation_error_message=_("Lederens input hører til arbejdspladsens aflevering."),
            ),
        ]

    def __str__(self):
        return self.title


def _attachment_path(instance, filename):
    # A random name: the original file name is kept in the row, never in the path.
    return f"bilag/{instance.input.workplace_id}/{secrets.token_hex(16)}"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files that have no public address: only a view that checks access may serve them."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a checked view.")


class PrivateStorage(LazyObject):
    """Uploaded attachments in PRIVATE_MEDIA_ROOT, apart from MEDIA_ROOT and its URL."""

    def _setup(self):
        self._wrapped = PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


private_storage = PrivateStorage()


def get_private_storage():
    # A callable keeps the machine's path out of the migrations.
    return private_storage


class Attachment(models.Model):
    """A photo of a flip-chart or a PDF attached to an input; served only to those allowed."""

    input = models.ForeignKey(Input, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fil"), upload_to=_attachment_path, storage=get_private_storage)
    original_name = models.CharField(_("filnavn"), max_length=200)
    content_type = models.CharField(_("filtype"), max_length=100)
    size = models.PositiveIntegerField(_("størrelse (bytes)"))
    uploaded_at = models.DateTimeField(_("uploadet"), auto_now_add=True)

    class Meta:
        verbose_name = _("bilag")
        verbose_name_plural = _("bilag")
        ordering = ["input", "pk"]

    def __str__(self):
        return self.original_name


class AnonymousLinkQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(workplace_id__in=scope.led_workplace_ids)


def new_token() -> str:
    return secrets.token_urlsafe(18)


class AnonymousLink(models.Model):
    """A workplace's secret link for anonymous input; rotating it invalidates the old one."""

    workplace = models.OneToOneField(
        Workplace, on_delete=models.CASCADE, related_name="anonymous_link"
    )
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("senest skiftet"), null=True, blank=True)

    objects = AnonymousLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("anonymt link")
        verbose_name_plural = _("anonyme links")

    def __str__(self):
        return str(self.workplace)

    def get_absolute_url(self):
        return reverse("clarification:anonymous-input", kwargs={"token": self.token})
