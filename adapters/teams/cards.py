"""Neutral messages as Adaptive Cards (version 1.5, the most Teams renders).

Every message becomes a card, even a one-line notice: Teams reads a plain
message's text as markdown and HTML, and nothing a person typed may be read
as markup. Text people wrote goes into ``TextRun`` elements, which no host
reads as markdown; fact values (which some hosts do read as markdown) are
escaped. A long text is cut with a "Show the rest" button that opens the rest
in place, and a card stays under Teams' size limit.

Buttons are ``Action.Execute`` (Universal Actions): Teams sends an
``adaptiveCard/action`` invoke whose answer can replace the card in place,
which is how a form shows its errors and its conditional fields. The data of
each button says what it is (``DATA_KEY``); the bot reads it back.

This module builds plain dictionaries and imports no Bot Framework code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmobot.i18n import t
from pmobot.messages import (
    Card,
    Chart,
    FormField,
    FormRequest,
    Message,
    Notice,
    Prompt,
    Text,
    Widget,
)

VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Teams refuses bigger messages; leave room for the activity around the card.
MAX_CARD_BYTES = 80 * 1024 - 4 * 1024
# The key of a button's data that marks it as pmobot's, and what it does.
DATA_KEY = "pmobot"
# Input ids of a form: the field id behind this prefix.
FIELD_PREFIX = "field:"
MULTI_INPUT = "pmobot:choices"

# A text block shows this much before "Show the rest".
SHOWN = 1500
# How much of the rest "Show the rest" may hold, tried in turn until the card fits.
REST_STEPS = (20000, 8000, 3000, 1000, 0)

_LEVEL_COLOR = {"info": "Default", "success": "Good", "warning": "Warning", "error": "Attention"}
_LEVEL_ICON = {"info": "ℹ️", "success": "✅", "warning": "⚠️", "error": "⛔"}


# -- escaping ---------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\*_~`\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([-+#>]|\d+[.)])", re.MULTILINE)


def plain(text: str) -> str:
    """Text for a ``TextRun`` (never markdown): only the date/time functions
    (``{{DATE(...)}}``) that hosts expand in any text are broken up."""
    return text.replace("{{", "{\u200b{")


def markdown_escape(text: str) -> str:
    """Text for a place a host may read as markdown (fact titles and values)."""
    text = plain(text)
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


# -- building blocks ----------------------------------------------------------


@dataclass
class _Budget:
    """How much of a cut text the "Show the rest" part may hold."""

    rest: int
    cut_note: str
    show_label: str

    @classmethod
    def of(cls, locale: str, rest: int) -> _Budget:
        return cls(rest=rest, cut_note=t(locale, "teams.text_cut"), show_label=t(locale, "teams.show_rest"))


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": plain(text), **style}


def _rich(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [_run(text, **style)]}


def _paragraphs(text: str, budget: _Budget, *, spacing: str | None = None, **style: Any) -> list[dict[str, Any]]:
    """``text`` as one RichTextBlock per line, cut after SHOWN characters."""
    shown, rest = text, ""
    if len(text) > SHOWN:
        cut = text.rfind(" ", SHOWN - 200, SHOWN)
        cut = cut if cut > 0 else SHOWN
        shown, rest = text[:cut].rstrip() + " …", text[cut:].lstrip()
    out: list[dict[str, Any]] = []
    for i, line in enumerate(shown.split("\n")):
        block = _rich(line if line else " ", **style)
        if i == 0 and spacing:
            block["spacing"] = spacing
        elif i > 0:
            block["spacing"] = "None"
        out.append(block)
    if rest:
        kept = rest[: budget.rest]
        inner: list[dict[str, Any]] = [_rich(line or " ", **style) for line in kept.split("\n")] if kept else []
        if len(kept) < len(rest):
            inner.append(_rich(budget.cut_note, isSubtle=True, italic=True))
        out.append({
            "type": "ActionSet",
            "actions": [{"type": "Action.ShowCard", "title": budget.show_label,
                         "card": {"type": "AdaptiveCard", "body": inner}}],
        })
    return out


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None, *,
          fallback: str = "") -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = fallback[:300]
    return card


def _execute(title: str, data: dict[str, Any], *, style: str = "default",
             associated: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Execute", "title": title[:200], "verb": str(data[DATA_KEY]),
                              "data": data}
    if style in ("positive", "destructive"):
        action["style"] = style
    if associated:
        action["associatedInputs"] = associated
    return action


_STYLE = {"primary": "positive", "danger": "destructive"}


# -- one function per message kind ---------------------------------------------


def _notice(message: Notice, budget: _Budget) -> dict[str, Any]:
    icon = _LEVEL_ICON.get(message.level, _LEVEL_ICON["info"])
    color = _LEVEL_COLOR.get(message.level, "Default")
    body = _paragraphs(f"{icon} {message.text}", budget, color=color)
    return _card(body, fallback=message.text)


def _text(message: Text, budget: _Budget) -> dict[str, Any]:
    return _card(_paragraphs(message.text, budget), fallback=message.text)


def _need_card(message: Card, budget: _Budget) -> dict[str, Any]:
    body: list[dict[str, Any]] = _paragraphs(message.title, budget, size="Medium", weight="Bolder")
    if message.subtitle:
        body += _paragraphs(message.subtitle, budget, spacing="None", isSubtle=True)
    if message.body:
        body += _paragraphs(message.body, budget)
    short = [f for f in message.fields if f.short and "\n" not in f.value and len(f.value) <= 300]
    if short:
        body.append({"type": "FactSet", "facts": [
            {"title": markdown_escape(f.label), "value": markdown_escape(f.value)} for f in short]})
    for f in message.fields:
        if f in short:
            continue
        body += _paragraphs(f.label, budget, weight="Bolder", spacing="Medium")
        body += _paragraphs(f.value, budget, spacing="None")
    if message.footer:
        body += _paragraphs(message.footer, budget, isSubtle=True, size="Small", spacing="Medium")
    actions = [_execute(a.label, {DATA_KEY: "action", "id": a.id, "value": a.value}, style=_STYLE.get(a.style, ""))
               for a in message.actions]
    return _card(body, actions, fallback=message.title)


def _prompt(message: Prompt, budget: _Budget, locale: str) -> dict[str, Any]:
    head = f"({message.step}/{message.steps}) " if message.steps else ""
    body = _paragraphs(head + message.text, budget, weight="Bolder")
    if message.hint:
        body += _paragraphs(message.hint, budget, isSubtle=True, spacing="None")
    actions: list[dict[str, Any]] = []
    if message.options and message.multiple:
        body.append({"type": "Input.ChoiceSet", "id": MULTI_INPUT, "isMultiSelect": True, "style": "expanded",
                     "choices": [{"title": o.label[:200], "value": o.value} for o in message.options]})
        actions.append(_execute(t(locale, "teams.prompt_send"), {DATA_KEY: "answer_multi"}, style="positive"))
    else:
        actions += [_execute(o.label, {DATA_KEY: "answer", "value": o.value}) for o in message.options]
    if message.controls:
        body += _paragraphs(" · ".join(message.controls), budget, isSubtle=True, size="Small")
    return _card(body, actions, fallback=message.text)


def _text_input(f: FormField, base: dict[str, Any]) -> dict[str, Any]:
    element = {"type": "Input.Text", **base}
    if f.widget == Widget.MULTI_LINE:
        element["isMultiline"] = True
    if f.text:
        element["value"] = f.text[: f.max_length or 4000]
    if f.max_length:
        element["maxLength"] = f.max_length
    return element


def _number_input(f: FormField, base: dict[str, Any]) -> dict[str, Any]:
    element = {"type": "Input.Number", **base}
    try:
        value = float(f.text) if f.text else None
    except ValueError:
        value = None  # typed text that is no number: the input starts empty
    if value is not None:
        element["value"] = int(value) if f.widget == Widget.WHOLE_NUMBER or value.is_integer() else value
    if f.min is not None:
        element["min"] = f.min
    if f.max is not None:
        element["max"] = f.max
    return element


def _date_input(f: FormField, base: dict[str, Any]) -> dict[str, Any]:
    element = {"type": "Input.Date", **base}
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.text):
        element["value"] = f.text
    return element


def _choice_input(f: FormField, base: dict[str, Any]) -> dict[str, Any]:
    # Nothing is chosen unless the person chose it: a required choice (yes or no
    # included) is an explicit one, never a default the card submits untouched.
    element = {"type": "Input.ChoiceSet", **base,
               "choices": [{"title": o.label[:200], "value": o.value} for o in f.options]}
    if f.widget == Widget.MULTIPLE_CHOICE:
        element["isMultiSelect"] = True
        element["style"] = "expanded"
    else:
        element["style"] = "compact" if len(f.options) > 4 else "expanded"
    if f.selected:
        element["value"] = ",".join(f.selected)
    return element


_INPUTS: dict[Widget, Callable[[FormField, dict[str, Any]], dict[str, Any]]] = {
    Widget.SINGLE_LINE: _text_input,
    Widget.MULTI_LINE: _text_input,
    Widget.WHOLE_NUMBER: _number_input,
    Widget.DECIMAL: _number_input,
    Widget.DATE: _date_input,
    Widget.SINGLE_CHOICE: _choice_input,
    Widget.MULTIPLE_CHOICE: _choice_input,
}


def _input(f: FormField, locale: str) -> dict[str, Any]:
    base: dict[str, Any] = {"id": FIELD_PREFIX + f.id, "label": f.label[:200], "isRequired": f.required}
    if f.required:
        base["errorMessage"] = t(locale, "dialog.form_required")
    if f.widget.typed and f.hint:
        base["placeholder"] = f.hint[:200]
    return _INPUTS[f.widget](f, base)


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """A submitted form's inputs as Teams sent them, by field id; the core reads their meaning."""
    return {name[len(FIELD_PREFIX):]: raw for name, raw in data.items() if name.startswith(FIELD_PREFIX)}


