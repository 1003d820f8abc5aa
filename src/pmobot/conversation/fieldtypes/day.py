"""A calendar day."""

from __future__ import annotations

from datetime import date

from pmobot.conversation.dates import InvalidDate, parse_date_text, recognized_date
from pmobot.conversation.deadlines import find_asap
from pmobot.conversation.errors import Day, FieldError
from pmobot.conversation.fieldtypes.base import (
    Answer,
    FieldType,
    ParseContext,
    with_extra,
)
from pmobot.conversation.spec import FieldSpec
from pmobot.conversation.text import clean_text, fold
from pmobot.i18n import format_day, t
from pmobot.messages import Widget


class DateType(FieldType):
    name = "date"
    widget = Widget.DATE

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        try:
            day = parse_date_text(text, ctx.today)
        except InvalidDate:
            raise FieldError("field.error.date_invalid", {"text": clean_text(text)}) from None
        if day is None and find_asap(fold(text)):
            raise FieldError("field.error.date_asap")
        if day is None:
            day = recognized_date(text, locale=ctx.locale, today=ctx.today)
        if day is None or not 1900 <= day.year <= 2200:
            raise FieldError("field.error.date")
        self._check_future(field, day, ctx)
        return day.isoformat()

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        self._check_future(field, date.fromisoformat(value), ctx)

    @staticmethod
    def _check_future(field: FieldSpec, day: date, ctx: ParseContext) -> None:
        if field.future and day < ctx.today:
            raise FieldError("field.error.date_past", {"date": Day(day)})

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        try:
            return format_day(date.fromisoformat(str(value)), locale)
        except ValueError:
            return str(value)  # a value stored by an older spec: show it raw rather than fail

    def hint(self, field: FieldSpec, locale: str) -> str:
        return with_extra(super().hint(field, locale), t(locale, "field.hint.future") if field.future else "")

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return str(value)
