"""Refusals a user may see: each carries an i18n key and its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from pmobot.i18n import format_day, format_money, format_number, t


class Phrase:
    """A message part rendered in the reader's language only when the message is shown."""

    def __init__(self, render: Callable[[str], str]) -> None:
        self.render = render


class PmoError(Exception):
    level = "warning"

    # Positional-only, so that messages may themselves have a ``key`` parameter (NEED-12).
    def __init__(self, message_key: str, /, **params: Any) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.params = params

    def message(self, locale: str) -> str:
        params = {k: v.render(locale) if isinstance(v, Phrase) else v for k, v in self.params.items()}
        return t(locale, self.message_key, **params)


class NotFound(PmoError):
    """Unknown, or not visible to this person: the two read the same on purpose."""


class Forbidden(PmoError):
    pass


class Invalid(PmoError):
    pass


class Overtaken(PmoError):
    """Someone else moved the need between reading it and writing the step: nothing was done."""


def shown(value: Any, locale: str) -> str:
    """A refusal's parameter as the reader writes it (a day, a number, an (amount, currency) pair)."""
    if isinstance(value, date):
        return format_day(value, locale)
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return format_number(value, locale)
    if isinstance(value, tuple) and len(value) == 2:  # (amount, currency)
        return format_money(Decimal(str(value[0])), str(value[1]), locale)
    return str(value)


@dataclass(frozen=True)
class Refusal:
    """Why a value cannot be used, shared by a form's hook (said early, as a field's error) and the
    service (the rule itself, an ``Invalid``): an i18n key and its parameters, kept as values (days,
    numbers, amounts) so that each is written the reader's way."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def invalid(self) -> Refused:
        refused = Refused(self.key, **{k: Phrase(partial(shown, v)) for k, v in self.params.items()})
        refused.refusal = self
        return refused


class Refused(Invalid):
    """``Invalid`` that keeps its ``Refusal``, so that a form's hook words it as the service would."""

    refusal: Refusal
