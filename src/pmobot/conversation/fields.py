"""Read what a user typed in chat as the value of one field, and show it back.

Users write in their own words and not always in their own locale: a French
user may type "yes" and an English one "15 mars 2027". So every parser here
accepts both languages, whatever the locale; the locale only settles real
ambiguities (is "1,500" one and a half or fifteen hundred?) and chooses the
language of error messages.

Values come back JSON-native so they can be stored as they are: str, int,
float, bool, list, ``{"amount": "30000", "currency": "EUR"}`` for money and
``"YYYY-MM-DD"`` for dates.

Our own rules run first; recognizers-text (slow to load, a few seconds per
culture) is only the fallback for number words and odd date phrasing, and its
models are built on first use, once per process.
"""

from __future__ import annotations

import calendar
from abc import ABC, abstractmethod
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable

from pmobot.conversation.spec import Choice, FieldSpec
from pmobot.conversation.text import clean_text, fold, fold_keep, name_key
from pmobot.i18n import format_day, format_money, format_number, normalize_locale, t

EMPTY_DISPLAY = "—"


@dataclass(frozen=True)
class ParseContext:
    locale: str
    today: date
    default_currency: str = "EUR"


# --- errors -------------------------------------------------------------------


class _Localizable(ABC):
    """A message parameter that is written differently in each locale."""

    @abstractmethod
    def render(self, locale: str) -> str:
        """The parameter as a reader of ``locale`` writes it."""


@dataclass(frozen=True)
class _Num(_Localizable):
    value: Decimal | int | float

    def render(self, locale: str) -> str:
        return format_number(self.value, locale)


@dataclass(frozen=True)
class _Amount(_Localizable):
    value: Decimal | int
    currency: str

    def render(self, locale: str) -> str:
        return format_money(self.value, self.currency, locale)


@dataclass(frozen=True)
class _Day(_Localizable):
    value: date

    def render(self, locale: str) -> str:
        return format_day(self.value, locale)


@dataclass(frozen=True)
class _Options(_Localizable):
    """Choices as the user sees them: "1. Low, 2. Medium, 3. High"."""

    choices: tuple[tuple[int, Choice], ...]

    def render(self, locale: str) -> str:
        return ", ".join(f"{n}. {c.label.get(locale)}" for n, c in self.choices)


def number_param(value: Decimal | int | float) -> _Localizable:
    """A number for a FieldError message, written the reader's way (2,5 or 2.5)."""
    return _Num(value)


class FieldError(Exception):
    """An answer that cannot be used, as an i18n key (area ``field``) and its parameters.

    Parameters may be plain values or values rendered per locale (numbers,
    amounts, dates, option lists), so one error can be shown in any language.
    """

    def __init__(self, key: str, params: dict[str, Any] | None = None):
        self.key = key
        self.params = dict(params or {})
        super().__init__(key)

    def message(self, locale: str) -> str:
        rendered = {k: v.render(locale) if isinstance(v, _Localizable) else v for k, v in self.params.items()}
        return t(locale, self.key, **rendered)

    def __str__(self) -> str:
        return self.message("en")


# --- text helpers -------------------------------------------------------------

def _other_locale(locale: str) -> str:
    return "fr" if normalize_locale(locale) == "en" else "en"


def _locales(locale: str) -> tuple[str, str]:
    loc = normalize_locale(locale)
    return loc, _other_locale(loc)


# --- recognizers-text (fallback only) -------------------------------------------

# recognizers-text takes seconds on a long text; a chat answer worth reading is short.
RECOGNIZER_MAX_CHARS = 80

_models: dict[tuple[str, str], Any] = {}
_models_lock = threading.Lock()
_CULTURES = {"en": "en-us", "fr": "fr-fr"}


def _model(kind: str, locale: str) -> Any:
    """A recognizers-text model, built on first use and kept for the process."""
    key = (kind, locale)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        if key not in _models:
            culture = _CULTURES[normalize_locale(locale)]
            # Imported here: loading the package alone takes a noticeable moment.
            if kind == "number":
                from recognizers_number import NumberRecognizer

                _models[key] = NumberRecognizer(culture).get_number_model(culture, False)
            elif kind == "datetime":
                from recognizers_date_time import DateTimeRecognizer

                _models[key] = DateTimeRecognizer(culture).get_datetime_model(culture, False)
            else:
                raise ValueError(kind)
        return _models[key]


