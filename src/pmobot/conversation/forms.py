"""One dialog spec shown as a whole form (a Slack modal, a Teams card).

A form is the same spec as the turn-by-turn conversation: the same fields,
conditions, limits, validators and cross-field checks, so an answer refused
in chat is refused in a form with the same words. Each field is drawn as its
type's neutral widget; platforms hand back what their inputs held, raw, by
field id (text, a date string, option values); ``read`` has each field type
turn that into the canonical answer, or into one error per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmobot.conversation.errors import FieldError
from pmobot.conversation.expr import parse_expression
from pmobot.conversation.fieldtypes import (
    Answer,
    ParseContext,
    RawValue,
    describe_expected,
    field_type,
    nothing_said,
)
from pmobot.conversation.spec import DialogSpec, FieldSpec
from pmobot.i18n import t
from pmobot.messages import FormField, FormRequest

if TYPE_CHECKING:
    from pmobot.conversation.hooks import HookContext, Validator

# Longest typed text kept when a value is refused, so the form shows it back.
MAX_KEPT = 3000


@dataclass
class FormReading:
    """What a submitted form said: canonical answers, and errors by field id."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # What was typed in each free-text input, to show back on a refused form.
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def controlling_fields(spec: DialogSpec) -> set[str]:
    """Ids of fields whose answer a later field's condition reads."""
    names: set[str] = set()
    for f in spec.fields:
        if f.when:
            names |= parse_expression(f.when).names()
    return names


def visible(f: FieldSpec, answers: dict[str, Any]) -> bool:
    return not f.when or bool(parse_expression(f.when).evaluate(answers))


def _as_text(f: FieldSpec, value: Answer, locale: str) -> str:
    """How a typed widget shows a canonical value (an amount, a number, an ISO date)."""
    return "" if value is None else field_type(f).as_text(f, value, locale)


def build(
    spec: DialogSpec,
    *,
    locale: str,
    values: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
    error: str = "",
) -> FormRequest:
    """The form for ``spec`` in ``locale``, with the answers known so far."""
    values = dict(values or {})
    typed = typed or {}
    errors = errors or {}
    controls = controlling_fields(spec)
    fields = []
    for f in spec.fields:
        value = values.get(f.id)
        kind = field_type(f)
        fields.append(FormField(
            id=f.id, widget=kind.widget, label=f.label.get(locale), hint=describe_expected(f, locale),
            help=f.help.get(locale) if f.help else "", required=f.required, options=kind.options(f, locale),
            value=value, text=typed.get(f.id, _as_text(f, value, locale)),
            selected=kind.selected(f, value) if value is not None else (), min=f.min, max=f.max,
            max_length=f.max_length, visible=visible(f, values), controls=f.id in controls,
            error=errors.get(f.id, ""),
        ))
    intro = spec.form_intro or spec.intro
    return FormRequest(
        spec_id=spec.id, title=spec.title.get(locale), values=values, context=dict(context or {}),
        fields=tuple(fields), intro=intro.get(locale).format_map(_Blank(context or {})) if intro else "",
        submit_label=t(locale, "dialog.form_submit"), cancel_label=t(locale, "dialog.form_cancel"), error=error,
    )


class _Blank(dict[str, object]):
    """Placeholders the context lacks stay empty rather than fail."""

    def __missing__(self, key: str) -> str:
        return ""


def _empty(raw: RawValue) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def read(spec: DialogSpec, raw: Mapping[str, RawValue], *, ctx: ParseContext, validators: Mapping[str, Validator],
         hook_context: HookContext) -> FormReading:
    """Read a submitted form field by field, in spec order, so conditions see earlier answers."""
    reading = FormReading()
    for f in spec.fields:
        if not visible(f, reading.answers):
            continue
        value = raw.get(f.id)
        if isinstance(value, str) and field_type(f).widget.typed:
            reading.typed[f.id] = value[:MAX_KEPT]
        if _empty(value):
            if f.required:
                reading.errors[f.id] = t(ctx.locale, "dialog.form_required")
            continue
        if isinstance(value, str) and nothing_said(f, value, ctx):
            continue  # "n/a" in an optional input: left empty, as in the chat
        try:
            answer = field_type(f).read(f, value, ctx)
            for name in f.validate:
                problem = validators[name](answer, reading.answers, hook_context)
                if problem is not None:
                    raise problem
        except FieldError as exc:
            reading.errors[f.id] = exc.message(ctx.locale)
            continue
        reading.answers[f.id] = answer
    return reading


def read_leniently(spec: DialogSpec, raw: Mapping[str, RawValue], *, ctx: ParseContext) -> dict[str, Answer]:
    """The answers that can be read now, ignoring errors: to re-draw a form whose
    conditions changed while the person is still filling it in."""
    answers: dict[str, Answer] = {}
    for f in spec.fields:
        value = raw.get(f.id)
        if _empty(value):
            continue
        try:
            answers[f.id] = field_type(f).read(f, value, ctx)
        except FieldError:
            continue  # not readable yet: the person is still typing it
    return answers
