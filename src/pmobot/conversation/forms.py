"""One dialog spec shown as a whole form (a Slack modal, a Teams card).

A form is the same spec as the turn-by-turn conversation: the same fields,
conditions, limits, validators and cross-field checks, so an answer refused
in chat is refused in a form with the same words. Platforms hand back what
their inputs held (strings, lists of choice values, booleans); ``read``
turns that into the canonical answers, or into one error per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pmobot.conversation.expr import parse_expression
from pmobot.conversation.fields import (
    FieldError, ParseContext, check_value, describe_expected, format_value, parse_answer,
)
from pmobot.conversation.spec import DialogSpec, FieldSpec
from pmobot.i18n import t
from pmobot.messages import FormField, FormRequest, Option

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


def _options(f: FieldSpec, locale: str) -> tuple[Option, ...]:
    if f.type == "yes_no":
        return (Option("yes", t(locale, "dialog.word_yes")), Option("no", t(locale, "dialog.word_no")))
    return tuple(Option(c.value, c.label.get(locale)) for c in f.choices)


def _as_text(f: FieldSpec, value: Any, locale: str) -> str:
    """How a free-text input shows a canonical value (an amount, a number)."""
    if value is None:
        return ""
    if f.type in ("text", "long_text", "user"):
        return str(value)
    if f.type == "date":
        return str(value)
    return format_value(f, value, locale)


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
        fields.append(FormField(
            id=f.id, type=f.type, label=f.label.get(locale), hint=describe_expected(f, locale),
            help=f.help.get(locale) if f.help else "", required=f.required, options=_options(f, locale),
            value=value, text=typed.get(f.id, _as_text(f, value, locale)), min=f.min, max=f.max,
            max_length=f.max_length, visible=visible(f, values), controls=f.id in controls,
            error=errors.get(f.id, ""),
        ))
    intro = spec.form_intro or spec.intro
    return FormRequest(
        spec_id=spec.id, title=spec.title.get(locale), values=values, context=dict(context or {}),
        fields=tuple(fields), intro=intro.get(locale).format_map(_Blank(context or {})) if intro else "",
        submit_label=t(locale, "dialog.form_submit"), cancel_label=t(locale, "dialog.form_cancel"), error=error,
    )


class _Blank(dict):  # type: ignore[type-arg]
    """Placeholders the context lacks stay empty rather than fail."""

    def __missing__(self, key: str) -> str:
        return ""


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, (list, tuple)) and not raw)


def _coerce(f: FieldSpec, raw: Any, ctx: ParseContext) -> Any:
    """A platform's input value as the field's canonical answer, or FieldError."""
    if f.type == "multi_choice" and isinstance(raw, (list, tuple)):
        known = {c.value for c in f.choices}
        chosen = [str(v) for v in raw]
        if any(v not in known for v in chosen):
            # Not something the form offered: read it as typed text instead.
            return parse_answer(f, ", ".join(chosen), ctx)
        # Keep the spec's order, whatever order the platform sent.
        return [c.value for c in f.choices if c.value in chosen]
    if f.type == "multi_choice" and isinstance(raw, str) and "," in raw and all(
        part.strip() in {c.value for c in f.choices} for part in raw.split(",")
    ):
        # Teams sends a multi-select as "a,b".
        return _coerce(f, [part.strip() for part in raw.split(",")], ctx)
    if f.type == "yes_no" and isinstance(raw, bool):
        return raw
    if f.type == "choice" and isinstance(raw, str) and f.choice(raw) is not None:
        return raw
    if f.type in ("integer", "number") and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = repr(raw) if isinstance(raw, float) else str(raw)
    value = parse_answer(f, str(raw), ctx)
    check_value(f, value, ctx)
    return value


def read(spec: DialogSpec, raw: dict[str, Any], *, ctx: ParseContext, validators: dict[str, Any],
         hook_context: Any) -> FormReading:
    """Read a submitted form field by field, in spec order, so conditions see earlier answers."""
    reading = FormReading()
    for f in spec.fields:
        if not visible(f, reading.answers):
            continue
        value = raw.get(f.id)
        if isinstance(value, str) and f.type not in ("choice", "multi_choice", "yes_no", "date"):
            reading.typed[f.id] = value[:MAX_KEPT]
        if _empty(value):
            if f.required:
                reading.errors[f.id] = t(ctx.locale, "dialog.form_required")
            continue
        try:
            answer = _coerce(f, value, ctx)
            for name in f.validate:
                problem = validators[name](answer, reading.answers, hook_context)
                if problem is not None:
                    raise problem
        except FieldError as exc:
            reading.errors[f.id] = exc.message(ctx.locale)
            continue
        reading.answers[f.id] = answer
    return reading


def read_leniently(spec: DialogSpec, raw: dict[str, Any], *, ctx: ParseContext) -> dict[str, Any]:
    """The answers that can be read now, ignoring errors: to re-draw a form whose
    conditions changed while the person is still filling it in."""
    answers: dict[str, Any] = {}
    for f in spec.fields:
        value = raw.get(f.id)
        if _empty(value):
            continue
        try:
            answers[f.id] = _coerce(f, value, ctx)
        except (FieldError, ValueError, TypeError):
            continue
    return answers
