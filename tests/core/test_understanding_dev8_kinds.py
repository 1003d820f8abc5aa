"""Kinds of phrase the intake missed in dev8 (was blind7), each tested with sentences of its own in both
languages, none taken from the set; each table failed before its kind was brought into the extractor,
except the guards, which keep a new rule from taking too much.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pmobot.conversation.prefill import extract

TODAY = date(2026, 11, 30)


def found(text: str, lang: str) -> dict[str, Any]:
    return extract(text, locale=lang, today=TODAY)


# --- personal data by nature: what a service keeps of the people it serves ---------------------------

@pytest.mark.parametrize("lang, text", [
    # A hotel's PMS and its messages to guests; table bookings; tickets sold for an event.
    ("en", "Our hotel needs a new PMS before the summer season."),
    ("en", "We'd like a guest messaging tool for the front desk."),
    ("fr", "Il nous faut une messagerie clients pour nos trois hôtels."),
    ("fr", "On voudrait un module de réservation de tables pour la brasserie."),
    ("en", "Can we get online table bookings for the staff restaurant's evening service?"),
    ("fr", "Besoin d'une billetterie pour le gala de fin d'année."),
    ("en", "We need event ticketing for the spring conference."),
    # Civil-status records.
    ("fr", "La mairie veut dématérialiser les actes de mariage."),
    ("en", "The registry office wants to digitise birth certificates from 1950 onwards."),
    # Care given to named people.
    ("en", "The ward needs digital medication rounds on tablets."),
    ("fr", "L'EHPAD souhaite informatiser les plans de soins."),
    # What people ask of a service, kept with their names.
    ("en", "The clinic wants a tool to sort patient messages."),
    ("fr", "Il faut un outil pour centraliser les demandes des patients."),
    ("en", "We need a parent-teacher conference scheduler."),
    ("fr", "Le collège voudrait un outil pour les réunions parents-professeurs."),
    # A customer's order: who asked about it, where it goes.
    ("fr", "On veut un assistant qui réponde aux clients sur leurs livraisons."),
    ("en", "We need a bot that answers customers about their orders."),
    ("en", "The courier app should show the delivery address to drivers."),
    # A new hire's way in, said as a journey.
    ("fr", "On voudrait un parcours d'accueil numérique pour les nouveaux collaborateurs."),
    ("en", "We need to streamline the new hire journey across sites."),
    ("fr", "Il faut suivre l'intégration des nouveaux embauchés."),
])
def test_services_to_named_people_keep_their_data(lang: str, text: str) -> None:
    assert found(text, lang).get("personal_data") is True


@pytest.mark.parametrize("lang, text", [
    # Guards: the same services where no one's data is kept.
    ("en", "We need a tool to book meeting rooms."),
    ("fr", "Il faut un outil de réservation de salles de réunion."),
    ("en", "We need an IT ticketing tool for the helpdesk."),
])
def test_bookings_of_things_keep_no_ones_data(lang: str, text: str) -> None:
    assert found(text, lang).get("personal_data") is not True
