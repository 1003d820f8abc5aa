"""The deadlines a business person gives that are periods, not days.

"fin T1", "Q2 2027", "au premier semestre", "H1", "avant l'été", "pour la
rentrée", "en mars 2027", "in September", "le mois prochain", "fin 2026",
"end of next year": each names a period, and a period given as a deadline
means its last day. "Before" a period means the day before it starts
("avant juin" is 31 May). A period without a year is the next one that has
not ended. Seasons start on the 21st of March, June, September and December;
the school year on 1 September; both are events, so "by summer" or "pour la
rentrée" is the day before they start, and only "in spring" / "cet été" / "next
spring" / "l'été prochain" means the season's last day.

"ASAP" and "dès que possible" are no date at all: ``find_asap`` lets the
callers say so instead of guessing one.

The rules are registered in ``pmobot.conversation.dates`` with the day-shaped
ones, so a sentence and an answer to the date question read them alike.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    first: date
    last: date


Reader = Callable[[re.Match[str], date], Period]
DateRule = tuple[str, Callable[[re.Match[str], date], date]]

_ONE_DAY = timedelta(days=1)
_YEAR = r"(?P<year>20\d\d)"
# "de 2027", "of 2027", "2027", "-2027"
_OF_YEAR = rf"(?:\s*(?:de\s+|of\s+|-\s*|/\s*)?{_YEAR})?"
# Where a period's edge is named: "fin T1", "end of Q3", "the end of the first quarter", "début S2".
_EDGE = (
    r"(?:(?P<edge>la fin|fin|the end|end|le debut|debut|the start|start|the beginning|beginning)"
    r"\s+(?:(?:du|de la|de|d'|of the|of|le|la|the)\s+)?)?"
)
_ORDINALS = {
    "premier": 1, "1er": 1, "first": 1, "1st": 1, "deuxieme": 2, "second": 2, "seconde": 2, "2e": 2,
    "2eme": 2, "2nd": 2, "troisieme": 3, "third": 3, "3e": 3, "3eme": 3, "3rd": 3, "quatrieme": 4,
    "fourth": 4, "4e": 4, "4eme": 4, "4th": 4,
}
_ORDINAL_RE = "|".join(sorted(_ORDINALS, key=len, reverse=True))
# Words that make a bare month or year a deadline in running text ("en mars", "by June", "courant 2027").
_LEAD = (
    r"(?:en|in|pour|for|d'ici|by|until|jusqu'en|courant|during|sometime in|au mois de|in the month of|"
    r"au plus tard en|at the latest in)"
)
# "may" as the month, not the verb that follows it ("by May" but not "it may be").
_MAY = (r"(?P<month>may)(?!\s+(?:be|have|need|want|not|also|still|take|get|require|"
        r"well|do|use|help|find|see|ask|wish|come|go|work|run|want)\b)(?![\w'-])")
_BEFORE = r"(?:avant|before|prior to|ahead of)\s+(?:(?:le|la|l'|les|the)\s*)?"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first_month: int, count: int) -> Period:
    last_month = first_month + count - 1
    return Period(date(year, first_month, 1), _month_end(year, last_month))


def _upcoming(m: re.Match[str], today: date, make: Callable[[int], Period]) -> Period:
    """The period of the year said, or else the next one that has not ended."""
    year = m.groupdict().get("year")
    if year:
        return make(int(year))
    this = make(today.year)
    return this if this.last >= today else make(today.year + 1)


def _edge(m: re.Match[str], period: Period) -> Period:
    edge = m["edge"] or ""
    if edge.endswith(("fin", "end")):
        return Period(period.last, period.last)
    if edge:
        return Period(period.first, period.first)
    return period


def _quarter(m: re.Match[str], today: date) -> Period:
    digit = m["qn"] or m["qn2"]
    number = int(digit) if digit else _ORDINALS.get(m["qword"] or "", 4)  # "dernier trimestre": the 4th
    return _edge(m, _upcoming(m, today, lambda year: _months(year, 3 * number - 2, 3)))


def _half(m: re.Match[str], today: date) -> Period:
    word = m["hword"] or ""
    number = int(m["hn"]) if m["hn"] else (2 if word in ("dernier", "last") else _ORDINALS.get(word, 1))
    return _edge(m, _upcoming(m, today, lambda year: _months(year, 6 * number - 5, 6)))


def _year(m: re.Match[str], today: date) -> Period:
    year = int(m["year"])
    whole = Period(date(year, 1, 1), date(year, 12, 31))
    lead = m["ylead"] or ""
    if lead.startswith("mi"):
        return Period(date(year, 6, 30), date(year, 6, 30))
    if lead == "early":
        return Period(whole.first, whole.first)
    if lead == "late":
        return Period(whole.last, whole.last)
    return _edge(m, whole)


def _relative(m: re.Match[str], today: date) -> Period:
    word = m["rel"]
    for unit, months in (("quarter", 3), ("trimestre", 3), ("half", 6), ("semestre", 6)):
        if unit in word:
            # The period under way, or the one after it ("next quarter", "le semestre prochain").
            first = date(today.year, (today.month - 1) // months * months + 1, 1)
            if not re.search(r"\b(?:this|current|cours|ce)\b", word):
                first = _months(first.year, first.month, months).last + _ONE_DAY
            return _months(first.year, first.month, months)
    if "week" in word or "semaine" in word:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return Period(monday, monday + timedelta(days=4))  # a working week ends on Friday
    if "year" in word or "an" in word.split() or "annee" in word:
        return Period(date(today.year + 1, 1, 1), date(today.year + 1, 12, 31))
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _months(year, month, 1)


_SEASON_START = {"printemps": 3, "spring": 3, "ete": 6, "summer": 6, "automne": 9, "autumn": 9, "fall": 9,
                 "hiver": 12, "winter": 12}
# After these words a season is a span to work in ("au printemps", "this summer"); otherwise an event to beat.
_DURING = ("au", "en", "in", "this", "cet", "ce", "during", "pendant", "durant", "over")


def _season(m: re.Match[str], today: date) -> Period:
    month = _SEASON_START[m["season"]]
    lead = m.groupdict().get("slead")
    # "next spring", "l'été prochain" name the season as a time, like "in spring": unless said "before" it.
    during = (lead or "") in _DURING or (lead is None and bool(re.search(r"\b(?:next|prochain|suivant)\b", m.group())))

    def make(year: int) -> Period:
        start = date(year, month, 21)
        following = date(year + 1, 3, 21) if month == 12 else date(year, month + 3, 21)
        due = following - _ONE_DAY if during else start - _ONE_DAY
        return Period(due, due)

    return _upcoming(m, today, make)


def _school_year(m: re.Match[str], today: date) -> Period:
    def make(year: int) -> Period:
        due = date(year, 8, 31)
        return Period(due, due)

    return _upcoming(m, today, make)


def _month(months: Mapping[str, int]) -> Reader:
    def read(m: re.Match[str], today: date) -> Period:
        number = months[m["month"].rstrip(".")]
        return _upcoming(m, today, lambda year: _months(year, number, 1))

    return read


def _due(read: Reader) -> Callable[[re.Match[str], date], date]:
    return lambda m, today: read(m, today).last


def _before(read: Reader) -> Callable[[re.Match[str], date], date]:
    def due(m: re.Match[str], today: date) -> date:
        period = read(m, today)
        # Before a day is that day ("avant le 15 mars"); before a period, the eve of its start.
        return period.first if period.first == period.last else period.first - _ONE_DAY

    return due


# "The last quarter" (of the year) is the fourth; "last quarter" alone is the one gone by, no deadline.
_LAST = r"(?:(?<=\bthe\s)last|last(?=\s+(?:quarter|half)\s+(?:of\s+(?:the\s+year|20\d\d)|20\d\d)))"
_QUARTER = (
    rf"{_EDGE}(?:(?P<qword>{_ORDINAL_RE}|dernier|{_LAST})\s+(?:trimestre|quarter)|(?:the\s+)?[tq](?P<qn>[1-4])|"
    rf"(?:le\s+)?trimestre\s+(?P<qn2>[1-4]))(?:\s+(?:de l'annee|of the year))?{_OF_YEAR}"
)
_HALF = (
    rf"{_EDGE}(?:(?:le\s+|the\s+)?(?P<hword>{_ORDINAL_RE}|dernier|{_LAST})\s+(?:semestre|half)(?:\s+of the year)?|"
    rf"(?:le\s+)?[hs](?P<hn>[12])){_OF_YEAR}"
)
_YEAR_RULE = (
    rf"{_EDGE}(?:(?P<ylead>courant|en|in|during|sometime in|d'ici|by|pour|for|mi-|mid-|mid|early|late)\s*)?"
    rf"(?:(?:l'annee|the year)\s+)?{_YEAR}"
)
# In running text a year is a deadline only after a word that says so ("fin 2026", "courant 2027"):
# otherwise it is a plan's name ("budget 2027", "a portal for 2027") or a count.
_YEAR_IN_TEXT = (
    r"(?=(?:la fin|fin|the end|end|le debut|debut|the start|start|the beginning|beginning|courant|en|in|during|"
    rf"sometime|d'ici|mi|mid|early|late)\b){_YEAR_RULE}"
)
_RELATIVE = (
    r"(?P<rel>(?:le\s+|the\s+)?mois\s+prochain|(?:le\s+)?mois\s+suivant|next\s+month|the\s+following\s+month|"
    r"(?:la\s+)?semaine\s+prochaine|next\s+week|(?:l'annee|l'an)\s+prochaine?|next\s+year|"
    r"(?:(?:the\s+)?(?:next|following|this|current)\s+(?:quarter|half)|(?:le\s+)?prochain\s+(?:trimestre|semestre)|"
    r"(?:le\s+)?(?:trimestre|semestre)\s+(?:prochain|suivant|en\s+cours)|(?:ce|this)\s+(?:trimestre|semestre))(?![\w]))"
)
_SEASON = (
    r"(?:(?P<slead>avant|before|by|d'ici|pour|for|until|jusqu'a|au|en|in|this|cet|ce|during|pendant|durant|over)"
    r"\s+(?:l'|le\s+|the\s+)?|l'|le\s+|the\s+|(?=next\s))(?:next\s+|prochain\s+)?"
    r"(?P<season>printemps|ete|automne|hiver|spring|summer|autumn|fall|winter)(?:\s+(?:prochain|suivant))?"
    rf"{_OF_YEAR}"
)
_SCHOOL_YEAR = (
    r"(?:(?:avant|before|by|d'ici|pour|for|until|a|at)\s+)?(?:la\s+|the\s+)?"
    r"(?:rentree(?:\s+scolaire)?(?:\s+de\s+septembre)?|(?:start\s+of\s+the\s+|new\s+|next\s+)school\s+year|"
    rf"back[\s-]to[\s-]school){_OF_YEAR}"
)


def rules(months: Mapping[str, int]) -> tuple[DateRule, ...]:
    """Rules for running text and whole answers alike: (pattern on folded text, due date)."""
    full_months = "|".join(sorted((name for name in months if len(name) > 3 or name == "mai"), key=len, reverse=True))
    # After a word that makes it a deadline, a month may be shortened ("by Feb", "d'ici fév."), except the
    # short forms that are other words too ("sept" is seven, "mar", "jan").
    short = "|".join(sorted((name for name in months if len(name) <= 4 and name not in ("sept", "mar", "jan", "mai",
                                                                                        "may")),
                            key=len, reverse=True))
    # A month followed by its day is that day ("before April 1st"), read by the day rules.
    no_day = r"(?!\s*(?:\d{1,2}(?:st|nd|rd|th|er|e)?|first|premier)(?![\w]))"
    month = rf"(?P<month>{full_months}|(?:{short})\.?){no_day}(?:\s+(?:prochain|next))?{_OF_YEAR}"
    read_month = _month(months)
    periods: tuple[tuple[str, Reader], ...] = (
        (_QUARTER, _quarter),
        (_HALF, _half),
        (_RELATIVE, _relative),
    )
    return (
        *((pattern, _due(read)) for pattern, read in periods),
        *((_BEFORE + pattern, _before(read)) for pattern, read in periods),
        # A bare month in running text only with a word that makes it a deadline, or a year:
        # "may" is also a verb, "mars" a planet.
        (rf"{_LEAD}\s+(?:(?:le\s+)?mois\s+d[e']\s*)?{month}", _due(read_month)),
        # "may" with a year, or after "by"/"in"/"until" and not before a verb, is the month.
        (rf"(?P<month>{full_months}|may)\s+{_YEAR}", _due(read_month)),
        (r"(?:by|in|until|for)\s+" + _MAY, _due(read_month)),
        # "before May" is the eve of May, as "before June" is 31 May.
        (r"(?:before|prior to|ahead of)\s+" + _MAY, _before(read_month)),
        (_BEFORE + month, _before(read_month)),
        (_YEAR_IN_TEXT, _due(_year)),
        (_SEASON, _due(_season)),
        (_SCHOOL_YEAR, _due(_school_year)),
    )


def whole_answer_rules(months: Mapping[str, int]) -> tuple[DateRule, ...]:
    """Rules only for an answer that is nothing but the period ("June", "2027", "l'été"):
    in running text these words are too often something else."""
    full_months = "|".join(sorted(months, key=len, reverse=True))
    return (
        (rf"(?P<month>{full_months})\.?(?:\s+(?:prochain|next))?", _due(_month(months))),
        (_YEAR_RULE, _due(_year)),
        (rf"(?P<season>printemps|ete|automne|hiver|spring|summer|autumn|fall|winter){_OF_YEAR}", _due(_season)),
    )


# --- as soon as possible -----------------------------------------------------------

# "As soon as possible" said every way: "as quickly as we can", "le plus rapidement possible", "dès
# que vous pouvez", "aussi vite que possible", "urgently", "right away", "sans tarder".
_SOON_EN = r"(?:soon|quickly|fast|early|rapidly|promptly)"
_SOON_FR = r"(?:vite|tot|rapidement)"
_CAN_EN = r"(?:possible|feasible|you can|we can|you could|can be done|humanly possible)"
_CAN_FR = (
    r"(?:possible|vous (?:pouvez|pourrez|le pouvez|le pourrez)|tu (?:peux|pourras)|on (?:peut|pourra)|faire se peut)"
)
_ASAP = re.compile(
    rf"(?<![\w])(?:asap|a\.s\.a\.p\.?|as\s+{_SOON_EN}\s+as\s+{_CAN_EN}|at\s+the\s+earliest(?:\s+opportunity)?|"
    rf"(?:aussi|des\s+que|aussitot\s+que)\s+(?:{_SOON_FR}\s+que\s+)?{_CAN_FR}|(?:le\s+)?plus\s+{_SOON_FR}\s+possible|"
    rf"au\s+plus\s+(?:vite|tot)|dans\s+les\s+(?:meilleurs|plus\s+brefs)\s+delais|sans\s+(?:delai|tarder|attendre)|"
    rf"en\s+urgence|d'urgence|de\s+toute\s+urgence|urgently|right\s+away|straight\s+away|immediately|"
    rf"tout\s+de\s+suite|des\s+maintenant|without\s+delay)(?![\w])"
)


def find_asap(folded: str) -> tuple[int, int] | None:
    """Where the text asks for it as soon as possible (no date to plan for), or None."""
    m = _ASAP.search(folded)
    return (m.start(), m.end()) if m else None
