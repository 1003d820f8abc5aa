"""Numbers and amounts of money as people type them, in French or English.

"1 500", "1,500", "1.5k", "vingt", "30 k€", "$5,000": one number per answer,
read with our own rules first and recognizers-text only for number words.
The locale settles real ambiguities only ("1,500" is fifteen hundred in
English and one and a half in French, but nobody types a third decimal of
a euro).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pmobot.conversation.errors import FieldError
from pmobot.conversation.recognizers import (
    RECOGNIZER_MAX_CHARS,
    locales,
    recognize_numbers,
)
from pmobot.conversation.text import fold
from pmobot.i18n import normalize_locale

# --- numbers ------------------------------------------------------------------

# A number as typed: digits with "." "," as separators, or with a space or an
# apostrophe before each group of three ("1 500", "1'500").
NUMBER_RE = r"\d+(?:(?:[.,]|[ '](?=\d{3}(?!\d)))\d+)*"
_NUMBER = re.compile(rf"(?<![\w.,])(?P<sign>[-+−]\s?)?(?P<num>{NUMBER_RE})(?![\d])")

MULTIPLIERS = {
    "k": 1000, "mille": 1000, "thousand": 1000, "thousands": 1000,
    "m": 1_000_000, "mio": 1_000_000, "million": 1_000_000, "millions": 1_000_000,
    "md": 1_000_000_000, "mds": 1_000_000_000, "mrd": 1_000_000_000, "bn": 1_000_000_000,
    "milliard": 1_000_000_000, "milliards": 1_000_000_000,
    "billion": 1_000_000_000, "billions": 1_000_000_000,
}
MULTIPLIER_RE = r"(?:" + "|".join(sorted(MULTIPLIERS, key=len, reverse=True)) + r")(?![a-z])"

# "about 20", "environ 20": the approximation does not change the answer.
_APPROX = re.compile(
    r"^(?:about|around|approximately|approx\.?|roughly|some|circa|ca\.|nearly|almost|~|≈|"
    r"environ|env\.|approximativement|a peu pres|pres de|quelque|plus ou moins|presque)\s*"
)

# "une vingtaine": French round counts the number model reads as "une" (1).
ROUND_COUNTS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
    "dozen": 12, "a dozen": 12, "half a dozen": 6, "couple of dozen": 24, "score": 20,
}
_ROUND_RE = re.compile(r"^(?:une |a |an )?(" + "|".join(sorted(ROUND_COUNTS, key=len, reverse=True)) + r")\b")


def _groups_ok(parts: list[str]) -> bool:
    """Thousands groups: 1-3 digits first, then exactly three each."""
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def to_decimal(token: str, *, style: str, locale: str) -> Decimal | None:
    """Read one number token such as "1 234,5", "1,234.5", "30.000" or "2,5".

    ``style`` settles "one separator then three digits" ("1,500", "30.000"):
    "thousands" for amounts and counts (nobody types a third decimal of a
    euro), "locale" for plain numbers (English: comma groups, point decimals;
    French the other way round).
    """
    token = token.replace(" ", "").replace("'", "")
    seps = [ch for ch in token if ch in ".,"]
    if not seps:
        return Decimal(token)
    if len(set(seps)) == 2:
        decimal_sep = token[max(token.rfind("."), token.rfind(","))]
        group_sep = "," if decimal_sep == "." else "."
        whole, _, frac = token.rpartition(decimal_sep)
        if decimal_sep in whole or not _groups_ok(whole.split(group_sep)):
            return None
        return Decimal(whole.replace(group_sep, "") + "." + frac)
    sep = seps[0]
    parts = token.split(sep)
    if len(parts) > 2:
        return Decimal("".join(parts)) if _groups_ok(parts) else None
    whole, frac = parts
    looks_grouped = len(frac) == 3 and _groups_ok(parts) and whole != "0"
    if looks_grouped:
        if style == "thousands":
            return Decimal(whole + frac)
        grouping_sep = "," if normalize_locale(locale) == "en" else "."
        if sep == grouping_sep:
            return Decimal(whole + frac)
    return Decimal(whole + "." + frac)


@dataclass(frozen=True)
class _NumberMatch:
    start: int
    end: int
    value: Decimal


def _numbers_in(text: str, *, style: str, locale: str, multipliers: bool) -> list[_NumberMatch] | None:
    """Every number in folded text; None when one is malformed ("1.2.3")."""
    found = []
    pattern = _NUMBER
    if multipliers:
        pattern = re.compile(_NUMBER.pattern + rf"(?:\s*(?P<mult>{MULTIPLIER_RE}))?")
    for m in pattern.finditer(text):
        value = to_decimal(m.group("num"), style=style, locale=locale)
        if value is None:
            return None
        if m.group("sign") and m.group("sign").strip() in "-−":
            value = -value
        mult = m.groupdict().get("mult")
        if mult:
            value *= MULTIPLIERS[mult]
        found.append(_NumberMatch(m.start(), m.end(), value))
    return found


def _word_number(text: str, locale: str) -> Decimal | None:
    """A number written in words ("twenty", "vingt-cinq", "une vingtaine")."""
    round_count = _ROUND_RE.match(text)
    if round_count:
        return Decimal(ROUND_COUNTS[round_count.group(1)])
    if len(text) > RECOGNIZER_MAX_CHARS or not re.search(r"[a-z]", text):
        return None
    for loc in locales(locale):
        results = recognize_numbers(text, loc)
        if len(results) == 1:
            start, end, value = results[0]
            # The words must be the number itself, give or take a unit after it
            # ("twenty people"), not a number lost in a sentence.
            if start == 0 and len(text[end:].split()) <= 2:
                return value
    return None


def parse_quantity(text: str, *, locale: str, style: str, error: str) -> Decimal:
    """One quantity ("about 20", "1,5 k", "vingt"), or FieldError(``error``)."""
    s = _APPROX.sub("", fold(text))
    numbers = _numbers_in(s, style=style, locale=locale, multipliers=True)
    if numbers is None or len(numbers) > 1:
        raise FieldError(error)
    if numbers:
        rest = (s[: numbers[0].start] + " " + s[numbers[0].end :]).strip()
        # Units after the number are fine ("20 people"); more figures are not.
        if re.search(r"\d", rest) or len(rest.split()) > 3:
            raise FieldError(error)
        return numbers[0].value
    value = _word_number(s, locale)
    if value is None:
        raise FieldError(error)
    return value


# --- money --------------------------------------------------------------------

# Order matters: "francs suisses" before "francs", "us$" before "$".
CURRENCY_WORDS: tuple[tuple[str, str], ...] = (
    (r"us\s?\$|\busd\b|\bus dollars?\b|\bdollars? (?:us|americains?)\b", "USD"),
    (r"\bfrancs? suisses?\b|\bswiss francs?\b|\bchf\b|\bsfr\b|\bfrancs?\b", "CHF"),
    (r"\blivres? sterling\b|\bpounds? sterling\b|£|\bgbp\b|\bpounds?\b|\blivres?\b|\bsterling\b", "GBP"),
    (r"€|\beur\b|\beuros?\b", "EUR"),
    (r"\$|\bdollars?\b", "USD"),
)
CURRENCY_RE = "|".join(f"(?:{pattern})" for pattern, _ in CURRENCY_WORDS)

_MONEY_FILLER = re.compile(
    r"\b(?:budget|total|cost|costs|cout|couts|montant|amount|of|de|d'|about|around|approximately|roughly|"
    r"environ|approximativement|max|maximum|au plus|up to|jusqu'a|soit|is|est|de l'ordre de|a peu pres)\b|[:=~≈]"
)


def _currencies(s: str) -> tuple[str, list[str]]:
    """Remove currency marks from folded text; return the rest and the codes seen."""
    # "30 keur", "1,5 meur": split the multiplier from the code.
    s = re.sub(r"(?<=[\d\s])([km])(eur|usd|gbp|chf)\b", r"\1 \2", s)
    codes: list[str] = []
    for pattern, code in CURRENCY_WORDS:
        def drop(m: re.Match[str], code: str = code) -> str:
            codes.append(code)
            return " " * len(m.group())

        s = re.sub(pattern, drop, s)
    return s, codes


def canonical_amount(value: Decimal) -> str:
    """"30000", "1234.5": no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def parse_money_text(text: str, *, locale: str, default_currency: str) -> dict[str, str] | None:
    """An amount and currency from text such as "30 k€" or "$5,000"; None if unreadable."""
    s, codes = _currencies(fold(text))
    if len(set(codes)) > 1:
        raise FieldError("field.error.money_currencies", {"currencies": ", ".join(dict.fromkeys(codes))})
    currency = codes[0] if codes else default_currency
    s = re.sub(r"\s+", " ", _MONEY_FILLER.sub(" ", s)).strip()
    if not s:
        return None
    numbers = _numbers_in(s, style="thousands", locale=locale, multipliers=True)
    if numbers is None or len(numbers) > 1:
        return None
    value: Decimal | None
    if numbers:
        if s[: numbers[0].start].strip() or s[numbers[0].end :].strip():
            return None
        value = numbers[0].value
    else:
        value = _words_times_multiplier(s, locale)
        if value is None:
            return None
    # A negative amount is returned as such: whether it may be is the field's rule, not the reader's.
    return {"amount": canonical_amount(value), "currency": currency}


_TRAILING_MULTIPLIER = re.compile(rf"\s+(?P<mult>{MULTIPLIER_RE})$")


def _words_times_multiplier(s: str, locale: str) -> Decimal | None:
    """"cinq cents k", "fifty thousand": number words, then perhaps a multiplier."""
    m = _TRAILING_MULTIPLIER.search(s)
    if m:
        value = _word_number(s[: m.start()], locale)
        if value is not None:
            return value * MULTIPLIERS[m["mult"]]
    return _word_number(s, locale)
