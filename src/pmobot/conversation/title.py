"""The title of a need, from the sentence that opened it: the thing needed.

"Hi team, could IT build us a shift-planning tool for 60 nurses by Q2?" is
titled "Shift-planning tool": the greeting, the request around the thing
("could IT build us", "Est-ce que la DSI pourrait nous développer", "Besoin
d'", "Nous voulons") and its article go; the title stops where the sentence
goes on to something else: a count of people, a date, an amount (the caller
says where those start: it found them), a clause, a comma.

The request frames of both languages are apart, in ``request_frames``; whom,
where and what for the thing is needed, in ``title_scope``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pmobot.conversation.numbers import ROUND_COUNTS
from pmobot.conversation.request_frames import FR_FOLLOW_VERB, FR_WELCOME, REQUEST, REQUEST_LATER
from pmobot.conversation.text import clip
from pmobot.conversation.title_scope import scope_stop

# The intake's title field takes up to 120 characters: a pre-filled title is cut only where a typed one
# would be refused.
TITLE_MAX = 120

_GREETING_WORD = (
    r"(?:bonjour|bonsoir|salut|hello|hi|hey|coucou|dear|good morning|good afternoon|good evening|greetings|"
    # Greetings as texted: "bjr", "slt", "cc", "yo".
    r"chers|cheres|cher|chere|bjr|bjour|bsr|slt|cc|yo|hiya|howdy|"
    # Said again, in a message that follows one up: "Re-bonjour", "rebonjour", "hi again".
    r"re-?\s?bonjour|re-?\s?bonsoir|re-?\s?salut|(?:hi|hello)\s+again)"
)
# Whom a greeting is addressed to: a known audience ("à toutes et à tous", "the IT team"), with a few
# more words before a comma ("chers collègues du support,"), or a name alone before one ("Hi Sam,").
_AUDIENCE = (
    r"(?:(?:(?:a|to)\s+)?(?:(?:tous|toutes|tout le monde|all|everyone|everybody)(?:\s+et\s+a\s+(?:tous|toutes))?|"
    r"la dsi|l'equipe(?: it| si| informatique)?|l'it|les amis|les collegues|collegues|the it team|it team|"
    r"the team|team|folks|guys|there|it|colleagues)(?![\w'])(?:(?:\s+[a-z'-]+){1,3}(?=\s*[,!]))?|"
    r"[a-z'-]+(?=\s*[,!]))"
)
# Pleasantries that open a message and say nothing of the need ("hope you're well").
_PLEASANTRY = (
    r"(?:i\s+)?hope\s+(?:you're|you\s+are|you\s+all\s+are|all\s+is|this\s+finds\s+you|everyone\s+is)"
    r"(?:\s+(?:doing\s+)?(?:well|good|fine))?|"
    r"j'espere\s+que\s+(?:vous\s+allez|tu\s+vas|tout\s+va)\s+bien"
)
# After a greeting, anything but a word may follow: punctuation, an emoji ("Coucou 👋").
_GREETING = re.compile(
    rf"(?:(?:{_GREETING_WORD}(?:\s+(?:{_AUDIENCE}))?|{_PLEASANTRY})(?![\w'])[^\w'(\[«\"]*)+"
)
# A clause that leads in to the message and says nothing of the need: "Comme convenu en comité,", "As
# discussed in Monday's meeting,", "Suite à notre réunion,", "Pour info", "FYI".
_LEAD_IN_CLAUSE = re.compile(
    r"(?:(?:comme\s+(?:convenu|discute|evoque|prevu|promis|annonce|indique|demande|vu)|suite\s+a|pour\s+faire\s+suite\s+a|"
    r"as\s+(?:discussed|agreed|mentioned|promised|requested|planned|per)|following|further\s+to|per)(?![\w'-])"
    r"[^,.!?:;\n]{0,60},\s*|(?:pour\s+info(?:rmation)?|pour\s+rappel|fyi|for\s+info(?:rmation)?|btw|by\s+the\s+way)"
    r"(?![\w'-])\s*[,:-]?\s*)"
)
# What comes before a colon that is a label, not the need: "Demande urgente :", "Quick one:", "URGENT:",
# or any lead-in when the need after it starts with "a"/"un" ("On repart de zéro : un outil...").
_LABEL = re.compile(r"(?:[a-z'-]+\s*){1,4}:\s*(?![\d])")
_LEAD_IN = re.compile(r"(?<![^\s.!?])[^.!?:\n]{1,80}?:\s*(?=(?:un|une|a|an|some)\s)")
# A label before a dash names the kind of message, not the need: "Demande DSI – Outil de...", "Request -".
_DASH_LABEL = re.compile(
    r"(?:petite\s+|nouvelle\s+|new\s+|quick\s+)?(?:demande|requete|request|besoin|need|projet|project|sujet|subject|"
    r"objet|urgent|question|idee|idea|ticket|quick one)(?:\s+[a-z'-]+){0,3}\s*[-–—]+\s+"
)
# A subject with no article that opens the sentence: "site managers on our sites (two dozen) need a...".
_BARE_SUBJECT = re.compile(
    r"(?:[a-z][a-z'-]*\s+){1,6}(?:\([^()]{1,40}\)\s*)?(?:need|needs|want|wants|would like|'d like|"
    r"(?:keep|are)\s+asking\s+for)\b(?:\s+to\s+(?:have|get))?\s*"
)
# The kinds of thing a need is.
_THING = (
    r"(?:outil|tool|appli|application|app|logiciel|software|solution|plateforme|platform|"
    r"portail|portal|systeme|system|tableau de bord|dashboard|module|site|base|espace|workflow|interface|"
    r"automatisation|automation|refonte|migration|chatbot|bot|crm|erp|intranet|extranet|annuaire|directory|"
    r"catalogue|catalog|checklist|database|connecteur|connector|integration|formulaire|form|ged)s?(?![\w'-])"
)
# A first sentence that starts by naming a thing (an article, or the kind of thing a need is) is the need.
_NAMES_A_THING = re.compile(rf"(?:un|une|a|an|some|des)\s|{_THING}|(?:nouvel|nouvelle|new)(?![\w'-])")
# Once the first sentences were context, a later one that proposes a thing: it starts by naming one
# ("Une appli avec photo des tickets, ..."), or says the thing would help ("Invoice OCR would save us a
# lot.", "Un système de codes-barres, ce serait top."), or asks whether it could be ("Would an offline
# catalogue app be doable?").
_WOULD_HELP = (
    r"(?:would|could|will|might)\s+(?:really\s+)?(?:save|help|make|change|be\s+(?:great|useful|nice|ideal|"
    r"brilliant|a\s+(?:big\s+|great\s+)?help|a\s+game))"
)
_FR_WOULD_HELP = (
    r"(?:(?:ce|ca|cela)\s+)?(?:serait|nous\s+serait|nous\s+aiderait|aiderait|nous\s+changerait|changerait)"
    rf"(?:\s+(?:vraiment|tres))?(?:\s+{FR_WELCOME}|\s+(?:genial|parfait|la vie|un vrai plus|beaucoup))?"
)
_DOABLE = r"be\s+(?:doable|possible|feasible|workable|an\s+option|realistic)"
_PROPOSAL = re.compile(
    rf"(?:(?<=[.!?]\s)|(?<=\n))(?:(?=(?:un|une|a|an)\s+(?:[a-z'-]+\s+){{0,2}}?{_THING})|"
    rf"(?=[^.!?\n]{{3,80}}?\s{_WOULD_HELP})|(?=[^.!?\n]{{3,80}}?,?\s+{_FR_WOULD_HELP})|"
    rf"would\s+(?=[^.!?\n]{{3,80}}?\s+{_DOABLE}))"
)
# How many of the thing are needed is no part of its name: "a dozen laptops", "3 new printers", "une dizaine
# de PC portables" (not "3D printer", "24/7 support").
_HOW_MANY = re.compile(
    rf"(?:(?:a\s+)?(?:dozen|couple\s+of|few|handful\s+of)|(?:{'|'.join(k for k in ROUND_COUNTS if ' ' not in k)})"
    r"\s+(?:de\s+|d'|of\s+)|\d+(?=\s+[a-z]))\s*(?:(?:de|d'|of)\s+)?(?=[a-z])"
)
_ARTICLE = re.compile(r"(?:a|an|the|some|un|une|des|du|de la|le|la|les|d'un|d'une)\s+|(?:l'|d')(?=\w)")

# Where the thing needed stops, besides what the caller found (counts, dates, amounts).
_STOPS = (
    # A count of anything after "for"/"pour": "pour nos 5 sites", "for the 6 warehouses" (not a year).
    re.compile(
        r"\s+(?:pour|for|across|sur|dans|in|entre|between|avec|with|chez|at)\s+(?:(?:each|every\s+one|chacun|chacune)\s+"
        r"(?:of|des|de\s+nos)\s+)?(?:(?:nos|les|our|the|all|all of our|"
        r"tous les|toutes les|leurs|their|ses|ces|these|nos|mes|my)\s+)?(?:(?:about|around|some|environ|pres de|"
        r"plus de|more than|over|roughly|nearly|approximately)\s+)?(?!(?:19|20)\d\d(?!\d))\d"
    ),
    re.compile(
        r"\s*,?\s+"
        # What the thing should be by then, or was: "ready by March", "live before June", "was due by 1 May",
        # "prêt avant l'été", "en service d'ici mars".
        r"(?:(?:ready|live|available|in place|operational|up and running|done|delivered|finished|in service|"
        r"prete?s?|en place|livree?s?|en service)\s+|"
        r"(?:was|is|were|are|has\s+been|had\s+been|should\s+have\s+been)\s+(?=due\b))?"
        r"(?:avant|d'ici|au plus tard|"
        # "search by skills", "sorted by date": how it is searched, not when it is due.
        r"(?<!search\s)(?<!sort\s)(?<!sorted\s)(?<!filter\s)(?<!filtered\s)(?<!grouped\s)(?<!ranked\s)by|"
        r"before|no later than|until|jusqu'au|due|deadline|echeance|"
        r"urgently|en urgence|d'urgence)\b"
    ),
    re.compile(r"\s*,?\s*(?:avec\s+un\s+|with\s+a\s+|pour\s+un\s+|for\s+a\s+)?\bbudget\b"
               r"(?!\s+(?:tracking|tracker|planning|management|app|tool))"),
    re.compile(r"\s*[,;:(\[]|\s+[-–—]\s+"),
    # A texted "please" that ends the request: "a shared mailbox for accounts pls".
    re.compile(r"\s+(?:pls|plz|please|svp|stp|merci)(?![\w'-])"),
    # A count of things after "des"/"of": "les salles de réunion des 7 agences", "of our 3 offices".
    re.compile(r"\s+(?:des|de nos|of|of our|of the)\s+(?!(?:19|20)\d\d(?!\d))\d"),
    # What the thing holds, listed after "avec"/"with": "avec photo, nom, poste et téléphone", "with serial
    # number, owner and location" (not "with a stylus", "avec alertes": descriptors). Past the comma, so here.
    re.compile(
        r"\s+(?:avec|with)\s+(?!(?:a|an|the|un|une|le|la|les|des|our|nos|notre|their|leurs)\s)[a-z'-]+"
        r"(?:\s+[a-z'-]+){0,2}\s*,\s*[a-z'-]+(?:\s+[a-z'-]+){0,2}\s*(?:,|\s(?:and|et)\s)"
    ),
    # Where it runs: "on their tablets", "sur nos postes".
    re.compile(r"\s+(?:on|sur)\s+(?:their|our|his|her|its|your|leurs?|nos|notre|vos|votre|ses|son|sa)\s"),
)
# Words that start another clause, in the sentence's language only: the French "car" (because) is
# the English "car", and "pool car booking app" is a title.
_CLAUSES = {
    "fr": re.compile(
        r"\s+(?:afin de|afin qu|pour que|car|parce que|puisque|qui permet|qui permettrait|de sorte que|"
        r"de (?:facon|maniere) (?:a ce )?que|histoire de)\b|"
        r"\s+(?:utilise|gere|tenu|partage|rempli|alimente|maintenu|pilote|exploite)e?s?\s+par\b|"
        rf",?\s+{_FR_WOULD_HELP}\b"
    ),
    "en": re.compile(
        r"\s+(?:so that|in order to|because|since|which)\b|"
        # What follows from it: "so orders flow automatically", "so we can".
        r",?\s+so(?=\s+(?!(?:far|much|many|long|called)\b)[a-z])|"
        r"\s+(?:used|managed|run|owned|maintained|shared|filled in|kept|built|operated)(?=\s+by\b)|"
        rf"\s+{_WOULD_HELP}\b|\s+{_DOABLE}\b"
    ),
}
_TRAILING = re.compile(
    r"(?:(?:^|\s+)(?:and|et|with|avec|for|pour|of|de|d'|des|du|the|le|la|les|a|an|un|une|to|by|par|since|from|depuis|"
    r"avant|before|until|d'ici|jusqu'au|on|in|en|au|dans|nos|our|all|tous les|toutes les|leurs|their|ses|ces|"
    r"these|about|around|some|environ|pres de|plus de|more than|over|roughly|nearly|approximately|"
    # Where, said as a word that points back to a place named before: "wifi there", "le wifi là-bas".
    r"there|here|la-bas|ici))+$"
)


def _first_sentence(text: str) -> str:
    m = re.search(r"[.!?](?=\s|$)|\n", text)
    return text[: m.start()] if m else text


def _after_request(folded: str, start: int) -> int:
    """Where the thing needed starts: after the request that opens the first sentence, else after one
    further on (the first sentence was context), else after a label and its colon, else at ``start``."""
    end = start + len(_first_sentence(folded[start:]))
    label = _DASH_LABEL.match(folded, start, end)
    if label:  # "Demande DSI – Outil de...", "Quick one — could we get...": the need, or its request, follows
        start = label.end()
    m = REQUEST.match(folded, start, end) or _BARE_SUBJECT.match(folded, start, end)
    if m is None and label:
        return start
    if m is None and _NAMES_A_THING.match(folded, start, end):
        return start  # "Un outil de suivi des congés. Nous voulons aussi...": the first sentence is the need
    label = _LABEL.match(folded, start, end)
    if m is None and label and re.search(_THING, folded[label.start() : label.end()]):
        return start  # "Patient portal: history, prescriptions...": before the colon is the thing, not a label
    m = (m or REQUEST_LATER.search(folded, start) or label
         or _LEAD_IN.search(folded, start) or _PROPOSAL.search(folded, start))
    if m is None:
        return start
    # A request right after a label: "Objet : demande de licences", "Subject: request for a monitor".
    again = REQUEST.match(folded, m.end(), end)
    return again.end() if again else m.end()


# The verb after "faut qu'on" is a subjunctive; the title names the action with its infinitive
# ("Faut qu'on dématérialise les factures" is "Dématérialiser les factures").
_SUBJUNCTIVE_BEFORE = re.compile(r"(?:qu'on|que\s+l'on|que\s+nous)\s+$")
_FIRST_GROUP_SUBJUNCTIVE = re.compile(r"(?P<stem>\w+?)(?:e|ions)(?=\s|$)")
# A request that follows a thing up rather than naming one ("Pouvez-vous relancer le projet ?", "can you
# chase it?"): the thing is the one named in the context before it.
_FOLLOW_UP = re.compile(
    r"(?:relancer|debloquer|accelerer|reprendre|faire\s+avancer|chase|follow\s+up\s+on|speed\s+up|unblock|restart|"
    r"push)\s+(?:le|la|ce|cette|l'|the|this|our|notre)\s*(?:projet|dossier|sujet|demande|livraison|project|request|"
    r"ticket|topic|delivery|it)(?![\w'-])|(?:chase|unblock|speed\s+up|follow\s+up\s+on|restart|relaunch|revive|"
    r"resume|reopen|kick\s+off|push)\s+it(?![\w'-])|"
    rf"(?:le|la|l')\s*{FR_FOLLOW_VERB}(?![\w'-])"
)
# An action that names no thing ("revoir le process", "improve the way we..."): a thing proposed after it
# is the need.
_VAGUE_ACTION = re.compile(
    r"(?:revoir|repenser|ameliorer|simplifier|review|rethink|improve|fix|sort\s+out|"
    # An ability wished for: "veulent pouvoir faire leurs devis", "want to be able to log fuel".
    r"pouvoir|be\s+able\s+to)\s"
)
_NAMED_THING = re.compile(
    rf"(?<![\w'-])(?:le|la|l'|les|un|une|notre|nos|the|a|an|our)\s*(?P<thing>(?:[a-z-]+\s+){{0,3}}?{_THING}"
    # A word naming it further ("portail fournisseurs"), not the verb that follows it ("devait être livré").
    r"(?:\s+(?!(?:de|d'|des|du|of|devait|doit|devrait|etait|est|a|avait|sera|va|n'a|ne|was|is|has|had|should|"
    r"were|will|qui|que|that|which|and|et)(?![\w'-]))[a-z'-]+(?<!ed))?(?:\s+(?:de\s+|d'|des\s+|du\s+|of\s+)[a-z'-]+)*)"
)


def _infinitive(title: str) -> str:
    m = _FIRST_GROUP_SUBJUNCTIVE.match(title)
    return f"{m['stem']}er{title[m.end():]}" if m else title


def need_title(text: str, folded: str, *, lang: str, cuts: Iterable[int] = ()) -> str | None:
    """The thing needed, cut from ``text``; ``folded`` is ``fold_keep(text)`` (same length),
    written in ``lang`` ("fr" or "en": the language of the sentence, not the user's).

    ``cuts`` are where the caller found something else (a count, a date, an amount).
    """
    greeting = _GREETING.match(folded)
    start = greeting.end() if greeting else 0  # "Hi! We need...": the need is after the greeting
    lead_in = _LEAD_IN_CLAUSE.match(folded, start)
    if lead_in:
        start = lead_in.end()
    start = _after_request(folded, start)
    vague = _VAGUE_ACTION.match(folded, start)
    proposal = _PROPOSAL.search(folded, start) if vague else None
    if proposal:  # "Faudrait revoir le process. Une appli avec photo des tickets...": the thing proposed
        start = proposal.end()
    follow_up = _FOLLOW_UP.match(folded, start)
    if follow_up:
        named = _NAMED_THING.search(folded, 0, start)
        if named:
            start = named.start("thing")
            return _cut_title(text, folded, start, start + len(named["thing"]), lang, cuts)
    subjunctive = bool(_SUBJUNCTIVE_BEFORE.search(folded[max(0, start - 16) : start]))
    end = start + len(_first_sentence(folded[start:]))
    title = _cut_title(text, folded, start, end, lang, cuts)
    return _infinitive(title) if title and subjunctive else title


def _cut_title(text: str, folded: str, start: int, end: int, lang: str, cuts: Iterable[int]) -> str | None:
    """The title from ``start``, cut where the thing's name stops (before ``end``, the sentence's end)."""
    m = _ARTICLE.match(folded, start, end)
    if m:
        start = m.end()
    m = _HOW_MANY.match(folded, start, end)
    if m:
        start = m.end()
    cut = min((c for c in cuts if start < c < end), default=end)
    for pattern in (*_STOPS, _CLAUSES["fr" if lang == "fr" else "en"]):
        # Searched up to the sentence's end, so that a stop may look past an earlier one ("used" before "by").
        m = pattern.search(folded, start, end)
        if m and m.start() < cut:
            cut = m.start()
    cut = scope_stop(text, folded, start, cut, "fr" if lang == "fr" else "en")
    cut = start + len(folded[start:cut].rstrip(" \t,;:-–—"))
    trailing = _TRAILING.search(folded[start:cut])
    if trailing:
        cut = start + trailing.start()
    title = text[start:cut].strip(" \t,;:-–—'\"")
    if len(re.findall(r"\w", title)) < 3:
        return None
    title = title[0].upper() + title[1:]
    return clip(title, TITLE_MAX)
