"""Quantities: whole numbers, decimal numbers, amounts of money."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from pmobot.conversation.errors import Amount, FieldError, Num
from pmobot.conversation.fieldtypes.base import (
    Answer,
    FieldType,
    ParseContext,
    check_range,
    limits_hint,
    with_extra,
)
from pmobot.conversation.numbers import parse_money_text, parse_quantity
from pmobot.conversation.spec import FieldSpec
from pmobot.conversation.text import fold
from pmobot.i18n import format_money, format_number, t
from pmobot.messages import Widget

_WEEKS = re.compile(r"\b(?:semaines?|sem|weeks?|wks?)\b")
_MONTHS_OR_YEARS = re.compile(r"\b(?:mois|months?|mos?|ans?|annees?|years?|yrs?)\b")


def _in_business_days(text: str, read: Callable[[], Decimal]) -> Decimal:
    """"3 semaines" is 15 business days: a week has five wherever the bot is used. A month has
    20 to 23 depending on the month and its holidays, so months are refused, not guessed."""
    words = fold(text)
    if _MONTHS_OR_YEARS.search(words):
        raise FieldError("field.error.business_days_months")
    value = read()
    return value * 5 if _WEEKS.search(words) else value


# What a quantity question may count in (a spec's ``unit:``): each reads an answer given in
# another unit ("3 weeks"), from the text and the number in it (read on demand).
UNITS: dict[str, Callable[[str, Callable[[], Decimal]], Decimal]] = {"business_days": _in_business_days}


class _Quantity(FieldType):
    @staticmethod
    def _read(field: FieldSpec, text: str, ctx: ParseContext, *, style: str, error: str) -> Decimal:
        """The number in the answer, in the field's unit when it has one ("3 weeks" for business days)."""
        def read() -> Decimal:
            return parse_quantity(text, locale=ctx.locale, style=style, error=error)

        return UNITS[field.unit](text, read) if field.unit else read()

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        try:
            return format_number(value, locale)
        except (TypeError, ValueError, InvalidOperation):
            return str(value)  # a value stored by an older spec: show it raw rather than fail

    def hint(self, field: FieldSpec, locale: str) -> str:
        extra = limits_hint(field, locale, lambda v: format_number(v, locale))
        return with_extra(super().hint(field, locale), extra)


class IntegerType(_Quantity):
    name = "integer"
    widget = Widget.WHOLE_NUMBER

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        # "1,500" is fifteen hundred people whatever the locale: counts have no decimals.
        value = self._read(field, text, ctx, style="thousands", error="field.error.integer")
        if value != value.to_integral_value():
            raise FieldError("field.error.not_whole")
        check_range(field, value, Num)
        return int(value)

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        check_range(field, Decimal(int(value)), Num)

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return str(int(value))


class NumberType(_Quantity):
    name = "number"
    widget = Widget.DECIMAL

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        value = self._read(field, text, ctx, style="locale", error="field.error.number")
        check_range(field, value, Num)
        return float(value)

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        check_range(field, Decimal(str(value)), Num)

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)


class MoneyType(FieldType):
    name = "money"
    # Typed as text: "30 k€" and "$5,000" say their currency, which no number input can.
    widget = Widget.SINGLE_LINE

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        default = field.currency or ctx.default_currency
        money = parse_money_text(text, locale=ctx.locale, default_currency=default)
        if money is None:
            raise FieldError("field.error.money", {"example": Amount(Decimal(30000), default)})
        if Decimal(money["amount"]) < 0 and field.min is not None and field.min >= 0:
            # Said plainly rather than as a range: the minus sign is usually a slip.
            raise FieldError("field.error.negative")
        self.check(field, money, ctx)
        return money

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        currency = str(value["currency"])
        check_range(field, Decimal(value["amount"]), lambda v: Amount(v, currency))

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        try:
            return format_money(Decimal(str(value["amount"])), value.get("currency") or "EUR", locale)
        except (KeyError, TypeError, AttributeError, InvalidOperation):
            return str(value)  # a value stored by an older spec: show it raw rather than fail

    def hint(self, field: FieldSpec, locale: str) -> str:
        currency = field.currency or "EUR"
        hint = t(locale, "field.hint.money", example=format_money(Decimal(30000), currency, locale))
        return with_extra(hint, limits_hint(field, locale, lambda v: format_money(v, currency, locale)))