def warm_up() -> None:
    """Build every recognizer model now (seconds), e.g. in a thread while a person reads."""
    for kind in ("number", "datetime"):
        for locale in _CULTURES:
            _model(kind, locale)


def recognize_numbers(text: str, locale: str) -> list[tuple[int, int, Decimal]]:
    """Numbers written in words or digits: (start, end, value), per recognizers-text."""
    found = []
    for result in _model("number", locale).parse(text):
        raw = (result.resolution or {}).get("value")
        if raw is None:
            continue
        try:
            # The French model writes decimals with a comma ("2,5").
            value = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            continue
        found.append((result.start, result.end + 1, value))
    return found


def recognize_dates(text: str, locale: str, today: date) -> list[tuple[int, int, str, list[dict]]]:
    """Date mentions per recognizers-text: (start, end, type, resolution values)."""
    reference = datetime(today.year, today.month, today.day, 12, 0)
    found = []
    for result in _model("datetime", locale).parse(text, reference):
        values = (result.resolution or {}).get("values") or []
        kind = result.type_name.rsplit(".", 1)[-1]
        found.append((result.start, result.end + 1, kind, values))
    return found


# --- numbers ------------------------------------------------------------------

# A number as typed: digits with "." "," as separators, or with a space or an
# apostrophe before each group of three ("1 500", "1'500").
NUMBER_RE = r"\d+(?:(?:[.,]|[ '](?=\d{3}(?!\d)))\d+)*"
_NUMBER = re.compile(rf"(?<![\w.,])(?P<sign>[-+−]\s?)?(?P<num>{NUMBER_RE})(?![\d])")

_MULTIPLIERS = {
    "k": 1000, "mille": 1000, "thousand": 1000, "thousands": 1000,
    "m": 1_000_000, "mio": 1_000_000, "million": 1_000_000, "millions": 1_000_000,
    "md": 1_000_000_000, "mds": 1_000_000_000, "mrd": 1_000_000_000, "bn": 1_000_000_000,
    "milliard": 1_000_000_000, "milliards": 1_000_000_000,
    "billion": 1_000_000_000, "billions": 1_000_000_000,
}
MULTIPLIER_RE = r"(?:" + "|".join(sorted(_MULTIPLIERS, key=len, reverse=True)) + r")(?![a-z])"

# "about 20", "environ 20": the approximation does not change the answer.
_APPROX = re.compile(
    r"^(?:about|around|approximately|approx\.?|roughly|some|circa|ca\.|nearly|almost|~|≈|"
    r"environ|env\.|approximativement|a peu pres|pres de|quelque|plus ou moins|presque)\s*"
)

# "une vingtaine": French round counts the number model reads as "une" (1).
_ROUND_COUNTS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
    "dozen": 12, "a dozen": 12, "half a dozen": 6, "score": 20,
}
_ROUND_RE = re.compile(r"^(?:une |a |an )?(" + "|".join(sorted(_ROUND_COUNTS, key=len, reverse=True)) + r")\b")


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
            value *= _MULTIPLIERS[mult]
        found.append(_NumberMatch(m.start(), m.end(), value))
    return found


def _word_number(text: str, locale: str) -> Decimal | None:
    """A number written in words ("twenty", "vingt-cinq", "une vingtaine")."""
    round_count = _ROUND_RE.match(text)
    if round_count:
        return Decimal(_ROUND_COUNTS[round_count.group(1)])
    if len(text) > RECOGNIZER_MAX_CHARS or not re.search(r"[a-z]", text):
        return None
    for loc in _locales(locale):
        results = recognize_numbers(text, loc)
        if len(results) == 1:
            start, end, value = results[0]
            # The words must be the number itself, give or take a unit after it
            # ("twenty people"), not a number lost in a sentence.
            if start == 0 and len(text[end:].split()) <= 2:
                return value
    return None


