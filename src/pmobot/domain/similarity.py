"""How alike two needs are, in French and English: words, a small lexicon, character n-grams.

A need's title and problem are reduced to *terms*: words folded (no accents,
lower case, elisions such as "l'" dropped), stop words removed, a light
French/English stem taken ("contrats" and "contracts" → "contrat",
"contract"), and every word the lexicon knows replaced by its concept
("contrat" and "contract" → ``contract``). Words the lexicon does not know
still meet their neighbour in the other language through character
trigrams ("cybersecurite" ≈ "cybersecurity").

The score of a pair is a weighted Dice coefficient over their terms: a
term weighs its inverse document frequency (rare words say more), twice in
the title; a shared department adds a little. ``Index`` is an inverted index
of terms (and of the trigrams of word terms) that scores only the needs that
share something with the one being filed, so a check against ten thousand
needs stays fast. Pure: no I/O, no database; ``services.duplicates`` keeps
an index per process fresh from the database.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from pmobot.domain.lexicon import CONCEPTS, GENERIC, PHRASES, STOPWORDS

# A match below this is not shown: tuned on the labelled pairs in tests/core/test_similarity.py.
THRESHOLD = 0.35
# How many similar needs are shown at most.
TOP = 3
# A title term counts this many times a problem term.
TITLE_WEIGHT = 2.0
# Added to a score above zero when both needs come from the same department.
DEPARTMENT_BONUS = 0.05
# A concept in ``lexicon.GENERIC`` weighs this much of another term.
GENERIC_WEIGHT = 0.5
# Needs that share a single term are alike by this much of their score: one word is a weak sign.
SINGLE_TERM_FACTOR = 0.7
# Two words at least this alike by their trigrams count as the same, scaled by how alike.
FUZZY_MIN = 0.6
FUZZY_MIN_LENGTH = 5
# Departments that say nothing in common.
_VAGUE_DEPARTMENTS = frozenset({"", "other"})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_ELISION = re.compile(r"\b(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu)'")
_SPLIT = re.compile(r"[^a-z0-9_\-]+")
# Light suffixes, longest first; a stem keeps at least MIN_STEM letters.
_SUFFIXES = ("issements", "issement", "ements", "ations", "ement", "ation", "ments", "ings", "euses", "ment",
             "ing", "euse", "eurs", "ions", "ers", "ees", "ion", "eur", "ies", "er", "ee", "es", "ed", "s", "x", "e")
MIN_STEM = 4
CONCEPT = "c:"
WORD = "w:"


def plain(text: str) -> str:
    """Lower case, no accents, plain apostrophes: how words are compared here."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def stem(word: str) -> str:
    """A light French/English stem: one common suffix off, never below MIN_STEM letters."""
    if word.endswith("ies") and len(word) - 3 >= MIN_STEM - 1:
        return word[:-3] + "y"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def _concept_maps() -> tuple[dict[str, str], dict[str, str]]:
    """The concept of each word as written, and of each stem (a word as written wins over a stem:
    "form" is a form even though "formation" stems to it)."""
    exact: dict[str, str] = {}
    stems: dict[str, str] = {}
    for concept, (french, english) in CONCEPTS.items():
        for form in (*french, *english):
            exact.setdefault(plain(form), concept)
            stems.setdefault(stem(plain(form)), concept)
    return exact, stems


_BY_WORD, _BY_STEM = _concept_maps()
_PHRASE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)) + r")\b")


def words(text: str) -> list[str]:
    """The meaningful words of ``text``, folded, phrases joined, stop words and numbers out."""
    folded = _ELISION.sub(" ", plain(text))
    folded = _PHRASE.sub(lambda m: PHRASES[m.group(0)], folded)
    out = []
    for raw in _SPLIT.split(folded):
        word = raw.strip("-_")
        if len(word) < 2 or word.isdigit() or word in STOPWORDS:
            continue
        out.append(word)
    return out


def terms(text: str) -> dict[str, str]:
    """Each term of ``text`` (a concept or a stemmed word) and the first word that gave it, as written."""
    out: dict[str, str] = {}
    for word in words(text):
        concept = _BY_WORD.get(word) or _BY_WORD.get(stem(word)) or _BY_STEM.get(stem(word))
        key = CONCEPT + concept if concept else WORD + stem(word)
        out.setdefault(key, word)
    return out


def trigrams(term: str) -> frozenset[str]:
    padded = f"#{term}#"
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Document:
    """What is compared of a need: its terms with their field weight, the words they came from, its department."""

    fields: dict[str, float]
    surface: dict[str, str]
    department: str

    @property
    def terms(self) -> Iterable[str]:
        return self.fields.keys()


def document(title: str, problem: str, department: str | None) -> Document:
    fields: dict[str, float] = {}
    surface: dict[str, str] = {}
    for weight, text in ((TITLE_WEIGHT, title), (1.0, problem)):
        for term, word in terms(text or "").items():
            scaled = weight * (GENERIC_WEIGHT if term[len(CONCEPT):] in GENERIC and term.startswith(CONCEPT) else 1.0)
            fields[term] = max(fields.get(term, 0.0), scaled)
            surface.setdefault(term, word)
    return Document(fields, surface, (department or "").strip().lower())


