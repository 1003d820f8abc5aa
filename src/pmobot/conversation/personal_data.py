"""Whether an opening sentence says the need handles personal data.

Said outright ("données personnelles", "GDPR", "PII"), or by example: what
is kept about people (names of patients or customers, phone numbers, home
addresses, bank details, IBAN, salaries, payslips, tax notices, health
records, sick leave, medical certificates, prescriptions, CVs, dates of
birth, social security numbers, signatures, a person's photo and phone...).
Or by the nature of the thing asked: a thing that keeps data about
identifiable people counts even when the sentence names none (payroll, leave,
recruitment, a CRM, call recording, badges, sign-ups...), because the flag
sends the need to the GDPR review, where a missed flag is the costly error
(the convention of bench/understanding/README.md, 2026-11-30). What counts is
what the thing records about people, not that people use it: a rota, a room
booking or a ticketing tool does not count. Only ever "yes": a sentence that
names none of these says nothing about it.
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
    r"visitors?|guests?|attendees?|participants?|trainees?|interns?|drivers?|passengers?|"
    # Any group of people a thing keeps records on: professionals, owners, parties to a case, children.
    r"doctors?|physicians?|nurses?|lawyers?|owners?|buyers?|sellers?|borrowers?|policyholders?|claimants?|"
    r"witness(?:es)?|part(?:y|ies)|children|child|kids?|famil(?:y|ies)|people|persons?|individuals?|workers?|"
    r"volunteers?|teachers?|learners?|prospects?|contacts?)"
    r"(?:'s?)?"
)
_FR_PEOPLE = (
    r"(?:patients?|clients?|clientes?|candidats?|candidates?|salaries?|agents?|adherents?|locataires?|"
    r"usagers?|eleves?|etudiants?|parents?|beneficiaires?|administres?|benevoles?|donateurs?|abonnes?|"
    r"particuliers?|personnes?|visiteurs?|participants?|stagiaires?|apprentis?|collaborateurs?|"
    r"collaboratrices?|employes?|invites?|chauffeurs?|voyageurs?|passagers?|"
    r"medecins?|praticiens?|avocats?|infirmiers?|infirmieres?|proprietaires?|acheteurs?|vendeurs?|habitants?|"
    r"residents?|enfants?|familles?|parties?|temoins?|membres?|mineurs?|emprunteurs?|assures?|conducteurs?|"
    r"prospects?|contacts?|accueillis?)"
)
_BY_EXAMPLE = (
    # Names, contacts and addresses of people.
    rf"{_PEOPLE}\s+(?:names?|full names?|contact details|phone numbers?|addresses|home addresses|emails?|"
    r"e-mails?|dates? of birth|records?|files?|details|cvs?|resumes?|ages?|address|specialties|specialisms)|"
    rf"(?:names?|noms?)\s+(?:of|des|de nos|de leurs|du|de la|de)\s+{_PEOPLE}|"
    rf"(?:noms?|prenoms?|adresses?|numeros? de telephone|coordonnees|dates? de naissance|dossiers?|fiches?|cv|"
    r"resultats? (?:d'analyses?|d'examens?)|ages?|antecedents?(?: medicaux)?|specialites?)"
    rf"\s+(?:des|de nos|de leurs|du|de la|de|d')\s*{_FR_PEOPLE}|"
    # A list of what is kept on people: "names, emails and order numbers", "nom, prénom, adresse".
    r"(?:names?|full names?|first names?|noms?|prenoms?)(?:,|\s+(?:and|et|&))\s+(?:e-?mails?|addresses|adresses?|"
    r"phone numbers?|numeros?|telephones?|prenoms?|noms?|dates? of birth|dates? de naissance|surnames?)|"
    # What a customer's own order tells of them: its number, where it goes, asked by that customer.
    r"(?:delivery|shipping) address(?:es)?|adresses? de livraison|numeros? de commandes?|order numbers?|"
    rf"(?:{_PEOPLE}|{_FR_PEOPLE})\s+(?:\w+\s+){{0,2}}(?:sur|about|on|regarding) (?:leurs?|their) "
    r"(?:commandes?|orders?|comptes?|accounts?|dossiers?|contrats?|livraisons?|deliver(?:y|ies))|"
    r"phone numbers?|mobile numbers?|numeros? de (?:telephone|portable|mobile)|home address(?:es)?|"
    r"adresses? (?:postales?|personnelles?|e-?mail)|email addresses|e-mail addresses|"
    r"dates? of birth|dates? de naissance|"
    # Where a person lives and what they drive: proof of address, a plate number; a person's own details.
    r"proofs? of (?:address|residence)|justificatifs? (?:de domicile|d'adresse)|plate numbers?|number plates?|"
    r"licen[cs]e plates?|numeros? de plaque|plaques? d'immatriculation|"
    r"(?:their|his|her|leurs?|ses|son|sa)\s+(?:names?|ages?|address(?:es)?|home address(?:es)?|noms?|ages?|"
    r"adresses?|numeros? de telephone)|"
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
    r"medical (?:certificates?|info|information|details|history)|sick (?:notes?|leave records?|days)|allergies|"
    r"jours? (?:de maladie|d'arret)|"
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


# A customer care team's own channel to its customers (a console, a shared mailbox, callbacks), said either way.
_CARE = r"(?:service client|customer (?:care|service|support)|call cent(?:er|re)s?|centre d'appels)"
_CARE_TOOL = r"(?:console|mailbox|call-?backs?|boite mail|rappels? (?:des )?clients)"
# Domains whose work keeps data about identifiable people by its nature, whatever the sentence names:
# (domain, folded pattern in both languages, with the inflections and synonyms heard).
_BY_NATURE: tuple[tuple[str, str], ...] = (
    # Pay and HR records.
    ("payroll", r"paie|payroll|calcul des primes|primes? (?:des|de nos) (?:commerciaux|vendeurs|salaries)|"
                r"bonus (?:calculation|scheme)s?|commissions? (?:calculation|des (?:commerciaux|vendeurs|agents))|"
                r"sales commissions?|calcul des commissions|"
                r"remunerations? variables?|variable pay|elements? variables?"),
    ("expense claims", r"notes? de frais|expense (?:apps?|claims?|reports?|management|approvals?|tools?|tracking)"),
    ("leave and absence", r"conges|absences?|absence (?:tracker|management)|leave (?:management|planning|requests?|"
                          r"tracker|tracking|app|tool)s?|annual leave|time off"),
    ("time and attendance", r"pointage|badgeuse|time ?clock|clock(?:ing)? in|timesheets?|time sheets?|"
                            r"feuilles? de (?:temps|presence)|heures? sup(?:plementaires)?|overtime|"
                            r"suivi des heures|time tracking|log (?:their|our|my) hours|"
                            # Time spent per matter or client: a firm's record of who worked on what.
                            r"(?:suivi|gestion|saisie) du temps(?: passe)?|temps passe par (?:dossier|client|"
                            r"projet|affaire|mission)|billable hours|heures facturables|time spent per"),
    ("HR records", r"sirh|hris|portail rh|hr portal|hr self-service|tableau de bord rh|hr dashboard|"
                   r"dossiers? (?:du|des) personnel|personnel files?|employee records?|"
                   r"entretiens? (?:annuels|individuels)|"
                   r"contrats? de travail|employment contracts?|hr contracts?|contrats? rh|"
                   r"(?<!supplier )(?<!vendor )(?<!supplier-)onboarding"
                   r"(?! (?:des |de nos |de )?(?:fournisseurs|suppliers))|"
                   r"gestion des stagiaires|suivi des stagiaires|intern management|skills matri(?:x|ces)|"
                   r"matrices? de competences|mentoring|mentorat|annuaire|trombinoscope|staff directory|"
                   r"employee directory|people directory"),
    ("training records", r"suivi des formations|formations? obligatoires|training (?:tracker|records?|tracking)|"
                         r"compliance training|e-?learning|learning (?:platform|management)|lms|"
                         r"plateforme de formation|formations? en ligne|online (?:exams?|training)|"
                         r"exam platform|examens? en ligne"),
    ("recruitment", r"recrutements?|recruitment|recruiting|candidatures?|hiring|site (?:des )?carrieres?|"
                    r"careers? (?:site|page|portal)|ats|applicant tracking"),
    # Customers and other people as records.
    ("customers", r"crm|gestion de la relation clients?|grc|customer relationship|"
                  r"portail clients?|customer portal|espace clients?|customer self-service|"
                  r"fidelite|fidelisation|loyalty|e-?commerce|online shop|web ?shop|boutique (?:en ligne|web)|"
                  r"commandes? en ligne|click ?-? ?(?:and|&|n|et)? ?-? ?collect|retrait en (?:magasin|boutique)|"
                  # A portal for the people a body serves: its tenants, members, patients, families.
                  r"portail (?:des |de nos )?(?:locataires|residents|adherents|membres|usagers|patients|parents|"
                  r"familles|eleves|etudiants|citoyens|habitants|benevoles|candidats)|(?:tenant|resident|member|"
                  r"patient|parent|family|student|citizen|volunteer|candidate)s?'?\s+portals?|"
                  r"online order(?:ing|s)?|order tracking|(?:prise de )?rendez-vous|appointments?|"
                  r"reclamations?|complaints?|sinistres?|"
                  r"claims (?:handling|handlers?|management|intake|tracking|dashboards?|tools?)|"
                  r"claim handlers?|claims? adjusters?|insurance claims?|underwrit\w*|souscripteurs?|churn|"
                  r"core banking|fraud detection|detection (?:de la |des |de )?fraudes?|anti-?fraude|"
                  r"transaction monitoring|kyc"),
    ("customer contact", r"crm|(?<!team )(?<!tech )leads|lead (?:management|generation|collection|capture|tracking)|"
                         r"collecte de leads|e-?mailing|mailing lists?|newsletters?|contact form|formulaire de contact|"
                         r"call-?back (?:scheduling|bookings?|requests?)|demandes? de rappel|"
                         r"marketing automation|automatisation (?:du |de )?marketing|"
                         rf"{_CARE}.*?{_CARE_TOOL}|{_CARE_TOOL}.*?{_CARE}"),
    # People watched or located.
    ("monitoring", r"call recording|enregistrements? (?:des |d')?(?:appels|conversations)|badges?|"
                   r"controle d'acces|access control|access logs?|videosurveillance|video surveillance|cctv|"
                   r"visiteurs?|visitors?|telematique|telematics|geolocali[sz]ation|geolocation|gps tracking|"
                   r"fleet tracking|suivi gps|covoiturage|carpool(?:ing)?|car[ -]sharing|autopartage|"
                   r"e-?discovery|archivage des e-?mails|e-?mail archiving|archivage des (?:mails|courriels)"),
    # Requests and reports of identifiable people: a town's requests from its citizens, whistleblowing.
    ("requests of people", r"(?:demandes|signalements|requetes|doleances) des (?:usagers|administres|citoyens|"
                           r"habitants|residents|riverains)|(?:residents|citizens|citizen|resident)'?s? "
                           r"(?:requests|reports|complaints)|requests from (?:citizens|residents)|"
                           r"whistle-?blow\w*|lanceurs? d'alerte|alerte professionnelle|ethics hotline"),
    # Guests and diners: a hotel's PMS and its messages to guests, table bookings, tickets sold for an event.
    ("guests and bookings", r"pms|property management system|guest (?:messaging|messages|communications?|requests|"
                            r"app|portal)|messagerie (?:clients|voyageurs|des clients)|check-?in en ligne|"
                            r"online check-?in|(?:hotel|restaurant|table) (?:bookings?|reservations?)|"
                            r"reservations? (?:d'hotel|hotelieres?|de tables?|en ligne|au restaurant)|resa|"
                            r"online (?:reservations?|table bookings?)|billetteries?|event ticket(?:s|ing)|"
                            r"ticket sales|ventes? de billets|box office|"
                            # Visits booked by buyers or tenants: an estate agent's viewings.
                            r"(?:reservations?|prises?) de visites|(?:visit|viewing)s? bookings?|"
                            r"book(?:ing)? (?:a )?viewings?"),
    # Civil-status records of a town: births, marriages, deaths.
    ("civil status", r"etat civil|actes? (?:de naissance|de mariage|de deces)|(?:birth|marriage|death) "
                     r"(?:certificates?|records?|registers?)|civil (?:status|registry)|vital records|"
                     r"registres? paroissiaux"),
    # Care given to named people: medication records and rounds, care plans.
    ("care records", r"(?:electronic )?medication (?:administration )?(?:records?|rounds|charts?)|emar|"
                     r"dossiers? de soins|plans? de soins|care plans?|administration des medicaments|"
                     r"circuit du medicament|distribution des medicaments|tournees? de medicaments|"
                     # A patient's consent, signed and kept with their name.
                     r"(?:e-?)?consent forms?|formulaires? de consentement|consentements? (?:eclaires?|des patients)|"
                     r"informed consent"),
    # What people ask or book of a service, as messages kept with their names.
    ("people's enquiries", r"(?:patient|patients|guest|guests|parent|parents|tenant|tenants|resident|residents)'?s? "
                           r"(?:enquiries|inquiries|messages|requests|bookings)|"
                           r"(?:demandes|messages|rendez-vous|reservations) des (?:patients|parents|locataires|"
                           r"residents|voyageurs)|parent-teachers?|parents?-prof(?:esseur)?s?|rencontres? parents|"
                           r"reunions? parents|parents d'eleves"),
    # A new hire's way in, said as a journey: "parcours d'intégration des nouveaux arrivants", "new hire journey".
    ("onboarding of people", r"parcours d'(?:integration|accueil)|(?:integration|accueil) des nouveaux "
                             r"(?:arrivants|embauches|salaries|collaborateurs|entrants)|nouvelles? recrues|"
                             r"new (?:hires?|joiners?|starters?|employees?)'? (?:journey|onboarding|induction)|"
                             r"induction of new|employee journey"),
    # Lists of people.
    ("lists of people", r"inscriptions?|registrations?|sign-?ups?|attendees|participants|vote electronique|"
                        r"e-?voting|electronic vot(?:e|ing)|benevoles|volunteers?|prets? (?:de|des) "
                        r"(?:livres|liseuses|ouvrages)|library loans|(?:logiciel|gestion|systeme|module|suivi) "
                        r"(?:de |des )?prets|(?:library|book) (?:loans?|lending|circulation)|"
                        r"loans? (?:system|software)|"
                        r"sondages?|surveys?|questionnaires?|"
                        r"enquetes? (?:de satisfaction|internes?|aupres)"),
)
_NATURE = tuple((domain, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])")) for domain, pattern in _BY_NATURE)

# Guards: the same words where no one's data is kept. Money at company level ("budget de la paie", "payroll
# costs"), an HR chatbot answering questions about leave (it keeps questions, not records), an anonymous survey.
_COMPANY_MONEY = re.compile(
    r"(?:budgets?|couts?|costs?|masse salariale|enveloppe|provisions?)\s+(?:\w+\s+)?"
    r"(?:de la |du |des |de |d'|for (?:the )?|of (?:the )?)?"
    r"(?:paie|payroll|salaires?|salary|salaries|formations?|training)(?![\w-])|"
    r"(?:payroll|salary|training|wage) (?:budgets?|costs?|spend|lines?|provisions?)"
)
_QUESTIONS_ABOUT = re.compile(r"(?:questions?|faqs?)\s+(?:\w+\s+){0,4}?(?:sur|about|on|de)\s+[^.,;!?]*")
_ANONYMOUS = re.compile(r"anonym")
_ANSWERS = {"lists of people"}  # what an anonymous survey takes back


def personal_data_by_nature(folded: str) -> str | None:
    """The domain of ``folded`` (``fold_keep`` of a sentence) that keeps people's data by its nature, if any."""
    text = _QUESTIONS_ABOUT.sub(" ", _COMPANY_MONEY.sub(" ", folded))
    anonymous = bool(_ANONYMOUS.search(text))
    for domain, pattern in _NATURE:
        for found in pattern.finditer(text):
            if anonymous and domain in _ANSWERS and re.match(r"sondage|survey|questionnaire|enquete", found.group()):
                continue
            return domain
    return None


def mentions_personal_data(folded: str, lang: str) -> bool:
    """Whether ``folded`` (``fold_keep`` of the sentence, written in ``lang``) names personal data, or asks for
    a thing that keeps it by nature."""
    money = _COMPANY_MONEY.sub(" ", folded)
    return bool(_PERSONAL_DATA.search(money) or (lang == "en" and _EN_ONLY.search(money))
                or personal_data_by_nature(folded))
