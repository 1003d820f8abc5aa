"""Understanding what people write: each kind of phrase from issue 9, at the
parser level (the opening sentence and the questions), and the accuracy gate
on the sets of bench/understanding.

(Longer than our usual 400 lines: one table of phrasings per kind of phrase,
in both languages, kept together so a new kind is added beside its family.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bench import understanding
from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes import ParseContext, parse_answer
from pmobot.conversation.prefill import extract
from pmobot.conversation.spec import FieldSpec, parse_spec

TODAY = date(2026, 11, 26)  # a Thursday
EN = ParseContext("en", TODAY)
FR = ParseContext("fr", TODAY)


def make_field(type_: str, **extra: Any) -> FieldSpec:
    raw = {"id": "answer", "type": type_, "prompt": {"en": "Question?", "fr": "Question ?"},
           "label": {"en": "Answer", "fr": "Réponse"}, **extra}
    spec = parse_spec({"id": "t", "title": {"en": "T", "fr": "T"}, "on_complete": "noop", "fields": [raw]})
    return spec.fields[0]


def fr(text: str) -> dict[str, Any]:
    return extract(text, locale="fr", today=TODAY)


def en(text: str) -> dict[str, Any]:
    return extract(text, locale="en", today=TODAY)


# --- how many people ------------------------------------------------------------


@pytest.mark.parametrize("text, count", [
    ("Il nous faut un outil pour 40 commerciaux", 40),
    ("Un outil pour les 12 chefs de projet", 12),
    ("Un portail pour nos 250 conseillers clientèle", 250),
    ("Une appli pour 18 magasiniers", 18),
    ("Un outil pour 7 comptables", 7),
    ("Un planning pour 90 aides-soignants", 90),
    ("Une appli pour une vingtaine de juristes", 20),
    ("Un outil pour une dizaine de contrôleurs de gestion", 10),
    ("Un outil pour environ 65 techniciens", 65),
    ("Une appli pour près de 300 agents", 300),
    ("Un outil pour plus de 50 managers", 50),
    ("Un annuaire pour deux cents salariés", 200),
    ("Un intranet pour quatre cents collaborateurs", 400),
])
def test_people_counts_in_french(text: str, count: int) -> None:
    assert fr(text)["users_affected"] == count


@pytest.mark.parametrize("text, count", [
    ("We need a tool for 40 sales reps", 40),
    ("A dashboard for our 15 ppl", 15),
    ("An app for 300 staff", 300),
    ("A rota tool for 80 nurses", 80),
    ("A tool for 25 paralegals", 25),
    ("A portal for 60 store managers", 60),
    ("A tool for about 40 engineers", 40),
    ("A tool for roughly 120 field agents", 120),
    ("A tool for two dozen analysts", 24),
    ("A tool for a dozen buyers", 12),
    ("A tool for a hundred developers", 100),
    ("A tool for nearly 500 employees", 500),
    ("Our team of 14 needs a wiki", 14),
])
def test_people_counts_in_english(text: str, count: int) -> None:
    assert en(text)["users_affected"] == count


@pytest.mark.parametrize("text", [
    "Un outil de suivi pour nos 12 agences",
    "A dashboard for our 40 stores",
    "A tracker for 30 trucks",
    "Un outil pour 20 licences",
    "A tool for 3 sites, due in 2 weeks",
])
def test_counts_of_things_are_not_people(text: str) -> None:
    assert "users_affected" not in extract(text, locale="en", today=TODAY)


def test_users_question_reads_approximate_counts() -> None:
    users = make_field("integer", min=1)
    assert parse_answer(users, "une vingtaine", FR) == 20
    assert parse_answer(users, "about 40", EN) == 40
    assert parse_answer(users, "two dozen", EN) == 24
    assert parse_answer(users, "deux cents", FR) == 200
    assert parse_answer(users, "trois cents personnes", FR) == 300


@pytest.mark.parametrize("lang, text, count", [
    # Role nouns in the plural, and roles named in several words.
    ("fr", "Un outil de pointage pour nos 40 intérimaires", 40),
    ("fr", "Un annuaire pour 120 fonctionnaires", 120),
    ("fr", "Un portail pour nos 300 franchisés", 300),
    ("fr", "Un outil pour une quinzaine de chargés de clientèle", 15),
    ("fr", "Un CRM pour 12 chargées d'affaires", 12),
    ("fr", "Un outil pour 8 attachés commerciaux", 8),
    ("en", "A stock tool for our 6 warehouses and 90 storekeepers", 90),
    ("en", "A portal for 25 stakeholders", 25),
    ("en", "A timesheet tool for our 40 temps", 40),
    ("en", "A tool for 30 salesmen", 30),
    ("en", "An app for 200 warehouse workers", 200),
])
def test_plural_and_multi_word_role_nouns(lang: str, text: str, count: int) -> None:
    assert extract(text, locale=lang, today=TODAY)["users_affected"] == count


@pytest.mark.parametrize("lang, text", [
    # A word that names people in one language only is read in the sentence's language.
    ("en", "A portal for our 300 franchises"),
    ("fr", "Un outil pour gagner du temps, 40 temps pleins à recruter"),
])
def test_a_noun_of_people_in_one_language_only(lang: str, text: str) -> None:
    assert "users_affected" not in extract(text, locale=lang, today=TODAY)


# --- French hundreds --------------------------------------------------------------


@pytest.mark.parametrize("text, amount", [
    ("deux cents euros", "200"),
    ("cinq cents k€", "500000"),
    ("trois cents mille euros", "300000"),
    ("quatre cents k€", "400000"),
    ("deux cent cinquante mille euros", "250000"),
    ("trois cent mille euros", "300000"),
])
def test_french_hundreds_at_the_money_question(text: str, amount: str) -> None:
    assert parse_answer(make_field("money"), text, FR) == {"amount": amount, "currency": "EUR"}


@pytest.mark.parametrize("text, amount", [
    ("Un outil de devis, budget cinq cents k€", "500000"),
    ("Un outil de devis, budget de deux cents mille euros", "200000"),
    ("Un outil de devis, budget de trois cents euros", "300"),
])
def test_french_hundreds_in_a_sentence(text: str, amount: str) -> None:
    assert fr(text)["budget"] == {"amount": amount, "currency": "EUR"}


# --- dates a business person uses -----------------------------------------------------

# Each phrase, alone at the date question and after a deadline cue in a sentence,
# means the same day (today: Thursday 26 November 2026).
PERIODS = [
    ("fin T1", "fr", "2027-03-31"),
    ("T2 2027", "fr", "2027-06-30"),
    ("Q2 2027", "en", "2027-06-30"),
    ("end of Q3", "en", "2027-09-30"),
    ("fin T4", "fr", "2026-12-31"),
    ("H1", "en", "2027-06-30"),
    ("H2 2027", "en", "2027-12-31"),
    ("le premier semestre", "fr", "2027-06-30"),
    ("S2 2027", "fr", "2027-12-31"),
    ("le premier trimestre 2027", "fr", "2027-03-31"),
    ("the first quarter of 2027", "en", "2027-03-31"),
    ("mars 2027", "fr", "2027-03-31"),
    ("June 2027", "en", "2027-06-30"),
    ("September", "en", "2027-09-30"),
    ("décembre", "fr", "2026-12-31"),
    ("le mois prochain", "fr", "2026-12-31"),
    ("next month", "en", "2026-12-31"),
    ("fin 2026", "fr", "2026-12-31"),
    ("end of the year", "en", "2026-12-31"),
    ("la fin de l'année", "fr", "2026-12-31"),
    ("end of next year", "en", "2027-12-31"),
    ("la fin de l'année prochaine", "fr", "2027-12-31"),
    ("courant 2027", "fr", "2027-12-31"),
    ("la semaine prochaine", "fr", "2026-12-04"),
    ("next week", "en", "2026-12-04"),
    ("l'été", "fr", "2027-06-20"),
    ("summer", "en", "2027-06-20"),
    ("l'hiver", "fr", "2026-12-20"),
    ("la rentrée", "fr", "2027-08-31"),
    ("the new school year", "en", "2027-08-31"),
]


@pytest.mark.parametrize("phrase, lang, day", PERIODS)
def test_a_period_at_the_date_question(phrase: str, lang: str, day: str) -> None:
    field = make_field("date", future=True)
    assert parse_answer(field, phrase, FR) == day
    assert parse_answer(field, phrase, EN) == day


@pytest.mark.parametrize("phrase, lang, day", PERIODS)
def test_the_opening_sentence_and_the_question_agree(phrase: str, lang: str, day: str) -> None:
    text = f"Il nous faut un outil de suivi pour {phrase}" if lang == "fr" else f"We need a tracker by {phrase}"
    assert extract(text, locale=lang, today=TODAY).get("desired_date") == day


@pytest.mark.parametrize("lang, text, day", [
    # Relative quarters and halves: the one under way, or the one after it.
    ("en", "We need a visitor app by next quarter", "2027-03-31"),
    ("en", "We need a visitor app by the end of the following quarter", "2027-03-31"),
    ("en", "We need a visitor app this quarter", "2026-12-31"),
    ("en", "We need a visitor app by next half", "2027-06-30"),
    ("fr", "Il faut un outil d'ici le trimestre prochain", "2027-03-31"),
    ("fr", "Il faut un outil pour le prochain trimestre", "2027-03-31"),
    ("fr", "Il faut un outil pour le trimestre en cours", "2026-12-31"),
    ("fr", "Il faut un outil d'ici le semestre prochain", "2027-06-30"),
    # "Next" season: the coming one, an event to beat unless it is a span to work in.
    ("en", "A CV portal, by next spring", "2027-03-20"),
    ("en", "A CV portal before next summer", "2027-06-20"),
    ("fr", "Un portail d'ici le printemps prochain", "2027-03-20"),
    ("fr", "Un portail avant l'été prochain", "2027-06-20"),
    ("fr", "Un portail au printemps prochain", "2027-06-20"),
])
def test_relative_quarters_and_next_seasons(lang: str, text: str, day: str) -> None:
    assert extract(text, locale=lang, today=TODAY)["desired_date"] == day


def test_a_quarter_named_as_a_rate_is_no_date() -> None:
    assert "desired_date" not in fr("Un outil de relance, on perd 5000 € par trimestre")


def test_a_bare_year_is_a_date_only_as_a_whole_answer() -> None:
    assert parse_answer(make_field("date", future=True), "2027", FR) == "2027-12-31"
    # In a sentence, "for 2027" names a plan as often as a deadline.
    assert "desired_date" not in en("We need a new onboarding portal for 2027")


@pytest.mark.parametrize("text, day", [
    ("Un outil avant juin", "2027-05-31"),
    ("A tool before April", "2027-03-31"),
    ("Un outil avant l'été", "2027-06-20"),
    ("A tool before summer", "2027-06-20"),
    ("Un outil avant la rentrée", "2027-08-31"),
    ("A tool before the end of Q1", "2027-03-31"),
    ("Un outil avant le 15 mars", "2027-03-15"),
])
def test_before_a_period_is_the_day_before_it_starts(text: str, day: str) -> None:
    assert extract(text, locale="en", today=TODAY)["desired_date"] == day


@pytest.mark.parametrize("text", [
    "Un outil de suivi, dès que possible", "Un outil de suivi au plus vite", "A tracker ASAP",
    "A tracker as soon as possible", "Un outil, le plus tôt possible",
    # The family, not the phrases: any "as <soon> as <possible>", "le plus <vite> possible", "dès que <on peut>".
    "We want a compliance tracker as quickly as possible", "A tracker, as fast as you can",
    "We need a tracker urgently", "A tracker right away, please", "A tracker without delay",
    "Un outil de suivi, le plus rapidement possible", "Un outil de suivi dès que vous pouvez",
    "Un outil de suivi aussi vite que possible", "Un outil de suivi, en urgence", "Un outil de suivi sans tarder",
])
def test_asap_is_no_date_and_said_so(text: str) -> None:
    found = extract(text, locale="fr", today=TODAY)
    assert "desired_date" not in found
    assert found["not_taken"]["desired_date"] == {"reason": "asap"}


@pytest.mark.parametrize("text, day", [
    ("Un tableau de bord avant le 15 mars 2026", "2026-03-15"),
    ("A dashboard by September 2026", "2026-09-30"),
    ("Un tableau de bord pour fin T2 2026", "2026-06-30"),
])
def test_a_past_deadline_is_not_taken_and_said_so(text: str, day: str) -> None:
    found = extract(text, locale="fr", today=TODAY)
    assert "desired_date" not in found
    assert found["not_taken"]["desired_date"] == {"reason": "past", "value": day}


def test_a_date_the_problem_started_is_no_deadline_and_no_note() -> None:
    found = en("We need a chatbot, we've been asking since March 2026")
    assert "desired_date" not in found and "not_taken" not in found


def test_asap_at_the_date_question_is_explained() -> None:
    with pytest.raises(FieldError) as caught:
        parse_answer(make_field("date", required=False, future=True), "dès que possible", FR)
    assert caught.value.key == "field.error.date_asap"


# --- titles without filler ------------------------------------------------------------


@pytest.mark.parametrize("text, title", [
    ("Besoin d'un outil de suivi des contrats", "Outil de suivi des contrats"),
    ("Besoin urgent d'une appli de pointage", "Appli de pointage"),
    ("Nous voulons un portail client", "Portail client"),
    ("Est-ce que la DSI pourrait nous développer un outil de devis ?", "Outil de devis"),
    ("Est-ce que vous pourriez mettre en place un SSO ?", "SSO"),
    ("Bonjour à tous, il faudrait un annuaire interne", "Annuaire interne"),
    ("Bonjour la DSI, on voudrait un wiki", "Wiki"),
    ("Merci de nous fournir un outil de sondage", "Outil de sondage"),
    ("Could IT build us a shift-planning tool?", "Shift-planning tool"),
    ("Hi team, we need a CRM integration", "CRM integration"),
    ("Hi team, could you set up an onboarding portal?", "Onboarding portal"),
    ("Hello IT, we'd need a knowledge base", "Knowledge base"),
    ("It would be great to have a lunch ordering app", "Lunch ordering app"),
    ("Our 35 engineers need a code review dashboard", "Code review dashboard"),
    ("Is it possible to get an inventory app?", "Inventory app"),
    # Request frames, the family in both languages.
    ("I'm after a leave planning tool for around fifteen advisors", "Leave planning tool"),
    ("We're in need of a visitor log", "Visitor log"),
    ("Requesting a room booking app", "Room booking app"),
    ("Would it be possible to have a sales dashboard?", "Sales dashboard"),
    ("Would it be possible for you to build us a quote tool?", "Quote tool"),
    ("It'd be really useful to have a parts catalogue", "Parts catalogue"),
    ("It would be great if we could have a shared calendar", "Shared calendar"),
    ("J'aimerais qu'on ait une application de suivi des livraisons", "Application de suivi des livraisons"),
    ("Nous aimerions que nous ayons un outil de devis", "Outil de devis"),
    ("On voudrait qu'on dispose d'un annuaire", "Annuaire"),
    ("Il serait utile d'avoir un outil de planification des congés", "Outil de planification des congés"),
    ("Il nous serait très précieux de disposer d'un portail fournisseurs", "Portail fournisseurs"),
    ("Ce serait pratique d'avoir un wiki", "Wiki"),
    ("Serait-il envisageable d'avoir un chatbot RH ?", "Chatbot RH"),
    # Greetings, the family: a known audience with more words, or a name, before a comma.
    ("Bonjour à toutes et à tous, nous voudrions une application de covoiturage", "Application de covoiturage"),
    ("Chers collègues du support, il faudrait un outil de tickets", "Outil de tickets"),
    ("Bonsoir Claire, on cherche un outil de gestion des visiteurs", "Outil de gestion des visiteurs"),
    ("Good evening all, we need a visitor app", "Visitor app"),
    ("Hi Sam, could you set up a room booking tool?", "Room booking tool"),
    ("Dear colleagues in finance, we'd like an expense tool", "Expense tool"),
])
def test_title_is_the_thing_needed(text: str, title: str) -> None:
    assert extract(text, locale="en", today=TODAY)["title"] == title


@pytest.mark.parametrize("text, title", [
    ("Un outil de suivi pour 40 commerciaux", "Outil de suivi"),
    ("Un outil de suivi pour nos 40 commerciaux", "Outil de suivi"),
    ("A tracker for our 30 reps", "Tracker"),
    ("Une base de connaissances pour le support, dès que possible", "Base de connaissances"),
    ("Un tableau de bord pour le comité de direction avant mars", "Tableau de bord"),
])
def test_title_stops_before_counts_deadlines_and_whom_it_is_for(text: str, title: str) -> None:
    assert extract(text, locale="fr", today=TODAY)["title"] == title


@pytest.mark.parametrize("lang, text, title", [
    # Clause words in the sentence's language only: the French "car" is an English noun.
    ("en", "Requesting a pool car booking app for 35 FTEs", "Pool car booking app"),
    ("en", "We need a car sharing tool", "Car sharing tool"),
    ("fr", "Il faut un outil de réservation car les salles sont toujours prises", "Outil de réservation"),
    ("fr", "Il faut un outil de suivi puisque tout est sur papier", "Outil de suivi"),
    ("en", "We need a booking tool because rooms are always taken", "Booking tool"),
    ("en", "We need a visitor log since the fire drill", "Visitor log"),
])
def test_clause_words_by_the_sentences_language(lang: str, text: str, title: str) -> None:
    assert extract(text, locale=lang, today=TODAY)["title"] == title


# --- units and signs ----------------------------------------------------------------------


def duration_field() -> FieldSpec:
    return make_field("integer", min=1, max=2000, unit="business_days")


@pytest.mark.parametrize("text, days", [
    ("15", 15), ("15 jours", 15), ("15 jours ouvrés", 15), ("15 business days", 15),
    ("3 semaines", 15), ("3 weeks", 15), ("une semaine", 5), ("two weeks", 10), ("1,5 semaine", None),
])
def test_business_days_question_converts_weeks(text: str, days: int | None) -> None:
    if days is None:
        with pytest.raises(FieldError):
            parse_answer(duration_field(), text, FR)
    else:
        assert parse_answer(duration_field(), text, FR) == days


@pytest.mark.parametrize("text", ["2 mois", "2 months", "1 an", "a year"])
def test_business_days_question_refuses_months_with_a_reason(text: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_answer(duration_field(), text, EN)
    assert caught.value.key == "field.error.business_days_months"
    assert "20" in caught.value.message("en") and "20" in caught.value.message("fr")


def test_a_plain_integer_question_ignores_units() -> None:
    assert parse_answer(make_field("integer"), "3 weeks", EN) == 3


@pytest.mark.parametrize("text", ["-5000", "-5 000 €", "−5000 EUR", "- 5k€"])
def test_a_negative_amount_at_the_budget_question_says_why(text: str) -> None:
    budget = make_field("money", min=0)
    with pytest.raises(FieldError) as caught:
        parse_answer(budget, text, FR)
    assert caught.value.key == "field.error.negative"


def test_a_negative_amount_is_kept_where_the_field_allows_it() -> None:
    assert parse_answer(make_field("money"), "-5000", EN) == {"amount": "-5000", "currency": "EUR"}


@pytest.mark.parametrize("text", ["Un outil de suivi, budget : -5000 €", "A tracker, budget -5,000 EUR"])
def test_a_negative_budget_in_a_sentence_is_not_taken_and_said_so(text: str) -> None:
    found = extract(text, locale="fr", today=TODAY)
    assert "budget" not in found
    assert found["not_taken"]["budget"]["reason"] == "negative"


@pytest.mark.parametrize("text", [
    "Il faut automatiser les relances, on perd 20 000 € par an",
    "We need a quote tool, we lose $10,000 a month",
])
def test_a_sum_lost_each_year_is_no_budget(text: str) -> None:
    assert "budget" not in extract(text, locale="fr", today=TODAY)


@pytest.mark.parametrize("lang, text, amount", [
    # The amount before the word budget.
    ("fr", "Nous voudrions automatiser le rapprochement bancaire, on a 25k de budget", "25000"),
    ("fr", "Un outil de devis avec 40 000 de budget", "40000"),
    ("en", "We'd like to automate bank reconciliation, we have 25k of budget", "25000"),
    ("en", "A quote tool with a 40k budget", "40000"),
    ("en", "A quote tool, 15k budget", "15000"),
])
def test_an_amount_before_the_word_budget(lang: str, text: str, amount: str) -> None:
    found = extract(text, locale=lang, today=TODAY)
    assert found["budget"] == {"amount": amount, "currency": "EUR"}
    assert amount[:2] not in found["title"]  # the title stops before the amount


@pytest.mark.parametrize("text", ["A dashboard for the 2027 budget", "We need a 2027 budget tracker"])
def test_a_year_before_the_word_budget_is_no_amount(text: str) -> None:
    assert "budget" not in en(text)


# --- the accuracy gate -----------------------------------------------------------------------

# Accuracy reached per field (bench/RESULTS.md): on the held-out set and on dev2 to dev9 (blind sets
# once, tuned on since); a change that lowers one fails here.
FLOORS = {
    "heldout": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    "dev2": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind2 (89.2 % of fields when blind); tuned on since.
    "dev3": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind3 (89.8 % of fields when blind, dev4_when_blind.json); tuned on since.
    "dev4": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind4 (87.8 % of fields when blind, dev5_when_blind.json); tuned on since. Read from its own
    # "today" (Monday 30 November 2026), as the bench reads it.
    "dev5": {"title": 0.98, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind5 (92.8 % of fields when blind, dev6_when_blind.json); tuned on since, from its own "today".
    "dev6": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind6 (95.0 % of fields when blind, dev7_when_blind.json); tuned on since, from its own "today".
    "dev7": {"title": 1.0, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind7 (94.4 % of fields when blind, dev8_when_blind.json); tuned on since, from its own "today".
    "dev8": {"title": 0.99, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Was blind8 (94.8 % of fields when blind, dev9_when_blind.json); tuned on since, from its own "today".
    "dev9": {"title": 0.91, "users_affected": 1.0, "desired_date": 1.0, "budget": 1.0, "personal_data": 1.0},
    # Blind: scored once, never tuned on; its floor only keeps a later change from losing what it reached.
    "blind9": {"title": 0.97, "users_affected": 0.99, "desired_date": 0.99, "budget": 1.0, "personal_data": 0.93},
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_accuracy_does_not_drop(name: str) -> None:
    sentences = understanding.load(name)
    assert len(sentences) >= 60 and {s.lang for s in sentences} == {"en", "fr"}
    result = understanding.score(sentences, understanding.reader_for(name))
    low = {key: f"{result.fields[key].share:.3f} < {floor}" for key, floor in FLOORS[name].items()
           if result.fields[key].share < floor}
    assert not low, f"{name} accuracy dropped: {low}"


def test_the_sets_are_large_enough_and_balanced() -> None:
    sentences = [s for name in understanding.available_sets() for s in understanding.load(name)]
    assert len(sentences) >= 150
    by_lang = {lang: sum(s.lang == lang for s in sentences) for lang in ("en", "fr")}
    assert by_lang["en"] == by_lang["fr"]


def test_the_gate_can_fail() -> None:
    """A reader that understands nothing falls below the floors."""
    result = understanding.score(understanding.load("heldout"), reader=lambda text, lang: {})
    assert any(result.fields[key].share < floor for key, floor in FLOORS["heldout"].items())