def _form(message: FormRequest, budget: _Budget, locale: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = _paragraphs(message.title, budget, size="Medium", weight="Bolder")
    if message.intro:
        body += _paragraphs(message.intro, budget, isSubtle=True)
    if message.error:
        body += _paragraphs(message.error, budget, color="Attention")
    controls = False
    for f in message.fields:
        if not f.visible:
            continue
        body.append(_input(f, locale))
        if f.error:
            body += _paragraphs(f.error, budget, color="Attention", spacing="None", size="Small")
        if f.help:
            body += _paragraphs(f.help, budget, isSubtle=True, spacing="None", size="Small")
        controls = controls or f.controls
    base = {"spec": message.spec_id, "context": {k: str(v) for k, v in message.context.items()}}
    actions = [_execute(message.submit_label or t(locale, "dialog.form_submit"),
                        {DATA_KEY: "form", "op": "submit", **base}, style="positive")]
    if controls:
        # Adaptive Cards 1.5 cannot show a field when another input changes: the
        # person asks for the form again with the fields their answers call for.
        body += _paragraphs(t(locale, "teams.form_refresh_hint"), budget, isSubtle=True, size="Small",
                            spacing="Medium")
        actions.append(_execute(t(locale, "teams.form_refresh"), {DATA_KEY: "form", "op": "redraw", **base}))
    actions.append(_execute(message.cancel_label or t(locale, "dialog.form_cancel"),
                            {DATA_KEY: "form", "op": "cancel", **base}, associated="none"))
    return _card(body, actions, fallback=message.title)


def _render_once(message: Message, locale: str, budget: _Budget) -> dict[str, Any]:
    if isinstance(message, Notice):
        return _notice(message, budget)
    if isinstance(message, Text):
        return _text(message, budget)
    if isinstance(message, Card):
        return _need_card(message, budget)
    if isinstance(message, Prompt):
        return _prompt(message, budget, locale)
    if isinstance(message, FormRequest):
        return _form(message, budget, locale)
    if isinstance(message, Chart):
        from pmobot.adapters.teams.charts import chart_card  # it builds on this module's blocks

        return chart_card(message, budget)
    raise TypeError(f"cannot render {type(message).__name__}")


def size_of(card: dict[str, Any]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def render(message: Message, *, locale: str) -> dict[str, Any]:
    """The Adaptive Card for ``message``, in ``locale`` for pmobot's own words."""
    for rest in REST_STEPS:
        budget = _Budget.of(locale, rest)
        card = _render_once(message, locale, budget)
        if size_of(card) <= MAX_CARD_BYTES:
            return card
    # Still too big (thousands of fields): keep what fits, say the rest is cut.
    body = card["body"]
    while body and size_of(card) > MAX_CARD_BYTES:
        body.pop()
    body.append(_rich(t(locale, "teams.text_cut"), isSubtle=True, italic=True))
    return card


def summary(message: Message) -> str:
    """A plain line for notifications (the activity's summary)."""
    for attr in ("title", "text"):
        value = getattr(message, attr, "")
        if value:
            return str(value).split("\n", 1)[0][:120]
    return ""


def result_card(messages: list[Message], *, locale: str, title: str = "") -> dict[str, Any]:
    """Short messages (notices, texts) in one card, to replace a form once it is done."""
    budget = _Budget.of(locale, REST_STEPS[1])
    body: list[dict[str, Any]] = []
    if title:
        body += _paragraphs(title, budget, weight="Bolder")
    for m in messages:
        if isinstance(m, Notice):
            body += _paragraphs(f"{_LEVEL_ICON.get(m.level, '')} {m.text}", budget,
                                color=_LEVEL_COLOR.get(m.level, "Default"))
        elif isinstance(m, Text):
            body += _paragraphs(m.text, budget)
    card = _card(body or [_rich(" ")], fallback=title)
    return card if size_of(card) <= MAX_CARD_BYTES else render(Notice(title or " "), locale=locale)