def _parse_quantity(text: str, ctx: ParseContext, *, style: str, error: str) -> Decimal:
    s = _APPROX.sub("", fold(text))
    numbers = _numbers_in(s, style=style, locale=ctx.locale, multipliers=True)
    if numbers is None or len(numbers) > 1:
        raise FieldError(error)
    if numbers:
        rest = (s[: numbers[0].start] + " " + s[numbers[0].end :]).strip()
        # Units after the number are fine ("20 people"); more figures are not.
        if re.search(r"\d", rest) or len(rest.split()) > 3:
            raise FieldError(error)
        return numbers[0].value
    value = _word_number(s, ctx.locale)
    if value is None:
        raise FieldError(error)
    return value


def _limit(raw: float | int | None) -> Decimal | None:
    """A spec limit as a Decimal; 10.0 from YAML shows as 10."""
    if raw is None:
        return None
    value = Decimal(str(raw))
    return value.to_integral_value() if value == value.to_integral_value() else value


def _check_range(field: FieldSpec, value: Decimal, wrap: Callable[[Any], _Localizable]) -> None:
    lo, hi = _limit(field.min), _limit(field.max)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if lo is not None and hi is not None:
            raise FieldError("field.error.range", {"min": wrap(lo), "max": wrap(hi)})
        if lo is not None:
            raise FieldError("field.error.min", {"min": wrap(lo)})
        raise FieldError("field.error.max", {"max": wrap(hi)})


def _parse_integer(field: FieldSpec, text: str, ctx: ParseContext) -> int:
    value = _parse_quantity(text, ctx, style="thousands", error="field.error.integer")
    if value != value.to_integral_value():
        raise FieldError("field.error.not_whole")
    _check_range(field, value, _Num)
    return int(value)


def _parse_number(field: FieldSpec, text: str, ctx: ParseContext) -> float:
    value = _parse_quantity(text, ctx, style="locale", error="field.error.number")
    _check_range(field, value, _Num)
    return float(value)


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
        def drop(m: re.Match, code: str = code) -> str:
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
    if numbers:
        if s[: numbers[0].start].strip() or s[numbers[0].end :].strip():
            return None
        value = numbers[0].value
    else:
        value = _word_number(s, locale)
        if value is None:
            return None
    if value < 0:
        return None
    return {"amount": canonical_amount(value), "currency": currency}


def _parse_money(field: FieldSpec, text: str, ctx: ParseContext) -> dict[str, str]:
    default = field.currency or ctx.default_currency
    money = parse_money_text(text, locale=ctx.locale, default_currency=default)
    if money is None:
        raise FieldError("field.error.money", {"example": _Amount(Decimal(30000), default)})
    _check_range(field, Decimal(money["amount"]), lambda v: _Amount(v, money["currency"]))
    return money


# --- dates --------------------------------------------------------------------

def _numbered(groups: tuple[str, ...], start: int) -> dict[str, int]:
    """Each word of each group, mapped to the group's number (months from 1, weekdays from 0)."""
    return {word: number for number, words in enumerate(groups, start=start) for word in words.split()}


MONTHS: dict[str, int] = _numbered(
    (
        "janvier january janv jan",
        "fevrier february fevr fev feb",
        "mars march mar",
        "avril april avr apr",
        "mai may",
        "juin june jun",
        "juillet july juil jul",
        "aout august aou aug",
        "septembre september sept sep",
        "octobre october oct",
        "novembre november nov",
        "decembre december dec",
    ),
    start=1,
)

WEEKDAYS: dict[str, int] = _numbered(
    (
        "lundi monday mon",
        "mardi tuesday tue tues",
        "mercredi wednesday wed",
        "jeudi thursday thu thurs",
        "vendredi friday fri",
        "samedi saturday sat",
        "dimanche sunday sun",
    ),
    start=0,
)

_SMALL_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3,
    "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6, "seven": 7, "sept": 7, "eight": 8,
    "huit": 8, "nine": 9, "neuf": 9, "ten": 10, "dix": 10, "eleven": 11, "onze": 11, "twelve": 12,
    "douze": 12, "fifteen": 15, "quinze": 15,
}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


