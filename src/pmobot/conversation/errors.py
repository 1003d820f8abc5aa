"""An answer that cannot be used, said in any language.

A FieldError holds an i18n key and its parameters; parameters that are
written differently in each locale (numbers, amounts, days, option lists)
are rendered only when the message is shown, so one error reads right in
French and in English.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pmobot.conversation.spec import Choice
from pmobot.i18n import format_day, format_money, format_number, t


class Localizable(ABC):
    """A message parameter that is written differently in each locale."""

    @abstractmethod
    def render(self, locale: str) -> str:
        """The parameter as a reader of ``locale`` writes it."""


@dataclass(frozen=True)
class Num(Localizable):
    value: Decimal | int | float

    def render(self, locale: str) -> str:
        return format_number(self.value, locale)


@dataclass(frozen=True)
class Amount(Localizable):
    value: Decimal | int
    currency: str

    def render(self, locale: str) -> str:
        return format_money(self.value, self.currency, locale)


@dataclass(frozen=True)
class Day(Localizable):
    value: date

    def render(self, locale: str) -> str:
        return format_day(self.value, locale)


@dataclass(frozen=True)
class Options(Localizable):
    """Choices as the user sees them: "1. Low, 2. Medium, 3. High"."""

    choices: tuple[tuple[int, Choice], ...]

    def render(self, locale: str) -> str:
        return ", ".join(f"{n}. {c.label.get(locale)}" for n, c in self.choices)


def number_param(value: Decimal | float) -> Localizable:
    """A number for a FieldError message, written the reader's way (2,5 or 2.5)."""
    return Num(value)


Param = Localizable | str | int | float


class FieldError(Exception):
    """An answer that cannot be used, as an i18n key (area ``field``) and its parameters.

    Parameters may be plain values or values rendered per locale (numbers,
    amounts, dates, option lists), so one error can be shown in any language.
    """

    def __init__(self, key: str, params: dict[str, Param] | None = None):
        self.key = key
        self.params = dict(params or {})
        super().__init__(key)

    def message(self, locale: str) -> str:
        rendered = {k: v.render(locale) if isinstance(v, Localizable) else v for k, v in self.params.items()}
        return t(locale, self.key, **rendered)

    def __str__(self) -> str:
        return self.message("en")
