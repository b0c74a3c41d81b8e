"""Fagchefforum's meetings: the kick-off and the five seminars, experts, agenda, attendance.

A seminar's dates are kept in its history (django-simple-history) when it moves, and its
`sequence` grows, so calendars that hold it replace it (seminars.ical). Attendance has a
status per participant with every change kept as an AttendanceEvent.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clarification.models import get_private_storage
from programme.access import scope_for
from programme.models import ExternalPerson, Person, Programme

from .. import ical


class SeminarKind(models.TextChoices):
    KICKOFF = "kickoff", _("Kick-off")
    SEMINAR = "seminar", _("Seminar")


class MeetingFormat(models.TextChoices):
    PHYSICAL = "fysisk", _("Fysisk")
    VIRTUAL = "virtuelt", _("Virtuelt")
    HYBRID = "hybrid", _("Hybrid")


class SeminarQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR and direktion see every seminar; a participant those they are invited to."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id is None:
            return self.none()
        return self.filter(attendances__person_id=scope.person_id)

    def held(self, now=None):
        return self.filter(is_cancelled=False, ends_at__lt=now or timezone.now())


def seminar_title(kind: str, number, theme: str) -> str:
    if kind == SeminarKind.KICKOFF:
        return _("Kick-off: %(theme)s") % {"theme": theme}
    return _("Seminar %(number)s: %(theme)s") % {"number": number, "theme": theme}


def seminar_where(place: str, online_url: str) -> str:
    return " · ".join(part for part in (place, online_url) if part)


# What a seminar's calendar entry is made of; the feed reads just these (values_list).
MEETING_FIELDS = (
    "pk",
    "kind",
    "number",
    "theme",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "description",
    "is_cancelled",
    "sequence",
)


def seminar_meeting(*, url: str, attendees=(), **fields) -> ical.Meeting:
    """A seminar as a calendar sees it, from its MEETING_FIELDS (a row or an instance)."""
    return ical.Meeting(
        uid=ical.uid_for("seminar", fields["pk"]),
        sequence=fields["sequence"],
        start=fields["starts_at"],
        end=fields["ends_at"],
        summary=seminar_title(fields["kind"], fields["number"], fields["theme"]),
        location=seminar_where(fields["place"], fields["online_url"]),
        description=fields["description"],
        url=url,
        cancelled=fields["is_cancelled"],
        attendees=tuple(attendees),
    )


class Seminar(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="seminars")
    kind = models.CharField(
        _("art"), max_length=10, choices=SeminarKind.choices, default=SeminarKind.SEMINAR
    )
    number = models.PositiveSmallIntegerField(_("nummer"), null=True, blank=True)
    theme = models.CharField(_("tema"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    format = models.CharField(
        _("form"), max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.PHYSICAL
    )
    place = models.CharField(_("sted"), max_length=200, blank=True, default="")
    online_url = models.URLField(_("link til onlinemødet"), blank=True, default="")
    is_cancelled = models.BooleanField(_("aflyst"), default=False)
    # The anonymous evaluation is open from the seminar's end for this many days.
    evaluation_days = models.PositiveSmallIntegerField(
        _("evalueringen er åben (dage)"),
        default=14,
        help_text=_("Så mange dage efter seminarets afslutning kan deltagerne evaluere det."),
    )
    proposals = models.ManyToManyField(
        "seminars.ThemeProposal",
        verbose_name=_("temaforslag, seminaret tager op"),
        blank=True,
        related_name="seminars",
    )
    # iCalendar SEQUENCE: grows each time the seminar moves or is cancelled.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = SeminarQuerySet.as_manager()

    class Meta:
        verbose_name = _("seminar")
        verbose_name_plural = _("seminarer")
        ordering = ["programme", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Seminaret skal slutte efter, det starter."),
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "number"],
                name="%(app_label)s_%(class)s_unique_number",
                violation_error_message=_("Forløbet har allerede et seminar med dette nummer."),
            ),
            models.CheckConstraint(
                condition=~Q(format="fysisk") | ~Q(place=""),
                name="%(app_label)s_%(class)s_physical_has_place",
                violation_error_message=_("Et fysisk seminar skal have et sted."),
            ),
            models.CheckConstraint(
                condition=Q(format="fysisk") | ~Q(online_url=""),
                name="%(app_label)s_%(class)s_online_has_link",
                violation_error_message=_("Et virtuelt eller hybridt seminar skal have et link."),
            ),
        ]

    def __str__(self):
        return seminar_title(self.kind, self.number, self.theme)

    def get_absolute_url(self):
        return reverse("seminars:detail", kwargs={"pk": self.pk})

    @property
    def is_held(self) -> bool:
        return not self.is_cancelled and self.ends_at < timezone.now()

    @property
    def where(self) -> str:
        return seminar_where(self.place, self.online_url)

    def as_meeting(self, attendees=()) -> ical.Meeting:
        return seminar_meeting(
            **{name: getattr(self, name) for name in MEETING_FIELDS},
            url=settings.SITE_URL.rstrip("/") + self.get_absolute_url(),
            attendees=attendees,
        )


class ExpertEngagement(models.Model):
    """An external expert's part in a seminar, and the fee (it feeds the budget)."""

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="experts")
    expert = models.ForeignKey(
        ExternalPerson,
        verbose_name=_("ekstern oplægsholder"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "ekspert"},
        related_name="engagements",
    )
    topic = models.CharField(_("emne"), max_length=200)
    fee = models.DecimalField(
        _("honorar (kr.)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("ekstern oplægsholder på seminaret")
        verbose_name_plural = _("eksterne oplægsholdere på seminaret")
        ordering = ["seminar", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0),
                name="%(app_label)s_%(class)s_fee_not_negative",
                violation_error_message=_("Honoraret kan ikke være negativt."),
            ),
        ]

    def __str__(self):
        return f"{self.expert}: {self.topic}"


