"""Seminar materials: which files HR may upload, and how they are stored and served.

A file is accepted by what its first bytes prove it is, not by its name: PDF, the Office
Open XML formats (a ZIP whose name says .docx, .pptx or .xlsx) and images. It is stored
under a random name in private storage; the original name stays in the row.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clarification.services.submissions import HEAD_BYTES, clean_file_name, detect_content_type

MAX_MATERIAL_BYTES = 25 * 1024 * 1024
OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP_SIGNATURE = b"PK\x03\x04"


def check_upload(upload) -> tuple[str, str]:
    """Return (content type, clean original name) or raise a Danish ValidationError."""
    if upload.size == 0:
        raise ValidationError(_("Filen er tom."))
    if upload.size > MAX_MATERIAL_BYTES:
        raise ValidationError(_("Filen er for stor. Den må højst fylde 25 MB."))
    name = clean_file_name(upload.name or "")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    content_type = detect_content_type(head)
    extension = name.rpartition(".")[2].lower()
    if content_type is None and head.startswith(ZIP_SIGNATURE) and extension in OFFICE_TYPES:
        content_type = OFFICE_TYPES[extension]
    if content_type is None:
        raise ValidationError(
            _(
                "Filtypen kan ikke bruges. Upload en PDF, en Word-, PowerPoint- eller Excel-fil "
                "eller et billede."
            )
        )
    return content_type, name


def delete_file(sender, instance, **kwargs) -> None:
    """post_delete receiver: the file goes with its row (also when its seminar is deleted),
    once the deletion is committed."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def forget_replaced(material) -> None:
    """Delete the file a material had before this change, after the commit."""
    old = type(material).objects.filter(pk=material.pk).values_list("file", flat=True).first()
    storage = material.file.storage
    if old:
        transaction.on_commit(lambda: storage.delete(old))
