"""Pre-fill a dialog from the free text that opened it.

"we need a supplier-contract tracker for 20 people by 15 March, budget 30 k€"
already answers four questions; the dialog then asks only for the rest and
shows what it understood, so the user can correct it. Every rule here prefers
saying nothing to guessing: a key is returned only when the text is clear,
and what was understood but not taken (a deadline already past, "as soon as
possible", a negative budget) is said under ``not_taken``, with the reason.

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
from pmobot.conversation.deadlines import find_asap
from pmobot.conversation.errors import FieldError
from pmobot.conversation.headcount import PEOPLE_NOUN_RE, find_headcount
from pmobot.conversation.numbers import (
    CURRENCY_RE,
    MULTIPLIER_RE,
    MULTIPLIERS,
    NUMBER_RE,
    canonical_amount,
    parse_money_text,
)
from pmobot.conversation.personal_data import mentions_personal_data
from pmobot.conversation.recognizers import RECOGNIZER_MAX_CHARS, locales, recognize_dates, recognize_numbers
from pmobot.conversation.text import fold_keep
from pmobot.conversation.title import TITLE_MAX, need_title

__all__ = ["NOT_TAKEN_REASONS", "TITLE_MAX", "detect_language", "extract"]

# Why something understood was not taken, as ``not_taken`` says it: {"reason": ..., "value": ...}.
NotTaken = dict[str, Any]
# Every reason ``not_taken`` may give; each has its line for the person (``dialog.not_taken_<reason>``).
PAST, ASAP, NEGATIVE = "past", "asap", "negative"
NOT_TAKEN_REASONS = (PAST, ASAP, NEGATIVE)
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


# --- deadline -----------------------------------------------------------------

_DEADLINE_CUE = re.compile(
    r"\b(?:by|before|until|due|deadline|no later than|d'ici|avant|au plus tard|pour|for|echeance|"
    r"jusqu'au|jusqu'en|livre le|livree le|ideally|idealement|target|cible|"
    # Said due before, and perhaps gone by: "devait être livré fin septembre", "was promised in June".
    r"(?:etre|ete)\s+livree?s?|prevue?s?|promise?s?|promised|scheduled|expected)\b"
)


# A date after these words says when something started, not when it is due.
_SINCE_CUE = re.compile(
    r"\b(?:since|from|starting|as of|last|depuis|a partir du|a partir de|a compter du|des le|"
    r"started|began|commence|debute)\W*(?:(?:le|the|on|du|de)\s+)?$"
)


# "Aujourd'hui les inscriptions se font par mail", "today we use Excel": the present, said to describe how
# things are done now, is no deadline unless it is given as one ("pour aujourd'hui", "by today").
_NOW = re.compile(r"(?:aujourd'hui|today|auj|ce jour)$")


def _desired_date(low: str, lang: str, today: date) -> tuple[str | None, NotTaken | None]:
    """The deadline, or why none is taken: one already past, or "as soon as possible"."""
    dates = [(start, end, day) for start, end, day in find_dates(low, today)
             if not _SINCE_CUE.search(low[max(0, start - 25) : start])
             and not (_NOW.match(low[start:end]) and not _DEADLINE_CUE.search(low[max(0, start - 25) : start]))]
    # A date announced as a deadline ("by", "avant", or a lead word of its own: "pour mars")
    # wins over one merely mentioned.
    cued = [d for d in dates if _DEADLINE_CUE.search(low[max(0, d[0] - 25) : d[0]] + " " + low[d[0] : d[1]])]
    upcoming = [d for d in (cued or dates) if d[2] >= today] or [d for d in dates if d[2] >= today]
    if upcoming:
        return upcoming[0][2].isoformat(), None
    if cued:
        return None, {"reason": PAST, "value": cued[0][2].isoformat()}
    if find_asap(low):
        return None, {"reason": ASAP}
    for cue in islice(_DEADLINE_CUE.finditer(low), MAX_RECOGNIZER_TRIES):
        # Only the words right after a deadline cue, and only those, go to
        # recognizers-text: it is slow on long texts and keen to see times in numbers.
        found = _recognized_deadline(low[cue.start() : cue.start() + RECOGNIZER_MAX_CHARS], lang, today)
        if found:
            return found, None
    return None, None


def _recognized_deadline(window: str, lang: str, today: date) -> str | None:
    """Odd phrasings ("by next Friday", "d'ici Noël"), read by recognizers-text."""
    for loc in locales(lang):
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
_SIGN = r"(?:[-−]\s?)?"
_MONEY_SPANS = (
    # "30 k€", "30 000 €", "5000 USD", "30 mille euros", "-5000 €"
    re.compile(rf"(?<![\w.,-]){_SIGN}(?:{NUMBER_RE}){_MULT}\s*(?:{CURRENCY_RE})"),
    # "€30,000", "$5,000", "EUR 30k", "-$5,000"
    re.compile(rf"{_SIGN}(?:{CURRENCY_RE})\s*{_SIGN}(?:{NUMBER_RE}){_MULT}(?![\w])"),
)
_BUDGET_CUE = re.compile(
    rf"\bbudget(?:\s*(?:of|de|d'|:|=|is|est|about|around|approximately|approx\.?|roughly|environ|d'environ|"
    rf"of about|of around|max|maximum|de l'ordre de|autour de|aux alentours de|a peu pres|~|up to|jusqu'a|"
    rf"plafond|plafonne a|capped at|no more than|pas plus de))*\s*(?P<amount>{_SIGN}(?:{NUMBER_RE})(?!\d){_MULT})"
    rf"(?!\s*(?:{PEOPLE_NOUN_RE}|%))"
)
# The amount said before the word: "25k de budget", "a 40k budget", "30 000 of budget".
_BUDGET_AFTER = re.compile(
    rf"(?<![\w.,-])(?P<amount>{_SIGN}(?:{NUMBER_RE})(?!\d){_MULT})\s*(?:{CURRENCY_RE})?\s*"
    r"(?:(?:de|d'|of|in|as)\s+)?(?:(?:the|a|an|un|une|notre|our|my|mon)\s+)?budget\b"
    r"(?!\s+(?:tracking|tracker|planning|management|app|tool|review|cycle|line))"
)
# A sum lost or spent each period is the cost of the problem, not the money there is to solve it.
_RATE_AFTER = re.compile(
    r"\s*(?:par|per|a|an|/|each|chaque)\s*(?:an|annee|year|yr|mois|month|semaine|week|jour|day|trimestre|quarter)\b"
)
_LOSS_BEFORE = re.compile(
    r"\b(?:perd\w*|lose|loses|losing|lost|coute\w*|costs?|costing|gaspill\w*|wastes?|wasting|depens\w*|"
    r"spends?|spending|spent)\b[^.;]{0,25}$"
)
_WORD_MONEY = re.compile(
    rf"(?P<words>(?:[a-z-]+\s+){{1,5}}?)(?P<mult>{MULTIPLIER_RE})?\s*(?P<cur>€|\$|£|\b(?:euros?|dollars?|livres?|"
    rf"pounds?|eur|usd|gbp|chf)\b)"
)


# What can be spent is the money there is: "we can spend €12,000", "on peut dépenser 9 000 €".
_CAN_SPEND = re.compile(
    r"\b(?:can|could|may|might|able\s+to|willing\s+to|prepared\s+to|ready\s+to|allowed\s+to|happy\s+to)\s+"
    r"(?:spend|invest|put)\b[^.;]{0,15}$|"
    r"\b(?:peut|pouvons|pourrions|pourrait|pourra|pourrons|prets?\s+a|pretes?\s+a)\s+(?:depenser|investir|"
    r"mettre|consacrer)\b[^.;]{0,15}$"
)


def _is_budget(low: str, start: int, end: int) -> bool:
    """Not a loss or a cost per period, unless it is called a budget or said to be what can be spent."""
    before = low[max(0, start - 30) : start]
    if re.search(r"\bbudget\b[^.;]{0,15}$", before) or (_CAN_SPEND.search(before) and not _RATE_AFTER.match(low, end)):
        return True
    return not (_RATE_AFTER.match(low, end) or _LOSS_BEFORE.search(before))


def _budget(text: str, low: str, lang: str, default_currency: str) -> tuple[dict[str, str] | None, NotTaken | None]:
    """The budget, or why an amount was not taken (a negative one)."""
    negative: dict[str, str] | None = None
    for start, end in _money_spans(low):
        if not _is_budget(low, start, end):
            continue
        money = _money(text[start:end], lang, default_currency)
        if money and Decimal(money["amount"]) > 0:
            return money, None
        if money:
            negative = negative or money
    for m in (_BUDGET_CUE.search(low), _BUDGET_AFTER.search(low)):
        # "budget 2027", "the 2027 budget": a year, not two thousand euros.
        if m and not re.fullmatch(r"(?:19|20)\d\d", m["amount"].strip()):
            money = _money(text[m.start("amount") : m.end("amount")], lang, default_currency)
            if money and Decimal(money["amount"]) > 0:
                return money, None
            negative = negative or money
    if negative is None:
        words = _budget_in_words(low, lang, default_currency)
        if words:
            return words, None
    return None, ({"reason": NEGATIVE, "value": negative} if negative else None)


def _money_spans(low: str) -> list[tuple[int, int]]:
    """Where amounts with a currency are, in text order."""
    spans: list[tuple[int, int]] = []
    for pattern in _MONEY_SPANS:
        spans += [(m.start(), m.end()) for m in pattern.finditer(low)]
    return sorted(spans)


def _money(span: str, lang: str, default_currency: str) -> dict[str, str] | None:
    try:
        return parse_money_text(span, locale=lang, default_currency=default_currency)
    except FieldError:
        return None  # several currencies in one amount: nothing clear to take


def _budget_in_words(low: str, lang: str, default_currency: str) -> dict[str, str] | None:
    """"trente mille euros", "cinq cents k€", "thirty thousand dollars": words read by recognizers-text."""
    for m in islice(_WORD_MONEY.finditer(low), MAX_RECOGNIZER_TRIES):
        if not _is_budget(low, m.start(), m.end()):
            continue
        value = _words_before_currency(m["words"].rstrip(), m["mult"], lang)
        if value is not None:
            currency = _money("1 " + m["cur"], lang, default_currency)
            return {"amount": canonical_amount(value),
                    "currency": currency["currency"] if currency else default_currency}
    return None


def _words_before_currency(words: str, mult: str | None, lang: str) -> Decimal | None:
    """The number the words end with, times the multiplier after them: "thirty thousand", "cinq cents k";
    or the words and the multiplier read together: "half a million"."""
    for loc in locales(lang):
        for text, times in (((words, MULTIPLIERS[mult]), (f"{words} {mult}", 1)) if mult else ((words, 1),)):
            numbers = recognize_numbers(text, loc)
            # The number must run up to the currency (or its multiplier): "thirty thousand dollars".
            if numbers and numbers[-1][1] >= len(text) - 1 and numbers[-1][2] > 0:
                return numbers[-1][2] * times
    return None


# --- public API ---------------------------------------------------------------


def extract(text: str, *, locale: str, today: date, default_currency: str = "EUR") -> dict[str, Any]:
    """What the opening text of a need says clearly, keyed for ``prefill:`` in specs.

    Keys (each only when found): title, problem, users_affected, desired_date,
    budget, personal_data (only ever True), and not_taken: for a key understood
    but not taken, {"reason": "past" | "asap" | "negative", "value": ...}.
    """
    if not text or not text.strip():
        return {}
    nfc = unicodedata.normalize("NFC", text)
    low = fold_keep(nfc)  # same length as nfc: a span in one is a span in the other
    lang = detect_language(nfc, locale)
    found: dict[str, Any] = {"problem": text.strip()}
    not_taken: dict[str, NotTaken] = {}
    count = find_headcount(low, lang)
    if count is not None:
        found["users_affected"] = count.value
    deadline, why = _desired_date(low, lang, today)
    if deadline:
        found["desired_date"] = deadline
    elif why:
        not_taken["desired_date"] = why
    budget, why = _budget(nfc, low, lang, default_currency)
    if budget:
        found["budget"] = budget
    elif why:
        not_taken["budget"] = why
    if mentions_personal_data(low, lang):
        found["personal_data"] = True
    # The title stops where the sentence goes on to a count, a date or an amount.
    asap = find_asap(low)
    cuts = [count.start if count else None, asap[0] if asap else None,
            *(start for start, _, _ in find_dates(low, today)), *(start for start, _ in _money_spans(low)),
            *(m.start() for m in _BUDGET_AFTER.finditer(low))]
    title = need_title(nfc, low, lang=lang, cuts=[c for c in cuts if c is not None])
    if title:
        found["title"] = title
    if not_taken:
        found["not_taken"] = not_taken
    return found