@dataclass(frozen=True)
class Match:
    """A need found alike: its id, the score (0..1), the words both share (this one's, the other's) and
    whether both come from the same department."""

    need_id: int
    score: float
    shared: tuple[tuple[str, str], ...]
    same_department: bool


class Index:
    """An inverted index of needs' terms, and of the trigrams of their word terms, for ``search``."""

    def __init__(self) -> None:
        self._docs: dict[int, Document] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._grams: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, need_id: object) -> bool:
        return need_id in self._docs

    def add(self, need_id: int, doc: Document) -> None:
        self.remove(need_id)
        self._docs[need_id] = doc
        for term, weight in doc.fields.items():
            posting = self._postings.setdefault(term, {})
            if not posting and term.startswith(WORD):
                for gram in trigrams(term[len(WORD):]):
                    self._grams.setdefault(gram, set()).add(term)
            posting[need_id] = weight

    def remove(self, need_id: int) -> None:
        doc = self._docs.pop(need_id, None)
        if doc is None:
            return
        for term in doc.terms:
            posting = self._postings.get(term)
            if posting is None:
                continue
            posting.pop(need_id, None)
            if not posting:
                del self._postings[term]
                if term.startswith(WORD):
                    for gram in trigrams(term[len(WORD):]):
                        holders = self._grams.get(gram)
                        if holders is not None:
                            holders.discard(term)
                            if not holders:
                                del self._grams[gram]

    def idf(self, term: str) -> float:
        return math.log(1 + (len(self._docs) + 1) / (1 + len(self._postings.get(term, ()))))

    def _weight(self, doc: Document) -> float:
        return sum(w * self.idf(t) for t, w in doc.fields.items())

    def _alike(self, term: str) -> list[tuple[str, float]]:
        """The term itself if indexed, and indexed word terms alike enough by their trigrams."""
        out = [(term, 1.0)] if term in self._postings else []
        word = term[len(WORD):]
        if not term.startswith(WORD) or len(word) < FUZZY_MIN_LENGTH:
            return out
        grams = trigrams(word)
        counts: dict[str, int] = {}
        for gram in grams:
            for other in self._grams.get(gram, ()):
                counts[other] = counts.get(other, 0) + 1
        for other, common in counts.items():
            if other == term:
                continue
            size = len(other) - len(WORD)
            alike = 2 * common / (len(grams) + size)
            if alike >= FUZZY_MIN:
                out.append((other, alike))
        return out

    def search(self, doc: Document, *, limit: int = TOP, threshold: float = THRESHOLD,
               exclude: Iterable[int] = ()) -> list[Match]:
        """The ``limit`` indexed needs most like ``doc`` scoring at least ``threshold``, best first."""
        found: dict[int, float] = {}
        shared: dict[int, int] = {}
        for term, weight in doc.fields.items():
            mine = weight * self.idf(term)
            best: dict[int, float] = {}
            for other, alike in self._alike(term):
                theirs_idf = self.idf(other)
                for need_id, their_weight in self._postings[other].items():
                    part = min(mine, their_weight * theirs_idf) * alike
                    if part > best.get(need_id, 0.0):
                        best[need_id] = part
            for need_id, part in best.items():
                found[need_id] = found.get(need_id, 0.0) + part
                shared[need_id] = shared.get(need_id, 0) + 1
        skip = set(exclude)
        own = self._weight(doc)
        # score ≤ 2 × common / own (+ the department's bonus): most needs sharing a word or two
        # cannot reach the threshold, and are left before their own weight is summed.
        floor = (threshold - DEPARTMENT_BONUS) * own / 2
        scored = []
        for need_id, common in found.items():
            if common < floor or need_id in skip:
                continue
            other_doc = self._docs[need_id]
            score = 2 * common / (own + self._weight(other_doc))
            score = self._final(score * (SINGLE_TERM_FACTOR if shared[need_id] == 1 else 1.0), doc, other_doc)
            if score >= threshold:
                scored.append((score, need_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [self.explain(doc, need_id, score) for score, need_id in scored[:limit]]

    @staticmethod
    def _final(score: float, doc: Document, other: Document) -> float:
        if score > 0 and doc.department not in _VAGUE_DEPARTMENTS and doc.department == other.department:
            score += DEPARTMENT_BONUS
        return min(1.0, score)

    def explain(self, doc: Document, need_id: int, score: float) -> Match:
        """Why ``need_id`` matched: the words both needs share, the heaviest first."""
        other = self._docs[need_id]
        pairs: list[tuple[float, str, str]] = []
        for term, weight in doc.fields.items():
            for candidate, alike in self._alike(term) or [(term, 1.0)]:
                if candidate in other.fields:
                    pairs.append((weight * self.idf(term) * alike, doc.surface[term], other.surface[candidate]))
                    break
        pairs.sort(key=lambda p: -p[0])
        return Match(need_id, round(score, 3), tuple((mine, theirs) for _, mine, theirs in pairs),
                     doc.department not in _VAGUE_DEPARTMENTS and doc.department == other.department)


def score(a: Document, b: Document) -> float:
    """The score of one pair alone (weights without corpus frequencies): for tests and explanations."""
    index = Index()
    index.add(1, b)
    found = index.search(a, limit=1, threshold=0.0)
    return found[0].score if found else 0.0