class BlockKind(models.TextChoices):
    INPUT = "oplaeg", _("Teori, metode og værktøjer (oplæg)")
    DIALOGUE = "dialog", _("Refleksiv dialog i fagchefforum")
    ACTION_LEARNING = "aktionslaering", _("Kobling til egen aktionslæring")


class AgendaBlock(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="agenda")
    starts = models.TimeField(_("kl."))
    kind = models.CharField(_("art"), max_length=20, choices=BlockKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    responsible = models.CharField(_("ansvarlig"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("programpunkt")
        verbose_name_plural = _("program")
        ordering = ["seminar", "starts", "pk"]

    def __str__(self):
        return f"{self.starts:%H.%M} {self.title}"


class AttendanceStatus(models.TextChoices):
    INVITED = "inviteret", _("Inviteret")
    REGISTERED = "tilmeldt", _("Tilmeldt")
    ATTENDED = "deltog", _("Deltog")
    ABSENT = "fravaer", _("Fraværende")


class Attendance(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    absence_reason = models.CharField(_("årsag til fravær"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)

    class Meta:
        verbose_name = _("deltagelse")
        verbose_name_plural = _("deltagelse")
        ordering = ["seminar", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["seminar", "person"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("Personen er allerede inviteret til seminaret."),
            ),
            models.CheckConstraint(
                condition=Q(status="fravaer") | Q(absence_reason=""),
                name="%(app_label)s_%(class)s_reason_only_when_absent",
                violation_error_message=_("Angiv kun en årsag ved fravær."),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"


class AttendanceEvent(models.Model):
    """One change of a participant's status: from, to, why, who and when."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("fra"), max_length=12, choices=AttendanceStatus.choices, blank=True, default=""
    )
    to_status = models.CharField(_("til"), max_length=12, choices=AttendanceStatus.choices)
    reason = models.CharField(_("årsag"), max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("ændring af deltagelse")
        verbose_name_plural = _("ændringer af deltagelse")
        ordering = ["attendance", "at", "pk"]

    def __str__(self):
        return f"{self.attendance}: {self.from_status} → {self.to_status}"


def _material_path(instance, filename):
    # A random name: the original file name is kept in the row, never in the path.
    return f"seminarmateriale/{instance.seminar_id}/{secrets.token_hex(16)}"


class SeminarMaterial(models.Model):
    """Slides, readings and tools from a seminar, readable only by its participants.

    The file lives in private storage with no public address; seminars.views.material
    serves it to those who may see the seminar (Seminar.objects.for_user).
    """

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(_("fil"), upload_to=_material_path, storage=get_private_storage)
    original_name = models.CharField(_("filnavn"), max_length=200, editable=False)
    content_type = models.CharField(_("filtype"), max_length=100, editable=False)
    size = models.PositiveIntegerField(_("størrelse (bytes)"), editable=False, default=0)
    uploaded_at = models.DateTimeField(_("uploadet"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("materiale")
        verbose_name_plural = _("materialer")
        ordering = ["seminar", "title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("seminars:material", kwargs={"pk": self.seminar_id, "material": self.pk})
