"""Free text: a short line, a few sentences, a person named in words."""

from __future__ import annotations

from typing import ClassVar

from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes.base import Answer, FieldType, ParseContext
from pmobot.conversation.spec import FieldSpec
from pmobot.conversation.text import clean_text
from pmobot.domain.scope import strip_list_mark
from pmobot.i18n import format_number, t
from pmobot.messages import Widget


class TextType(FieldType):
    name = "text"
    widget = Widget.SINGLE_LINE
    default_max_length: ClassVar[int | None] = 150

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        value = clean_text(text)
        self._check_length(field, value)
        return value

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        self._check_length(field, clean_text(str(value)))

    @staticmethod
    def _check_length(field: FieldSpec, value: str) -> None:
        if field.max_length is not None and len(value) > field.max_length:
            raise FieldError("field.error.too_long", {"length": len(value), "max": field.max_length})
        if field.min_length is not None and len(value) < field.min_length:
            raise FieldError("field.error.too_short", {"length": len(value), "min": field.min_length})

    def hint(self, field: FieldSpec, locale: str) -> str:
        if field.max_length is None:
            return ""
        return t(locale, f"field.hint.{self.name}", max=format_number(field.max_length, locale))

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return str(value)


class LongTextType(TextType):
    name = "long_text"
    widget = Widget.MULTI_LINE
    default_max_length = 3000
    wide = True


class UserType(TextType):
    """A person as typed (@name, an e-mail address), kept as text."""

    name = "user"
    default_max_length = None

    def hint(self, field: FieldSpec, locale: str) -> str:
        return t(locale, "field.hint.user")


class LinesType(TextType):
    """A short list, one item a line (or items separated by ";" where a chat sends one line at a
    time): kept as a list of lines, each up to ``max_length`` characters, at most ``max`` items."""

    name = "lines"
    widget = Widget.MULTI_LINE
    default_max_length = 300
    wide = True

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        rows = text.splitlines() if "\n" in text.strip() else text.split(";")
        items: list[str] = []
        for row in rows:
            item = strip_list_mark(clean_text(row))
            if item and item not in items:
                items.append(item)
        if not items:
            raise FieldError("field.error.empty")
        self.check(field, items, ctx)
        return items

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        most = int(field.max) if field.max is not None else None
        if most is not None and len(items) > most:
            raise FieldError("field.error.lines_max", {"count": len(items), "max": most})
        for item in items:
            self._check_length(field, clean_text(item))

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        items = value if isinstance(value, list) else [value]
        return "\n".join(f"• {item}" for item in items)

    def hint(self, field: FieldSpec, locale: str) -> str:
        return t(locale, "field.hint.lines")

    def as_text(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
