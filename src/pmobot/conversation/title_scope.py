"""Where a title stops because the sentence goes on to whom, where or what for the thing is needed.

"un CRM pour l'équipe commerciale" is titled "CRM", "a room booking app for HQ" "Room booking app", "une
GED pour archiver les contrats" "GED", "un chatbot RH qui répond aux questions" "Chatbot RH", "a Wi-Fi
upgrade in the warehouse" "Wi-Fi upgrade", "un espace partagé avec notre cabinet comptable" "Espace
partagé": the need's description keeps the rest. What names the thing stays: its de/of complements, its
adjectives, fixed descriptors ("en ligne", "sur tablette", "conforme au RGPD", "with call recording") and
what it handles when that is no person nor place ("tool for meeting minutes"). A noun that names nothing
by itself ("outil", "tool", "app") keeps its purpose: "outil pour suivre les candidatures".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pmobot.conversation.headcount import PEOPLE_NOUN_RE

# An article or possessive: what follows is whom, where or what for ("pour l'équipe", "for our customers").
_DET = (
    r"(?:(?:le|la|les|nos|notre|leurs?|ses|son|sa|ces|cet|cette|ce|tous\s+les|toutes\s+les|tout\s+le|toute\s+la|"
    r"chaque|vos|votre|mes|mon|ma|the|our|their|his|her|its|all(?:\s+of)?(?:\s+(?:our|the|their))?|every|each|"
    r"these|those|my|your|this)\s+|(?:toute?\s+)?l')"
)
_POSSESSIVE = r"(?:nos|notre|leurs?|vos|votre|ses|son|sa|mes|mon|ma|our|their|your|my|his|her|its)\s+"
# Whom a thing is for, said without an article: "for candidates", "pour les RH", "for new starters".
_WHOM = (
    rf"(?:[a-z'-]+\s+)?(?:{PEOPLE_NOUN_RE}|(?<![\w-])(?:parent|famille|family|families|partenaire|partner|"
    r"franchise|franchisee|starter|arrivant|resident|locataire|tenant|citoyen|citizen|usager|adherent|member|"
    r"visiteur|visitor|everyone|everybody|tout le monde)s?(?![\w-]))"
)
# A team or a place named bare, ending the phrase: "for reception", "for legal, ...", "for HQ?" (not "for HR
# FAQs", where the department qualifies what follows).
_TEAM_OR_PLACE = (
    r"(?:reception|accueil|finance|finances|legal|hr|rh|it|dsi|marketing|sales|procurement|purchasing|achats|"
    r"accounting|accounts|compta|comptabilite|support|helpdesk|management|direction|board|comex|codir|cse|hq|"
    r"headquarters|siege|logistics|logistique|operations|ops|juridique|payroll|paie|facilities|security|"
    r"surete|production|maintenance|recrutement|recruitment|formation|training|front\s+desk|frontdesk|service\s+desk)"
)
_PHRASE_ENDS = (
    r"(?=\s*(?:$|[^\w\s'-])|\s+(?:by|before|in|on|at|with|and|to|for|next|this|asap|until|d'ici|avant|pour|"
    r"dans|en|au|et|avec|des|de|du|sur)\b)"
)
# Places said after "à"/"au" (French only: the English "a" is an article).
_PLACE_FR = (
    r"(?:accueil|siege|entrepot|usine|agence|magasin|boutique|bureau|hopital|mairie|clinique|laboratoire|labo|"
    r"atelier|plateforme logistique|standard|entree|hall|parking|local|locaux)s?"
)
# Who a thing is shared or exchanged with: a team, a firm, a partner ("with the occupational health service").
_PARTY_NOUN = (
    rf"(?:(?:service|team|equipe|cabinet|partenaire|partner|fournisseur|supplier|client|"
    rf"customer|banque|bank|prestataire|provider|agence|agency|department|departement|office|firm|company|"
    rf"societe)s?|agencies|companies)(?![\w-])|{PEOPLE_NOUN_RE}"
)
_PARTY = rf"(?:(?:[a-z'-]+\s+){{0,3}}(?:{_PARTY_NOUN}))"
# What a thing handles, after an article: "pour les demandes des services généraux", "for the purchase
# orders" (no person nor place: the convention keeps it). Requests and orders only: a document named after
# "pour les" ("GED pour les contrats") has been read as what for, and stays so.
_HANDLED = (
    r"(?:[a-z-]+\s+)?(?:demandes|requests|tickets|commandes|orders|incidents|reclamations|minutes|comptes rendus|"
    r"bons de commande|purchase orders)(?![\w-])"
)
# What a thing is for, as a noun of action: "pour le suivi des congés", "for the management of".
_ACTION_NOUN = r"(?:suivi|tracking|[a-z]+(?:tion|sion|ment|age|ing))(?![\w-])"
# Nouns that name no thing by themselves: their purpose or clause names it ("tool to track NDAs").
_GENERIC_HEAD = re.compile(
    r"(?:(?:small|simple|secure|new|little|quick|good|proper|online|mobile|web|internal|shared|digital|central|"
    r"single|basic|dedicated|better|easy|custom|petit|petite|nouvel|nouvelle|nouveau|bon|"
    r"bonne|vrai|vraie)\s+)?(?:outil|tool|appli|app|application|logiciel|software|solution|moyen|way|programme|"
    r"program|script|something|quelque chose|truc|systeme|system|module|plateforme|platform)s?"
    # French adjectives after the noun: "appli mobile", "outil interne".
    r"(?:\s+(?:mobile|interne|web|partage|partagee|numerique|simple|dedie|dediee|commun|commune|en ligne)s?)?"
)
# Nouns that relate two things: "interface avec la paie" keeps its other end.
_RELATIONAL_TAIL = re.compile(
    r"(?:^|\s)(?:interface|connecteur|connector|integration|synchronisation|synchronization|sync|lien|link|"
    r"passerelle|bridge)s?$"
)

Keep = Callable[[str], bool]


def _generic(head: str) -> bool:
    return _GENERIC_HEAD.fullmatch(head) is not None


def _relational(head: str) -> bool:
    return _RELATIONAL_TAIL.search(head) is not None


def _never(head: str) -> bool:
    return False


# Each kind of phrase that ends a title, with when the title keeps it all the same (given the title so far).
_FOR_WHOM = re.compile(
    rf"\s+(?:pour|pr|for)\s+(?:{_DET}(?!{_HANDLED})(?P<action>{_ACTION_NOUN})?|{_WHOM}(?![\w-])|{_TEAM_OR_PLACE}{_PHRASE_ENDS}|"
    # What for, as a noun of action without an article: "for model training", "pour archivage".
    rf"(?P<bare>(?:[a-z-]+\s+)?{_ACTION_NOUN}){_PHRASE_ENDS})"
)
_PURPOSE = {
    "fr": re.compile(
        r"\s+(?:(?:pour|pr|afin\s+de)\s+|afin\s+d')(?:(?:le|la|les|nous|vous|se|leur|lui|en|y|me)\s+|[lsm]')?"
        r"[a-z-]+(?:er|ir|re|oir)(?![\w'-])"
    ),
    "en": re.compile(
        r"\s+(?<!\bup\s)(?:in\s+order\s+)?to\s+(?!(?:the|a|an|our|their|all|every|each|my|your|his|her|its|this|"
        r"these|those|version|v\d|do\b)\b)(?P<word>[a-z][a-z-]*)(?![\w'])"
    ),
}
_RELATIVE = {
    "fr": re.compile(
        r"(?<!\bainsi)(?<!\btel)(?<!\btelle)(?<!\btels)(?<!\btelles)(?<!\bplus)(?<!\bmoins)(?<!\bafin)"
        r"(?<!\bpour)(?<!\bparce)(?<!\bbien)(?<!\balors)(?<!\bavant)(?<!\bsans)(?<!\best-ce)"
        r"\s+(?:qui|que|qu')(?![\w-])"
    ),
    "en": re.compile(r"(?<!\bso)(?<!\bsuch)\s+(?:that|which|where|who|whom|whose)(?![\w'-])"),
}
_WHERE = re.compile(
    rf"\s+(?:(?:in|dans|at|within|au\s+sein\s+(?:de\s+|du\s+|des\s+|d'))\s*{_DET}(?!cloud\b|nuage\b)|"
    r"at\s+(?!least\b|most\b|scale\b|once\b|all\b|no\b|a\s+glance\b))"
)
_AT_PLACE_FR = re.compile(rf"\s+(?:a|au|aux)\s+(?:l'|la\s+|les\s+)?{_PLACE_FR}(?![\w-])")
_PARTNER = re.compile(
    rf"\s+(?:with|avec)\s+(?:{_POSSESSIVE}|(?:the|le|la|les|l')\s*(?={_PARTY})|(?:something|someone|quelque\s+chose|"
    r"quelqu'un)\b|"
    # Said without an article: "with external agencies", "avec des cabinets externes" (not "with customer
    # history": the partners end the phrase).
    rf"(?:des\s+|d')?(?=(?:(?!(?:by|per|par|of|de|du|des|for|pour|to|a|au|on|sur|in|en)\s)[a-z'-]+\s+){{0,2}}"
    rf"(?:{_PARTY_NOUN})"
    rf"(?:\s+(?:externes?|exterieure?s?|partenaires?|locaux|locales?|etrangere?s?))?{_PHRASE_ENDS}))"
)

# Where, said "sur"/"on" a site: "sur le site", "on the intranet", "sur nos chantiers".
_ON_PLACE = re.compile(
    r"\s+(?:sur|on)\s+(?:le|la|les|l'|nos|notre|the|our)\s*(?:site|sites|website|site web|site internet|intranet|"
    r"extranet|terrain|chantier|chantiers|shop floor|premises)(?![\w-])|"
    # A floor: "on the second floor", "au 2e étage".
    r"\s+(?:on\s+(?:the|our)|au|a\s+l')\s*(?:[a-z0-9]+\s+)?(?:floor|etage)s?(?![\w-])"
)
# Whom a thing covers or reaches, and between which places it runs: "covering our retail customers",
# "auprès des étudiants", "between our phone shops", "entre nos agences" (a relation keeps its two ends;
# "across the company", where it is rolled out, stays in the title).
_COVERS = re.compile(
    rf"\s+(?:(?:covering|between|entre)\s+{_DET}|aupres\s+(?:des\s|du\s|de\s+la\s|de\s+l'|d'|de\s))"
)
# A case or a matter a thing is wanted for: "pour un contentieux en cours", "for an upcoming audit".
_FOR_A_CASE = re.compile(
    r"\s+(?:pour|for)\s+(?:un|une|an|a)\s+(?:[a-z-]+\s+)?(?:contentieux|litige|proces|dossier|audit|"
    r"controle|inspection|projet|evenement|salon|lawsuit|litigation|case|matter|trial|event|project|inspection|"
    r"audit|investigation|enquete)(?![\w-])"
)
# "où" folds to "ou" (or): it is looked for in the text as written.
_WHERE_CLAUSE = re.compile(r"\s+où(?![\w'-])", re.IGNORECASE)


def _stops(lang: str) -> tuple[tuple[re.Pattern[str], Keep], ...]:
    fr = lang == "fr"
    return (
        (_FOR_WHOM, _never),
        (_PURPOSE["fr" if fr else "en"], _generic),
        (_RELATIVE["fr" if fr else "en"], _generic),
        (_WHERE, _never),
        *(((_AT_PLACE_FR, _never),) if fr else ()),
        (_PARTNER, _relational),
        (_ON_PLACE, _never),
        (_COVERS, _relational),
        (_FOR_A_CASE, _never),
    )


def scope_stop(text: str, folded: str, start: int, end: int, lang: str) -> int:
    """Where the title starting at ``start`` stops before whom, where or what for (``end`` if nowhere);
    ``text`` is the original (for "où", which folds to "ou", and for capitals)."""
    cut = end
    for pattern, keeps in _stops(lang):
        for m in pattern.finditer(folded, start, cut):
            head = folded[start : m.start()].strip()
            if not head or keeps(head) or _exempt(pattern, m, text, head):
                continue
            cut = m.start()
            break
    where = _WHERE_CLAUSE.search(text, start, cut)
    if where and lang == "fr" and not _generic(folded[start : where.start()].strip()):
        cut = where.start()
    return cut


def _exempt(pattern: re.Pattern[str], m: re.Match[str], text: str, head: str) -> bool:
    """A match that is no scope after all: "to SharePoint" (a name, not a verb), "pour le suivi" after
    "outil" (the purpose names the thing)."""
    if pattern is _PURPOSE["en"]:
        return text[m.start("word")].isupper()
    if pattern is _FOR_WHOM and (m.groupdict().get("action") or m.groupdict().get("bare")):
        return _generic(head)
    if pattern is _AT_PLACE_FR:  # "à", not the English article
        said = text[m.start() :].lstrip().lower()
        return not said.startswith(("à", "au"))
    return False
