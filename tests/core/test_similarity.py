"""Needs alike across French and English: words folded and stemmed, the lexicon, trigrams, the score by
hand, and the labelled pairs (the same need told twice, different needs sharing words) both ways."""

from __future__ import annotations

import math

from bench.duplicate_pairs import DIFFERENT, SAME, quality
from pmobot.domain import lexicon
from pmobot.domain.similarity import (
    THRESHOLD,
    Index,
    document,
    plain,
    score,
    stem,
    terms,
    trigrams,
    words,
)


def test_words_are_folded_elided_and_stop_words_dropped() -> None:
    assert plain("Échéances À RENOUVELER") == "echeances a renouveler"
    assert words("L'outil d'achat des fournisseurs, pour 20 personnes") == ["outil", "achat", "fournisseurs"]
    # Phrases are one word: a "note de frais" is not three.
    assert words("nos notes de frais") == ["note_de_frais"]


def test_a_light_stem_makes_plurals_and_endings_meet() -> None:
    assert stem("contrats") == stem("contrat") == "contrat"
    assert stem("contracts") == stem("contract") == "contract"
    assert stem("invoicing") == stem("invoices") == "invoic"
    assert stem("companies") == "company"
    assert stem("suivi") == "suivi"  # too short to lose anything more


def test_french_and_english_words_meet_in_one_concept() -> None:
    french = terms("Suivi des contrats fournisseurs")
    english = terms("Supplier contract tracking")
    assert set(french) == set(english) == {"c:tracking", "c:contract", "c:supplier"}
    # What a person is shown: the words as they wrote them.
    assert french["c:contract"] == "contrats" and english["c:contract"] == "contract"
    # A word as written wins over a stem: "form" is a form, though "formation" stems to it.
    assert terms("online form") == {"c:online": "online", "c:form": "form"}
    assert terms("formation")["c:training"] == "formation"


def test_every_lexicon_word_names_one_concept() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for concept, (french, english) in lexicon.CONCEPTS.items():
        for word in {plain(w) for w in (*french, *english)}:
            if seen.setdefault(word, concept) != concept:
                clashes.append((word, seen[word], concept))
    assert clashes == []
    assert set(lexicon.CONCEPTS) >= lexicon.GENERIC


def test_the_score_of_one_pair_worked_out_by_hand() -> None:
    # b alone in the index (N = 1): a term of b has df 1, idf = ln(1 + 2/2) = ln 2; a term b lacks has
    # idf = ln(1 + 2/1) = ln 3. Title terms weigh 2, a generic concept (tracking) half of that.
    a = document("contract tracking", "", None)
    b = document("supplier contract", "", None)
    assert a.fields == {"c:contract": 2.0, "c:tracking": 1.0} and b.fields == {"c:supplier": 2.0, "c:contract": 2.0}
    ln2, ln3 = math.log(2), math.log(3)
    weight_a = 2 * ln2 + 1 * ln3  # contract (in b) + tracking (not in b)
    weight_b = 2 * ln2 + 2 * ln2
    shared = min(2 * ln2, 2 * ln2)  # contract
    # A single shared term counts 0.7 of its score: 0.7 × 2 × 1.386 / (2.485 + 2.773) = 0.369.
    expected = 0.7 * 2 * shared / (weight_a + weight_b)
    assert round(expected, 3) == 0.369
    assert score(a, b) == round(expected, 3)


def test_a_shared_department_adds_a_little_and_other_adds_nothing() -> None:
    a, b = document("supplier contract", "", "sales"), document("contrats clients", "", "sales")
    c = document("contrats clients", "", "finance")
    assert 0 < score(a, c) < 0.9 and score(a, b) == round(score(a, c) + 0.05, 3)
    assert score(document("supplier contract", "", "other"), document("contrats clients", "", "other")) \
        == score(a, c)


def test_trigrams_meet_words_the_lexicon_does_not_know() -> None:
    assert trigrams("abc") == {"#ab", "abc", "bc#"}
    index = Index()
    index.add(1, document("Cybersecurite des postes", "", None))
    index.add(2, document("Leave requests", "", None))
    found = index.search(document("Cybersecurity awareness", "", None), threshold=0.0)
    assert [m.need_id for m in found] == [1]
    assert found[0].shared == (("cybersecurity", "cybersecurite"),)


def test_the_index_finds_the_top_ones_and_forgets_a_removed_need() -> None:
    index = Index()
    index.add(1, document("Suivi des contrats fournisseurs", "Les contrats sont dans Excel.", "purchasing"))
    index.add(2, document("Demandes de congés", "Par courriel.", "hr"))
    index.add(3, document("Contract renewal alerts", "We miss renewals.", "legal"))
    mine = document("Supplier contract tracker", "Vendor contracts live in spreadsheets.", "purchasing")
    found = index.search(mine)
    assert [m.need_id for m in found] == [1] and found[0].same_department
    assert ("contract", "contrats") in found[0].shared and ("supplier", "fournisseurs") in found[0].shared
    index.remove(1)
    assert 1 not in index and len(index) == 2
    assert [m.need_id for m in index.search(mine)] == []
    assert index.search(mine, exclude=(3,), threshold=0.0) == []


def test_unrelated_needs_are_not_found() -> None:
    index = Index()
    index.add(1, document("Supplier contract tracker", "Vendor contracts live in spreadsheets.", "purchasing"))
    for title, problem in (("Demandes de congés en ligne", "Les salariés demandent leurs congés par courriel."),
                           ("Sales dashboard", "Reps have no KPI."),
                           ("Réservation des salles de réunion", "Un tableau papier à l'accueil.")):
        assert index.search(document(title, problem, "hr")) == []


def test_the_labelled_pairs_both_ways_precision_and_recall() -> None:
    result = quality()
    checked = 2 * (len(SAME) + len(DIFFERENT))
    report = (f"threshold {THRESHOLD}: {checked} checks, precision {result.precision:.2f}, recall "
              f"{result.recall:.2f}; missed {list(result.missed)}; wrong {list(result.wrong)}")
    print(report)
    assert result.true_positives + result.false_negatives == 2 * len(SAME)
    assert result.precision >= 0.9 and result.recall >= 0.9, report


def test_the_quality_check_can_fail() -> None:
    # With no threshold every pair sharing a word is shown: the different ones count against precision.
    assert quality(threshold=0.0).precision < 0.9
    # With an impossible threshold nothing is shown: recall falls to zero.
    assert quality(threshold=1.01).recall == 0.0
