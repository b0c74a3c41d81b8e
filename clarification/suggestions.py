"""Danish theme suggestions: which themes an input is about, how sure, and why.

An input is matched against two things per theme:

- the theme's own words (name, keywords, description), after Danish stemming, with
  tolerance for the stemmer's gaps ("dialogisk" matches "dialog") and for compounds
  ("borgerdialog" matches "borger" and "dialog");
- the inputs people have confirmed for the theme (its learned profile: in how many of
  them each stem occurs), so the suggestions learn from HR's choices.

The profiles are precomputed (the learned part is kept up to date on the Theme rows by
the confirmations) and cached per process by the themes' version, so one suggestion
costs the same with 150 or 150,000 inputs in the database.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.db.models import Count, Max

# Snowball's Danish stop-word list, with a few words that carry no theme in this setting.
_STOP_WORDS = """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har
    om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal
    selv her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne
    end dette mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis
    din nogle hos blive mange ad bliver hendes været thi jer sådan
    kan får får fx f.eks bare både bl.a flere mere mest ofte gerne rigtig godt gode god
    vores jeres hinanden helt ved går gør gøre lige nye ny nyt ønsker ønske dag dage uge
    uger år tid brug behov ting andre andet hele hver hvert stor store lille små fast
    sammen finde finder
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

WORD = re.compile(r"[a-zæøåéü]+")
# Words shorter than this are not stemmed or split: too many false friends.
MIN_WORD = 3
# A stem this long matches a theme term it starts with (or that starts with it).
MIN_PREFIX = 5
# Parts of a compound: the modifier and the head each at least this long.
MIN_PART = 4
# Danish linking letters between the parts of a compound ("samskabelse-s-forum").
LINKS = ("s", "e")

NAME_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.4
PHRASE_WEIGHT = 1.5
# How many suggestions an input gets, and the least score worth showing.
TOP = 3
MIN_SCORE = 0.08
# How many learned stems per theme a profile ranks with (the most frequent); the Theme
# row keeps them all, so that a withdrawn confirmation can be subtracted exactly.
LEARNED_TERMS = 3000

_stemmer = snowballstemmer.stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Return the text's content words, lowercased, without stop words."""
    return [w for w in WORD.findall(text.lower()) if len(w) >= MIN_WORD and w not in STOP_WORDS]


def stems(text: str) -> set[str]:
    """Return the distinct stems of the text's content words (what a learned profile counts)."""
    return {stem(w) for w in words(text)}


