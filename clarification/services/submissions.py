"""Step 2: a workplace's activities and input, its attachments, and the delivery.

Every write here takes the step-2 gate first (`require_open`, a row lock on the step's
state in the workplace's administration) and then the workplace's submission row, always
in that order, so a write and HR closing the step agree, and two leaders of the same
workplace writing at once are serialised on the submission.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import MedCommittee, MedLevel, Programme, Workplace

from ..models import (
    Activity,
    Attachment,
    Input,
    InputSource,
    StepNumber,
    Submission,
    SubmissionStatus,
    private_storage,
)
from ..tasks import suggest_themes
from .steps import require_open

# What a leader may set on an activity and an input; everything else (the submission,
# the workplace, the source, the programme) is decided here, never by the request.
ACTIVITY_FIELDS = (
    "method",
    "method_other",
    "held_on",
    "staff_participants",
    "leader_participants",
    "med_involved",
    "med_committee",
    "notes",
)
INPUT_FIELDS = ("kind", "title", "text", "suggested_form", "theme_guesses")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_INPUT = 10


class SubmissionError(Exception):
    """A step-2 rule was broken; the message is Danish and meant for the user."""


class NothingToDeliver(SubmissionError):
    """A delivery needs at least one activity or one input."""


class AttachmentRejected(SubmissionError):
    """An uploaded file is of a type we do not accept, too large, or one too many."""


@dataclass(frozen=True)
class InputItem:
    """One row of the leader's input form: a new item (no pk), a change or a deletion."""

    pk: int | None = None
    data: dict = field(default_factory=dict)
    delete: bool = False


# --- The submission -------------------------------------------------------------------


def _gate(*, programme: Programme, workplace: Workplace) -> None:
    require_open(
        programme=programme,
        number=StepNumber.EXECUTION,
        administration=workplace.administration,
    )


@transaction.atomic
def get_or_create_submission(*, programme: Programme, workplace: Workplace) -> Submission:
    """Lock and return the workplace's submission, created as a draft if missing.

    Raises StepClosed unless step 2 is open in the workplace's administration.
    """
    _gate(programme=programme, workplace=workplace)
    # get_or_create retries the get when a concurrent create wins the unique constraint.
    submission, _created = Submission.objects.select_for_update().get_or_create(
        programme=programme, workplace=workplace
    )
    return submission


def _ensure_not_emptied(submission: Submission) -> None:
    """Refuse a change that would leave a delivered submission with nothing in it."""
    if not submission.is_delivered:
        return
    if not (submission.activities.exists() or submission.inputs.exists()):
        raise SubmissionError(
            _(
                "Arbejdspladsen har afleveret. Der skal være mindst én aktivitet eller "
                "ét input tilbage i afleveringen."
            )
        )


def _touch(submission: Submission, by) -> None:
    # The submission's history then shows every later edit and who made it.
    submission._history_user = by
    submission.save(update_fields=["updated_at"])


# --- Activities -----------------------------------------------------------------------


def committees_for(workplace: Workplace):
    """The MED committees covering a workplace: its own, its administration's, hoved-MED."""
    return (
        MedCommittee.objects.filter(
            Q(workplaces=workplace)
            | Q(level=MedLevel.ADMINISTRATION, administration_id=workplace.administration_id)
            | Q(level=MedLevel.MAIN)
        )
        .distinct()
        .order_by("level", "name")
    )


@transaction.atomic
def save_activity(
    *,
    programme: Programme,
    workplace: Workplace,
    data: dict,
    by,
    activity: Activity | None = None,
) -> Activity:
    """Create an activity for the workplace, or change one of its activities."""
    submission = get_or_create_submission(programme=programme, workplace=workplace)
    if activity is None:
        activity = Activity(submission=submission)
    else:
        # Only an activity of this very submission: a pk from elsewhere is not found.
        activity = Activity.objects.select_for_update().get(pk=activity.pk, submission=submission)
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    if not activity.med_involved:
        activity.med_committee = None
    committee = activity.med_committee
    if committee is not None and not committees_for(workplace).filter(pk=committee.pk).exists():
        raise SubmissionError(_("MED-udvalget dækker ikke arbejdspladsen."))
    activity._history_user = by
    activity.save()
    _touch(submission, by)
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, by) -> None:
    """Delete one of a workplace's activities."""
    current = activity.submission
    submission = get_or_create_submission(programme=current.programme, workplace=current.workplace)
    activity = Activity.objects.select_for_update().get(pk=activity.pk, submission=submission)
    activity._history_user = by
    activity.delete()
    _ensure_not_emptied(submission)
    _touch(submission, by)


# --- Input ----------------------------------------------------------------------------


