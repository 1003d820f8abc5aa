"""What the opening sentence of a need pre-fills, in French and English."""

from datetime import date

import pytest

from pmobot.conversation.prefill import TITLE_MAX, detect_language, extract

TODAY = date(2026, 11, 26)

FR_NEED = (
    "il nous faut un outil de suivi des contrats fournisseurs pour 20 personnes avant le 15 mars 2027, "
    "budget 30 000 €"
)
EN_NEED = "we need a supplier-contract tracker for 20 people by 15 March, budget 30 k€"


def test_french_sentence() -> None:
    assert extract(FR_NEED, locale="fr", today=TODAY) == {
        "title": "Outil de suivi des contrats fournisseurs",
        "problem": FR_NEED,
        "users_affected": 20,
        "desired_date": "2027-03-15",
        "budget": {"amount": "30000", "currency": "EUR"},
    }


def test_english_sentence() -> None:
    assert extract(EN_NEED, locale="en", today=TODAY) == {
        "title": "Supplier-contract tracker",
        "problem": EN_NEED,
        "users_affected": 20,
        "desired_date": "2027-03-15",  # no year: the next 15 March
        "budget": {"amount": "30000", "currency": "EUR"},
    }


def test_text_in_another_language_than_the_user() -> None:
    assert extract(EN_NEED, locale="fr", today=TODAY) == extract(EN_NEED, locale="en", today=TODAY)
    assert extract(FR_NEED, locale="en", today=TODAY)["title"] == "Outil de suivi des contrats fournisseurs"


def test_problem_is_the_text_as_typed() -> None:
    text = "  Nous avons besoin d'un wiki\npour l'équipe.  "
    assert extract(text, locale="fr", today=TODAY)["problem"] == "Nous avons besoin d'un wiki\npour l'équipe."


def test_no_date_no_budget() -> None:
    found = extract("Nous avons besoin d'une application de gestion des congés pour 45 collaborateurs",
                    locale="fr", today=TODAY)
    assert found == {
        "title": "Application de gestion des congés",
        "problem": "Nous avons besoin d'une application de gestion des congés pour 45 collaborateurs",
        "users_affected": 45,
        "personal_data": True,  # leave is an HR record: personal data by nature (understanding README)
    }


def test_budget_in_dollars_and_a_relative_deadline() -> None:
    found = extract("Could we get a dashboard for the sales team? Budget of $12,500, by next Friday.",
                    locale="en", today=TODAY)
    assert found["title"] == "Dashboard"  # not whom it is for
    assert found["budget"] == {"amount": "12500", "currency": "USD"}
    assert found["desired_date"] == "2026-12-04"
    assert "users_affected" not in found


@pytest.mark.parametrize(
    "text, budget",
    [
        ("budget of 30k EUR", {"amount": "30000", "currency": "EUR"}),
        ("budget: 5000 USD", {"amount": "5000", "currency": "USD"}),
        ("avec un budget de 1,5 M€", {"amount": "1500000", "currency": "EUR"}),
        ("pour 12 000 CHF", {"amount": "12000", "currency": "CHF"}),
        ("about £8,000", {"amount": "8000", "currency": "GBP"}),
        ("budget 45000", {"amount": "45000", "currency": "EUR"}),  # default currency
        ("budget de trente mille euros", {"amount": "30000", "currency": "EUR"}),
        ("a budget of thirty thousand dollars", {"amount": "30000", "currency": "USD"}),
    ],
)
def test_budget_forms(text: str, budget: dict) -> None:
    assert extract(f"We need a new intranet, {text}", locale="en", today=TODAY)["budget"] == budget


def test_default_currency_applies_only_without_a_currency() -> None:
    assert extract("budget 45000", locale="en", today=TODAY, default_currency="CHF")["budget"] == {
        "amount": "45000", "currency": "CHF"}
    assert extract("budget 45000 €", locale="en", today=TODAY, default_currency="CHF")["budget"] == {
        "amount": "45000", "currency": "EUR"}


def test_a_year_is_neither_a_count_nor_an_amount() -> None:
    found = extract("We need a new onboarding portal for 2027, budget 2027 to be confirmed",
                    locale="en", today=TODAY)
    assert "budget" not in found
    assert "users_affected" not in found
    assert "desired_date" not in found
    assert found["title"] == "New onboarding portal for 2027"


def test_a_people_count_is_not_a_budget() -> None:
    found = extract("on a besoin d'un outil pour 250 utilisateurs, budget à définir", locale="fr", today=TODAY)
    assert found["users_affected"] == 250
    assert "budget" not in found