MONTH_RE = rf"(?P<month>{_alternation(MONTHS)})\.?"
WEEKDAY_RE = rf"(?P<weekday>{_alternation(WEEKDAYS)})"
DAY_RE = r"(?P<day>\d{1,2}|premier|first)(?:er|st|nd|rd|th|e|eme)?"
YEAR_RE = r"(?P<year>\d{4})"
COUNT_RE = rf"(?P<count>\d{{1,3}}|{_alternation(_SMALL_NUMBERS)})"
UNIT_RE = (
    r"(?P<unit>days?|weeks?|months?|years?|jours?|semaines?|mois|ans|annees?|"
    r"business days?|working days?|jours ouvres?|jours ouvrables?)"
)


class _InvalidDate(Exception):
    """Numbers that look like a date but name no real day (31/02/2027)."""


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _InvalidDate from exc


def _next_occurrence(month: int, day: int, today: date) -> date:
    """The first month/day on or after today (a year-less date looks ahead)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _InvalidDate
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February: try the next leap year
        if candidate >= today:
            return candidate
    raise _InvalidDate


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(raw: str) -> int:
    year = int(raw)
    return 2000 + year if year < 100 else year


def _day_number(raw: str) -> int:
    return 1 if raw in ("premier", "first") else int(raw)


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# Each rule reads one shape of date in folded text and returns the day it means.


def _iso(m: re.Match, today: date) -> date:
    return _make_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _numeric(m: re.Match, today: date) -> date:
    first, second = int(m["a"]), int(m["b"])
    # Day first (a European organisation), unless only month first can be right.
    day, month = (second, first) if second > 12 and first <= 12 else (first, second)
    if m["y"] is None:
        return _next_occurrence(month, day, today)
    return _make_date(_year(m["y"]), month, day)


def _day_month(m: re.Match, today: date) -> date:
    month, day = MONTHS[m["month"]], _day_number(m["day"])
    if m["year"]:
        return _make_date(int(m["year"]), month, day)
    return _next_occurrence(month, day, today)


def _month_edge(m: re.Match, today: date) -> date:
    """End, middle or start of a named month: its next occurrence."""
    month = MONTHS[m["month"]]
    edge = m["edge"].removeprefix("the ")
    if edge.startswith(("end", "late", "fin")):
        pick = lambda year: _month_end(year, month)
    elif edge.startswith(("mid", "mi")):
        pick = lambda year: date(year, month, 15)
    else:  # beginning of, early, début
        pick = lambda year: date(year, month, 1)
    if m["year"]:
        return pick(int(m["year"]))
    return pick(today.year) if pick(today.year) >= today else pick(today.year + 1)


def _relative_day(m: re.Match, today: date) -> date:
    word = m["word"]
    if word in ("today", "aujourd'hui", "auj", "ce jour"):
        return today
    if word in ("tomorrow", "demain"):
        return today + timedelta(days=1)
    if word in ("yesterday", "hier"):
        return today - timedelta(days=1)
    return today + timedelta(days=2)  # the day after tomorrow, après-demain


def _in_duration(m: re.Match, today: date) -> date:
    raw = m["count"]
    count = int(raw) if raw.isdigit() else _SMALL_NUMBERS[raw]
    unit = m["unit"]
    if "ouvr" in unit or "business" in unit or "working" in unit:
        return _add_business_days(today, count)
    if unit.startswith(("day", "jour")):
        return today + timedelta(days=count)
    if unit.startswith(("week", "semaine")):
        return today + timedelta(weeks=count)
    if unit.startswith(("month", "mois")):
        return _add_months(today, count)
    return _add_months(today, 12 * count)


def _weekday(m: re.Match, today: date) -> date:
    target = WEEKDAYS[m["weekday"]]
    if m["next"]:
        # English "next friday" is the friday of next week (as recognizers-text reads it).
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
    ahead = (target - today.weekday()) % 7
    # "lundi prochain", "coming monday" and a bare "monday" mean a day to come;
    # only "this friday" / "ce vendredi" may be today.
    if ahead == 0 and not m["this"]:
        ahead = 7
    return today + timedelta(days=ahead)


def _period_end(m: re.Match, today: date) -> date:
    period = m["period"]
    if period in ("month", "the month", "mois", "du mois", "de mois", "ce mois", "this month"):
        return _month_end(today.year, today.month)
    if period in ("next month", "du mois prochain", "mois prochain"):
        nxt = _add_months(today.replace(day=1), 1)
        return _month_end(nxt.year, nxt.month)
    return date(today.year, 12, 31)


_EDGE_RE = (
    r"(?P<edge>the end of|end of|end|late|fin du mois de|fin de|fin d'|fin|the middle of|middle of|mid-|mid|mi-|mi|"
    r"the beginning of|beginning of|start of|early|debut de|debut d'|debut)"
)

DATE_RULES: tuple[tuple[re.Pattern, Callable[[re.Match, date], date]], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})", _iso),
        (r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?", _numeric),
        (r"(?P<a>\d{1,2})[-.](?P<b>\d{1,2})[-.](?P<y>\d{4}|\d{2})", _numeric),
        (rf"{_EDGE_RE}\s*{MONTH_RE}(?:\s+{YEAR_RE})?", _month_edge),
        (rf"(?:the\s+)?{DAY_RE}\s+(?:of\s+)?{MONTH_RE}(?:\s*,?\s*{YEAR_RE})?", _day_month),
        (rf"{MONTH_RE}\s+(?:the\s+)?{DAY_RE}(?:\s*,?\s*{YEAR_RE})?", _day_month),
        (
            r"(?P<word>the day after tomorrow|day after tomorrow|apres-demain|apres demain|"
            r"aujourd'hui|today|tomorrow|demain|yesterday|hier|ce jour|auj)",
            _relative_day,
        ),
        (rf"(?:in|dans|d'ici|within|sous)\s+{COUNT_RE}\s+{UNIT_RE}", _in_duration),
        (rf"{COUNT_RE}\s+{UNIT_RE}\s+from\s+(?:now|today)", _in_duration),
        (rf"(?:(?P<this>this|ce)\s+|(?P<next>next)\s+|coming\s+)?{WEEKDAY_RE}(?:\s+(?:prochain|qui vient))?", _weekday),
        (
            r"(?:the\s+)?(?:end of|fin)\s+(?:de\s+l'|d'|du\s+|de\s+)?(?P<period>"
            r"the month|this month|next month|month|mois prochain|ce mois|mois|the year|this year|year|"
            r"annee|an)",
            _period_end,
        ),
    )
)

# Words around a date that do not change it: "le 15 mars", "on March 15th", "mardi 15 mars".
_DATE_LEAD = re.compile(
    rf"^(?:(?:le|on|the|for|pour le|by|by the|avant le|before|d'ici le|au plus tard le|no later than)\s+)?"
    rf"(?:(?:{_alternation(WEEKDAYS)}),?\s+(?=\d|the\b|le\b))?(?:(?:le|the)\s+)?"
)


def parse_date_text(text: str, today: date) -> date | None:
    """A date from our own rules, the whole text being the date; None if no rule fits.

    Raises ``_InvalidDate`` when the text has the shape of a date that does not exist.
    """
    s = fold(text).rstrip(" .!")
    s = _DATE_LEAD.sub("", s, count=1).strip()
    for pattern, handler in DATE_RULES:
        m = pattern.fullmatch(s)
        if m:
            return handler(m, today)
    return None


# The same rules for searching inside a sentence: a date is not part of a longer token.
_BOUNDED_RULES = tuple(
    (re.compile(rf"(?<![\w/.-])(?:{pattern.pattern})(?![\w/-]|\.\d)"), handler) for pattern, handler in DATE_RULES
)

_FULL_WEEKDAYS = {name for name in WEEKDAYS if len(name) > 5 or name.endswith("di")}


def _clear_weekday(m: re.Match) -> bool:
    """In running text a weekday counts only when spelt out and qualified
    ("next friday", "lundi prochain"): "mon" is also French for "my"."""
    qualified = m["this"] or m["next"] or re.search(r"\b(?:next|coming|prochain|qui vient)\b", m.group())
    return bool(qualified) and m["weekday"] in _FULL_WEEKDAYS


def find_dates(folded: str, today: date) -> list[tuple[int, int, date]]:
    """Every date our rules see inside a longer folded text: (start, end, day).

    Overlapping candidates keep the longest; invalid dates are left out.
    """
    candidates: list[tuple[int, int, date]] = []
    for bounded, handler in _BOUNDED_RULES:
        for m in bounded.finditer(folded):
            if handler is _weekday and not _clear_weekday(m):
                continue
            try:
                candidates.append((m.start(), m.end(), handler(m, today)))
            except _InvalidDate:
                continue
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    kept: list[tuple[int, int, date]] = []
    for cand in candidates:
        if not kept or cand[0] >= kept[-1][1]:
            kept.append(cand)
    return kept


def _pick_resolved_date(values: list[dict], today: date) -> date | None:
    """Among a recognizer's readings (past and future for "March 15"), the first to come."""
    days = []
    for value in values:
        if value.get("type") != "date":
            continue
        try:
            days.append(date.fromisoformat(str(value.get("value"))[:10]))
        except ValueError:
            continue
    upcoming = [d for d in days if d >= today]
    if upcoming:
        return min(upcoming)
    return max(days) if days else None


