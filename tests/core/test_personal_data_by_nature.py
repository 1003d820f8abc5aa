"""Personal data by the nature of the thing asked (bench/understanding/README.md, convention of 2026-11-30): a
thing that keeps data about identifiable people is flagged for the GDPR review even when the sentence names no
data. Several sentences per domain in both languages, none taken from the sets; each failed before the domains
were brought in, except the guards, which keep them from taking too much.
"""

from __future__ import annotations

from datetime import date

import pytest

from pmobot.conversation.personal_data import _BY_NATURE, personal_data_by_nature
from pmobot.conversation.prefill import extract
from pmobot.conversation.text import fold_keep

TODAY = date(2026, 11, 26)

BY_DOMAIN: dict[str, list[tuple[str, str]]] = {
    "payroll": [
        ("fr", "Il faudrait changer de logiciel de paie au 1er janvier."),
        ("fr", "On voudrait un outil de calcul des primes des commerciaux."),
        ("fr", "Une interface entre les plannings et la paie pour les éléments variables."),
        ("en", "We need a new payroll system for the Spanish subsidiary."),
        ("en", "Can we get a bonus calculation tool for the sales team?"),
        ("en", "Our payroll officers need a checker before each run."),
    ],
    "expense claims": [
        ("fr", "Une appli pour les notes de frais des techniciens."),
        ("fr", "Dématérialiser la note de frais, c'est possible ?"),
        ("en", "We want an expense claims app with receipt scanning."),
        ("en", "Please replace the expense report tool before April."),
    ],
    "leave and absence": [
        ("fr", "Un formulaire pour poser ses congés."),
        ("fr", "Il faudrait un suivi des absences de l'atelier."),
        ("en", "An annual leave planner for the support team."),
        ("en", "We need an absence management tool for the plant."),
    ],
    "time and attendance": [
        ("fr", "Une badgeuse virtuelle pour le pointage des agents."),
        ("fr", "Suivre les heures supplémentaires des caristes."),
        ("en", "The architects need a timesheet app."),
        ("en", "A time clock on tablets at the entrance of the depot."),
        ("en", "Our consultants log their hours in spreadsheets; we want something better."),
    ],
    "HR records": [
        ("fr", "Mettre en place un SIRH pour le groupe."),
        ("fr", "La signature électronique des contrats de travail."),
        ("fr", "Une plateforme d'onboarding pour les nouveaux arrivants."),
        ("fr", "Un annuaire des collaborateurs, consultable sur mobile."),
        ("en", "We need an HR portal for managers."),
        ("en", "A skills matrix for the engineering department."),
        ("en", "Could we have a mentoring platform for graduates?"),
    ],
    "training records": [
        ("fr", "Un outil de suivi des formations obligatoires des soignants."),
        ("fr", "Une plateforme de formation en ligne pour les franchisés."),
        ("en", "We want an e-learning platform for the sales force."),
        ("en", "An online exam platform for the nursing students."),
    ],
    "recruitment": [
        ("fr", "Un outil de suivi des recrutements pour la DRH."),
        ("fr", "Refaire le site carrières du groupe."),
        ("en", "A hiring dashboard for the talent team."),
        ("en", "Connect our ATS to the job boards."),
    ],
    "customers": [
        ("fr", "Un CRM pour les agences de Bordeaux."),
        ("fr", "Une appli de prise de rendez-vous pour nos opticiens."),
        ("fr", "Un outil de gestion des sinistres pour les gestionnaires."),
        ("fr", "Refondre le portail client avant l'été."),
        ("en", "A loyalty programme app for the shops."),
        ("en", "We need a fraud detection tool for card payments."),
        ("en", "Replace the core banking platform."),
        ("en", "A complaints handling tool for the contact team."),
        ("en", "Could we get a churn prediction model?"),
    ],
    "customer contact": [
        ("fr", "Un outil d'e-mailing pour les campagnes de printemps."),
        ("fr", "Le service client voudrait une console unique."),
        ("en", "Fix the contact form on the website."),
        ("en", "Our sales reps keep losing leads."),
        ("en", "A shared mailbox for the customer service desk."),
    ],
    "monitoring": [
        ("fr", "L'enregistrement des appels du standard."),
        ("fr", "Gérer les badges d'accès du nouveau bâtiment."),
        ("fr", "Une appli de covoiturage entre salariés."),
        ("fr", "Un registre des visiteurs à l'accueil."),
        ("en", "We need call recording for the sales floor."),
        ("en", "Telematics for the delivery vans."),
        ("en", "An e-discovery tool for litigation."),
        ("en", "A carpooling app for the Lyon site."),
    ],
    "requests of people": [
        ("fr", "La mairie voudrait suivre les doléances des riverains."),
        ("fr", "Une plateforme pour les lanceurs d'alerte."),
        ("en", "A portal for citizens' requests to the town hall."),
        ("en", "We need a whistleblowing channel for the group."),
    ],
    "guests and bookings": [
        ("fr", "Un module de réservation de tables pour la brasserie."),
        ("fr", "Une billetterie pour le gala."),
        ("en", "A new PMS for the hotel."),
        ("en", "A guest messaging tool for the front desk."),
    ],
    "civil status": [
        ("fr", "Numériser les actes de naissance depuis 1950."),
        ("en", "Digitise the death certificates of the town."),
    ],
    "care records": [
        ("fr", "Informatiser les plans de soins de l'EHPAD."),
        ("en", "Digital medication rounds for the ward."),
    ],
    "people's enquiries": [
        ("fr", "Centraliser les messages des patients du cabinet."),
        ("en", "A scheduler for parent-teacher meetings."),
    ],
    "onboarding of people": [
        ("fr", "Digitaliser le parcours d'intégration du groupe."),
        ("en", "Streamline the new hire journey across sites."),
    ],
    "lists of people": [
        ("fr", "Gérer les inscriptions à la journée portes ouvertes."),
        ("fr", "Un outil de sondage pour les salariés."),
        ("fr", "Organiser le vote électronique du CSE."),
        ("fr", "Une appli de gestion des bénévoles du festival."),
        ("en", "Sign-ups for the summer party, about 300 people."),
        ("en", "An events app for the attendees of the conference."),
        ("en", "A pulse survey tool for the whole company."),
    ],
}


