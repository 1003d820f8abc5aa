"""Dates as people type them, in French or English: "15/03/2027", "15 mars",
"end of June", "dans 3 semaines", "next friday".

Our own rules read the usual shapes; recognizers-text is the fallback for odd
phrasing. A year-less date looks ahead; day before month unless only month
first can be right (a European organisation).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from pmobot.conversation import deadlines
from pmobot.conversation.recognizers import (
    RECOGNIZER_MAX_CHARS,
    locales,
    recognize_dates,
)
from pmobot.conversation.text import fold


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


class InvalidDate(Exception):
    """Numbers that look like a date but name no real day (31/02/2027)."""


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidDate from exc


def _next_occurrence(month: int, day: int, today: date) -> date:
    """The first month/day on or after today (a year-less date looks ahead)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise InvalidDate
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February: try the next leap year
        if candidate >= today:
            return candidate
    raise InvalidDate


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


def _iso(m: re.Match[str], today: date) -> date:
    return _make_date(int(m["y"]), int(m["m"]), int(m["d"]))


def _numeric(m: re.Match[str], today: date) -> date:
    first, second = int(m["a"]), int(m["b"])
    # Day first (a European organisation), unless only month first can be right.
    day, month = (second, first) if second > 12 and first <= 12 else (first, second)
    if m["y"] is None:
        return _next_occurrence(month, day, today)
    return _make_date(_year(m["y"]), month, day)


def _day_month(m: re.Match[str], today: date) -> date:
    month, day = MONTHS[m["month"]], _day_number(m["day"])
    if m["year"]:
        return _make_date(int(m["year"]), month, day)
    return _next_occurrence(month, day, today)


def _month_edge(m: re.Match[str], today: date) -> date:
    """End, middle or start of a named month: its next occurrence."""
    month = MONTHS[m["month"]]
    edge = m["edge"].removeprefix("the ")

    def pick(year: int) -> date:
        if edge.startswith(("end", "late", "fin")):
            return _month_end(year, month)
        if edge.startswith(("mid", "mi")):
            return date(year, month, 15)
        return date(year, month, 1)  # beginning of, early, début

    if m["year"]:
        return pick(int(m["year"]))
    return pick(today.year) if pick(today.year) >= today else pick(today.year + 1)


def _relative_day(m: re.Match[str], today: date) -> date:
    word = m["word"]
    if word in ("today", "aujourd'hui", "auj", "ce jour"):
        return today
    if word in ("tomorrow", "demain"):
        return today + timedelta(days=1)
    if word in ("yesterday", "hier"):
        return today - timedelta(days=1)
    return today + timedelta(days=2)  # the day after tomorrow, après-demain


def _in_duration(m: re.Match[str], today: date) -> date:
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


def _weekday(m: re.Match[str], today: date) -> date:
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


def _period_end(m: re.Match[str], today: date) -> date:
    period = m["period"]
    if period in ("month", "the month", "mois", "du mois", "de mois", "ce mois", "this month"):
        return _month_end(today.year, today.month)
    if period in ("next month", "du mois prochain", "mois prochain"):
        nxt = _add_months(today.replace(day=1), 1)
        return _month_end(nxt.year, nxt.month)
    if period.endswith(("prochaine", "prochain", "next year")):
        return date(today.year + 1, 12, 31)
    return date(today.year, 12, 31)


_EDGE_RE = (
    r"(?P<edge>the end of|end of|end|late|fin du mois de|fin de|fin d'|fin|the middle of|middle of|mid-|mid|mi-|mi|"
    r"the beginning of|beginning of|start of|early|debut de|debut d'|debut)"
)

