"""Kinds of phrase met in the dev4 set (once blind3), each tested with sentences of its own.

The title: the need asked as a question ("Est-ce qu'il serait possible de",
"Is there any way to get"), verb frames ("look into", "étudier", "mise en
place d'"), a label before a dash, a subject in brackets or with no article,
pleasantries, a thing proposed after context ("... would save us a lot",
"Would X be doable?", "..., ce serait top"), where it stops. Personal data
named by example; the time there is ("on a 2 mois devant nous").

How many people: a count in a clause of its own ("on est douze", "there are
150 of them", "Twenty-five of them."), abbreviations ("env. 60 pers.",
"approx. 50 ppl"), "20-ish", a count in brackets a few words after the people
or followed by where they are; figures that count things are not people.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pmobot.conversation.prefill import extract

TODAY = date(2026, 11, 26)


def read(text: str, lang: str) -> dict[str, Any]:
    return extract(text, locale=lang, today=TODAY)


# --- how many people -----------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, users", [
    # A count in a clause of its own, in figures or in words, maybe with where they are.
    ("fr", "Un outil de suivi des interventions pour les plombiers, on est quinze.", 15),
    ("fr", "Il faudrait une appli de tournée. Ils sont 45 sur la route tous les jours.", 45),
    ("fr", "Un portail RH pour l'usine, nous sommes environ 300 dans les ateliers, pour mars.", 300),
    ("fr", "Une messagerie sécurisée pour le cabinet ; nous sommes une trentaine en tout.", 30),
    ("fr", "Refonte de l'intranet des agences, ils sont trois cents environ.", 300),
    ("en", "We need a visitor log for reception. There are 12 of us across both sites.", 12),
    ("en", "Could we get a rota tool for the kitchen? Thirty of them, give or take, on two shifts. By June.", 30),
    ("en", "A shared inbox for the claims desk — there are about a dozen of us — by January.", 12),
    ("en", "A ticketing tool for the facilities team, we're forty in total.", 40),
    ("en", "An induction portal for new starters, two dozen of them joining in January.", 24),
    # Abbreviated or approximate.
    ("fr", "Un annuaire interne pour le siège (env. 250 pers.), rien d'urgent.", 250),
    ("fr", "Outil de réservation de salles pour ~ 80 pers au 3e étage", 80),
    ("en", "A document portal for the auditors, approx. 35 ppl, before Q2.", 35),
    ("en", "Expense tool for the field team, 30-ish people, next month.", 30),
    ("en", "Knowledge base for support, 50+ agents, by March.", 50),
    # In brackets a few words after the people, or followed by where they are.
    ("en", "Our drivers at the northern depots (roughly 70 in all) need a fuel card app.", 70),
    ("en", "The nurses (about 200 across four wards) keep asking for a handover tool.", 200),
    ("fr", "Les conseillers des agences du sud (une quarantaine) voudraient un agenda partagé.", 40),
    ("en", "Foremen on our building sites (a couple of dozen) need a daily report app.", 24),
    # Roles that were missing.
    ("en", "A partner portal for our 18 channel partners.", 18),
    ("en", "Survey tool, about 2500 respondents, before April.", 2500),
    ("fr", "Un VPN pour les 25 télétravailleurs du service paie.", 25),
    ("en", "Results portal for 60 GPs in the region.", 60),
])
def test_a_count_said_in_many_ways(lang: str, text: str, users: int) -> None:
    assert read(text, lang).get("users_affected") == users


@pytest.mark.parametrize("lang, text", [
    # Figures that count things, in brackets after people or after "there are".
    ("fr", "Un extranet pour les franchisés (environ 150 boutiques), budget 40 000 €.", ),
    ("en", "A booking tool for the coordinators (120 rooms across the campus).", ),
    ("en", "We need a fleet tracker. There are 40 vans and 12 trucks.", ),
    ("fr", "Un outil de suivi des stocks, on est en retard sur les inventaires.", ),
    ("en", "A status page for our customers; all of them ask the same thing.", ),
])
def test_figures_that_count_no_people(lang: str, text: str) -> None:
    assert "users_affected" not in read(text, lang)


# --- personal data named by example ---------------------------------------------------------

@pytest.mark.parametrize("lang, text", [
    ("en", "A CRM for the branch, it keeps customer names and phone numbers."),
    ("en", "Payroll reporting tool: it will show every employee's salary."),
    ("en", "Replace the volunteers spreadsheet with their home addresses and dates of birth."),
    ("en", "A refunds tool; it stores the IBAN of each customer."),
    ("en", "Scanning of medical records for the clinic."),
    ("en", "A tool to compare staff salaries across the sites."),
    ("fr", "Un outil de suivi des locataires : noms, adresses et coordonnées bancaires."),
    ("fr", "Un portail où les parents déposent leurs avis d'imposition pour la cantine."),
    ("fr", "Numérisation des dossiers médicaux du centre de santé."),
    ("fr", "Il faut un outil pour les fiches de paie des intérimaires."),
    ("fr", "Un fichier des bénévoles avec leur numéro de téléphone et leur RIB."),
])
def test_personal_data_named_by_example(lang: str, text: str) -> None:
    assert read(text, lang).get("personal_data") is True


@pytest.mark.parametrize("lang, text", [
    ("fr", "Un outil de planning pour les salariés de l'entrepôt."),  # "salariés" folds like "salaries"
    ("en", "A booking tool for meeting rooms, with the room names on the screen."),
    ("fr", "Une carte des adresses de nos 40 agences."),
])
def test_no_personal_data_where_none_is_named(lang: str, text: str) -> None:
    assert "personal_data" not in read(text, lang)


# --- dates: the time there is; "today" as the present ---------------------------------------

@pytest.mark.parametrize("lang, text, day", [
    ("fr", "Un outil de gestion des astreintes. Il nous reste 3 semaines.", "2026-12-17"),
    ("fr", "Portail des adhérents : nous avons encore 4 mois devant nous.", "2027-03-26"),
    ("fr", "Un outil de suivi des chantiers, on a deux mois pour le livrer.", "2027-01-26"),
    ("en", "A claims portal. We've got 6 weeks left.", "2027-01-07"),
    ("en", "New intranet search; we have two months to deliver it.", "2027-01-26"),
    ("en", "A survey tool, and we only have 10 days ahead of us.", "2026-12-06"),
])
def test_the_time_there_is_is_a_deadline(lang: str, text: str, day: str) -> None:
    assert read(text, lang).get("desired_date") == day


@pytest.mark.parametrize("lang, text", [
    ("fr", "On a 2 mois de retard sur les relances, il faudrait un outil de relance."),
    ("en", "We have 3 weeks of backlog in the claims desk; a triage tool would help."),
])
def test_a_duration_that_is_no_time_left(lang: str, text: str) -> None:
    assert "desired_date" not in read(text, lang)


@pytest.mark.parametrize("lang, text, day", [
    ("fr", "Aujourd'hui les congés se gèrent sur Excel ; il faudrait un outil de gestion des congés.", None),
    ("en", "Today every request comes by e-mail. Could we get a request portal?", None),
    ("en", "Today we print the rotas, so we need a rota app by March.", "2027-03-31"),
    ("fr", "Il faut corriger l'export pour aujourd'hui.", "2026-11-26"),
    ("en", "We need the export fixed by today.", "2026-11-26"),
])
def test_today_as_the_present_is_no_deadline(lang: str, text: str, day: str | None) -> None:
    assert read(text, lang).get("desired_date") == day


# --- the title: where the need is said ------------------------------------------------------

@pytest.mark.parametrize("lang, text, title", [
    # Asked as a question, after context or not.
    ("fr", "Est-ce qu'il serait possible d'avoir un outil de suivi des formations ?", "Outil de suivi des formations"),
    ("fr", "Y aurait-il moyen d'obtenir un tableau de bord des ventes pour mars ?", "Tableau de bord des ventes"),
    ("fr", "Est-ce qu'il y aurait moyen de développer un portail des stagiaires ?", "Portail des stagiaires"),
    ("fr", "Serait-il possible de dévelloper une appli de réservation des véhicules ?",
     "Appli de réservation des véhicules"),
    ("en", "Is there any way to get a visitor badge printer at reception?", "Visitor badge printer"),
    ("en", "Is there a way for us to have a shared contacts list?", "Shared contacts list"),
    ("en", "Could we possibly get a parking booking app?", "Parking booking app"),
    ("en", "Can you maybe build a simple leave tracker?", "Simple leave tracker"),
    ("en", "Would it be possible to automate the monthly stock report?", "Automate the monthly stock report"),
    # Asked to look at a thing first: the verb goes, the thing stays.
    ("fr", "Pourriez-vous étudier la refonte du site carrières ?", "Refonte du site carrières"),
    ("fr", "Est-ce qu'on pourrait envisager un connecteur entre la GED et le CRM ?",
     "Connecteur entre la GED et le CRM"),
    ("fr", "Pouvez-vous regarder une solution de signature électronique ?", "Solution de signature électronique"),
    ("en", "Could you look into a badge reader for the car park?", "Badge reader"),
    ("en", "Can IT investigate a single login for the HR tools?", "Single login"),
    ("en", "Could you consider a mobile version of the intranet?", "Mobile version of the intranet"),
    # The verb as a noun.
    ("fr", "Mise en place d'une GED pour les contrats, avant l'été.", "GED"),
    ("en", "Roll-out of a password manager across the company.", "Password manager across the company"),
    # A label before a dash.
    ("fr", "Demande urgente – Portail de dépôt des factures", "Portail de dépôt des factures"),
    ("fr", "Besoin RH - outil d'entretiens annuels", "Outil d'entretiens annuels"),
    ("en", "Request - a shared calendar for the board", "Shared calendar"),
    ("en", "New project — asset register", "Asset register"),
    # A subject with brackets, with no article, or asking again and again.
    ("fr", "Les gardiens (9) voudraient une appli de rondes.", "Appli de rondes"),
    ("fr", "Les chefs d'équipe nous réclament un planning partagé.", "Planning partagé"),
    ("en", "warehouse pickers in both depots need a scanner app.", "Scanner app"),
    ("en", "Our coaches (about 30) keep asking for a session booking tool.", "Session booking tool"),
    # A greeting with an emoji or a pleasantry before the need.
    ("fr", "Bonjour 🙂 nous voudrions un outil de sondage.", "Outil de sondage"),
    ("fr", "Bonjour, j'espère que vous allez bien. Il nous faudrait un wiki interne.", "Wiki interne"),
    ("en", "Hi all, hope you're doing well. We'd like a team wiki.", "Team wiki"),
    # Context first, then a thing proposed.
    ("fr", "Les relevés se font sur papier. Une appli de saisie terrain, ce serait bien.", "Appli de saisie terrain"),
    ("fr", "Le standard est saturé. Un serveur vocal nous aiderait beaucoup.", "Serveur vocal"),
    ("en", "Tickets get lost in the shared mailbox. A proper helpdesk tool would help a lot.", "Proper helpdesk tool"),
    ("en", "We copy orders by hand. Automatic order import would save us hours.", "Automatic order import"),
    ("en", "Reps can't see stock on the road. Would a mobile stock viewer be feasible?", "Mobile stock viewer"),
    # Where the thing stops: a count of things after "des"/"of", where it runs, who uses it.
    ("fr", "Il faut un écran d'affichage dans les halls des 12 résidences.", "Écran d'affichage"),
    ("en", "We need a booking tool for the desks of our 4 offices.", "Booking tool"),
    ("en", "The drivers need a delivery app on their phones.", "Delivery app"),
    ("en", "We need to migrate the old intranet managed by the comms team.", "Migrate the old intranet"),
    ("fr", "Il faut remplacer le tableur partagé par les agences.", "Remplacer le tableur"),
])
def test_where_the_need_is_said(lang: str, text: str, title: str) -> None:
    assert read(text, lang).get("title") == title


def test_a_long_title_is_kept_up_to_the_length_a_typed_one_may_have() -> None:
    text = ("Il faudrait un outil pour suivre les heures supplémentaires des serveurs et cuisiniers du "
            "restaurant d'entreprise.")
    title = read(text, "fr")["title"]
    assert title.startswith("Outil pour suivre") and title.endswith("restaurant d'entreprise")


# --- more of the same kinds, found by trying new phrasings -------------------------------------

@pytest.mark.parametrize("lang, text, users", [
    ("fr", "Une appli de covoiturage ? On serait une centaine à l'utiliser.", 100),
    ("fr", "Un outil de sondage interne, nous serions environ 40 concernés.", 40),
    ("en", "A car-pool app; we'd be about 60 using it.", 60),
    ("en", "SSO for the LMS, ~2k learners, next year.", 2000),
    ("en", "A matter tool for the 20-odd lawyers.", 20),
    ("fr", "Un annuaire pour nos 1,5k adhérents.", 1500),
])
def test_more_ways_to_say_how_many(lang: str, text: str, users: int) -> None:
    assert read(text, lang).get("users_affected") == users


@pytest.mark.parametrize("lang, text, title", [
    ("fr", "Nos infirmières (environ 90) aimeraient une appli de transmissions.", "Appli de transmissions"),
    ("fr", "Les magasiniers souhaiteraient un terminal de saisie.", "Terminal de saisie"),
    ("fr", "Je me demandais si on pourrait avoir un outil de sondage.", "Outil de sondage"),
    ("en", "Wondering if IT could build a simple near-miss form?", "Simple near-miss form"),
    ("en", "I was wondering whether you could set up a shared mailbox.", "Shared mailbox"),
    # Before a colon is the thing itself, not a label, when it names one.
    ("en", "Patient portal: history, prescriptions and results.", "Patient portal"),
    ("fr", "Portail fournisseurs : dépôt des factures et suivi des paiements.", "Portail fournisseurs"),
])
def test_more_ways_to_say_the_need(lang: str, text: str, title: str) -> None:
    assert read(text, lang).get("title") == title


@pytest.mark.parametrize("lang, text, amount", [
    ("fr", "Un outil de suivi, budget aux alentours de 50k.", "50000"),
    ("en", "A portal, budget ~120k.", "120000"),
    ("en", "A portal, budget up to 80k.", "80000"),
    ("en", "A matter tool, budget capped at 60k.", "60000"),
])
def test_a_budget_said_roughly_or_as_a_ceiling(lang: str, text: str, amount: str) -> None:
    assert read(text, lang).get("budget") == {"amount": amount, "currency": "EUR"}


@pytest.mark.parametrize("lang, text", [
    ("en", "A complaints tool that keeps names, emails and order numbers."),
    ("fr", "Un fichier des inscrits : nom, prénom et date de naissance."),
])
def test_a_list_of_what_is_kept_on_people_is_personal_data(lang: str, text: str) -> None:
    assert read(text, lang).get("personal_data") is True
