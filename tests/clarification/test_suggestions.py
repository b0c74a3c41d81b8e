"""The Danish text processing behind the theme suggestions (no database)."""

from collections import Counter

from clarification import suggestions as sg
from clarification.themes import MEMO_THEMES
from programme.demo.clarification_texts import ANONYMOUS_ITEMS, LEADER_ITEMS


def _profiles(learned=None):
    learned = learned or {}
    return sg.Profiles(
        [
            sg.theme_profile(
                pk=pk,
                name=t.name,
                description=t.description,
                keywords=list(t.keywords),
                learned=learned.get(t.name, (Counter(), 0))[0],
                learned_count=learned.get(t.name, (Counter(), 0))[1],
            )
            for pk, t in enumerate(MEMO_THEMES, start=1)
        ]
    )


def _name(pk):
    return MEMO_THEMES[pk - 1].name


def test_danish_stemming_joins_inflected_forms():
    assert sg.stems("borger borgere borgerne") == {"borg"}
    assert sg.stems("dialogen dialoger") == {"dialog"}


def test_stop_words_are_dropped():
    assert sg.words("Vi vil gerne have at det bliver bedre") == ["bedre"]


def test_compound_matches_its_parts():
    profiles = _profiles()
    hits, parts = profiles.word_hits("borgersamtalerne")
    assert set(hits) == {"borg", "samtal"}
    assert parts == ("borger", "samtalerne")


def test_compound_modifier_with_linking_s_matches():
    hits, parts = _profiles().word_hits("ledelsesværktøjer")
    assert hits == ("led",)
    assert parts == ("ledelses",)


def test_compound_starting_with_a_theme_term_matches_it():
    hits, parts = _profiles().word_hits("samskabelsesforum")
    assert hits == ("samskab",)


def test_derived_form_matches_theme_term_it_starts_with():
    hits, parts = _profiles().word_hits("koordineringsmøder")
    assert "koordinering" in hits or "koordin" in hits
    assert parts == ()


def test_suggestion_explains_itself_with_the_input_words():
    ranked = _profiles().rank("Vi vil styrke borgersamtalerne med de pårørende")
    top = ranked[0]
    assert _name(top.theme_pk) == "Dialogisk samspil med borgere"
    words = {m["word"]: m for m in top.matched_terms}
    assert words["borgersamtalerne"]["parts"] == ["borger", "samtalerne"]
    assert "pårørende" in words
    assert 0 < top.score <= 1


def test_text_without_theme_words_gets_no_suggestion():
    assert _profiles().rank("Kaffemaskinen i kantinen er gået i stykker") == []


def test_learning_from_confirmed_inputs_lifts_a_theme_without_keywords():
    text = "Vi vil holde kaffemøder om morgenen i kantinen"
    before = [_name(s.theme_pk) for s in _profiles().rank(text)]
    assert "Social kapital" not in before
    confirmed = Counter()
    for other in (
        "Kaffemøder i kantinen hver fredag",
        "Morgenkaffe i kantinen for hele huset",
        "Fælles morgenmad i kantinen",
    ):
        confirmed.update(sg.stems(other))
    profiles = _profiles({"Social kapital": (confirmed, 3)})
    after = profiles.rank(text)
    assert _name(after[0].theme_pk) == "Social kapital"
    assert any(m["source"] == "input" for m in after[0].matched_terms)


def test_demo_texts_mostly_get_their_intended_theme_first():
    """The demo texts were written for a theme: the keywords alone find most of them."""
    items = LEADER_ITEMS + ANONYMOUS_ITEMS
    profiles = _profiles()
    hits = sum(
        1
        for theme, _k, _f, title, text in items
        if (ranked := profiles.rank(f"{title}\n{text}")) and _name(ranked[0].theme_pk) == theme
    )
    assert hits / len(items) >= 0.7


def test_similar_inputs_rank_by_shared_stems():
    class Item:
        def __init__(self, pk, title, text):
            self.pk, self.title, self.text, self.theme_guesses = pk, title, text, ""

    near = Item(1, "Svære samtaler med pårørende", "Konflikter med pårørende i plejen")
    far = Item(2, "Nyt kopipapir", "Printeren mangler papir")
    result = sg.similar("Samtaler med de pårørende om konflikter", [far, near])
    assert [item.pk for item, _score in result] == [1]