DATE_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], date]], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})", _iso),
        (r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?", _numeric),
        (r"(?P<a>\d{1,2})[-.](?P<b>\d{1,2})[-.](?P<y>\d{4}|\d{2})", _numeric),
        (rf"{_EDGE_RE}\s*{MONTH_RE}(?:\s+{YEAR_RE})?", _month_edge),
        (rf"(?:the\s+)?{DAY_RE}\s+(?:of\s+)?{MONTH_RE}(?:\s*,?\s*{YEAR_RE})?", _day_month),
        (rf"{MONTH_RE}\s+(?:the\s+)?{DAY_RE}(?:\s*,?\s*{YEAR_RE})?", _day_month),
        (
            (r"(?P<word>the day after tomorrow|day after tomorrow|apres-demain|apres demain|"
             r"aujourd'hui|today|tomorrow|demain|yesterday|hier|ce jour|auj)"),
            _relative_day,
        ),
        (rf"(?:in|dans|d'ici|within|sous)\s+{COUNT_RE}\s+{UNIT_RE}", _in_duration),
        (rf"{COUNT_RE}\s+{UNIT_RE}\s+from\s+(?:now|today)", _in_duration),
        # The time there is, said as a duration: "on a 2 mois devant nous", "il nous reste 3 semaines",
        # "we've got 6 weeks left", "we have two months to deliver it".
        (rf"il\s+(?:nous\s+)?reste(?:\s+(?:encore|seulement))?\s+(?:que\s+)?{COUNT_RE}\s+{UNIT_RE}", _in_duration),
        (rf"(?:on\s+a|nous\s+avons|on\s+dispose\s+de|nous\s+disposons\s+de|we\s+(?:only\s+|just\s+)?have|we've\s+got|we've|"
         rf"we\s+have\s+got|we\s+got)\s+(?:(?:encore|seulement|only|just|about|roughly|environ)\s+)?"
         rf"{COUNT_RE}\s+{UNIT_RE}\s+(?:devant\s+nous|ahead(?:\s+of\s+us)?|left|to\s+go|remaining|"
         rf"max(?:imum)?|au\s+maximum|pour\s+(?:le|la|les|l')?\s*\w+|"
         rf"to\s+(?:deliver|do|finish|get|have|ship|launch|roll)\b)", _in_duration),
        (rf"(?:(?P<this>this|ce)\s+|(?P<next>next)\s+|coming\s+)?{WEEKDAY_RE}(?:\s+(?:prochain|qui vient))?", _weekday),
        (
            (r"(?:the\s+)?(?:end of|fin)\s+(?:de\s+l'|d'|du\s+|de\s+)?(?P<period>"
             r"the month|this month|next month|month|mois prochain|ce mois|mois|next year|the next year|the year|"
             r"this year|year|annee prochaine|an prochain|annee|an)"),
            _period_end,
        ),
        # Quarters, halves, months, years, seasons, the school year: periods as deadlines.
        *deadlines.rules(MONTHS),
    )
)
# Shapes that are a date only when they are the whole answer ("June", "2027", "summer").
_WHOLE_ANSWER_RULES = tuple(
    (re.compile(pattern), handler) for pattern, handler in deadlines.whole_answer_rules(MONTHS)
)

# Words around a date that do not change it: "le 15 mars", "on March 15th", "mardi 15 mars".
_DATE_LEAD = re.compile(
    rf"^(?:(?:le|la|l'|on|the|for|for the|pour|pour le|pour la|by|by the|avant le|before|d'ici|d'ici le|d'ici la|"
    rf"au plus tard le|au plus tard|no later than|at the latest by|a la|at the)\s*)?"
    rf"(?:(?:{_alternation(WEEKDAYS)}),?\s+(?=\d|the\b|le\b))?(?:(?:le|the)\s+)?"
)


def parse_date_text(text: str, today: date) -> date | None:
    """A date from our own rules, the whole text being the date; None if no rule fits.

    Raises ``InvalidDate`` when the text has the shape of a date that does not exist.
    """
    whole = fold(text).rstrip(" .!?")
    # As typed first ("avant juin" is 31 May), then without the words that do not change a day.
    for s in dict.fromkeys((whole, _DATE_LEAD.sub("", whole, count=1).strip())):
        for pattern, handler in (*DATE_RULES, *_WHOLE_ANSWER_RULES):
            m = pattern.fullmatch(s)
            if m:
                return handler(m, today)
    return None


# The same rules for searching inside a sentence: a date is not part of a longer token.
_BOUNDED_RULES = tuple(
    (re.compile(rf"(?<![\w/.-])(?:{pattern.pattern})(?![\w/-]|\.\d)"), handler) for pattern, handler in DATE_RULES
)

_FULL_WEEKDAYS = {name for name in WEEKDAYS if len(name) > 5 or name.endswith("di")}


def _clear_weekday(m: re.Match[str]) -> bool:
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
            except InvalidDate:
                continue
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    kept: list[tuple[int, int, date]] = []
    for cand in candidates:
        if not kept or cand[0] >= kept[-1][1]:
            kept.append(cand)
    return kept


def _pick_resolved_date(values: list[dict[str, Any]], today: date) -> date | None:
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


def recognized_date(text: str, *, locale: str, today: date) -> date | None:
    """Fallback: a single date recognizers-text finds that covers the answer."""
    s = fold(text)
    if len(s) > RECOGNIZER_MAX_CHARS or not re.search(r"[a-z]", s):
        return None  # figures alone that our rules refused are no date
    for loc in locales(locale):
        results = recognize_dates(s, loc, today)
        if len(results) != 1:
            continue
        start, end, kind, values = results[0]
        rest = (s[:start] + " " + s[end:]).split()
        # Only a date that is (nearly) the whole answer, not a time or a range.
        if kind != "date" or len(rest) > 2 or any(ch.isdigit() for ch in "".join(rest)):
            continue
        found = _pick_resolved_date(values, today)
        if found:
            return found
    return None