def _recognized_date(text: str, ctx: ParseContext) -> date | None:
    """Fallback: a single date recognizers-text finds that covers the answer."""
    s = fold(text)
    if len(s) > RECOGNIZER_MAX_CHARS or not re.search(r"[a-z]", s):
        return None  # figures alone that our rules refused are no date
    for loc in _locales(ctx.locale):
        results = recognize_dates(s, loc, ctx.today)
        if len(results) != 1:
            continue
        start, end, kind, values = results[0]
        rest = (s[:start] + " " + s[end:]).split()
        # Only a date that is (nearly) the whole answer, not a time or a range.
        if kind != "date" or len(rest) > 2 or any(ch.isdigit() for ch in "".join(rest)):
            continue
        found = _pick_resolved_date(values, ctx.today)
        if found:
            return found
    return None


def _parse_date(field: FieldSpec, text: str, ctx: ParseContext) -> str:
    try:
        day = parse_date_text(text, ctx.today)
    except _InvalidDate:
        raise FieldError("field.error.date_invalid", {"text": clean_text(text)}) from None
    if day is None:
        day = _recognized_date(text, ctx)
    if day is None:
        raise FieldError("field.error.date")
    if not 1900 <= day.year <= 2200:
        raise FieldError("field.error.date")
    if field.future and day < ctx.today:
        raise FieldError("field.error.date_past", {"date": _Day(day)})
    return day.isoformat()


