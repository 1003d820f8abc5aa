"""Free text: a short line, a few sentences, a person named in words."""

from __future__ import annotations

from typing import ClassVar

from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes.base import Answer, FieldType, ParseContext
from pmobot.conversation.spec import FieldSpec
from pmobot.conversation.text import clean_text
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