@transaction.atomic
def save_inputs(
    *, programme: Programme, workplace: Workplace, items: Iterable[InputItem], by
) -> Submission:
    """Apply the leader's new, changed and deleted input items to the workplace's draft."""
    submission = get_or_create_submission(programme=programme, workplace=workplace)
    items = list(items)
    existing = {
        item.pk: item
        for item in Input.objects.select_for_update().filter(
            submission=submission,
            source=InputSource.LEADER,
            pk__in=[i.pk for i in items if i.pk is not None],
        )
    }
    unused_files = []
    for item in items:
        if item.pk is not None:
            row = existing.get(item.pk)
            if row is None:
                # Another workplace's input, or one deleted meanwhile: never touched here.
                raise SubmissionError(_("Et af punkterne findes ikke længere. Prøv igen."))
        elif item.delete:
            continue
        else:
            row = Input(
                programme=programme,
                workplace=workplace,
                submission=submission,
                source=InputSource.LEADER,
            )
        row._history_user = by
        if item.delete:
            unused_files += list(row.attachments.values_list("file", flat=True))
            row.delete()
            continue
        texts = (row.title, row.text, row.theme_guesses)
        for name in INPUT_FIELDS:
            if name in item.data:
                setattr(row, name, item.data[name])
        row.save()
        if texts != (row.title, row.text, row.theme_guesses):
            # New or reworded: its theme suggestions are (re)computed after the commit.
            suggest_themes.delay_on_commit(row.pk)
    _ensure_not_emptied(submission)
    _touch(submission, by)
    if unused_files:
        transaction.on_commit(lambda: _delete_files(unused_files))
    return submission


# --- Delivery -------------------------------------------------------------------------


@transaction.atomic
def deliver_submission(*, programme: Programme, workplace: Workplace, by) -> Submission:
    """Mark the workplace as having delivered; delivering again changes nothing."""
    submission = get_or_create_submission(programme=programme, workplace=workplace)
    if submission.is_delivered:
        return submission
    if not (submission.activities.exists() or submission.inputs.exists()):
        raise NothingToDeliver(_("Registrér mindst én aktivitet eller ét input, før du afleverer."))
    submission.status = SubmissionStatus.DELIVERED
    submission.delivered_at = timezone.now()
    submission.delivered_by = by
    submission._history_user = by
    submission.save()
    return submission


# --- Attachments ----------------------------------------------------------------------

# (content type, the bytes a file of that type starts with at the given offset)
_SIGNATURES = [
    ("image/jpeg", 0, b"\xff\xd8\xff"),
    ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
    ("application/pdf", 0, b"%PDF-"),
]
# ISO base media file format brands (ISO/IEC 23008-12) of HEIC and other HEIF images.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
# Brands that share the HEIF container but are not HEIF images we accept.
_OTHER_BRANDS = {b"avif", b"avis"}


def detect_content_type(head: bytes) -> str | None:
    """Return the content type the file's first bytes prove, or None if not accepted."""
    for content_type, offset, signature in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return content_type
    # HEIF: a 'ftyp' box first: its size, 'ftyp', the major brand, a version, then the
    # compatible brands, four bytes each, up to the box's end.
    if len(head) >= 16 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        if not 16 <= box_size <= len(head):
            return None
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, box_size - 3, 4)}
        if brands & _OTHER_BRANDS:
            return None
        if brands & _HEIC_BRANDS:
            return "image/heic"
        if brands & _HEIF_BRANDS:
            return "image/heif"
    return None


HEAD_BYTES = 256


def clean_file_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or _("bilag")
    stem, dot, extension = name.rpartition(".")
    if len(name) > 200 and dot and len(extension) <= 10:
        # Shorten the stem, keep the extension the user's programs open the file by.
        name = f"{stem[: 199 - len(extension)]}.{extension}"
    return name[:200]


@transaction.atomic
def add_attachment(*, item: Input, upload, by) -> Attachment:
    """Attach a JPEG, PNG, PDF or HEIC file to one of the leader's input items."""
    submission = get_or_create_submission(programme=item.programme, workplace=item.workplace)
    # The lock on the item serialises uploads to it, so the count below stays true.
    item = Input.objects.select_for_update().get(
        pk=item.pk, submission=submission, source=InputSource.LEADER
    )
    if item.attachments.count() >= MAX_ATTACHMENTS_PER_INPUT:
        raise AttachmentRejected(
            _("Et input kan højst have %(n)s bilag.") % {"n": MAX_ATTACHMENTS_PER_INPUT}
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected(_("Filen er større end 10 MB."))
    if upload.size == 0:
        raise AttachmentRejected(_("Filen er tom."))
    upload.seek(0)
    content_type = detect_content_type(upload.read(HEAD_BYTES))
    upload.seek(0)
    if content_type is None:
        raise AttachmentRejected(
            _("Filtypen kan ikke bruges. Vælg et billede (JPEG, PNG, HEIC) eller en PDF.")
        )
    attachment = Attachment(
        input=item,
        original_name=clean_file_name(upload.name or ""),
        content_type=content_type,
        size=upload.size,
    )
    # Saved under a random name (the model's upload_to); the user's name stays in the row.
    attachment.file.save("bilag", upload, save=False)
    stored = attachment.file.name
    # If the row cannot be written, the file it would have described goes too.
    try:
        attachment.save()
    except Exception:
        private_storage.delete(stored)
        raise
    _touch(submission, by)
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: Attachment, by) -> None:
    """Remove an attachment; its file is deleted once the removal is committed."""
    item = attachment.input
    submission = get_or_create_submission(programme=item.programme, workplace=item.workplace)
    attachment = Attachment.objects.select_for_update().get(
        pk=attachment.pk, input__submission=submission, input__source=InputSource.LEADER
    )
    name = attachment.file.name
    attachment.delete()
    _touch(submission, by)
    transaction.on_commit(lambda: _delete_files([name]))


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            private_storage.delete(name)
