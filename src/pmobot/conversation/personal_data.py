"""Whether an opening sentence says the need handles personal data.

Said outright ("données personnelles", "GDPR", "PII"), or by example: what
is kept about people (names of patients or customers, phone numbers, home
addresses, bank details, IBAN, salaries, payslips, tax notices, health
records, sick leave, medical certificates, prescriptions, CVs, dates of
birth, social security numbers, signatures, a person's photo and phone...).
A thing whose work needs such data (payroll, call recording, sign-ups) is not
enough by itself: the sets' authors disagree on it (bench/understanding/README.md).
Only ever "yes": a
sentence that names none of these says nothing about it.
"""

from __future__ import annotations

import re

# Folded text (no accents, lower case).
_SAID = (
    r"donnees? (?:a caractere )?personnelles?|donnees? (?:des )?clients?|donnees? (?:des )?salaries|"
    r"donnees? (?:medicales|de sante|patients?|nominatives|sensibles)|rgpd|gdpr|personal data|personal information|"
    r"personal details|personally identifiable|pii|customer data|client data|customers' data|employee data|"
    r"health data|patient data|dcp|informations? personnelles?|coordonnees personnelles"
)
# Whose details: a name, an address or a number is personal when it is a person's.
_PEOPLE = (
    r"(?:patients?|customers?|clients?|applicants?|candidates?|employees?|staff|members?|users?|tenants?|"
    r"residents?|students?|pupils?|parents?|citizens?|donors?|subscribers?|beneficiaries|suppliers' contacts|"
    r"visitors?|guests?|attendees?|participants?|trainees?|interns?|drivers?|passengers?)"
    r"(?:'s?)?"
)
_FR_PEOPLE = (
    r"(?:patients?|clients?|clientes?|candidats?|candidates?|salaries?|agents?|adherents?|locataires?|"
    r"usagers?|eleves?|etudiants?|parents?|beneficiaires?|administres?|benevoles?|donateurs?|abonnes?|"
    r"particuliers?|personnes?|visiteurs?|participants?|stagiaires?|apprentis?|collaborateurs?|"
    r"collaboratrices?|employes?|invites?|chauffeurs?|voyageurs?|passagers?)"
)
_BY_EXAMPLE = (
    # Names, contacts and addresses of people.
    rf"{_PEOPLE}\s+(?:names?|full names?|contact details|phone numbers?|addresses|home addresses|emails?|"
    r"e-mails?|dates? of birth|records?|files?|details|cvs?|resumes?)|"
    rf"(?:names?|noms?)\s+(?:of|des|de nos|de leurs|du|de la|de)\s+{_PEOPLE}|"
    rf"(?:noms?|prenoms?|adresses?|numeros? de telephone|coordonnees|dates? de naissance|dossiers?|fiches?|cv|"
    r"resultats? (?:d'analyses?|d'examens?))"
    rf"\s+(?:des|de nos|de leurs|du|de la|de|d')\s*{_FR_PEOPLE}|"
    # A list of what is kept on people: "names, emails and order numbers", "nom, prénom, adresse".
    r"(?:names?|full names?|first names?|noms?|prenoms?)(?:,|\s+(?:and|et|&))\s+(?:e-?mails?|addresses|adresses?|"
    r"phone numbers?|numeros?|telephones?|prenoms?|noms?|dates? of birth|dates? de naissance|surnames?)|"
    r"phone numbers?|mobile numbers?|numeros? de (?:telephone|portable|mobile)|home address(?:es)?|"
    r"adresses? (?:postales?|personnelles?|e-?mail)|email addresses|e-mail addresses|"
    r"dates? of birth|dates? de naissance|"
    # Money of a person.
    r"bank details|bank account(?: details| numbers?)?|iban|rib|coordonnees bancaires|"
    r"releves? (?:de compte|bancaires?)|"
    r"avis d'imposition|tax (?:returns?|notices?)|salary|salaire|salaires|remunerations? individuelles?|"
    r"payslips?|pay slips?|fiches? de paie|bulletins? de (?:paie|salaire)|"
    r"credit card(?: numbers?)?|cartes? bancaires?|"
    # Health and identity.
    r"health records?|medical records?|dossiers? (?:medicaux|medical|patients?|de sante)|"
    # Health said by example: sick leave, medical certificates or information, allergies.
    r"arrets? (?:maladie|de travail)|visites? medicales?|certificats? medicaux|certificat medical|"
    r"medical (?:certificates?|info|information|details|history)|sick (?:notes?|leave records?)|allergies|"
    r"social security numbers?|national insurance numbers?|numeros? de securite sociale|"
    r"passports?|passeports?|id cards?|id numbers?|pieces? d'identite|cartes? d'identite|casier judiciaire|"
    r"criminal records?|"
    # Papers that are a person's: CVs and cover letters, prescriptions, signatures of people.
    r"(?:les|des|nos|vos|leurs|ses)\s+cv|cvs|resumes|lettres? de motivation|cover letters?|"
    r"ordonnances?|prescriptions?|"
    rf"signatures?\s+(?:des|de nos|de leurs|du|de la|de|d')\s*{_FR_PEOPLE}|{_PEOPLE}\s+signatures?|"
    # Details listed of each person: "photo, nom, poste et téléphone", "photo, name and extension".
    r"(?:photos?|noms?|names?)(?:,\s*[a-z' -]{1,20}?)*(?:,|\s+(?:and|et|&))\s+(?:noms?|names?|telephones?|phones?|"
    r"extensions?|e-?mails?|adresses?|address(?:es)?|postes?\s+et\s+telephones?)"
)
_PERSONAL_DATA = re.compile(rf"(?<![\w])(?:{_SAID}|{_BY_EXAMPLE})(?![\w])")
# The English "salaries" folds like the French "salariés" (employees): read in English sentences only.
_EN_ONLY = re.compile(r"(?<![\w-])(?:salaries|staff salaries|employee salaries)(?![\w-])")


def mentions_personal_data(folded: str, lang: str) -> bool:
    """Whether ``folded`` (``fold_keep`` of the sentence, written in ``lang``) names personal data."""
    return bool(_PERSONAL_DATA.search(folded) or (lang == "en" and _EN_ONLY.search(folded)))