def _normalise(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


# --- Profiles ---------------------------------------------------------------------------


@dataclass
class ThemeProfile:
    """What one theme is matched on."""

    pk: int
    name: str
    # stem → weight, from the theme's name, keywords and description.
    terms: dict[str, float]
    # multi-word keywords, normalised ("design thinking"), matched as phrases.
    phrases: tuple[str, ...]
    # stem → in how many of the theme's confirmed inputs it occurs.
    learned: dict[str, int]
    learned_count: int
    # filled in by Profiles
    learned_vector: dict[str, float] = field(default_factory=dict)
    learned_norm: float = 0.0


def theme_profile(
    *,
    pk: int,
    name: str,
    description: str,
    keywords: list[str],
    learned: dict[str, int] | None = None,
    learned_count: int = 0,
) -> ThemeProfile:
    """Return the profile of a theme from its texts and its learned counts."""
    terms: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for s in stems(text):
            terms[s] = max(terms.get(s, 0.0), weight)

    add(description, DESCRIPTION_WEIGHT)
    add(name, NAME_WEIGHT)
    for keyword in keywords:
        add(keyword, KEYWORD_WEIGHT)
    phrases = tuple(phrase for phrase in (_normalise(k) for k in keywords) if " " in phrase)
    learned = learned or {}
    if len(learned) > LEARNED_TERMS:
        learned = dict(Counter(learned).most_common(LEARNED_TERMS))
    return ThemeProfile(
        pk=pk,
        name=name,
        terms=terms,
        phrases=phrases,
        learned=dict(learned),
        learned_count=learned_count,
    )


@dataclass
class Match:
    """One word of the input that matched a theme, and through which terms."""

    word: str
    terms: tuple[str, ...]
    parts: tuple[str, ...] = ()
    source: str = "tema"  # "tema": the theme's words; "input": its confirmed inputs

    def as_json(self) -> dict:
        data = {"word": self.word, "source": self.source}
        if self.parts:
            data["parts"] = list(self.parts)
        return data


@dataclass
class Suggestion:
    theme_pk: int
    score: float
    matches: list[Match]

    @property
    def matched_terms(self) -> list[dict]:
        return [m.as_json() for m in self.matches]


class Profiles:
    """All active themes of a programme, ready to rank an input against."""

    def __init__(self, themes: list[ThemeProfile]):
        self.themes = themes
        self.vocabulary = frozenset(s for t in themes for s in t.terms)
        # Every prefix (from MIN_PREFIX letters) of a theme term → the terms it begins.
        self.prefixes: dict[str, set[str]] = {}
        for term in self.vocabulary:
            for i in range(MIN_PREFIX, len(term)):
                self.prefixes.setdefault(term[:i], set()).add(term)
        df = Counter(s for t in themes for s in t.terms)
        n = max(len(themes), 1)
        self.idf = {s: math.log(1 + n / count) for s, count in df.items()}
        # The learned part: a centroid per theme over the confirmed inputs, tf-idf weighted.
        total = sum(t.learned_count for t in themes)
        learned_df: Counter = Counter()
        for t in themes:
            learned_df.update(t.learned)
        self.learned_idf = {
            s: math.log((total + 1) / (count + 1)) + 1 for s, count in learned_df.items()
        }
        for t in themes:
            if t.learned_count:
                t.learned_vector = {
                    s: count / t.learned_count * self.learned_idf[s]
                    for s, count in t.learned.items()
                }
                t.learned_norm = math.sqrt(sum(v * v for v in t.learned_vector.values()))

    # --- matching one word against the themes' vocabulary

    def _term_hits(self, s: str) -> tuple[str, ...]:
        if s in self.vocabulary:
            return (s,)
        if len(s) >= MIN_PREFIX:
            # The stemmer leaves derived forms apart ("dialogisk", "koordinering"):
            # a theme term the stem begins with, or that begins with the stem.
            for i in range(len(s) - 1, MIN_PREFIX - 1, -1):
                if s[:i] in self.vocabulary:
                    return (s[:i],)
            if s in self.prefixes:
                return tuple(sorted(self.prefixes[s]))
        return ()

    def _part_hits(self, part: str) -> tuple[str, ...]:
        if len(part) < MIN_PART:
            return ()
        return self._term_hits(stem(part))

    def _compound_hits(self, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Split a compound at the point where its parts match theme terms best."""
        best: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            left, right = word[:i], word[i:]
            left_hits = self._part_hits(left)
            if not left_hits and left[-1] in LINKS:
                left = left[:-1]
                left_hits = self._part_hits(left)
            right_hits = self._part_hits(right)
            hits = left_hits + right_hits
            if not hits:
                continue
            parts = tuple(p for p, h in ((left, left_hits), (right, right_hits)) if h)
            # More matched parts first, then the longer ones ("ledelses-" over "lede-").
            if (len(hits), sum(map(len, parts))) > (len(best[0]), sum(map(len, best[1]))):
                best = (hits, parts)
        return best

    @lru_cache(maxsize=100_000)  # noqa: B019 - one Profiles per themes' version, kept few
    def word_hits(self, word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the theme terms a word matches, and the compound parts that matched."""
        hits = self._term_hits(stem(word))
        if hits:
            return hits, ()
        if len(word) >= 2 * MIN_PART:
            return self._compound_hits(word)
        return (), ()

    # --- ranking

    def rank(self, text: str, *, top: int = TOP, min_score: float = MIN_SCORE):
        """Return the best themes for the text, best first, each with its score and why."""
        content = words(text)
        normalised = _normalise(text)
        by_term: dict[str, list[Match]] = {}
        seen_words = set()
        for word in content:
            if word in seen_words:
                continue
            seen_words.add(word)
            hits, parts = self.word_hits(word)
            if hits:
                match = Match(word=word, terms=hits, parts=parts)
                for term in hits:
                    by_term.setdefault(term, []).append(match)
        doc_stems = {stem(w) for w in seen_words}
        doc_vector = {s: self.learned_idf[s] for s in doc_stems if s in self.learned_idf}
        doc_norm = math.sqrt(sum(v * v for v in doc_vector.values()))

        suggestions = []
        for theme in self.themes:
            raw, matches = 0.0, []
            for term, weight in theme.terms.items():
                if term in by_term:
                    raw += weight * self.idf[term]
                    matches.extend(m for m in by_term[term] if m not in matches)
            for phrase in theme.phrases:
                if phrase in normalised:
                    raw += PHRASE_WEIGHT * math.log(1 + len(self.themes))
                    matches.append(Match(word=phrase, terms=(phrase,)))
            keyword_score = raw / (raw + 4.0)
            score = keyword_score
            if theme.learned_norm and doc_norm:
                contributions = {
                    s: v * theme.learned_vector[s]
                    for s, v in doc_vector.items()
                    if s in theme.learned_vector
                }
                cosine = sum(contributions.values()) / (theme.learned_norm * doc_norm)
                # Weigh what was learned by how much there is to learn from.
                trust = theme.learned_count / (theme.learned_count + 3)
                score = (1 - 0.6 * trust) * keyword_score + 0.6 * trust * min(1.0, 2 * cosine)
                known = {m.word for m in matches}
                for s, _value in sorted(contributions.items(), key=lambda kv: -kv[1])[:3]:
                    word = next((w for w in content if stem(w) == s), s)
                    if word not in known:
                        matches.append(Match(word=word, terms=(s,), source="input"))
            if score >= min_score:
                suggestions.append(Suggestion(theme.pk, round(score, 4), matches))
        suggestions.sort(key=lambda s: (-s.score, s.theme_pk))
        return suggestions[:top]


# --- Loading the profiles of a programme ----------------------------------------------

_cache: dict[int, tuple[tuple, Profiles]] = {}


def themes_version(programme_id: int) -> tuple:
    """Return what changes whenever a theme or its learned profile changes (one small query)."""
    from .models import Theme

    row = Theme.objects.filter(programme_id=programme_id).aggregate(
        changed=Max("updated_at"), count=Count("pk")
    )
    return (row["changed"], row["count"])


def profiles_for(programme_id: int) -> Profiles:
    """Return the programme's profiles, rebuilt only when its themes have changed."""
    from .models import Theme

    version = themes_version(programme_id)
    cached = _cache.get(programme_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    themes = [
        theme_profile(
            pk=theme.pk,
            name=theme.name,
            description=theme.description,
            keywords=theme.keyword_list,
            learned=theme.learned_terms,
            learned_count=theme.learned_count,
        )
        for theme in Theme.objects.filter(programme_id=programme_id, is_active=True)
    ]
    profiles = Profiles(themes)
    _cache[programme_id] = (version, profiles)
    return profiles


def input_text(item) -> str:
    """Return the text of an input the suggestions read (never changed by them)."""
    return f"{item.title}\n{item.text}\n{item.theme_guesses}"


# --- Similar inputs ---------------------------------------------------------------------

# How alike two inputs must be (cosine of their stem sets) to be proposed for grouping.
MIN_SIMILARITY = 0.2


def similarity(a: set[str], b: set[str]) -> float:
    """Return the cosine of two stem sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def similar(text: str, candidates, *, top: int = 5, min_similarity: float = MIN_SIMILARITY):
    """Return (candidate, similarity) for the candidates most like the text, best first.

    `candidates` are inputs (anything `input_text` reads).
    """
    own = stems(text)
    scored = [(c, similarity(own, stems(input_text(c)))) for c in candidates]
    scored = [(c, round(s, 3)) for c, s in scored if s >= min_similarity]
    scored.sort(key=lambda cs: (-cs[1], cs[0].pk))
    return scored[:top]