@pytest.mark.parametrize(
    "text, count",
    [
        ("a tracker for 1,200 employees", 1200),
        ("un outil pour 1 200 salariés", 1200),
        ("un portail pour 35 agents", 35),
        ("for a team of 12", 12),
        ("une application pour une vingtaine de personnes", 20),
        ("a CRM for twenty five users", 25),
        ("un outil pour trente utilisateurs", 30),
    ],
)
def test_users_affected(text: str, count: int) -> None:
    assert extract(text, locale="en", today=TODAY)["users_affected"] == count


@pytest.mark.parametrize(
    "text, day",
    [
        ("d'ici fin juin", "2027-06-30"),
        ("avant le 15/03/2027", "2027-03-15"),
        ("by 2027-02-01", "2027-02-01"),
        ("pour le 1er mars", "2027-03-01"),
        ("by the end of March", "2027-03-31"),
        ("dans 3 semaines", "2026-12-17"),
        ("d'ici Noël", "2026-12-25"),  # recognizers-text
    ],
)
def test_desired_date(text: str, day: str) -> None:
    assert extract(f"Il nous faut un outil de reporting {text}", locale="fr", today=TODAY)["desired_date"] == day


def test_past_dates_and_start_dates_are_not_deadlines() -> None:
    assert "desired_date" not in extract("Les commandes sont bloquées depuis le 3 février", locale="fr", today=TODAY)
    assert "desired_date" not in extract("We need a fix, broken since 15/10/2026", locale="en", today=TODAY)
    past = extract("we needed this before 15/03/2025", locale="en", today=TODAY)
    assert "desired_date" not in past


def test_deadline_cue_wins_over_another_date() -> None:
    found = extract("Kick-off on 1 December, we need the tool by 15 March", locale="en", today=TODAY)
    assert found["desired_date"] == "2027-03-15"


@pytest.mark.parametrize(
    "text",
    [
        "un registre des traitements de données personnelles",
        "conformité RGPD du CRM",
        "GDPR-compliant storage",
        "a portal that stores personal data",
        "export of customer data",
        "un tableau des données clients",
    ],
)
def test_personal_data(text: str) -> None:
    assert extract(text, locale="en", today=TODAY)["personal_data"] is True


def test_personal_data_absent_rather_than_false() -> None:
    assert "personal_data" not in extract(EN_NEED, locale="en", today=TODAY)
    assert "personal_data" not in extract("a data warehouse for sales figures", locale="en", today=TODAY)


@pytest.mark.parametrize(
    "text, title",
    [
        ("Bonjour, on a besoin d'un portail RH d'ici fin juin", "Portail RH"),
        ("Notre service achats a besoin d'un outil de suivi", "Outil de suivi"),
        ("Il faudrait un outil pour suivre les audits", "Outil pour suivre les audits"),
        ("nous voudrions automatiser le rapprochement bancaire", "Automatiser le rapprochement bancaire"),
        ("Pourriez-vous nous fournir un tableau de bord des ventes ?", "Tableau de bord des ventes"),
        ("I'd like a wiki for the support team", "Wiki"),
        ("Our purchasing team needs a contract database for 30 users", "Contract database"),
        ("We want to automate invoice reconciliation", "Automate invoice reconciliation"),
        ("Hi! Could we get an expense app. It should work on phones.", "Expense app"),
        ("Supplier portal - urgent", "Supplier portal"),
        ("Budget tracking tool for 12 people", "Budget tracking tool"),
    ],
)
def test_title(text: str, title: str) -> None:
    assert extract(text, locale="en", today=TODAY)["title"] == title


def test_title_is_capped() -> None:
    text = "we need " + " ".join(["a very long and detailed description of the tool"] * 5)
    title = extract(text, locale="en", today=TODAY)["title"]
    assert len(title) <= TITLE_MAX
    assert title.startswith("Very long and detailed") and title.endswith("…")


def test_no_title_when_nothing_is_left() -> None:
    found = extract("budget 30 k€ pour 20 personnes", locale="fr", today=TODAY)
    assert "title" not in found
    assert found["budget"] == {"amount": "30000", "currency": "EUR"}
    assert found["users_affected"] == 20


def test_empty_text() -> None:
    assert extract("   ", locale="fr", today=TODAY) == {}


def test_language_detection() -> None:
    assert detect_language(FR_NEED) == "fr"
    assert detect_language(EN_NEED) == "en"
    assert detect_language("CRM", "fr") == "fr"  # nothing to go on: the user's locale