# --- yes / no -----------------------------------------------------------------

_YES = {
    "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "true", "of course", "absolutely", "definitely",
    "correct", "right", "affirmative", "oui", "o", "ouais", "ouaip", "vrai", "d'accord", "daccord", "dac",
    "bien sur", "absolument", "certainement", "carrement", "tout a fait", "exact", "exactement",
    "affirmatif", "evidemment", "volontiers", "1", "👍", "✅", "✔",
}
_NO = {
    "no", "n", "nope", "nah", "false", "not at all", "negative", "non", "nan", "faux",
    "pas du tout", "negatif", "aucunement", "jamais", "never", "0", "👎", "❌", "✖",
}


def _parse_yes_no(text: str) -> bool:
    s = fold(text).strip(" .!?,;")
    s = re.sub(r"\s*[!.]+$", "", s)
    for candidate in (s, re.split(r"[\s,;!.]+", s, maxsplit=1)[0]):
        # The whole answer first ("pas du tout"), then its first word ("oui, merci").
        if candidate in _YES:
            return True
        if candidate in _NO:
            return False
    raise FieldError("field.error.yes_no")


# --- choices ------------------------------------------------------------------


def _names(choice: Choice) -> list[str]:
    """Every way a choice may be written, as keys: value, labels, synonyms."""
    return [k for k in (name_key(choice.value), *(name_key(l) for l in choice.label.values.values()),
                        *(name_key(s) for s in choice.synonyms)) if k]