def test_every_domain_is_tested_in_both_languages() -> None:
    assert set(BY_DOMAIN) == {domain for domain, _ in _BY_NATURE}
    for domain, sentences in BY_DOMAIN.items():
        assert {lang for lang, _ in sentences} == {"fr", "en"}, domain


@pytest.mark.parametrize("domain, lang, text",
                         [(domain, lang, text) for domain, rows in BY_DOMAIN.items() for lang, text in rows])
def test_a_thing_that_keeps_peoples_data_by_nature_is_flagged(domain: str, lang: str, text: str) -> None:
    assert extract(text, locale=lang, today=TODAY).get("personal_data") is True
    assert personal_data_by_nature(fold_keep(text)) == domain


@pytest.mark.parametrize("lang, text", [
    # Money at company level: the payroll budget is not payroll, a training budget is not training records.
    ("fr", "Un tableau de bord du budget de la paie par direction."),
    ("fr", "Suivre le coût des formations par service."),
    ("fr", "Un outil pour piloter la masse salariale."),
    ("en", "We need to plan the payroll budget line for 2027."),
    ("en", "A dashboard of training costs per site."),
    ("en", "A salary budget tracker for the finance team."),
    # A chatbot answering questions about leave keeps questions, not records.
    ("fr", "Un chatbot RH qui répond aux questions sur les congés."),
    ("en", "A bot that answers FAQs about annual leave."),
    # An anonymous survey.
    ("fr", "Un outil de sondage anonyme pour les équipes."),
    ("en", "A survey tool for the engagement survey, answers anonymous."),
    # People only as users or assignees: rotas, bookings, tickets, calendars, access to applications.
    ("fr", "Un planning des astreintes pour les techniciens."),
    ("fr", "Réserver les salles de réunion du siège."),
    ("fr", "Un catalogue des formations du groupe."),
    ("fr", "Un portail d'onboarding des fournisseurs."),
    ("en", "A shift scheduling tool for the warehouse pickers."),
    ("en", "A supplier onboarding portal for procurement."),
    ("en", "A tool for meeting minutes, 20 team leads would use it."),
    ("en", "A knowledge base for customer support."),
    ("en", "Single sign-on for the teaching apps."),
    # Goods, machines, company-level finance.
    ("fr", "Un outil de suivi des stocks de pièces détachées."),
    ("fr", "Automatiser le rapprochement bancaire."),
    ("en", "Invoice OCR for the accounts payable clerks."),
    ("en", "A fleet maintenance tracker for 200 trucks."),
    # "claim" as a verb is no insurance claim.
    ("en", "IT claims the need, then we want a wiki for the plant."),
])
def test_no_personal_data_by_nature_where_no_ones_data_is_kept(lang: str, text: str) -> None:
    assert extract(text, locale=lang, today=TODAY).get("personal_data") is None
