"""Answers picked from a list: one choice, several choices, yes or no.

A choice may be named by its number, its value, its label in either
language or a synonym, or a clear beginning of one of them ("fin" is
ambiguous between "Finance" and "Financial operations", and says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pmobot.conversation.errors import FieldError, Options
from pmobot.conversation.fieldtypes.base import (
    Answer,
    FieldType,
    ParseContext,
    RawValue,
)
from pmobot.conversation.spec import Choice, FieldSpec
from pmobot.conversation.text import fold, name_key
from pmobot.i18n import t
from pmobot.messages import Option, Widget

_YES = {
    "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "true", "of course", "absolutely", "definitely",
    "correct", "right", "affirmative", "oui", "o", "ouais", "ouaip", "vrai", "d'accord", "daccord", "dac",
    "bien sur", "absolument", "certainement", "carrement", "tout a fait", "exact", "exactement",
    "affirmatif", "evidemment", "volontiers", "👍", "✅", "✔",
}
_NO = {
    "no", "n", "nope", "nah", "false", "not at all", "negative", "non", "nan", "faux",
    "pas du tout", "negatif", "aucunement", "jamais", "never", "0", "👎", "❌", "✖",
}


def _names(choice: Choice) -> list[str]:
    """Every way a choice may be written, as keys: value, labels, synonyms."""
    return [k for k in (name_key(choice.value), *(name_key(label) for label in choice.label.values.values()),
                        *(name_key(s) for s in choice.synonyms)) if k]


def _options(field: FieldSpec, subset: Iterable[Choice] | None = None) -> Options:
    wanted = {c.value for c in subset} if subset is not None else None
    return Options(tuple((i, c) for i, c in enumerate(field.choices, 1) if wanted is None or c.value in wanted))


_NUMBER_PREFIX = re.compile(r"^(?:#|n°|no\.?|num(?:ero)?|number|option|choix|choice)\s*(?=\d)")


def _match_choice(field: FieldSpec, text: str) -> Choice | None:
    """The one choice ``text`` names, None if none; raises when several could be meant."""
    s = name_key(_NUMBER_PREFIX.sub("", fold(text)))
    if not s:
        return None
    if s.isdigit():
        index = int(s)
        return field.choices[index - 1] if 1 <= index <= len(field.choices) else None
    exact = [c for c in field.choices if s in _names(c)]
    if len(exact) == 1:
        return exact[0]
    if len(s) < 3:
        return None
    prefixed = [c for c in field.choices if any(name.startswith(s) for name in _names(c))]
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        raise FieldError("field.error.choice_ambiguous", {"options": _options(field, prefixed)})
    return None


def _one_choice(field: FieldSpec, text: str) -> str:
    choice = _match_choice(field, text)
    if choice is None:
        raise FieldError("field.error.choice", {"options": _options(field)})
    return choice.value


_ALL = {"all", "all of them", "everything", "every one", "tout", "tous", "toutes", "tout le monde",
        "toutes les options", "tous les choix", "tout ca"}
_NONE = {"none", "none of them", "nothing", "no one", "aucun", "aucune", "rien", "aucun d'eux",
         "aucune d'elles", "-", "0"}


def _split_parts(s: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;\n/]+", s) if p.strip()]


def _resolve_part(field: FieldSpec, part: str) -> list[Choice] | None:
    """One piece of a multi-choice answer: a choice, or several ("1 et 3", "sales hr")."""
    found = _match_choice(field, part)
    if found:
        return [found]
    for splitter in (r"\s+(?:and|et|&|\+|or|ou)\s+|\s*[&+]\s*", r"\s+"):
        pieces = [p for p in re.split(splitter, part) if p.strip()]
        if len(pieces) > 1:
            resolved = [_match_choice(field, p) for p in pieces]
            if all(resolved):
                return [c for c in resolved if c]
    return None


def _some_choices(field: FieldSpec, text: str) -> list[str]:
    s = fold(text).strip(" .!")
    if s in _NONE:
        selected: set[str] = set()
    elif s in _ALL:
        selected = {c.value for c in field.choices}
    else:
        selected = set()
        for part in _split_parts(s):
            resolved = _resolve_part(field, part)
            if resolved is None:
                raise FieldError("field.error.multi_unknown", {"part": part, "options": _options(field)})
            selected.update(c.value for c in resolved)
    values = [c.value for c in field.choices if c.value in selected]
    if field.min is not None and len(values) < field.min:
        raise FieldError("field.error.multi_min", {"min": int(field.min), "options": _options(field)})
    if field.max is not None and len(values) > field.max:
        raise FieldError("field.error.multi_max", {"max": int(field.max)})
    return values


class ChoiceType(FieldType):
    name = "choice"
    widget = Widget.SINGLE_CHOICE
    has_choices = True

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        return _one_choice(field, text)

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        if field.choice(str(value)) is None:
            raise FieldError("field.error.choice", {"options": _options(field)})

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return _label(field, value, locale)

    def options(self, field: FieldSpec, locale: str) -> tuple[Option, ...]:
        return tuple(Option(c.value, c.label.get(locale)) for c in field.choices)

    def selected(self, field: FieldSpec, value: Answer) -> tuple[str, ...]:
        return (str(value),) if value is not None else ()

    def read(self, field: FieldSpec, raw: RawValue, ctx: ParseContext) -> Answer:
        if isinstance(raw, str) and field.choice(raw) is not None:
            return raw
        return super().read(field, raw, ctx)


class MultiChoiceType(ChoiceType):
    name = "multi_choice"
    widget = Widget.MULTIPLE_CHOICE

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        return _some_choices(field, text)

    def check(self, field: FieldSpec, value: Answer, ctx: ParseContext) -> None:
        """A pre-filled list is kept as it is: nothing pre-fills several choices today."""

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        if not value:
            return t(locale, "field.none_selected")
        if not isinstance(value, list):
            return str(value)  # a value stored by an older spec: show it raw rather than fail
        return ", ".join(_label(field, v, locale) for v in value)

    def selected(self, field: FieldSpec, value: Answer) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    def read(self, field: FieldSpec, raw: RawValue, ctx: ParseContext) -> Answer:
        known = {c.value for c in field.choices}
        # Some platforms send a multi-select as one "a,b" string.
        chosen = raw if isinstance(raw, list) else str(raw).split(",") if isinstance(raw, str) and "," in raw else None
        if chosen is not None and all(v.strip() in known for v in chosen):
            picked = {v.strip() for v in chosen}
            # Keep the spec's order, whatever order the platform sent.
            return [c.value for c in field.choices if c.value in picked]
        if isinstance(raw, str) and raw in known:
            return [raw]
        # Not something the form offered: read it as typed text instead.
        return super().read(field, raw, ctx)


class YesNoType(FieldType):
    name = "yes_no"
    # Two options and none chosen at first: "no" is an answer, never a default.
    widget = Widget.SINGLE_CHOICE

    def parse(self, field: FieldSpec, text: str, ctx: ParseContext) -> Answer:
        s = fold(text).strip(" .!?,;")
        s = re.sub(r"\s*[!.]+$", "", s)
        number = name_key(_NUMBER_PREFIX.sub("", s))
        if number.isdigit():
            # The numbers chat shows beside the options ("1) Yes 2) No"), read from the same list.
            shown = self.options(field, ctx.locale)
            if 1 <= int(number) <= len(shown):
                return shown[int(number) - 1].value == "yes"
        for candidate in (s, re.split(r"[\s,;!.]+", s, maxsplit=1)[0]):
            # The whole answer first ("pas du tout"), then its first word ("oui, merci").
            if candidate in _YES:
                return True
            if candidate in _NO:
                return False
        raise FieldError("field.error.yes_no")

    def format(self, field: FieldSpec, value: Answer, locale: str) -> str:
        return t(locale, "field.yes" if value else "field.no")

    def options(self, field: FieldSpec, locale: str) -> tuple[Option, ...]:
        return (Option("yes", t(locale, "dialog.word_yes")), Option("no", t(locale, "dialog.word_no")))

    def selected(self, field: FieldSpec, value: Answer) -> tuple[str, ...]:
        return () if value is None else ("yes",) if value else ("no",)

    def read(self, field: FieldSpec, raw: RawValue, ctx: ParseContext) -> Answer:
        if isinstance(raw, bool):
            return raw
        # "yes"/"no" from the options; "true"/"false" from a card drawn before yes/no was a choice.
        if raw in ("yes", "true"):
            return True
        if raw in ("no", "false"):
            return False
        return super().read(field, raw, ctx)


def _label(field: FieldSpec, value: Answer, locale: str) -> str:
    choice = field.choice(str(value))
    return choice.label.get(locale) if choice else str(value)
