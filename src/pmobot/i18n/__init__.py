"""Message catalogs in English and French, and locale-aware formatting.

Catalogs live in ``i18n/<locale>/<area>.yaml``; a key is ``<area>.<path>``,
so each area (fields, commands, cards...) owns its own file. Both locales
must define the same keys with the same placeholders (a test checks it).

A message that depends on a number has two forms, ``<key>.one`` and
``<key>.other``; ``t(locale, key, count=n)`` picks the one the language's
rule asks for (see ``plural_form``) and fills ``{count}`` with ``n``.
"""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.dates import format_timedelta as _babel_timedelta
from babel.numbers import format_currency as _babel_currency
from babel.numbers import format_decimal as _babel_decimal

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"


def normalize_locale(value: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a platform locale (``fr-FR``, ``en_US``, ``FR``) to a supported one."""
    if not value:
        return default
    head = value.replace("_", "-").split("-")[0].lower()
    return head if head in LOCALES else default


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, child in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), child, out)
    else:
        out[prefix] = str(node)


@cache
def catalog(locale: str) -> dict[str, str]:
    """Every message of one locale, keyed ``area.path``."""
    out: dict[str, str] = {}
    folder = resources.files(__package__).joinpath(locale)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            area = entry.name[: -len(".yaml")]
            _flatten(area, yaml.safe_load(entry.read_text(encoding="utf-8")) or {}, out)
    return out


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def plural_form(locale: str, count: int | float | Decimal) -> str:
    """"one" or "other": the form a number asks for in ``locale``.

    English uses the singular for exactly 1 ("1 need", "0 needs"); French for
    0 and 1, and for anything under 2 ("0 besoin", "1,5 jour", "2 jours").
    """
    value = abs(Decimal(str(count)))
    if normalize_locale(locale) == "fr":
        return "one" if value < 2 else "other"
    return "one" if value == 1 else "other"


def t(locale: str, key: str, /, **params: Any) -> str:
    """The message ``key`` in ``locale``, with ``params`` filled in.

    When ``key`` has plural forms, ``count`` (a number) chooses between
    ``key.one`` and ``key.other``. A missing key falls back to English,
    then to the key itself, so a catalog gap shows up as a readable key
    rather than a crash.
    """
    loc = normalize_locale(locale)
    count = params.get("count")
    if f"{key}.other" in catalog(DEFAULT_LOCALE) and isinstance(count, int | float | Decimal):
        key = f"{key}.{plural_form(loc, count)}"
    template = catalog(loc).get(key) or catalog(DEFAULT_LOCALE).get(key)
    if template is None:
        return key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def sentences(*parts: str) -> str:
    """Sentences joined into a paragraph: each starts with a capital and ends with a full stop.

    Messages are written as fragments ("nothing committed would move") so they can also be
    joined inside a sentence; whoever makes sentences of them goes through here.
    """
    out = []
    for part in (p.strip() for p in parts):
        if part:
            part = part[0].upper() + part[1:]
            out.append(part if part.endswith((".", "!", "?", "…")) else part + ".")
    return " ".join(out)


def label(locale: str, name: str) -> str:
    """A label before its value: "Title:" in English, "Titre :" (a narrow no-break space) in French."""
    return t(locale, "chat.label", label=name)


def has(key: str) -> bool:
    return key in catalog(DEFAULT_LOCALE) or f"{key}.other" in catalog(DEFAULT_LOCALE)


def babel_locale(locale: str) -> Locale:
    return _babel_locales()[normalize_locale(locale)]


@cache
def _babel_locales() -> dict[str, Locale]:
    # Parsed once: babel parses a locale's name again at every number or date it formats otherwise (a
    # quarter of the time of writing ten thousand alerts' figures).
    return {"fr": Locale.parse("fr_FR"), "en": Locale.parse("en_GB")}


def format_money(amount: Decimal | float | int | str, currency: str, locale: str) -> str:
    value = Decimal(str(amount))
    # Whole amounts are shown without cents: budgets are rarely to the cent.
    fmt = "¤#,##0" if value == value.to_integral_value() else None
    if fmt and normalize_locale(locale) == "fr":
        fmt = "#,##0\u00a0¤"  # a no-break space: "€" never wraps onto its own line
    return _babel_currency(value, currency, format=fmt, locale=babel_locale(locale), currency_digits=fmt is None)


def format_number(value: Decimal | float | int, locale: str) -> str:
    return _babel_decimal(value, locale=babel_locale(locale))


def format_day(value: date, locale: str) -> str:
    return _babel_date(value, format="long", locale=babel_locale(locale))


def format_month(value: date, locale: str, *, year: bool = True) -> str:
    """"March 2027" / "mars 2027", or the month alone ("March")."""
    return _babel_date(value, format="LLLL y" if year else "LLLL", locale=babel_locale(locale))


def format_short_day(value: date, locale: str) -> str:
    """"15 March" / "15 mars": a day in a sentence about this year's plans."""
    return _babel_date(value, format="d MMMM", locale=babel_locale(locale))


def format_span(days: int, locale: str) -> str:
    """A length of time in words, rounded: "6 weeks", "2 mois"."""
    return _babel_timedelta(timedelta(days=days), granularity="day", threshold=1.5, locale=babel_locale(locale))


def format_moment(value: datetime, locale: str, tz: str) -> str:
    return _babel_datetime(value.astimezone(ZoneInfo(tz)), format="d MMM y HH:mm", locale=babel_locale(locale))