def _options(field: FieldSpec, subset: Iterable[Choice] | None = None) -> _Options:
    wanted = set(c.value for c in subset) if subset is not None else None
    return _Options(tuple((i, c) for i, c in enumerate(field.choices, 1) if wanted is None or c.value in wanted))


_NUMBER_PREFIX = re.compile(r"^(?:#|n°|no\.?|num(?:ero)?|number|option|choix|choice)\s*(?=\d)")


def _match_choice(field: FieldSpec, text: str) -> Choice | None:
    """The one choice ``text`` names, None if none; raises when several could be meant."""
    s = name_key(_NUMBER_PREFIX.sub("", fold(text)))
    if not s:
        return None
    if s.isdigit():
        index = int(s)
        return field.choices[index - 1] if 1 <= index <= len(field.choices) else None
    exact = [c for c in field.choices if s in _names(c)]
    if len(exact) == 1:
        return exact[0]
    if len(s) < 3:
        return None
    prefixed = [c for c in field.choices if any(name.startswith(s) for name in _names(c))]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        raise FieldError("field.error.choice_ambiguous", {"options": _options(field, prefixed)})
    return None


def _parse_choice(field: FieldSpec, text: str) -> str:
    choice = _match_choice(field, text)
    if choice is None:
        raise FieldError("field.error.choice", {"options": _options(field)})
    return choice.value


_ALL = {"all", "all of them", "everything", "every one", "tout", "tous", "toutes", "tout le monde",
        "toutes les options", "tous les choix", "tout ca"}
_NONE = {"none", "none of them", "nothing", "no one", "aucun", "aucune", "rien", "aucun d'eux",
         "aucune d'elles", "-", "0"}


def _split_parts(s: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\n/]+", s) if p.strip()]


def _resolve_part(field: FieldSpec, part: str) -> list[Choice] | None:
    """One piece of a multi-choice answer: a choice, or several ("1 et 3", "sales hr")."""
    found = _match_choice(field, part)
    if found:
        return [found]
    for splitter in (r"\s+(?:and|et|&|\+|or|ou)\s+|\s*[&+]\s*", r"\s+"):
        pieces = [p for p in re.split(splitter, part) if p.strip()]
        if len(pieces) > 1:
            resolved = [_match_choice(field, p) for p in pieces]
            if all(resolved):
                return [c for c in resolved if c]
    return None


def _parse_multi_choice(field: FieldSpec, text: str) -> list[str]:
    s = fold(text).strip(" .!")
    if s in _NONE:
        selected: set[str] = set()
    elif s in _ALL:
        selected = {c.value for c in field.choices}
    else:
        selected = set()
        for part in _split_parts(s):
            resolved = _resolve_part(field, part)
            if resolved is None:
                raise FieldError("field.error.multi_unknown", {"part": part, "options": _options(field)})
            selected.update(c.value for c in resolved)
    values = [c.value for c in field.choices if c.value in selected]
    if field.min is not None and len(values) < field.min:
        raise FieldError("field.error.multi_min", {"min": int(field.min), "options": _options(field)})
    if field.max is not None and len(values) > field.max:
        raise FieldError("field.error.multi_max", {"max": int(field.max)})
    return values


# --- text ---------------------------------------------------------------------


def _parse_text(field: FieldSpec, text: str) -> str:
    value = clean_text(text)
    if field.max_length is not None and len(value) > field.max_length:
        raise FieldError("field.error.too_long", {"length": len(value), "max": field.max_length})
    if field.min_length is not None and len(value) < field.min_length:
        raise FieldError("field.error.too_short", {"length": len(value), "min": field.min_length})
    return value


# --- public API ---------------------------------------------------------------


