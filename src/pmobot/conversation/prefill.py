"""Pre-fill a dialog from the free text that opened it.

"we need a supplier-contract tracker for 20 people by 15 March, budget 30 k€"
already answers four questions; the dialog then asks only for the rest and
shows what it understood, so the user can correct it. Every rule here prefers
saying nothing to guessing: a key is returned only when the text is clear.

The text may not be in the user's locale; rules know both languages, and the
language is detected from the text where it matters (number words, the order
in which recognizers-text cultures are tried).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from pmobot.conversation.dates import find_dates
from pmobot.conversation.errors import FieldError
from pmobot.conversation.numbers import (
    CURRENCY_RE,
    MULTIPLIER_RE,
    NUMBER_RE,
    canonical_amount,
    parse_money_text,
    to_decimal,
)
from pmobot.conversation.recognizers import (
    RECOGNIZER_MAX_CHARS,
    recognize_dates,
    recognize_numbers,
)
from pmobot.conversation.text import fold_keep

TITLE_MAX = 80
# Each recognizers-text call costs milliseconds; a pasted wall of text must not cost minutes.
MAX_RECOGNIZER_TRIES = 3

# --- language -----------------------------------------------------------------

_FR_WORDS = {
    "le", "la", "les", "des", "du", "un", "une", "pour", "avec", "nous", "il", "faut", "avant", "et",
    "est", "sont", "besoin", "on", "au", "aux", "qui", "que", "dans", "sur", "d'ici", "personnes",
    "notre", "nos", "je", "voudrais", "souhaitons", "de", "en",
}
_EN_WORDS = {
    "the", "a", "an", "for", "with", "we", "need", "by", "before", "and", "is", "are", "to", "of",
    "our", "people", "users", "i", "would", "like", "could", "get", "in", "on", "it", "that",
}


def detect_language(text: str, default: str = "en") -> str:
    """"fr" or "en" by counting common words; a tie keeps ``default``."""
    words = re.findall(r"[a-z']+", fold_keep(text))
    fr = sum(w in _FR_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if fr == en:
        return default if default in ("fr", "en") else "en"
    return "fr" if fr > en else "en"


# --- people count -------------------------------------------------------------

_PEOPLE = (
    r"(?:people|persons?|users?|employees?|staff|members?|colleagues?|agents?|workers?|"
    r"personnes?|utilisateurs?|utilisatrices?|collaborateurs?|collaboratrices?|salaries?|"
    r"employes?|membres?|gens)"
)
_PEOPLE_DIGITS = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_RE})\s+(?:(?:other|more|internal|external|active|autres|"
    rf"internes|externes)\s+)?{_PEOPLE}\b"
)
_PEOPLE_WORDS = re.compile(rf"(?P<words>(?:[a-z-]+\s+){{1,3}}?)(?:d'|de\s+)?{_PEOPLE}\b")
_TEAM_OF = re.compile(r"\b(?:team of|equipe de)\s+(?P<num>\d+)\b")


def _users_affected(low: str, lang: str) -> int | None:
    m = _PEOPLE_DIGITS.search(low) or _TEAM_OF.search(low)
    if m:
        value = to_decimal(m["num"], style="thousands", locale=lang)
        return int(value) if value is not None and value == int(value) and 0 < value <= 10_000_000 else None
    if not re.search(rf"\b{_PEOPLE}\b", low):
        return None  # spare the number model when no people are mentioned
    for words_match in islice(_PEOPLE_WORDS.finditer(low), MAX_RECOGNIZER_TRIES):
        words = re.sub(r"\s+(?:de|d')$", "", words_match["words"].strip())
        count = _count_in_words(words, lang)
        if count is not None:
            return count
    return None


_ROUND = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
          "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "dozen": 12}


def _count_in_words(words: str, lang: str) -> int | None:
    """"twenty", "vingt-cinq", "une vingtaine": the number right before the noun."""
    last = words.split()[-1]
    if last in _ROUND:
        return _ROUND[last]
    for loc in (lang, "fr" if lang == "en" else "en"):
        for _start, end, value in recognize_numbers(words, loc):
            # The number must end where the noun starts, and count people.
            if end >= len(words) - 1 and value == int(value) and 1 < value <= 100_000:
                return int(value)
    return None


# --- deadline -----------------------------------------------------------------

_DEADLINE_CUE = re.compile(
    r"\b(?:by|before|until|due|deadline|no later than|d'ici|avant|au plus tard|pour le|echeance|"
    r"jusqu'au|livre le|livree le)\b"
)


# A date after these words says when something started, not when it is due.
_SINCE_CUE = re.compile(
    r"\b(?:since|from|starting|as of|last|depuis|a partir du|a partir de|a compter du|des le|"
    r"started|began|commence|debute)\W*(?:(?:le|the|on|du|de)\s+)?$"
)


def _desired_date(low: str, lang: str, today: date) -> str | None:
    dates = [
        (start, end, day)
        for start, end, day in find_dates(low, today)
        if day >= today and not _SINCE_CUE.search(low[max(0, start - 25) : start])
    ]
    if dates:
        # A date announced as a deadline wins over one merely mentioned.
        cued = [d for d in dates if _DEADLINE_CUE.search(low[max(0, d[0] - 25) : d[0]])]
        return (cued or dates)[0][2].isoformat()
    for cue in islice(_DEADLINE_CUE.finditer(low), MAX_RECOGNIZER_TRIES):
        # Only the words right after a deadline cue, and only those, go to
        # recognizers-text: it is slow on long texts and keen to see times in numbers.
        found = _recognized_deadline(low[cue.start() : cue.start() + RECOGNIZER_MAX_CHARS], lang, today)
        if found:
            return found
    return None


def _recognized_deadline(window: str, lang: str, today: date) -> str | None:
    """Odd phrasings ("by next Friday", "d'ici Noël"), read by recognizers-text."""
    for loc in (lang, "fr" if lang == "en" else "en"):
        for _start, _end, kind, values in recognize_dates(window, loc, today):
            days = []
            for value in values:
                raw = value.get("value") if kind == "date" else None
                if kind == "daterange" and value.get("Mod") == "before":
                    raw = value.get("end")  # "by 15 March" reads as a range ending that day
                try:
                    days.append(date.fromisoformat(str(raw)[:10]))
                except ValueError:
                    continue
            upcoming = sorted(d for d in days if d >= today)
            if upcoming:
                return upcoming[0].isoformat()
    return None


# --- budget -------------------------------------------------------------------

_MULT = rf"(?:\s*{MULTIPLIER_RE})?"
_MONEY_SPANS = (
    # "30 k€", "30 000 €", "5000 USD", "30 mille euros"
    re.compile(rf"(?<![\w.,])(?:{NUMBER_RE}){_MULT}\s*(?:{CURRENCY_RE})"),
    # "€30,000", "$5,000", "EUR 30k"
    re.compile(rf"(?:{CURRENCY_RE})\s*(?:{NUMBER_RE}){_MULT}(?![\w])"),
)
_BUDGET_CUE = re.compile(
    rf"\bbudget(?:\s*(?:of|de|d'|:|=|is|est|about|around|approximately|environ|d'environ|"
    rf"of about|of around|max|maximum|de l'ordre de|autour de))*\s*(?P<amount>(?:{NUMBER_RE})(?!\d){_MULT})"
    rf"(?!\s*(?:{_PEOPLE}|%))"
)


def _budget(text: str, low: str, lang: str, default_currency: str) -> dict[str, str] | None:
    for pattern in _MONEY_SPANS:
        for m in pattern.finditer(low):
            money = _money(text[m.start() : m.end()], lang, default_currency)
            if money:
                return money
    cue = _BUDGET_CUE.search(low)
    if cue:
        raw = cue["amount"].strip()
        # "budget 2027" is a year, not two thousand euros.
        if re.fullmatch(r"(?:19|20)\d\d", raw):
            return None
        return _money(text[cue.start("amount") : cue.end("amount")], lang, default_currency)
    return _budget_in_words(low, lang, default_currency)


def _money(span: str, lang: str, default_currency: str) -> dict[str, str] | None:
    try:
        money = parse_money_text(span, locale=lang, default_currency=default_currency)
    except FieldError:
        return None
    if money and Decimal(money["amount"]) > 0:
        return money
    return None


_WORDS_BEFORE_CURRENCY = re.compile(r"(?P<words>(?:[a-z-]+\s+){1,4})(?P<cur>euros?|dollars?|livres?|pounds?)\b")


def _budget_in_words(low: str, lang: str, default_currency: str) -> dict[str, str] | None:
    """"trente mille euros", "thirty thousand dollars": words read by recognizers-text."""
    m = _WORDS_BEFORE_CURRENCY.search(low)
    if not m:
        return None
    words = m["words"].strip()
    for loc in (lang, "fr" if lang == "en" else "en"):
        for _start, end, value in recognize_numbers(words, loc):
            # The number must run up to the currency word ("thirty thousand dollars").
            if end >= len(words) - 1 and value > 0:
                currency = _money("1 " + m["cur"], lang, default_currency)
                code = currency["currency"] if currency else default_currency
                return {"amount": canonical_amount(value), "currency": code}
    return None


# --- personal data ------------------------------------------------------------

_PERSONAL_DATA = re.compile(
    r"\b(?:donnees? (?:a caractere )?personnelles?|donnees? (?:des )?clients?|donnees? (?:des )?salaries|"
    r"donnees? (?:medicales|de sante)|rgpd|gdpr|personal data|personal information|personally identifiable|"
    r"pii|customer data|client data|customers' data|employee data|health data|dcp)\b"
)


# --- title --------------------------------------------------------------------

_GREETING = re.compile(r"(?:(?:bonjour|bonsoir|salut|hello|hi|hey|coucou)\b[\s,!:.-]*)+")
_LEAD_IN = re.compile(
    r"(?:"
    r"il (?:nous |me |leur |lui )?(?:faut|faudrait)|"
    # "nous avons besoin d'", "on a besoin de", "notre service achats a besoin d'"
    r"(?:[a-z' -]{0,40}?\s|j')?(?:avons|a|ai|ont|aurions|aurait|aurais|auraient) "
    r"(?:vraiment |absolument |urgemment )?besoin (?:d'|de |du |des )|"
    r"(?:nous|on|je) (?:voudrions|voudrait|voudrais|souhaitons|souhaiterions|souhaiterait|souhaite|souhaiterais|"
    r"aimerions|aimerait|aimerais|cherchons|cherche|recherchons|recherche)"
    r"(?: (?:avoir|mettre en place|disposer d'|disposer de|obtenir|creer|lancer))?|"
    r"(?:pourriez|pouvez|pourrais|peux|pourrait|peut)[- ](?:vous|tu|on)(?: nous| me)? "
    r"(?:fournir|mettre en place|creer|developper|faire|avoir|trouver|obtenir)|"
    r"est-ce qu'(?:on|il) (?:peut|pourrait) (?:avoir|obtenir)|"
    r"(?:besoin|demande|projet) ?:|"
    # "we need", "I'd like", "our purchasing team needs"
    r"(?:we|i|[a-z' -]{0,40}?\b(?:team|department|service|office|dept))\s*(?:really |urgently |also )?"
    r"(?:needs|need|would need|'d need|wants|want|would like|'d like|are looking for|am looking for|"
    r"is looking for|requires|require|would love)\b(?:\s+to\s+(?:have|get|build|set up|create)\b|\s+to(?=\s))?|"
    r"(?:could|can|would|may) (?:we|i|you) (?:please )?(?:get|have|build|provide|set up|create)(?: us| me)?|"
    r"(?:we're|i'm|we are|i am) looking for|looking for|"
    r"(?:request|need) ?:"
    r")\s*"
)
_ARTICLE = re.compile(r"(?:a|an|the|some|un|une|des|du|de la|le|la|les|d'un|d'une)\s+|(?:l'|d')(?=\w)")

# Where the object of the need stops: counts, deadlines, budgets, clauses.
_TITLE_STOPS = (
    re.compile(
        rf"\s+(?:pour|for|used by|utilise par|par|to serve|serving)\s+(?:(?:about|around|some|environ|pres de|"
        rf"plus de|more than|over|une|a)\s+)?(?:{NUMBER_RE}|[a-z-]+(?:\s+[a-z-]+){{0,2}})\s+(?:d'|de\s+)?{_PEOPLE}\b"
    ),
    re.compile(
        r"\s*,?\s+(?:avant|d'ici|au plus tard|by|before|no later than|until|jusqu'au|pour le|for the \d|due|"
        r"deadline|echeance|des que possible|asap|as soon as possible|urgently|en urgence|d'urgence)\b"
    ),
    re.compile(r"\s*,?\s*(?:avec\s+un\s+|with\s+a\s+|pour\s+un\s+|for\s+a\s+)?\bbudget\b(?!\s+(?:tracking|tracker|planning|management|app|tool))"),
    re.compile(r"\s*[,;:(\[]|\s+[-–—]\s+"),
    re.compile(r"\s+(?:afin de|afin qu|pour que|so that|in order to|because|since|car|parce que|qui permet|which)\b"),
)
_TRAILING = re.compile(
    r"(?:(?:^|\s+)(?:and|et|with|avec|for|pour|of|de|d'|the|le|la|les|a|un|une|to|by|par|"
    r"since|from|depuis|avant|before|until|d'ici|jusqu'au|on|in|en|dans))+$"
)


def _first_sentence(text: str) -> str:
    m = re.search(r"[.!?](?=\s|$)|\n", text)
    return text[: m.start()] if m else text


def _title(text: str, low: str, today: date) -> str | None:
    """The object of the need: lead-ins and articles off, cut before counts, dates, budgets."""
    greeting = _GREETING.match(low)
    start = greeting.end() if greeting else 0  # "Hi! We need..." : the need is after the greeting
    end = start + len(_first_sentence(low[start:]))
    for pattern in (_LEAD_IN, _ARTICLE):
        m = pattern.match(low[start:end])
        if m:
            start += m.end()
    region = low[:end]
    cut = end
    for pattern in (*_TITLE_STOPS, *_MONEY_SPANS):
        m = pattern.search(region, start)
        if m:
            cut = min(cut, m.start())
    for date_start, _, _ in find_dates(region, today):
        if date_start >= start:
            cut = min(cut, date_start)
    cut = start + len(low[start:cut].rstrip(" \t,;:-–—"))
    trailing = _TRAILING.search(low[start:cut])
    if trailing:
        cut = start + trailing.start()
    title = text[start:cut].strip(" \t,;:-–—'\"")
    if len(re.findall(r"\w", title)) < 3:
        return None
    title = title[0].upper() + title[1:]
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return title


# --- public API ---------------------------------------------------------------


def extract(text: str, *, locale: str, today: date, default_currency: str = "EUR") -> dict[str, Any]:
    """What the opening text of a need says clearly, keyed for ``prefill:`` in specs.

    Keys (each only when found): title, problem, users_affected, desired_date,
    budget, personal_data (only ever True).
    """
    if not text or not text.strip():
        return {}
    nfc = unicodedata.normalize("NFC", text)
    low = fold_keep(nfc)  # same length as nfc: a span in one is a span in the other
    lang = detect_language(nfc, locale)
    found: dict[str, Any] = {"problem": text.strip()}
    title = _title(nfc, low, today)
    if title:
        found["title"] = title
    count = _users_affected(low, lang)
    if count is not None:
        found["users_affected"] = count
    deadline = _desired_date(low, lang, today)
    if deadline:
        found["desired_date"] = deadline
    budget = _budget(nfc, low, lang, default_currency)
    if budget:
        found["budget"] = budget
    if _PERSONAL_DATA.search(low):
        found["personal_data"] = True
    return found
