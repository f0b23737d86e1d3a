"""Find a procedure from what a visitor types, and order procedures on the home screen.

Visitors type without accents, in capitals or not, with a typo, or with the name a service
had ten years ago. So a query and every searchable text go through the same
normalisation (lower case, no accents, no punctuation, singular), each query word may be
a prefix of a word (the visitor is still typing) or be one typo away from it, and a table
of synonyms and old names, the one place for them, adds what the content does not say.

Ranking: every query word must be found (else the best partial matches are shown); a
word found in the title or the keywords counts more than one found in the summary; an
exact word counts more than a prefix, which counts more than a typo; the query found as a
phrase in a title or keyword gets a bonus; ties go to the most popular procedure.

Pure Python and rapidfuzz, no I/O: one keystroke costs a few milliseconds on a
1,000-procedure catalog (bench/search_bench.py), so the UI may call it directly.
rapidfuzz is imported by load_matcher() (~12 ms), which the app calls once the first frame
is shown, so that neither the start nor a visitor's first keystroke pays for it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from typing import Iterable, Mapping

from kiosk.content.model import Category, ContentPack, Procedure

# What visitors type -> what the content says. Old names, abbreviations, everyday words.
# Keys and values are written plainly; they go through normalise() like everything else.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "pole emploi": ("france travail",),
    "anpe": ("france travail",),
    "assedic": ("france travail",),
    "chomage": ("france travail",),
    "secu": ("ameli", "assurance maladie"),
    "securite sociale": ("ameli", "assurance maladie"),
    "cpam": ("ameli", "assurance maladie"),
    "caisse primaire": ("ameli",),
    "cni": ("carte d'identité",),
    "carte nationale": ("carte d'identité",),
    "courriel": ("e-mail",),
    "mel": ("e-mail",),
    "boite mail": ("e-mail",),
    "impot": ("impôts",),
    "taxe": ("impôts",),
    "fisc": ("impôts",),
    "tresor public": ("impôts", "finances publiques"),
    "carte grise": ("certificat d'immatriculation",),
    "carte bleue": ("carte bancaire",),
    "cb": ("carte bancaire",),
    "apl": ("aide au logement",),
    "allocs": ("caf",),
    "allocations": ("caf",),
    "mdp": ("mot de passe",),
    "appli": ("application",),
    "app": ("application",),
    "visio": ("appel vidéo",),
    "phishing": ("hameçonnage", "arnaque"),
    "escroquerie": ("arnaque",),
    "texto": ("sms",),
    "ordi": ("ordinateur",),
    "hlm": ("logement social",),
    "dmp": ("mon espace santé",),
    "dossier medical": ("mon espace santé",),
    "france connect": ("franceconnect",),
    "cv": ("curriculum vitae",),
    "pension": ("retraite",),
}

# Words that say nothing about which procedure is meant.
STOPWORDS = frozenset("""
a au aux avec c ce ces comment d de des du elle en et il j je l la le les leur m ma me mes
moi mon n ne nos notre ou par pas pour qu que qui s sa se ses son sur ta te tes toi ton tu
un une vos votre vous y est suis faire veux voudrais besoin
""".split())

# How much a found word counts, by where it was found: the title says what a procedure
# is, keywords what it touches.
FIELD_WEIGHTS = {"title": 1.0, "keywords": 0.9, "summary": 0.6, "category": 0.5}
# How much a found word counts, by how it matched the query word.
EXACT, TYPO, PREFIX_TYPO = 1.0, 0.7, 0.5
SYNONYM = 0.95   # found through the synonym table rather than as typed
PHRASE_BONUS = 0.5
MIN_PREFIX = 3   # shorter words are only prefixes while the visitor is typing them
MIN_TYPO = 4     # "caf" one typo away is "cap", "car"…: too many false friends
_CACHE_SIZE = 512

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_ACCENTS = re.compile(r"[\u0300-\u036f]+")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_COMPOUND = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)+")


def _fold(text: str) -> str:
    """Lower case, no accents, œ/æ spelled out; other non-Latin letters are dropped."""
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("æ", "ae"))
    return _NOT_ASCII.sub(" ", _ACCENTS.sub("", text))  # ’ « » … become spaces


def _stem(word: str) -> str:
    """Singular, roughly: "impôts" and "impot" are the same word to a visitor."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """What a text looks like to the search: "Pôle  Emploi's" -> "pole emploi s"."""
    return " ".join(_NOT_ALNUM.sub(" ", _fold(text)).split())


def words(text: str) -> list[str]:
    """Searchable words of a text: normalised, stemmed, without stop words."""
    return [_stem(w) for w in normalise(text).split() if w not in STOPWORDS]


def _compounds(text: str) -> list[str]:
    """Hyphenated words also as one word: "email" for "e-mail", "predemande" for "pré-demande"."""
    return [_stem(_NOT_ALNUM.sub("", c)) for c in _COMPOUND.findall(_fold(text))]


def _synonym_table() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    table: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for key, values in SYNONYMS.items():
        table[tuple(words(key))] = tuple(tuple(words(v)) for v in values)
    return table


_SYNONYMS = _synonym_table()
_LONGEST_KEY = max(len(k) for k in _SYNONYMS)


def load_matcher() -> None:
    """Import rapidfuzz now; a search imports it anyway if nobody called this first."""
    import rapidfuzz.distance.OSA  # noqa: F401
    import rapidfuzz.process  # noqa: F401


class SearchIndex:
    """Built once per content pack (a few ms per hundred procedures); search() per keystroke."""

    def __init__(self, pack: ContentPack, language: str = "fr"):
        # One index per language: the procedures in it (French where not translated), found
        # by their translated words and still by the French ones (a word seen on a letter).
        french = sorted(pack.procedures.values(), key=lambda p: (-p.popularity, p.title))
        self._procedures: list[Procedure] = [pack.procedure_in(p.id, language) for p in french]
        categories = {c.id: c for c in pack.categories_in(language)}
        french_categories = {c.id: c for c in pack.categories}
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._phrases: list[list[tuple[str, ...]]] = []
        for i, proc in enumerate(self._procedures):
            fields = [("title", proc.title), ("summary", proc.summary)]
            fields += [("keywords", k) for k in proc.keywords]  # a translation's keep French ones
            if proc.category in categories:
                fields.append(("category", categories[proc.category].title))
            if proc is not french[i]:
                fields += [("title", french[i].title), ("summary", french[i].summary)]
                if proc.category in french_categories:
                    fields.append(("category", french_categories[proc.category].title))
            phrases = []
            for field, text in fields:
                weight = FIELD_WEIGHTS[field]
                found = words(text)
                if field in ("title", "keywords"):
                    phrases.append(tuple(found))
                for word in found + _compounds(text) if "-" in text or "." in text else found:
                    if postings[word].get(i, 0.0) < weight:
                        postings[word][i] = weight
            self._phrases.append(phrases)
        self._postings = dict(postings)
        self._vocabulary = sorted(self._postings)
        # Every prefix of every word, by length, to match a half-typed word with a typo.
        prefixes: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for word in self._vocabulary:
            for n in range(MIN_TYPO, len(word)):
                prefixes[n][word[:n]].append(word)
        self._prefixes = {n: (list(by_prefix), dict(by_prefix)) for n, by_prefix in prefixes.items()}
        self._cache: dict[tuple[str, bool], dict[int, float]] = {}

    def __len__(self) -> int:
        return len(self._procedures)

    def forget(self) -> None:
        """Drop the cache of typed words (its keys are what the visitor typed): at reset."""
        self._cache = {}

    def remembers_nothing(self) -> bool:
        return not self._cache

    def search(self, query: str, limit: int = 8) -> list[Procedure]:
        """The procedures that best match what the visitor typed, best first; [] for no query."""
        typing = not query[-1:].isspace() if query else False
        tokens = normalise(query).split()
        if not tokens:
            return []
        last = len(tokens) - 1
        # A stop word the visitor is still typing may be the start of a real word ("l" -> "logement").
        kept = [(_stem(t), i == last and typing) for i, t in enumerate(tokens)
                if t not in STOPWORDS or (i == last and typing)]
        if not kept:
            return []
        units = self._units(kept)
        unit_scores = [self._unit_score(u) for u in units]
        totals: dict[int, float] = defaultdict(float)
        found: dict[int, int] = defaultdict(int)
        for scores in unit_scores:
            for i, s in scores.items():
                totals[i] += s
                found[i] += 1
        if not totals:
            return []
        most = max(found.values())  # all units when some procedure has them all
        ranked = [i for i in totals if found[i] == most]
        if len(kept) > 1:
            for i in ranked:
                if self._has_phrase(i, kept):
                    totals[i] += PHRASE_BONUS
        # Round so that near-equal scores count as ties, left to popularity (the list order).
        ranked.sort(key=lambda i: (-round(totals[i], 3), i))
        return [self._procedures[i] for i in ranked[:limit]]

    # ----- matching ------------------------------------------------------------------

    def _units(self, kept: list[tuple[str, bool]]) -> list[list[tuple[tuple[tuple[str, bool], ...], float]]]:
        """Group query words into units, each with its alternatives (as typed, synonyms)."""
        units = []
        i = 0
        while i < len(kept):
            for n in range(min(_LONGEST_KEY, len(kept) - i), 0, -1):
                key = self._synonym_key(kept[i:i + n])
                if key is not None:
                    typed = tuple(kept[i:i + n])
                    alternatives = [(typed, 1.0)]
                    # A synonym is a finished phrase: its words are matched whole.
                    alternatives += [(tuple((w, False) for w in alt), SYNONYM) for alt in _SYNONYMS[key]]
                    units.append(alternatives)
                    i += n
                    break
            else:
                units.append([((kept[i],), 1.0)])
                i += 1
        return units

    def _synonym_key(self, typed: list[tuple[str, bool]]) -> tuple[str, ...] | None:
        """The synonym table's key for these query words, allowing one typo per word.

        A word the catalog knows is taken as meant ("courrier" is not a typo of "courriel"),
        and the last word of a longer key may be half typed ("pole em").
        """
        exact = tuple(w for w, _ in typed)
        if exact in _SYNONYMS:
            return exact
        still_typing = typed[-1][1]
        for key in _SYNONYMS:
            if len(key) != len(exact):
                continue
            if all(self._close(w, k) for w, k in zip(exact, key)):
                return key
            if still_typing and len(key) > 1 and key[:-1] == exact[:-1] and key[-1].startswith(exact[-1]):
                return key
        return None

    def _close(self, word: str, key_word: str) -> bool:
        from rapidfuzz.distance import OSA  # here, not at the top: see load_matcher()

        return word == key_word or (len(word) >= MIN_TYPO and word not in self._postings
                                    and OSA.distance(word, key_word, score_cutoff=1) <= 1)

    def _unit_score(self, alternatives) -> dict[int, float]:
        """Per procedure, the best alternative in which every word is found."""
        best: dict[int, float] = {}
        size = len(alternatives[0][0])
        for alt, factor in alternatives:
            per_word = [self._word_matches(w, prefix) for w, prefix in alt]
            common = set(per_word[0]).intersection(*per_word[1:])
            for i in common:
                score = factor * size * sum(m[i] for m in per_word) / len(per_word)
                if score > best.get(i, 0.0):
                    best[i] = score
        return best

    def _word_matches(self, token: str, typing: bool) -> dict[int, float]:
        """Procedure index -> how well its best word matches token (match kind x field weight)."""
        prefix = typing or len(token) >= MIN_PREFIX
        key = (token, prefix)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        out: dict[int, float] = {}

        def add(word: str, quality: float) -> None:
            for i, weight in self._postings[word].items():
                score = quality * weight
                if score > out.get(i, 0.0):
                    out[i] = score

        if token in self._postings:
            add(token, EXACT)
        if prefix:
            start = bisect.bisect_right(self._vocabulary, token)
            for word in self._vocabulary[start:]:
                if not word.startswith(token):
                    break
                add(word, 0.6 + 0.3 * len(token) / len(word))  # more typed, closer to exact
        if len(token) >= MIN_TYPO:
            from rapidfuzz import process  # here, not at the top: see load_matcher()
            from rapidfuzz.distance import OSA

            for word, _, _ in process.extract(token, self._vocabulary, scorer=OSA.distance,
                                              score_cutoff=1, limit=None):
                if word != token:
                    add(word, TYPO)
            if prefix and len(token) in self._prefixes:
                heads, by_head = self._prefixes[len(token)]
                for head, _, _ in process.extract(token, heads, scorer=OSA.distance,
                                                  score_cutoff=1, limit=None):
                    if head != token:
                        for word in by_head[head]:
                            add(word, PREFIX_TYPO)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = out
        return out

    def _has_phrase(self, i: int, kept: list[tuple[str, bool]]) -> bool:
        """The query's words, in order and side by side, in a title or keyword of procedure i."""
        query = [w for w, _ in kept]
        n = len(query)
        for phrase in self._phrases[i]:
            for start in range(len(phrase) - n + 1):
                window = phrase[start:start + n]
                if list(window[:-1]) == query[:-1] and window[-1].startswith(query[-1]):
                    return True
        return False


# ----- home screen --------------------------------------------------------------------

# Below this many recorded starts, statistics say more about the last few visitors than
# about what people need: the authors' popularity decides instead.
MIN_USAGE_TOTAL = 30


def home_order(pack: ContentPack, usage_counts: Mapping[str, int] | None = None,
               category: str | None = None) -> list[Procedure]:
    """Procedures for the home screen (or one category), the most used first.

    usage_counts: procedure id -> times started (Stats.usage_counts()); used once there
    are MIN_USAGE_TOTAL starts in all, else popularity alone orders the list.
    """
    counts = usage_counts or {}
    if sum(counts.values()) < MIN_USAGE_TOTAL:
        counts = {}
    procedures: Iterable[Procedure] = pack.procedures.values()
    if category is not None:
        procedures = (p for p in procedures if p.category == category)
    return sorted(procedures, key=lambda p: (-counts.get(p.id, 0), -p.popularity, p.title))


def home_categories(pack: ContentPack, language: str = "fr") -> list[Category]:
    """Categories that hold at least one procedure, in the pack's order."""
    used = {p.category for p in pack.procedures.values()}
    return [c for c in pack.categories_in(language) if c.id in used]
