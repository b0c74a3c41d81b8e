"""The QR-code poster of a workplace's anonymous link, and rotating the link."""

import pypdfium2
import pytest
import zxingcpp
from django.contrib.messages import get_messages
from django.urls import reverse

from clarification.models import AnonymousLink
from clarification.services.anonymous import get_or_create_link

pytestmark = pytest.mark.django_db

A4_POINTS = (595.28, 841.89)


def poster_url(workplace):
    return reverse("clarification:poster", kwargs={"code": workplace.code})


def rotate_url(workplace):
    return reverse("clarification:rotate-link", kwargs={"code": workplace.code})


def read_pdf(data: bytes) -> tuple[int, tuple[float, float], str, list[str]]:
    """Return the page count, the first page's size, its text and the QR codes on it."""
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=2).to_pil()
        codes = [code.text for code in zxingcpp.read_barcodes(image)]
        return len(document), tuple(page.get_size()), text, codes
    finally:
        document.close()


def test_leader_downloads_an_a4_poster_whose_qr_code_opens_the_form(client, users, org, steps):
    client.force_login(users["leder"])

    response = client.get(poster_url(org["wa1"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages, size, text, codes = read_pdf(response.content)
    link = AnonymousLink.objects.get(workplace=org["wa1"])
    absolute = f"http://testserver/input/{link.token}/"
    assert pages == 1
    assert size == pytest.approx(A4_POINTS, abs=0.5)
    assert codes == [absolute]
    assert "Valhøj Skole" in text
    assert "Børne- og Kulturforvaltningen" in text
    assert "Giv dit input senest 30. juni 2021" in text
    assert "Du er anonym" in text
    assert "Hvad sker der med dit input?" in text
    assert absolute in text.replace("\r", "").replace("\n", "")
    # The QR code leads to a working form.
    assert client.get(codes[0]).status_code == 200


def test_poster_keeps_the_same_link_until_it_is_rotated(client, users, org, steps):
    client.force_login(users["leder"])

    first = read_pdf(client.get(poster_url(org["wa1"])).content)[3]
    second = read_pdf(client.get(poster_url(org["wa1"])).content)[3]

    assert first == second
    assert AnonymousLink.objects.filter(workplace=org["wa1"]).count() == 1


def test_poster_with_a_long_odd_name_stays_on_one_page(client, users, org, steps):
    workplace = org["wa1"]
    workplace.name = "Børnehuset <Sønderbo> & Specialcenter for Børn og Unge " * 3
    workplace.save()
    client.force_login(users["hr"])

    pages, _size, text, codes = read_pdf(client.get(poster_url(workplace)).content)

    assert pages == 1
    assert "Børnehuset <Sønderbo> & Specialcenter" in text
    assert len(codes) == 1


def test_poster_without_clarification_steps_names_no_deadline(client, users, org):
    client.force_login(users["leder"])

    _pages, _size, text, codes = read_pdf(client.get(poster_url(org["wa1"])).content)

    assert "Din leder fortæller, hvornår fristen er." in text
    assert len(codes) == 1


def test_poster_is_kept_by_no_shared_cache(client, users, org, steps):
    client.force_login(users["leder"])

    response = client.get(poster_url(org["wa1"]))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["hr", "direktion", "fagchef"])
def test_hr_direktion_and_the_fagchef_may_print_the_poster(client, users, org, steps, role):
    client.force_login(users[role])

    assert client.get(poster_url(org["wa2"])).status_code == 200


def test_employee_may_not_print_the_poster_of_their_workplace(client, users, org, steps):
    client.force_login(users["medarbejder"])

    assert client.get(poster_url(org["wa1"])).status_code == 403
    assert not AnonymousLink.objects.exists()


def test_leader_of_another_workplace_gets_404_for_poster_and_rotation(client, users, org, steps):
    link = get_or_create_link(workplace=org["wa1"])
    client.force_login(users["leder_b"])

    assert client.get(poster_url(org["wa1"])).status_code == 404
    assert client.get(rotate_url(org["wa1"])).status_code == 404
    assert client.post(rotate_url(org["wa1"])).status_code == 404
    assert AnonymousLink.objects.get().token == link.token


def test_fagchef_of_another_administration_gets_404(client, users, org, steps):
    client.force_login(users["fagchef"])

    assert client.get(poster_url(org["wb1"])).status_code == 404


def test_signed_out_visitor_is_sent_to_log_in(client, org):
    response = client.get(poster_url(org["wa1"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_leader_confirms_and_rotates_the_link(client, users, org, steps):
    old = get_or_create_link(workplace=org["wa1"]).token
    client.force_login(users["leder"])

    confirm = client.get(rotate_url(org["wa1"]))
    assert confirm.status_code == 200
    assert "holder det gamle link og QR-koden på den gamle plakat op med at virke" in confirm.text
    assert AnonymousLink.objects.get().token == old  # GET changes nothing
    step_two_page = reverse("clarification:workplace", kwargs={"code": org["wa1"].code})
    assert f'href="{step_two_page}"' in confirm.text  # back to the leader's step-2 page

    response = client.post(rotate_url(org["wa1"]))

    assert response.status_code == 302
    assert response["Location"] == rotate_url(org["wa1"])
    link = AnonymousLink.objects.get()
    assert link.token != old
    assert link.rotated_at is not None
    assert [str(m) for m in get_messages(response.wsgi_request)][0].startswith("Linket er skiftet")
    old_page = client.get(reverse("clarification:anonymous-input", kwargs={"token": old}))
    assert old_page.status_code == 404
    assert "Linket virker ikke længere" in old_page.text
    new_poster = read_pdf(client.get(poster_url(org["wa1"])).content)
    assert new_poster[3] == [f"http://testserver/input/{link.token}/"]


def test_hr_rotates_a_link_never_printed_before(client, users, org, steps):
    client.force_login(users["hr"])

    assert client.post(rotate_url(org["wb2"])).status_code == 302

    assert AnonymousLink.objects.get(workplace=org["wb2"]).rotated_at is not None


@pytest.mark.parametrize("role", ["fagchef", "direktion", "medarbejder"])
def test_only_the_leader_and_hr_may_rotate(client, users, org, steps, role):
    old = get_or_create_link(workplace=org["wa1"]).token
    client.force_login(users[role])

    assert client.get(rotate_url(org["wa1"])).status_code == 403
    assert client.post(rotate_url(org["wa1"])).status_code == 403
    assert AnonymousLink.objects.get().token == old


def test_rotation_needs_the_csrf_token(users, org, steps):
    from django.test import Client

    old = get_or_create_link(workplace=org["wa1"]).token
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["leder"])

    assert client.post(rotate_url(org["wa1"])).status_code == 403
    assert AnonymousLink.objects.get().token == old


def test_hr_rotates_links_from_the_admin(client, users, org, steps):
    link = get_or_create_link(workplace=org["wa1"])
    client.force_login(users["hr"])
    changelist = reverse("admin:clarification_anonymouslink_changelist")

    page = client.get(changelist)
    response = client.post(
        changelist, {"action": "rotate_links", "_selected_action": [link.pk]}, follow=True
    )

    assert page.status_code == 200
    assert link.token not in page.text  # the secret is not shown in the admin
    assert poster_url(org["wa1"]) in page.text
    assert response.status_code == 200
    assert AnonymousLink.objects.get().token != link.token