def parse_answer(field: FieldSpec, text: str, ctx: ParseContext) -> Any:
    """The canonical, JSON-native value of ``text`` for ``field``, or FieldError."""
    if text is None or not clean_text(text):
        raise FieldError("field.error.empty")
    kind = field.type
    if kind in ("text", "long_text", "user"):
        return _parse_text(field, text)
    if kind == "integer":
        return _parse_integer(field, text, ctx)
    if kind == "number":
        return _parse_number(field, text, ctx)
    if kind == "money":
        return _parse_money(field, text, ctx)
    if kind == "date":
        return _parse_date(field, text, ctx)
    if kind == "choice":
        return _parse_choice(field, text)
    if kind == "multi_choice":
        return _parse_multi_choice(field, text)
    if kind == "yes_no":
        return _parse_yes_no(text)
    raise ValueError(f"unknown field type {kind!r}")


def check_value(field: FieldSpec, value: Any, ctx: ParseContext) -> None:
    """Apply the field's limits to a value that was not typed as an answer
    (pre-filled from free text); raises FieldError like ``parse_answer``."""
    if value is None:
        return
    kind = field.type
    if kind in ("text", "long_text", "user"):
        _parse_text(field, str(value))
    elif kind == "integer":
        _check_range(field, Decimal(int(value)), _Num)
    elif kind == "number":
        _check_range(field, Decimal(str(value)), _Num)
    elif kind == "money":
        _check_range(field, Decimal(value["amount"]), lambda v: _Amount(v, value["currency"]))
    elif kind == "date":
        day = date.fromisoformat(value)
        if field.future and day < ctx.today:
            raise FieldError("field.error.date_past", {"date": _Day(day)})
    elif kind == "choice" and field.choice(str(value)) is None:
        raise FieldError("field.error.choice", {"options": _options(field)})


def _label(field: FieldSpec, value: Any, locale: str) -> str:
    choice = field.choice(str(value))
    return choice.label.get(locale) if choice else str(value)


def format_value(field: FieldSpec, value: Any, locale: str) -> str:
    """An answer as a summary shows it, in ``locale``."""
    if value is None:
        return EMPTY_DISPLAY
    kind = field.type
    try:
        if kind == "yes_no":
            return t(locale, "field.yes" if value else "field.no")
        if kind == "choice":
            return _label(field, value, locale)
        if kind == "multi_choice":
            if not value:
                return t(locale, "field.none_selected")
            return ", ".join(_label(field, v, locale) for v in value)
        if kind == "money":
            return format_money(Decimal(str(value["amount"])), value.get("currency") or "EUR", locale)
        if kind == "date":
            return format_day(date.fromisoformat(str(value)), locale)
        if kind in ("integer", "number"):
            return format_number(value, locale)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        pass  # a value stored by an older spec: show it raw rather than fail
    return str(value)


def _limits_hint(field: FieldSpec, locale: str) -> str:
    if field.type == "money":
        currency = field.currency or "EUR"
        wrap: Callable[[Any], str] = lambda v: format_money(_limit(v), currency, locale)
    else:
        wrap = lambda v: format_number(_limit(v), locale)
    if field.min is not None and field.max is not None:
        return t(locale, "field.hint.range", min=wrap(field.min), max=wrap(field.max))
    if field.min is not None:
        return t(locale, "field.hint.min", min=wrap(field.min))
    if field.max is not None:
        return t(locale, "field.hint.max", max=wrap(field.max))
    return ""


def describe_expected(field: FieldSpec, locale: str) -> str:
    """One short line saying what kind of answer is expected, to show under a prompt."""
    kind = field.type
    if kind in ("text", "long_text"):
        if field.max_length is None:
            return ""
        return t(locale, f"field.hint.{kind}", max=format_number(field.max_length, locale))
    if kind == "money":
        hint = t(locale, "field.hint.money", example=format_money(Decimal(30000), field.currency or "EUR", locale))
    else:
        hint = t(locale, f"field.hint.{kind}")
    extra = ""
    if kind in ("integer", "number", "money"):
        extra = _limits_hint(field, locale)
    elif kind == "date" and field.future:
        extra = t(locale, "field.hint.future")
    return f"{hint} ({extra})" if extra else hint
