"""How many people an opening sentence speaks of.

"40 commerciaux", "nos 35 techniciens terrain", "about 40 reps", "15 ppl",
"une vingtaine de juristes", "two dozen nurses", "deux cents agents", "our
team of 14": a count is taken when it stands before a noun of people (a job,
a role, "people", "staff"), with at most two words between them ("45 call
center agents", "12 bid managers"). Counts of things (sites, stores, trucks,
licences) are not people, so a noun must be one of ``PEOPLE_NOUNS``.

A count may also be said in a clause of its own ("on est douze", "ils sont
130 sur le terrain", "there are 150 of them", "Twenty-five of them."), in
brackets after the people ("nos gestionnaires (env. 60 pers.)"), after them
and a comma when said about or per period ("new hires, roughly 200 per
year"), as the size of a team ("a team of forty-two", "the 20-person team"),
or as the subject of using or awaiting the thing ("15 magasiniers
l'attendent"). Roles counted together are summed ("4 médecins et 6
infirmières" is 10); recipients of what the thing sends are not its users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pmobot.conversation.numbers import NUMBER_RE, ROUND_COUNTS, to_decimal
from pmobot.conversation.recognizers import locales, recognize_numbers

# Folded singular (or invariable) forms; a plural "s", "es" or "x" is allowed after each.
_ENGLISH_NOUNS = """
    people person persons user employee staff staffer personnel member colleague agent worker rep
    representative salespeople salesperson seller manager director executive exec engineer developer dev
    programmer technician tech analyst consultant contractor freelancer lawyer attorney paralegal
    counsel accountant bookkeeper auditor controller nurse doctor physician surgeon pharmacist carer
    caregiver clinician therapist midwife midwives dentist teacher trainer tutor lecturer professor
    student pupil intern trainee apprentice graduate hire newcomer joiner recruiter buyer purchaser
    driver courier picker packer operator inspector surveyor adjuster officer cashier clerk assistant
    secretary secretaries receptionist cleaner guard advisor adviser planner scheduler dispatcher
    designer architect researcher scientist translator interpreter writer editor journalist marketer
    supervisor head coordinator administrator admin specialist expert handler underwriter broker trader
    banker actuary actuaries mechanic electrician plumber installer fitter welder cook chef waiter
    bartender pilot crew firefighter paramedic librarian volunteer customer client patient resident
    tenant subscriber attendee participant visitor candidate applicant franchisee ppl folk fte associate
    caseworker stakeholder steward approver reviewer validator signatory forwarder loader porter janitor
    carpenter mason painter roofer labourer laborer farmer veterinarian vet optician teller collector
    estimator machinist craftsman craftsmen tradesperson foreman foremen dispatcher merchandiser
    negotiator agronomist biologist chemist statistician economist psychologist counsellor counselor
    coach instructor examiner assessor investigator detective steward stewardess hostess partner
    respondent gp learner tester guy caretaker concierge recruit hiree checker sorter
"""
_FRENCH_NOUNS = """
    personne utilisateur utilisatrice usager salarie employe collaborateur collaboratrice membre gens
    commercial commerciaux commerciale vendeur vendeuse manageur responsable directeur directrice cadre
    cheffe technicien technicienne ingenieur developpeur developpeuse analyste consultante prestataire
    juriste avocat avocate notaire comptable controleur controleuse auditeur auditrice infirmier
    infirmiere soignant soignante medecin pharmacien pharmacienne praticien praticienne kinesitherapeute
    enseignant enseignante professeur prof formateur formatrice tuteur tutrice etudiant etudiante eleve
    stagiaire alternant alternante apprenti apprentie recruteur recruteuse acheteur acheteuse
    approvisionneur chauffeur livreur livreuse conducteur conductrice caissier caissiere magasinier
    magasiniere preparateur preparatrice operateur operatrice ouvrier ouvriere conseiller conseillere
    assistante secretaire gestionnaire administrateur administratrice inspecteur inspectrice experte
    specialiste coordinateur coordinatrice planificateur planificatrice cuisinier cuisiniere hotesse
    receptionniste vigile gardien gardienne chercheur chercheuse traducteur traductrice redacteur
    redactrice graphiste architecte geometre teleconseiller teleconseillere intervenant intervenante
    benevole adherent adherente cliente patiente candidat candidate visiteur visiteuse participante
    residente locataire etp interimaire fonctionnaire actionnaire mandataire beneficiaire bibliothecaire
    signataire destinataire delegue deleguee associe associee retraite retraitee abonne abonnee
    affreteur affreteuse transitaire repartiteur repartitrice tresorier tresoriere compagnon compagne
    steward approbateur approbatrice valideur valideuse relecteur relectrice correcteur correctrice
    manutentionnaire cariste logisticien logisticienne charpentier macon electricien electricienne
    plombier peintre mecanicien mecanicienne animateur animatrice educateur educatrice
    psychologue auxiliaire veilleur veilleuse huissier greffier greffiere negociateur negociatrice
    courtier courtiere souscripteur souscriptrice actuaire banquier banquiere guichetier guichetiere
    releveur releveuse postier postiere agriculteur agricultrice eleveur eleveuse veterinaire artisan artisane commis
    opticien opticienne acheteur statisticien statisticienne economiste pers repondant repondante
    dessinateur dessinatrice saisonnier saisonniere gars testeur testeuse superviseur superviseuse
    representant representante brancardier brancardiere ambulancier ambulanciere
    surveillant surveillante pompier policier prospecteur prospectrice
    manipulateur manipulatrice orthophoniste dentiste chirurgien chirurgienne
    qualiticien qualiticienne recrue arrivant arrivante receptionnaire expediteur expeditrice emballeur
    emballeuse trieur trieuse
