"""Individual coaching for fagchefforum: the allowance, coaches' offered times, sessions, notes.

The confidentiality wall (product.md): a note's text is read only through
CoachingNote.objects.for_user() — the participant's own notes by the participant (and by
the coach when shared), the coach's notes by the coach. HR sees dates, coach and status,
direktion aggregates. Notes are not in the admin, have no history table, are in no export
or search, and every read is kept as a NoteRead that nobody can change.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.access import RoleGroup, scope_for
from programme.models import ExternalPerson, Person, Programme

from .. import ical


class CoachingPolicy(models.Model):
    """The programme's coaching terms: how many sessions, and what a no-show costs."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="coaching_policy"
    )
    sessions_per_participant = models.PositiveSmallIntegerField(
        _("samtaler pr. deltager"), default=3, validators=[MinValueValidator(1)]
    )
    no_show_uses_session = models.BooleanField(
        _("udeblivelse bruger en samtale"),
        default=True,
        help_text=_(
            "En aflyst samtale går altid tilbage til puljen; en udeblivelse kun, hvis ikke."
        ),
    )
    book_by = models.DateField(
        _("book senest"),
        null=True,
        blank=True,
        help_text=_("Deltagere, der ikke har booket alle samtaler, får en påmindelse denne dag."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coachingordning")
        verbose_name_plural = _("coachingordninger")

    def __str__(self):
        return _("Coaching i %(programme)s") % {"programme": self.programme}

    @property
    def expires_on(self):
        """The allowance expires when the programme ends."""
        return self.programme.ends_on

    def counted_statuses(self) -> tuple[str, ...]:
        """The statuses in which a session uses one of the participant's sessions."""
        counted = (*UPCOMING, SessionStatus.HELD)
        return (*counted, SessionStatus.NO_SHOW) if self.no_show_uses_session else counted


class SessionStatus(models.TextChoices):
    PLANNED = "planlagt", _("Planlagt")
    CONFIRMED = "bekraeftet", _("Bekræftet")
    HELD = "afholdt", _("Afholdt")
    CANCELLED = "aflyst", _("Aflyst")
    NO_SHOW = "udeblevet", _("Udeblevet")


# Sessions that hold a time in the coach's calendar.
UPCOMING = (SessionStatus.PLANNED, SessionStatus.CONFIRMED)
# Sessions that occupy an offered time (a cancelled one gives it back).
NOT_CANCELLED = (*UPCOMING, SessionStatus.HELD, SessionStatus.NO_SHOW)


def coach_q(user, prefix: str = "") -> Q:
    """Rows of the coach behind this login (a coach is an ExternalPerson with the Coach role)."""
    if not scope_for(user).has(RoleGroup.COACH):
        return Q(pk__in=[])
    return Q(**{f"{prefix}coach__user": user, f"{prefix}coach__is_active": True})


class CoachingSlotQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR sees every offered time, a coach their own, a forum member those to book."""
        from ..services import is_forum_member

        scope = scope_for(user)
        if scope.is_hr:
            return self
        q = coach_q(user)
        if is_forum_member(scope):
            q |= Q(coach__is_active=True)
        return self.filter(q)

    def open(self, now=None):
        """Future times no session holds."""
        return self.filter(starts_at__gt=now or timezone.now()).exclude(
            sessions__status__in=NOT_CANCELLED
        )


class CoachingSlot(models.Model):
    """A time a coach offers; a participant books it and it becomes a session."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(
        ExternalPerson,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "coach"},
        related_name="coaching_slots",
    )
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    place = models.CharField(_("sted eller link"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CoachingSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("tilbudt coachingtid")
        verbose_name_plural = _("tilbudte coachingtider")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Tiden skal slutte efter, den starter."),
            ),
            models.UniqueConstraint(
                fields=["coach", "starts_at"],
                name="%(app_label)s_%(class)s_unique_start",
                violation_error_message=_("Du tilbyder allerede en tid, der starter da."),
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.coach.name} {local:%d.%m.%Y %H.%M}"


class CoachingSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """HR sees every session (dates, coach, status); the two parties their own.

        Direktion sees coaching as aggregates only (seminars.panels), not here.
        """
        scope = scope_for(user)
        if scope.is_hr:
            return self
        q = coach_q(user)
        if scope.person_id is not None:
            q |= Q(coachee_id=scope.person_id)
        return self.filter(q)

    def using_allowance(self, policy: CoachingPolicy):
        return self.filter(programme_id=policy.programme_id, status__in=policy.counted_statuses())


class CoachingSession(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="coaching_sessions"
    )
    coachee = models.ForeignKey(
        Person,
        verbose_name=_("deltager"),
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
    )
    coach = models.ForeignKey(
        ExternalPerson,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "coach"},
        related_name="coaching_sessions",
    )
    slot = models.ForeignKey(
        CoachingSlot,
        verbose_name=_("tilbudt tid"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starter"))
    ends_at = models.DateTimeField(_("slutter"))
    place = models.CharField(_("sted eller link"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    # iCalendar SEQUENCE: grows each time the session moves or is cancelled.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now, editable=False)
    # The times and the place, as they were: the history holds no note text (notes are
    # another table with no history).
    history = HistoricalRecords(excluded_fields=["sequence"])

    objects = CoachingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("coachingsamtale")
        verbose_name_plural = _("coachingsamtaler")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Samtalen skal slutte efter, den starter."),
            ),
            # Two bookings of one offered time: the second fails here, whatever the race.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=NOT_CANCELLED),
                name="%(app_label)s_%(class)s_one_per_slot",
                violation_error_message=_("Tiden er allerede booket."),
            ),
            models.UniqueConstraint(
                fields=["coach", "starts_at"],
                condition=Q(status__in=UPCOMING),
                name="%(app_label)s_%(class)s_coach_not_double_booked",
                violation_error_message=_("Coachen har allerede en samtale på det tidspunkt."),
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return _("Coaching %(date)s: %(coachee)s og %(coach)s") % {
            "date": f"{local:%d.%m.%Y %H.%M}",
            "coachee": self.coachee.name,
            "coach": self.coach.name,
        }

    def get_absolute_url(self):
        return reverse("coaching:session", kwargs={"pk": self.pk})

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING

    def as_meeting(self, attendees=()) -> ical.Meeting:
        return session_meeting(
            pk=self.pk,
            sequence=self.sequence,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            place=self.place,
            status=self.status,
            coachee=self.coachee.name,
            coach=self.coach.name,
            url=settings.SITE_URL.rstrip("/") + self.get_absolute_url(),
            attendees=attendees,
        )


# What a session's calendar entry is made of; the feed reads just these (values_list).
MEETING_FIELDS = (
    "pk",
    "sequence",
    "starts_at",
    "ends_at",
    "place",
    "status",
    "coachee__name",
    "coach__name",
)


def session_meeting(
    *, pk, sequence, starts_at, ends_at, place, status, coachee, coach, url, attendees=()
) -> ical.Meeting:
    """A coaching session as a calendar sees it (from an instance or a MEETING_FIELDS row)."""
    return ical.Meeting(
        uid=ical.uid_for("coaching", pk),
        sequence=sequence,
        start=starts_at,
        end=ends_at,
        summary=str(_("Coachingsamtale: %(coachee)s og %(coach)s"))
        % {"coachee": coachee, "coach": coach},
        location=place,
        url=url,
        cancelled=status == SessionStatus.CANCELLED,
        attendees=tuple(attendees),
    )


class CoachingSessionEvent(models.Model):
    """One change of a session's status: from, to, why, who and when."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("fra"), max_length=12, choices=SessionStatus.choices, blank=True, default=""
    )
    to_status = models.CharField(_("til"), max_length=12, choices=SessionStatus.choices)
    reason = models.CharField(_("årsag"), max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("ændring af coachingsamtale")
        verbose_name_plural = _("ændringer af coachingsamtaler")
        ordering = ["session", "at", "pk"]

    def __str__(self):
        return f"{self.session_id}: {self.from_status} → {self.to_status}"


class NoteAuthor(models.TextChoices):
    PARTICIPANT = "deltager", _("Deltagerens note")
    COACH = "coach", _("Coachens note")


class CoachingNoteQuerySet(models.QuerySet):
    def for_user(self, user):
        """The notes whose text this user may read; nobody else's, not even HR's.

        The participant reads their own notes; the coach their own notes and the notes the
        participant shared with them. HR, direktion and superusers read none.
        """
        scope = scope_for(user)
        q = Q(pk__in=[])
        if scope.person_id is not None:
            q |= Q(author=NoteAuthor.PARTICIPANT, session__coachee_id=scope.person_id)
        coach = coach_q(user, prefix="session__")
        q |= coach & (Q(author=NoteAuthor.COACH) | Q(shared_with_coach=True))
        return self.filter(q)


class CoachingNote(models.Model):
    """A party's own notes on one session (one per party), focused on action learning."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="notes")
    author = models.CharField(max_length=10, choices=NoteAuthor.choices)
    text = models.TextField(_("noter"))
    shared_with_coach = models.BooleanField(_("del med coachen"), default=False)
    updated_at = models.DateTimeField(_("senest ændret"), auto_now=True)

    objects = CoachingNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("coachingnote")
        verbose_name_plural = _("coachingnoter")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author"], name="%(app_label)s_%(class)s_one_per_party"
            ),
            models.CheckConstraint(
                condition=Q(author="deltager") | Q(shared_with_coach=False),
                name="%(app_label)s_%(class)s_only_participant_shares",
            ),
        ]

    def __str__(self):
        # Never the text: this string may end up in logs and admin messages.
        return f"{self.get_author_display()} ({self.session_id})"


class ReadPurpose(models.TextChoices):
    OWN = "egen", _("Egen note")
    SHARED = "delt", _("Delt af deltageren")


class NoteRead(models.Model):
    """One read of a note's text: who read whose note, when and why. Never changed."""

    note = models.ForeignKey(CoachingNote, on_delete=models.PROTECT, related_name="reads")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("læst af"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    coachee = models.ForeignKey(
        Person, verbose_name=_("hvis note"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("formål"), max_length=10, choices=ReadPurpose.choices)
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("læsning af coachingnote")
        verbose_name_plural = _("læsninger af coachingnoter")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["coachee", "at"], name="seminars_noteread_coachee_idx")]

    def __str__(self):
        return f"{self.reader_id} → {self.note_id} ({self.at:%Y-%m-%d %H:%M})"
