"""The field types a dialog spec may use, one object each, and the calls made on them.

A spec's ``type:`` names one of ``FIELD_TYPES``. Adding a field type is one
class (a ``FieldType`` subclass, in the module of its kind), one entry in
``FIELD_TYPES``, its ``field.hint.<name>`` (and any error) strings in every
locale, and its tests: the engine, the forms and every platform's renderer
work from the type's methods and its neutral ``Widget``.

Users write in their own words and not always in their own locale: every
parser accepts French and English whatever the locale; the locale only
settles real ambiguities and chooses the language of messages.
"""

from __future__ import annotations

from pmobot.conversation.controls import says_nothing
from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes.base import (
    Answer,
    FieldType,
    ParseContext,
    RawValue,
)
from pmobot.conversation.fieldtypes.choices import (
    ChoiceType,
    MultiChoiceType,
    YesNoType,
)
from pmobot.conversation.fieldtypes.day import DateType
from pmobot.conversation.fieldtypes.numeric import IntegerType, MoneyType, NumberType
from pmobot.conversation.fieldtypes.text import LinesType, LongTextType, TextType, UserType
from pmobot.conversation.spec import FieldSpec
from pmobot.conversation.text import clean_text

__all__ = [
    "EMPTY_DISPLAY", "FIELD_TYPES", "Answer", "FieldType", "ParseContext", "RawValue", "check_value",
    "describe_expected", "field_type", "format_value", "parse_answer",
]

EMPTY_DISPLAY = "—"

FIELD_TYPES: dict[str, FieldType] = {
    kind.name: kind
    for kind in (
        TextType(), LongTextType(), IntegerType(), NumberType(), MoneyType(), DateType(),
        ChoiceType(), MultiChoiceType(), YesNoType(), UserType(), LinesType(),
    )
}


def field_type(field: FieldSpec) -> FieldType:
    """The type of a loaded field (specs are checked against FIELD_TYPES when loaded)."""
    return FIELD_TYPES[field.type]


def parse_answer(field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
    """The canonical, JSON-native value of ``text`` for ``field``, or FieldError."""
    if not clean_text(text or ""):
        raise FieldError("field.error.empty")
    return field_type(field).parse(field, text, ctx)


def nothing_said(field: FieldSpec, text: str, ctx: ParseContext) -> bool:
    """Whether ``text`` answers an optional ``field`` that there is nothing to say ("personne", "n/a", "I don't
    know"): then nothing is recorded, as if the question were skipped or the input left empty. Not when the
    field reads the words as one of its values ("non" to a yes/no question); a free-text field would take any
    words, so there they always mean nothing (a sponsor named "non")."""
    if field.required or not says_nothing(text):
        return False
    if field_type(field).widget.any_words:
        return True
    try:
        parse_answer(field, text, ctx)
    except FieldError:
        return True
    return False


def check_value(field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
    """Apply the field's limits to a value that was not typed as an answer
    (pre-filled from free text); raises FieldError like ``parse_answer``."""
    if value is not None:
        field_type(field).check(field, value, ctx)


def format_value(field: FieldSpec, value: Answer, locale: str) -> str:
    """An answer as a summary shows it, in ``locale``."""
    if value is None:
        return EMPTY_DISPLAY
    return field_type(field).format(field, value, locale)


def describe_expected(field: FieldSpec, locale: str) -> str:
    """One short line saying what kind of answer is expected, to show under a prompt."""
    return field_type(field).hint(field, locale)