"""
# Nouns that name people in one language and things in the other: read in the sentence's language
# only ("40 temps" are temporary staff in English, "temps" is time in French; "300 franchisés" are
# people, "300 franchises" are shops).
# A department named after a count names its people ("les 10 RH", "the 6 HR"); the seats of a call centre
# or of a software are its users ("80 seats").
_NOUNS_BY_LANG = {"en": "temp hr seat", "fr": "franchise franchisee invite invitee rh"}
# Compounds on a head that names people: "storekeepers", "caseworkers", "salesmen", "télétravailleurs".
_COMPOUND_HEADS = r"(?:keeper|worker|person|people|man|men|woman|women|holder|travailleur|travailleuse)"
# French roles named in several words, on a head that alone would name a thing or a task:
# "chargés de clientèle", "chargée d'affaires", "attachés commerciaux".
_ROLE_HEADS = r"(?:charge|chargee|attache|attachee)s?\s+(?:(?:de|d')\s*[a-z]+|[a-z]+)"
PEOPLE_NOUNS = frozenset((_ENGLISH_NOUNS + _FRENCH_NOUNS).split())



def _nouns_re(nouns: frozenset[str] | list[str], *extra: str) -> str:
    listed = "|".join(sorted(nouns, key=lambda n: (-len(n), n)))
    return r"(?<![\w-])(?:[a-z]+-)?(?:" + "|".join((*extra, listed)) + r")(?:e?s|x)?(?![\w-])"


PEOPLE_NOUN_RE = _nouns_re(PEOPLE_NOUNS, r"team\s+lead", _ROLE_HEADS, rf"[a-z]{{2,}}{_COMPOUND_HEADS}")
_NOUN = re.compile(PEOPLE_NOUN_RE)
_NOUN_IN = {lang: re.compile(_nouns_re(nouns.split())) for lang, nouns in _NOUNS_BY_LANG.items()}
# Up to two words between the count and the noun ("45 call center agents"), none that
# would start another phrase ("12 sites and staff").
# A possessive starts another phrase too: "since March 2026 our field engineers" counts no engineers.
# Organisations or accounts a people noun qualifies: "30 partner companies", "12 client accounts".
_ORGANISATIONS = (r"(?:companies|company|firms?|organi[sz]ations?|entreprises?|societes?|structures?|agences?|"
                  r"agencies|accounts?|comptes?|sites?|magasins?|stores?|shops?|boutiques?|suppliers?|vendors?)")
# Organisations counted before a people noun that qualifies them: "40 sociétés partenaires" (not "40 account
# managers", where the word before the noun qualifies the people).
_COUNTED_ORGANISATIONS = r"(?:companies|firms|organi[sz]ations|entreprises|societes|structures|agences|agencies)"
# Records counted before a people noun that qualifies them: "80 000 adresses e-mail clients", "20,000 customer
# emails" count addresses, not customers.
_COUNTED_RECORDS = (r"(?:adresses|addresses|e-?mails|mails|fiches|records|dossiers|files|numeros|numbers|contacts|"
                    r"messages|sms|appels|calls|tickets|commandes|orders|factures|invoices|documents|lignes|rows)")
_BETWEEN = (r"(?:(?!(?:et|and|ou|or|de|d'|of|du|des|les|the|a|an|un|une|in|en|per|par|pour|for|our|nos|notre|"
            rf"their|leurs|leur|my|mes|mon|ma|your|vos|votre|{_COUNTED_ORGANISATIONS}|{_COUNTED_RECORDS})\s)"
            r"[a-z][a-z'-]*\s+){0,2}")
_QUALIFIES_THING = re.compile(rf"\s+(?:{_ORGANISATIONS}|{_COUNTED_RECORDS})(?![\w-])")
# Recipients of what the thing sends are no users: "envoyer des SMS à 20 000 clients", "send offers to
# 30,000 customers".
_SENT_TO = re.compile(
    r"(?:envo\w+|diffus\w+|adress\w+|send\w*|sent|email\w*|e-mail\w*|mail\w*|notif\w*|text\w*|sms)\b"
    r"[^.;!?]{0,40}\s(?:a|aux|to)\s+(?:(?:nos|our|the|les|all|tous|toutes|plus de|over|about|environ|some)\s+)*$"
)
# "new hires, roughly 200 per year", "les intérimaires, environ 80 par mois": the count after a comma, said
# to be about or per period (not "the reps, 3 sites").
_AFTER_COMMA = re.compile(
    r"\s*,\s*(?:(?P<about>environ|env\.?|about|around|roughly|some|approx\.?|approximately|~)\s*)?"
    rf"(?P<count>{NUMBER_RE})(?![\d%]|[.,]\d)"
    r"(?P<per>\s+(?:per|par|a|an|each|chaque)\s+(?:year|an|annee|month|mois|week|semaine|quarter|trimestre))?"
    r"\s*(?=[.;:!?)]|$)"
)
# Several roles counted together: "4 médecins et 6 infirmières", "4 developers and 3 testers".
_AND_MORE = re.compile(
    rf"(?:\s+(?:de|d'|of)\s*[a-z'-]+(?:\s+[a-z'-]+)?)?(?:\s*,\s*|\s+(?:et|and|&|plus)\s+|\s*\+\s*)"
    rf"(?P<num>{NUMBER_RE})(?![\d%]|[.,]\d)\s+"
)
# "the 20-person customer service team", "our 30-strong support team", "a 9-member sales team".
_SIZED_TEAM = re.compile(
    r"(?<![\w-])(?P<num>\d+)[- ](?:person|people|strong|member|man)\s+(?:[a-z&'-]+\s+){0,3}?"
    r"(?:team|teams|group|department|unit|crew|squad|service|office|desk)(?![\w-])"
)
_OF = r"(?:(?:de|of)\s+|d')?"
# "20-ish people", "50+ users", "30 odd staff", "20-odd managers": an approximate count is a count.
_APPROX_AFTER = r"(?:\s*-?\s*(?:ish|odd)|\+)?"
# "2k learners": thousands.
_DIGITS = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER_RE})(?P<k>k(?![a-z]))?{_APPROX_AFTER}\s*{_BETWEEN}$")
_ROUND = re.compile(
    rf"(?<![\w])(?:(?:une|a|an)\s+)?(?P<round>{'|'.join(sorted(ROUND_COUNTS, key=len, reverse=True))})s?\s+"
    rf"{_OF}{_BETWEEN}$"
)
# Words that say a count is about: "environ 60", "~400", "approx. 50".
_ABOUT = (r"(?:(?:environ|env\.?|about|around|roughly|some|approx\.?|approximately|pres de|a peu pres|"
          r"plus ou moins|~)\s*)?")
# A number said alone, in figures or in up to three words ("douze", "deux cents", "a dozen").
_SAID = rf"(?:{NUMBER_RE}(?![\d%]|[.,]\d)|[a-z][a-z-]*(?:\s+[a-z][a-z-]*){{0,2}}?)"
# What may follow a count said alone, before its clause ends: "of us", "en tout", "environ", and
# where they are ("sur le terrain", "across the UK and France", "dans les magasins du nord").
_COUNT_TAIL = (
    r"(?:\s+(?:of us|of them|d'entre nous|d'entre eux|d'entre elles))?"
    r"(?:\s+(?:en tout|au total|in total|in all|environ|or so|approximately|roughly))?"
    r"(?:\s+(?:dans|a|au|aux|en|sur|in|on|at|across|over|throughout|within|between|entre|chez)\s+[^.,;:!?()\n—–]{1,40}?)?"
    r"(?:\s+(?:joining|arriving|starting|qui arrivent|a l'utiliser|a s'en servir|using it|to use it|"
    r"concerne|concernes|concernees|affected|impacted|"
    # What they do: "we're 4 doing it by hand", "6 of us doing it on paper".
    r"[a-z]{2,}ing(?![\w'-])[^.,;:!?()\n—–]{0,40}?))?"
    # The clause ends with punctuation, or goes on with "and": "we're 25 in the studio and need...".
    r"\s*(?=[.,;:!?)—–]|\s-\s|$|\s+(?:and|et|but|mais|so|donc)\s)"
)
# "our customer care team of 30", "a team of forty-two": the count starts where the phrase naming the
# team does.
_TEAM_OF = re.compile(
    r"(?:\b(?:for|pour)\s+(?:(?:our|the|my|nos|notre|mon|ma|l')\s*)?(?:[a-z-]+\s+){0,3})?"
    rf"\b(?:team|equipe|group|groupe)\s+(?:of|de)\s+{_ABOUT}"
    rf"(?:(?P<num>\d+)(?![\d%]|[.,]\d)|(?P<words>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){{0,2}}?){_COUNT_TAIL})"
)
# "les contrôleurs de gestion (une quinzaine)", "for the stock controllers (a dozen of them)", "nos
# compagnons (environ 800)", "our teachers (about 120 across the three campuses)", "site managers on our
# building sites (a couple of dozen)": the count in brackets just after the people it counts.
_AFTER = re.compile(
    r"(?:\s+(?:de|d'|du|des|of|on|in|at|sur|dans|our|nos|the|les|la|le|l')?\s*[a-z'-]+){0,4}\s*\(\s*"
    rf"{_ABOUT}(?P<count>[^()]{{1,30}}?){_COUNT_TAIL}\s*\)"
)
# "Ils sont 65.", "on est douze", "nous sommes une trentaine", "we're 15", "there are 40 of us",
# "Twenty-five of them.": a count said in a clause of its own.
_WE_ARE = re.compile(
    r"\b(?:ils|elles|nous|on)\s+(?:sont|sommes|est|seraient|serions|serait|seront|serons|sera)\s+"
    r"|\b(?:we|they)(?:'re|\s+are|'d\s+be|\s+would\s+be|'ll\s+be|\s+will\s+be)\s+"
)
# A count that is the subject of using or awaiting the thing names people whatever the noun ("15 magasiniers
# l'attendent", "12 brancardiers l'utiliseront", "25 riggers will use it"), unless it names organisations.
_USE_IT = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_RE})(?![\d%]|[.,]\d)\s+(?!{_ORGANISATIONS}\s)[a-z][a-z'-]*\s+"
    r"(?:(?:l'|le\s+|la\s+|les\s+|s'en\s+|en\s+)?(?:attend\w*|utilis\w*|servent|serviront|ont\s+besoin|auront\s+besoin)|"
    r"(?:will|would|are\s+going\s+to|are\s+waiting\s+to|can't\s+wait\s+to)\s+use\s+it|use\s+it|are\s+waiting\s+for\s+it|"
    r"(?:will\s+)?need\s+it|rely\s+on\s+it)(?![\w'-])"
)
_THERE_ARE = re.compile(r"\bthere(?:'s|\s+is|\s+are|'re)\s+")
_WE_ARE_COUNT = re.compile(rf"{_ABOUT}(?P<num>{_SAID}){_COUNT_TAIL}")
# "there are 150 of them" (not "there are 3 offices"), "Twenty-five of them.", "half a dozen of them joining".
_OF_US = re.compile(rf"(?<![\w'-]){_ABOUT}(?P<num>{_SAID})\s+(?:of us|of them|d'entre nous|d'entre eux|d'entre elles)"
                    rf"(?![\w'-])")
# A number in words ends the window, give or take "de"/"of" and two words.
_WORDS_TAIL = re.compile(rf"{_OF}{_BETWEEN}$")
_WINDOW = 60
# Each recognizers-text call costs milliseconds: a long text gets a few tries, not one per noun.
_MAX_WORD_TRIES = 3
_LARGEST = 10_000_000


@dataclass(frozen=True)
class Headcount:
    start: int  # where the count starts in the folded text: a title stops before it
    end: int
    value: int


def _whole(value: Decimal | None) -> int | None:
    if value is None or value != value.to_integral_value() or not 0 < value <= _LARGEST:
        return None
    return int(value)


def find_headcount(folded: str, lang: str) -> Headcount | None:
    """The first count of people in folded text, or None."""
    tries = _MAX_WORD_TRIES
    own = _NOUN_IN.get(lang)
    nouns = sorted([*_NOUN.finditer(folded), *(own.finditer(folded) if own else ())], key=lambda m: m.start())
    for sized in _SIZED_TEAM.finditer(folded):
        return Headcount(sized.start(), sized.end(), int(sized["num"]))
    for noun in nouns:
        if _QUALIFIES_THING.match(folded, noun.end()):
            continue
        offset = max(0, noun.start() - _WINDOW)
        window = folded[offset : noun.start()]
        m = _DIGITS.search(window)
        if m and _SENT_TO.search(folded[max(0, offset + m.start() - 60) : offset + m.start()]):
            continue
        if m:
            number = to_decimal(m["num"], style="thousands", locale=lang)
            value = _whole(number * 1000 if number is not None and m["k"] else number)
            if value is not None:
                end, value = _and_more(folded, noun.end(), value, lang)
                return Headcount(offset + m.start(), end, value)
        m = _ROUND.search(window)
        # "two dozen", "half a dozen": the number model reads the multiple; "une vingtaine" is ours.
        if m and m["round"] not in ("dozen", "douzaine"):
            return Headcount(offset + m.start(), noun.end(), ROUND_COUNTS[m["round"]])
        if tries and re.search(r"[a-z]\s+$", window):
            tries -= 1
            count = _in_words(window, lang)
            if count is not None:
                start, value = count
                return Headcount(offset + start, noun.end(), value)
        if m:
            return Headcount(offset + m.start(), noun.end(), ROUND_COUNTS[m["round"]])
    for noun in nouns:
        after = _AFTER.match(folded, noun.end())
        value = _count_of(after["count"], lang) if after else None
        if after and value is not None:
            return Headcount(after.start("count"), after.end(), value)
    for noun in nouns:
        comma = _AFTER_COMMA.match(folded, noun.end())
        if comma and (comma["about"] or comma["per"]):
            value = _count_of(comma["count"], lang)
            if value is not None:
                return Headcount(comma.start("count"), comma.end(), value)
    for m in _TEAM_OF.finditer(folded):
        value = _count_of(m["num"] or m["words"], lang)
        if value is not None:
            return Headcount(m.start(), m.end(), value)
    return _said_alone(folded, lang)


def _and_more(folded: str, end: int, value: int, lang: str) -> tuple[int, int]:
    """The count with the other roles counted after it ("4 médecins et 6 infirmières" is 10): where it
    ends, and the sum."""
    own = _NOUN_IN.get(lang)
    while (more := _AND_MORE.match(folded, end)) is not None:
        noun = _NOUN.match(folded, more.end()) or (own.match(folded, more.end()) if own else None)
        number = _whole(to_decimal(more["num"], style="thousands", locale=lang))
        if noun is None or number is None:
            break
        end, value = noun.end(), value + number
    return end, value


def _said_alone(folded: str, lang: str) -> Headcount | None:
    """A count in a clause of its own: "on est douze", "there are 150 of them", "Twenty-five of them."."""
    for we in (*_WE_ARE.finditer(folded), *_THERE_ARE.finditer(folded)):
        m = _WE_ARE_COUNT.match(folded, we.end())
        value = _count_of(m["num"], lang) if m else None
        # "there are 3 offices" counts offices: after "there are", only "of us" / "of them" is people.
        if m and value is not None and (we.re is _WE_ARE or _OF_US.match(folded, we.end())):
            return Headcount(we.start(), m.end(), value)
    for m in _OF_US.finditer(folded):
        value = _count_of(m["num"], lang)
        if value is not None:
            return Headcount(m.start(), m.end(), value)
    for m in _USE_IT.finditer(folded):
        value = _whole(to_decimal(m["num"], style="thousands", locale=lang))
        if value is not None:
            return Headcount(m.start(), m.end(), value)
    return None


def _count_of(words: str, lang: str) -> int | None:
    """A count said on its own: "65", "une quinzaine", "a dozen", "800"."""
    words = words.strip()
    figures = re.fullmatch(rf"(?P<num>{NUMBER_RE})(?:\s+{PEOPLE_NOUN_RE})?", words)
    if figures:
        return _whole(to_decimal(figures["num"], style="thousands", locale=lang))
    if re.search(r"\d", words):
        return None  # "200 magasins", "120 across three campuses": figures, but not a count of people
    m = re.fullmatch(r"(?:(?:une|a|an)\s+)?(?P<round>[a-z ]+?)s?", words)
    if m and m["round"] in ROUND_COUNTS:
        return ROUND_COUNTS[m["round"]]
    found = _in_words(words + " ", lang)
    return found[1] if found else None


def _in_words(window: str, lang: str) -> tuple[int, int] | None:
    """"deux cents", "twenty", "two dozen" ending the window: (start, value)."""
    for loc in locales(lang):
        results = recognize_numbers(window, loc)
        if not results:
            continue
        start, end, value = results[-1]
        if _WORDS_TAIL.fullmatch(window[end:].lstrip()) and value > 1:
            count = _whole(value)
            if count is not None:
                return start, count
    return None
