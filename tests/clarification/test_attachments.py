"""Attachments to the leader's input: checked by content, stored privately, served only to
those who may see the input, as downloads."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.functional import empty

from clarification.models import Attachment, Input, private_storage
from clarification.services.steps import close_step
from clarification.services.submissions import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_INPUT,
    AttachmentRejected,
    InputItem,
    add_attachment,
    detect_content_type,
    save_inputs,
)
from programme.models import Role
from tests.programme.factories import (
    LeadershipFactory,
    PersonFactory,
    WorkplaceFactory,
    login_for,
)

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b" " * 200


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """The first box of an ISO base media file: size, 'ftyp', brand, version, brands."""
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 200


HEIC = ftyp(b"heic", b"mif1", b"heic")
HEIF = ftyp(b"mif1", b"mif1")


@pytest.fixture(autouse=True)
def private_files(tmp_path):
    """Keep uploaded attachments of a test in its own directory."""
    location = tmp_path / "private"
    private_storage._wrapped = FileSystemStorage(location=location)
    yield location
    private_storage._wrapped = empty


@pytest.fixture
def item(users, org, programme, steps):
    """One input item of the first leader's workplace (wa1)."""
    save_inputs(
        programme=programme,
        workplace=org["wa1"],
        items=[
            InputItem(
                data={
                    "kind": "ide",
                    "title": "Fælles kalender",
                    "text": "Tekst",
                    "suggested_form": "lokalt",
                }
            )
        ],
        by=users["leder"],
    )
    return Input.objects.get(workplace=org["wa1"])


@pytest.fixture
def their_item(users, org, programme, steps):
    """An input item of the other leader's workplace (wb1)."""
    save_inputs(
        programme=programme,
        workplace=org["wb1"],
        items=[
            InputItem(
                data={
                    "kind": "behov",
                    "title": "Deres",
                    "text": "Tekst",
                    "suggested_form": "lokalt",
                }
            )
        ],
        by=users["leder_b"],
    )
    return Input.objects.get(workplace=org["wb1"])


def attach(item, user, content=PNG, name="flipover.png"):
    return add_attachment(item=item, upload=SimpleUploadedFile(name, content), by=user)


def upload_url(item):
    return reverse(
        "clarification:attachment-upload", kwargs={"code": item.workplace.code, "pk": item.pk}
    )


def download_url(attachment):
    return reverse("clarification:attachment-download", kwargs={"pk": attachment.pk})


def delete_url(attachment):
    return reverse("clarification:attachment-delete", kwargs={"pk": attachment.pk})


def stored_files(location):
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


# --- What a file is, by its content ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (HEIC, "image/heic"),
        (ftyp(b"heix", b"mif1"), "image/heic"),
        (HEIF, "image/heif"),
        (ftyp(b"mif1", b"avif"), None),
        (ftyp(b"avif", b"mif1"), None),
        (ftyp(b"isom", b"mp41"), None),
        (b"GIF89a" + b"\x00" * 20, None),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
        (b"PK\x03\x04", None),
        (b"\x00\x00\x00\x08ftypheic", None),
        (b"", None),
    ],
)
def test_file_type_is_decided_by_content(content, expected):
    assert detect_content_type(content[:256]) == expected


# --- Upload ---------------------------------------------------------------------------


