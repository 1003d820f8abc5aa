"""Kinds of phrase met in the dev3 set (once blind2), each tested with sentences of its own.

The need after a first sentence of context, a label before a colon, more
request frames, money granted "for" the thing; a count after the people it
counts, "ils sont 65"; "by May 2027"; "mille cinq cents", "half a million".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pmobot.conversation.prefill import extract
from pmobot.conversation.recognizers import recognize_numbers

TODAY = date(2026, 11, 26)


def read(text: str, lang: str) -> dict[str, Any]:
    return extract(text, locale=lang, today=TODAY)


# --- the title: where the need is said ---------------------------------------------------

@pytest.mark.parametrize("lang, text, title", [
    # A first sentence of context, then the request.
    ("fr", "Nos 3 entrepôts tiennent les stocks sur Excel. Il faudrait un logiciel de gestion des stocks.",
     "Logiciel de gestion des stocks"),
    ("fr", "Les relances clients se font à la main, nous voudrions un outil de relance automatique.",
     "Outil de relance automatique"),
    ("fr", "Depuis le rachat, chaque filiale a son propre annuaire ; il nous faut un annuaire commun.",
     "Annuaire commun"),
    ("en", "Our helpdesk answers the same questions every day. We'd like a self-service FAQ portal.",
     "Self-service FAQ portal"),
    ("en", "Since 2023 the lab has logged samples on paper. Can we get a sample tracking system?",
     "Sample tracking system"),
    # A label before a colon, or a lead-in before "un"/"a".
    ("fr", "Petite question : un outil de signature électronique pour les RH.",
     "Outil de signature électronique"),
    ("fr", "Ça traîne depuis des mois : une solution de visioconférence pour les salles.",
     "Solution de visioconférence"),
    ("en", "Heads up: a badge printing tool for reception.", "Badge printing tool"),
    ("en", "Long story short: a booking app for the meeting rooms.", "Booking app"),
    # Request frames.
    ("en", "Is there any chance you could build a parking permit app?", "Parking permit app"),
    ("en", "Could you help us with a migration tracker?", "Migration tracker"),
    ("en", "Please could we get a visitor log for the lobby?", "Visitor log"),
    ("en", "We would like to request a timesheet app.", "Timesheet app"),
    ("fr", "Pourriez-vous nous aider à mettre en place un portail fournisseurs ?", "Portail fournisseurs"),
    ("fr", "Le service achats est débordé : ils voudraient un outil de mise en concurrence.",
     "Outil de mise en concurrence"),
    # Money granted for the thing.
    ("en", "The board approved 200k euros for a new payroll system.", "New payroll system"),
    ("fr", "La direction a débloqué 80 000 € pour refondre l'intranet.", "Refondre l'intranet"),
])
def test_the_title_is_the_thing_asked_for_wherever_it_is_said(lang: str, text: str, title: str) -> None:
    assert read(text, lang).get("title") == title


def test_a_first_sentence_that_is_the_need_still_wins() -> None:
    assert read("Un outil de gestion des congés pour 50 personnes. Nous voulons aussi un export Excel.",
                "fr")["title"] == "Outil de gestion des congés"


# --- how many people ------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, count", [
    ("fr", "Un outil pour les acheteurs (une vingtaine) avant juin.", 20),
    ("fr", "Une appli pour nos techniciens de maintenance (environ 140).", 140),
    ("en", "A planning tool for the shift supervisors (about 35).", 35),
    ("en", "A tool for the claims handlers (two dozen of them).", 24),
    ("fr", "Un configurateur pour nos vendeurs. Ils sont 42.", 42),
    ("fr", "Un outil de suivi, on est 9 dans l'équipe.", 9),
    ("en", "We need a shared inbox. We're 11.", 11),
    ("en", "A wiki for the legal team; we're a team of 8.", 8),
    ("fr", "Un outil pour une quarantaine de répartiteurs.", 40),
    ("fr", "Une appli pour 60 caristes.", 60),
    ("en", "A checklist app for 30 stewards.", 30),
    ("en", "A workflow for 14 approvers.", 14),
])
def test_people_counted_after_the_noun_or_on_their_own(lang: str, text: str, count: int) -> None:
    assert read(text, lang).get("users_affected") == count


@pytest.mark.parametrize("lang, text", [
    ("en", "Since June 2025 our engineers use spreadsheets. We need a maintenance app."),
    ("fr", "Depuis mars 2024 nos techniciens notent tout sur papier. Il faut une appli."),
    ("en", "A tool for our 5 sites (all of them)."),
])
def test_a_year_or_a_count_of_things_is_no_headcount(lang: str, text: str) -> None:
    assert "users_affected" not in read(text, lang)


# --- dates: "May" is the month once a year or "by" says so ----------------------------------

@pytest.mark.parametrize("text, day", [
    ("A booking app by May 2027.", "2027-05-31"),
    ("A booking app in May 2027", "2027-05-31"),
    ("A booking app by May.", "2027-05-31"),
])
def test_may_as_a_month(text: str, day: str) -> None:
    assert read(text, "en").get("desired_date") == day


def test_may_as_a_verb_is_no_date() -> None:
    assert "desired_date" not in read("We may need a booking app for the team.", "en")


# --- amounts in words ------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, amount", [
    ("fr", "Un outil de suivi, budget de mille cinq cents euros.", "1500"),
    ("fr", "Un outil de suivi, budget de mille deux cents euros.", "1200"),
    ("fr", "Un outil de suivi, budget de deux mille cinq cents euros.", "2500"),
    ("fr", "Un outil de suivi, budget de cent mille euros.", "100000"),
    ("en", "A tracking tool, budget half a million euros.", "500000"),
    ("en", "A tracking tool with a quarter of a million dollars.", "250000"),
])
def test_amounts_in_words(lang: str, text: str, amount: str) -> None:
    assert read(text, lang)["budget"]["amount"] == amount


def test_recognized_spans_stay_in_the_text_as_typed() -> None:
    text = "le budget est de mille cinq cents euros"
    [(start, end, value)] = recognize_numbers(text, "fr-fr")
    assert value == Decimal(1500) and text[start:end].startswith("mille cinq cent")
