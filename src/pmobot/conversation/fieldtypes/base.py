"""What every field type knows, and the helpers several of them share.

A field type reads an answer typed in chat, checks the limits of a value that
was not typed (pre-filled from free text), shows a value in a locale, says
what it expects, and describes itself as a neutral form input (a ``Widget``)
whose submitted value it reads back. Values are JSON-native so they are
stored as they are: str, int, float, bool, list of choice values,
``{"amount": "30000", "currency": "EUR"}`` for money and ``"YYYY-MM-DD"`` for
dates.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pmobot.conversation.errors import FieldError, Localizable
from pmobot.conversation.spec import FieldSpec
from pmobot.i18n import t
from pmobot.messages import Option, Widget

# An answer as stored: one of the JSON-native shapes above, which the field type alone knows.
Answer = Any
# What a platform's form input held on submission, as the platform sent it.
RawValue = str | int | float | bool | list[str] | None


@dataclass(frozen=True)
class ParseContext:
    locale: str
    today: date
    default_currency: str = "EUR"


class FieldType(ABC):
    """One kind of answer. Subclasses are registered in ``pmobot.conversation.fieldtypes``."""

    # The name a spec gives in ``type:``; hints are ``field.hint.<name>``.
    name: ClassVar[str]
    widget: ClassVar[Widget]
    # Only these fields carry ``choices`` in a spec.
    has_choices: ClassVar[bool] = False
    # The spec's ``max_length`` when it gives none: what chat platforms accept.
    default_max_length: ClassVar[int | None] = None
    # A summary shows the value on a whole row (a few sentences) rather than beside others.
    wide: ClassVar[bool] = False

    @abstractmethod
    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        """The canonical value of ``text`` (not empty), limits checked, or FieldError."""

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:  # noqa: B027  (no limits by default)
        """Apply the field's limits to a value that was not typed (pre-filled); FieldError if out."""

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        """The value as a summary shows it in ``locale``."""
        return str(value)

    def hint(self, field: FieldSpec, locale: str) -> str:
        """One short line saying what kind of answer is expected."""
        return t(locale, f"field.hint.{self.name}")

    def options(self, field: FieldSpec, locale: str) -> tuple[Option, ...]:
        """What a person may pick from, for choice widgets and chat buttons."""
        return ()

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        """How a typed widget shows the value (its initial text)."""
        return self.format(field, value, locale)

    def selected(self, field: FieldSpec, value: Answer) -> tuple[str, ...]:
        """The option values a choice widget shows as chosen."""
        return ()

    def read(self, field: FieldSpec, raw: RawValue, ctx: ParseContext) -> Answer:
        """What a form input held (not empty) as the canonical value, or FieldError.

        By default the input held text, read like a chat answer.
        """
        if isinstance(raw, list):
            text = ", ".join(raw)
        elif isinstance(raw, float):
            text = repr(raw)
        else:
            text = str(raw)
        if not text.strip():
            raise FieldError("field.error.empty")
        value = self.parse(field, text, ctx)
        self.check(field, value, ctx)
        return value


def limit(raw: float | None) -> Decimal | None:
    """A spec limit as a Decimal; 10.0 from YAML shows as 10."""
    if raw is None:
        return None
    value = Decimal(str(raw))
    return value.to_integral_value() if value == value.to_integral_value() else value


def check_range(field: FieldSpec, value: Decimal, wrap: Callable[[Decimal], Localizable]) -> None:
    """FieldError when ``value`` is outside the field's min and max."""
    lo, hi = limit(field.min), limit(field.max)
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise FieldError("field.error.range", {"min": wrap(lo), "max": wrap(hi)})
    if lo is not None and value < lo:
        raise FieldError("field.error.min", {"min": wrap(lo)})
    if hi is not None and value > hi:
        raise FieldError("field.error.max", {"max": wrap(hi)})


def limits_hint(field: FieldSpec, locale: str, show: Callable[[Decimal], str]) -> str:
    """"between 1 and 10", "at least 1", or nothing, each limit shown by ``show``."""
    lo, hi = limit(field.min), limit(field.max)
    if lo is not None and hi is not None:
        return t(locale, "field.hint.range", min=show(lo), max=show(hi))
    if lo is not None:
        return t(locale, "field.hint.min", min=show(lo))
    if hi is not None:
        return t(locale, "field.hint.max", max=show(hi))
    return ""


def with_extra(hint: str, extra: str) -> str:
    return f"{hint} ({extra})" if extra else hint
