"""Danish by default, English through the language switcher, and a complete, compiled catalogue."""

import ast
import gettext
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.programme.factories import PhaseFactory

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"
# What `make messages` scans; a reference elsewhere means .venv or node_modules slipped in.
PROJECT_DIRS = ("clarification/", "programme/", "rodovre_udvikling/", "seminars/", "templates/")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(autouse=True)
def _danish_afterwards():
    """Leave the thread in Danish: LocaleMiddleware's activate() outlives the request."""
    yield
    translation.deactivate()


def switch_to_english(client, next_url):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


# --- The site in both languages ----------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_danish_by_default(client):
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="da">' in content
    assert "Log ind" in content


@pytest.mark.django_db
def test_language_switcher_shows_the_login_page_in_english(client):
    switch_to_english(client, "/log-ind/")
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Log in" in content
    assert "Log ind" not in content


def test_mit_overblik_is_shown_in_english_after_switching(client, users, programme):
    PhaseFactory(programme=programme)
    client.force_login(users["leder"])
    home = reverse("programme:home")
    danish = client.get(home).content.decode()
    assert re.search(r"<h1[^>]*>Mit overblik</h1>", danish)
    assert "Planlagt:" in danish

    switch_to_english(client, home)
    english = client.get(home).content.decode()
    assert '<html lang="en">' in english
    assert re.search(r"<h1[^>]*>My overview</h1>", english)
    assert "Mit overblik" not in english
    # The phase list is a cached fragment: its key must carry the language.
    assert "Planned:" in english
    assert "Planlagt" not in english


# --- The catalogue ------------------------------------------------------------------------


def read_po(path):
    """Return the entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr, flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"flags": set(), "references": [], "msgstr": {}}
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#:"):
                entry["references"] += [ref.rsplit(":", 1)[0] for ref in line[2:].split()]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += value
                else:
                    entry[field] += value
            else:
                keyword, _, text = line.partition(" ")
                value = ast.literal_eval(text)
                if keyword.startswith("msgstr"):
                    field = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                    entry["msgstr"][field] = value
                else:
                    field = keyword
                    entry[field] = value
        if "msgid" in entry:
            entries.append(entry)
    return entries


def translations_in_po(entries):
    """The catalogue as gettext.GNUTranslations holds it (msgfmt leaves out the fuzzy ones)."""
    catalogue = {}
    for entry in entries:
        if not entry["msgid"] or "fuzzy" in entry["flags"]:
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            for n, text in entry["msgstr"].items():
                if text:
                    catalogue[(msgid, n)] = text
        elif entry["msgstr"][0]:
            catalogue[msgid] = entry["msgstr"][0]
    return catalogue


def translations_in_mo(path):
    with path.open("rb") as mo:
        catalogue = dict(gettext.GNUTranslations(mo)._catalog)
    catalogue.pop("", None)  # the header: its dates change with every makemessages
    return catalogue


def test_catalogue_is_complete():
    header, *entries = read_po(PO_FILE)
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals
    assert all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in read_po(PO_FILE)[1:]:
        source = entry.get("msgid_plural", entry["msgid"])
        for n, text in entry["msgstr"].items():
            expected = source if n else entry["msgid"]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(expected)):
                wrong.append((entry["msgid"], n, text))
    assert wrong == []


def test_catalogue_scans_only_the_project():
    references = {ref for entry in read_po(PO_FILE) for ref in entry["references"]}
    assert references
    assert sorted(ref for ref in references if not ref.startswith(PROJECT_DIRS)) == []


def test_compiled_catalogue_matches_the_po_file():
    """A .po edited or regenerated without `make messages` compiling it fails here."""
    assert translations_in_mo(MO_FILE) == translations_in_po(read_po(PO_FILE))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
def test_compiled_catalogue_matches_a_fresh_compile(tmp_path):
    fresh = tmp_path / "django.mo"
    # What compilemessages runs; --check-format also rejects a broken placeholder.
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, PO_FILE], check=True)
    assert translations_in_mo(MO_FILE) == translations_in_mo(fresh)


def test_browser_language_alone_does_not_switch_from_danish(client):
    response = client.get(reverse("login"), headers={"accept-language": "en-GB,en;q=0.9"})

    assert '<html lang="da">' in response.content.decode()
    assert "Log ind" in response.content.decode()