def test_leader_uploads_a_photo_stored_privately_under_a_random_name(
    client, users, item, private_files
):
    client.force_login(users["leder"])

    response = client.post(
        upload_url(item),
        {"file": SimpleUploadedFile("Flipover fra workshop.jpg", JPEG, "image/jpeg")},
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.input == item
    assert attachment.original_name == "Flipover fra workshop.jpg"
    assert attachment.content_type == "image/jpeg"
    assert attachment.size == len(JPEG)
    assert "Flipover" not in attachment.file.name
    assert attachment.file.name.startswith(f"bilag/{item.workplace_id}/")
    assert [p.read_bytes() for p in stored_files(private_files)] == [JPEG]
    # Nothing serves the stored file but the download page.
    assert client.get(f"/media/private/{attachment.file.name}").status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    page = client.get(response["Location"]).content.decode()
    assert "Flipover fra workshop.jpg" in page


def test_the_content_decides_the_type_not_the_name_or_the_header(client, users, item):
    client.force_login(users["leder"])

    client.post(upload_url(item), {"file": SimpleUploadedFile("billede.png", PDF, "image/png")})

    assert Attachment.objects.get().content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("side.html", b"<!doctype html><script>alert(1)</script>"),
        ("foto.jpg", b"<svg onload=alert(1)>"),
        ("program.exe", b"MZ\x90\x00\x03"),
        ("dokument.docx", b"PK\x03\x04\x14\x00"),
    ],
)
def test_other_file_types_are_refused_in_danish(client, users, item, private_files, name, content):
    client.force_login(users["leder"])

    response = client.post(upload_url(item), {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert "Filtypen kan ikke bruges" in str(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()
    assert stored_files(private_files) == []


def test_a_file_over_10_mb_is_refused_without_being_stored(client, users, item, private_files):
    client.force_login(users["leder"])
    too_big = PNG + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(PNG))

    response = client.post(upload_url(item), {"file": SimpleUploadedFile("stor.png", too_big)})

    assert response.status_code == 200
    assert "større end 10 MB" in str(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()
    assert stored_files(private_files) == []


def test_a_file_of_exactly_10_mb_is_accepted(users, item):
    exactly = PNG + b"\x00" * (MAX_ATTACHMENT_BYTES - len(PNG))
    assert attach(item, users["leder"], exactly).size == MAX_ATTACHMENT_BYTES


def test_an_empty_file_is_refused(client, users, item):
    client.force_login(users["leder"])

    response = client.post(upload_url(item), {"file": SimpleUploadedFile("tom.png", b"")})

    assert response.context["form"].errors["file"]
    assert not Attachment.objects.exists()


def test_at_most_ten_attachments_per_input(client, users, item):
    for n in range(MAX_ATTACHMENTS_PER_INPUT):
        attach(item, users["leder"], name=f"{n}.png")
    client.force_login(users["leder"])

    with pytest.raises(AttachmentRejected):
        attach(item, users["leder"])
    page = client.get(upload_url(item)).content.decode()
    response = client.post(upload_url(item), {"file": SimpleUploadedFile("11.png", PNG)})

    assert "højeste antal" in page
    assert "højst have 10 bilag" in str(response.context["form"].errors["file"])
    assert item.attachments.count() == MAX_ATTACHMENTS_PER_INPUT


def test_a_path_in_the_file_name_is_dropped(users, item):
    attachment = attach(item, users["leder"], name="../../etc/passwd.png")
    assert attachment.original_name == "passwd.png"
    assert ".." not in attachment.file.name


def test_upload_ignores_a_posted_input_or_workplace(client, users, item, their_item):
    client.force_login(users["leder"])

    client.post(
        upload_url(item),
        {
            "file": SimpleUploadedFile("a.png", PNG),
            "input": str(their_item.pk),
            "workplace": str(their_item.workplace_id),
            "content_type": "text/html",
        },
    )

    attachment = Attachment.objects.get()
    assert attachment.input == item
    assert attachment.content_type == "image/png"


def test_upload_without_csrf_token_is_refused(users, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["leder"])

    response = client.post(upload_url(item), {"file": SimpleUploadedFile("a.png", PNG)})

    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("role", ["fagchef", "hr", "direktion"])
def test_readers_may_not_upload(client, users, item, role):
    client.force_login(users[role])

    response = client.post(upload_url(item), {"file": SimpleUploadedFile("a.png", PNG)})

    assert response.status_code == 403
    assert not Attachment.objects.exists()


# --- Download -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leder", "fagchef", "hr", "direktion"])
def test_those_who_may_see_the_input_download_it_as_an_attachment(client, users, item, role):
    attachment = attach(item, users["leder"], JPEG, name="Flipover æøå.jpg")
    client.force_login(users[role])

    response = client.get(download_url(attachment))

    assert response.status_code == 200
    assert response.content == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Flipover%20%C3%A6%C3%B8%C3%A5.jpg" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "public" not in cache_control


def test_leader_gets_404_on_another_workplaces_attachments(client, users, item, their_item):
    theirs = attach(their_item, users["leder_b"])
    client.force_login(users["leder"])

    assert client.get(download_url(theirs)).status_code == 404
    assert client.get(delete_url(theirs)).status_code == 404
    assert client.post(delete_url(theirs)).status_code == 404
    assert client.get(upload_url(their_item)).status_code == 404
    response = client.post(upload_url(their_item), {"file": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 404
    # Their input under my workplace's address is not found either.
    mine_url = reverse(
        "clarification:attachment-upload",
        kwargs={"code": item.workplace.code, "pk": their_item.pk},
    )
    assert client.post(mine_url, {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 404
    assert list(Attachment.objects.all()) == [theirs]


def test_fagchef_gets_404_on_another_administrations_attachment(client, users, their_item):
    theirs = attach(their_item, users["leder_b"])
    client.force_login(users["fagchef"])

    assert client.get(download_url(theirs)).status_code == 404


def test_staff_get_403_on_attachments(client, users, item):
    attachment = attach(item, users["leder"])
    client.force_login(users["medarbejder"])

    assert client.get(download_url(attachment)).status_code == 403


def test_a_missing_file_answers_404(client, users, item, private_files):
    attachment = attach(item, users["leder"])
    for path in stored_files(private_files):
        path.unlink()
    client.force_login(users["leder"])

    assert client.get(download_url(attachment)).status_code == 404


# --- Delete ---------------------------------------------------------------------------


def test_leader_removes_an_attachment_after_confirming(
    client, users, item, private_files, django_capture_on_commit_callbacks
):
    attachment = attach(item, users["leder"])
    client.force_login(users["leder"])

    confirm = client.get(delete_url(attachment))
    assert "Ja, fjern bilaget" in confirm.content.decode()
    assert Attachment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(attachment))

    assert response.status_code == 302
    assert response["Location"] == upload_url(item)
    assert not Attachment.objects.exists()
    assert stored_files(private_files) == []


@pytest.mark.parametrize("role", ["fagchef", "hr", "direktion"])
def test_readers_may_not_remove_attachments(client, users, item, role):
    attachment = attach(item, users["leder"])
    client.force_login(users[role])

    assert client.post(delete_url(attachment)).status_code == 403
    assert Attachment.objects.exists()


def test_deleting_an_input_deletes_its_files(
    users, org, programme, item, private_files, django_capture_on_commit_callbacks
):
    attach(item, users["leder"])
    attach(item, users["leder"], PDF, name="referat.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        save_inputs(
            programme=programme,
            workplace=org["wa1"],
            items=[
                InputItem(
                    data={"kind": "behov", "title": "Nyt", "text": "T", "suggested_form": "lokalt"}
                ),
                InputItem(pk=item.pk, delete=True),
            ],
            by=users["leder"],
        )

    assert not Attachment.objects.exists()
    assert stored_files(private_files) == []


# --- A closed step --------------------------------------------------------------------


def test_closed_step_keeps_attachments_readable_but_unchangeable(
    client, users, org, item, steps, private_files
):
    attachment = attach(item, users["leder"])
    close_step(step=steps[2], administration=org["admin_a"], by=users["hr"])
    client.force_login(users["leder"])

    page = client.get(upload_url(item))
    upload = client.post(upload_url(item), {"file": SimpleUploadedFile("b.png", PNG)})
    removal = client.post(delete_url(attachment))

    assert page.status_code == 200
    assert "Siden kan kun læses" in page.content.decode()
    assert "Upload bilag" not in page.content.decode()
    assert upload.status_code == 409
    assert removal.status_code == 409
    assert client.get(download_url(attachment)).status_code == 200
    assert list(Attachment.objects.all()) == [attachment]
    assert len(stored_files(private_files)) == 1


def test_leader_of_another_administration_with_same_named_unit_sees_nothing(
    client, org, programme, users, item
):
    """A leader in administration B, whose unit has the same name, still gets 404."""
    unit = WorkplaceFactory(administration=org["admin_b"], name=org["wa1"].name)
    person = PersonFactory(workplace=unit, role=Role.LEADER)
    LeadershipFactory(workplace=unit, person=person)
    attachment = attach(item, users["leder"])
    client.force_login(login_for(person))

    assert client.get(download_url(attachment)).status_code == 404


# --- The admin ------------------------------------------------------------------------


def test_hr_sees_an_inputs_attachments_in_the_admin_with_a_download_link(client, users, item):
    attachment = attach(item, users["leder"], name="<b>flipover.png")
    client.force_login(users["hr"])

    response = client.get(reverse("admin:clarification_input_change", args=[item.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert download_url(attachment) in content
    assert "&lt;b&gt;flipover.png" in content
    assert client.get(download_url(attachment)).status_code == 200


def test_input_and_attachments_are_not_added_in_the_admin(client, users, item):
    client.force_login(users["hr"])

    assert client.get(reverse("admin:clarification_input_add")).status_code == 403
    change = client.get(reverse("admin:clarification_input_change", args=[item.pk]))
    assert "attachments-TOTAL_FORMS" in change.content.decode()
    assert 'name="attachments-0-file"' not in change.content.decode()
