"""Forms as Slack modals: neutral widgets drawn as Block Kit inputs, and read back raw.

The core says what each input looks like (a ``Widget``); this module draws it
and, on submission, hands back what each input held, by field id, as Slack
sent it (text, a date string, option values). The core reads those with the
field's type: nothing here knows a field type.

A modal holds at most 100 blocks. A longer form is shown in pages: "Next"
moves on with ``response_action: update``, and the answers of the other
pages travel in ``private_metadata`` until the last page is sent, so no
field is lost.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmobot import payloads as read
from pmobot.adapters.slack import blocks as bk
from pmobot.adapters.slack import payloads
from pmobot.adapters.slack.blocks import escape
from pmobot.i18n import t
from pmobot.messages import FormField, FormRequest, Widget

FORM_CALLBACK = "pmobot.form"
# Input action ids: "v." and the widget; Slack calls the form-change listener for each.
ACTION_PREFIX = "v."
# Radio buttons up to this many choices, a menu above.
RADIO_UP_TO = 5
# Fields per page of a long form: each field may take two blocks (its input and its error),
# and the intro, the form's error and the page line take three.
PAGE_FIELDS = (bk.VIEW_BLOCKS - 3) // 2
_WARNING = ":warning:"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# What a submitted input held: text, a date string, option values.
Raw = str | list[str] | None


class CarriedTooLong(ValueError):
    """The answers of the other pages do not fit in a modal's private_metadata."""


# -- drawing ----------------------------------------------------------------


def _text_input(f: FormField, locale: str) -> dict[str, Any]:
    limit = min(f.max_length or bk.INPUT_MAX_LENGTH, bk.INPUT_MAX_LENGTH)
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ACTION_PREFIX + f.widget,
                               "multiline": f.widget == Widget.MULTI_LINE, "max_length": limit}
    if f.widget == Widget.SINGLE_LINE and f.hint:
        element["placeholder"] = bk.plain(f.hint, bk.PLACEHOLDER)
    if f.text:
        element["initial_value"] = f.text[:limit]
    return element


def _bound(value: float, whole: bool) -> str:
    return str(int(value)) if whole or float(value).is_integer() else repr(float(value))


def _number_input(f: FormField, locale: str) -> dict[str, Any]:
    whole = f.widget == Widget.WHOLE_NUMBER
    element: dict[str, Any] = {"type": "number_input", "action_id": ACTION_PREFIX + f.widget,
                               "is_decimal_allowed": not whole}
    if f.min is not None:
        element["min_value"] = _bound(f.min, whole)
    if f.max is not None:
        element["max_value"] = _bound(f.max, whole)
    try:
        initial = float(f.text.replace(",", ".").replace(" ", "")) if f.text else None
    except ValueError:
        initial = None  # typed text that is no number: the input starts empty
    if initial is not None and (not whole or initial.is_integer()):
        element["initial_value"] = _bound(initial, whole)
    return element


def _date_input(f: FormField, locale: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": ACTION_PREFIX + f.widget,
                               "placeholder": bk.plain(f.hint or t(locale, "slack.pick"), bk.PLACEHOLDER)}
    if _ISO_DAY.fullmatch(f.text):
        element["initial_date"] = f.text
    return element


def _single_choice(f: FormField, locale: str) -> dict[str, Any]:
    options = [bk.option(o.label, o.value) for o in f.options[: bk.OPTIONS]]
    element: dict[str, Any]
    if len(options) <= RADIO_UP_TO:
        element = {"type": "radio_buttons", "action_id": ACTION_PREFIX + f.widget, "options": options}
    else:
        element = {"type": "static_select", "action_id": ACTION_PREFIX + f.widget, "options": options,
                   "placeholder": bk.plain(t(locale, "slack.pick"), bk.PLACEHOLDER)}
    # Nothing is chosen unless the person chose it: a required choice stays required.
    initial = next((o for o in options if o["value"] in f.selected), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def _multiple_choice(f: FormField, locale: str) -> dict[str, Any]:
    options = [bk.option(o.label, o.value) for o in f.options[: bk.OPTIONS]]
    element: dict[str, Any]
    if len(options) <= bk.CHECKBOX_OPTIONS:
        element = {"type": "checkboxes", "action_id": ACTION_PREFIX + f.widget, "options": options}
    else:
        element = {"type": "multi_static_select", "action_id": ACTION_PREFIX + f.widget, "options": options,
                   "placeholder": bk.plain(t(locale, "slack.pick"), bk.PLACEHOLDER)}
    chosen = [o for o in options if o["value"] in f.selected]
    if chosen:
        element["initial_options"] = chosen
    return element


_ELEMENTS: dict[Widget, Callable[[FormField, str], dict[str, Any]]] = {
    Widget.SINGLE_LINE: _text_input,
    Widget.MULTI_LINE: _text_input,
    Widget.WHOLE_NUMBER: _number_input,
    Widget.DECIMAL: _number_input,
    Widget.DATE: _date_input,
    Widget.SINGLE_CHOICE: _single_choice,
    Widget.MULTIPLE_CHOICE: _multiple_choice,
}


def _input_block(f: FormField, locale: str) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": f.id[: bk.ID], "label": bk.plain(f.label, bk.INPUT_LABEL),
                             "optional": not f.required, "element": _ELEMENTS[f.widget](f, locale)}
    # What to type is said under a typed input; a picker shows its options.
    hint = f.help or (f.hint if f.widget.typed else "")
    if hint:
        block["hint"] = bk.plain(hint, bk.INPUT_HINT)
    if f.controls and not f.widget.typed:
        # Other fields' conditions read this one: re-draw the modal when it changes.
        block["dispatch_action"] = True
    return block


def pages(form: FormRequest) -> list[list[FormField]]:
    """The visible fields, page by page (one page for any form of usual length)."""
    visible = [f for f in form.fields if f.visible]
    return [visible[i:i + PAGE_FIELDS] for i in range(0, len(visible), PAGE_FIELDS)] or [[]]


def page_of_first_error(form: FormRequest) -> int:
    for number, page in enumerate(pages(form)):
        if any(f.error for f in page):
            return number
    return 0


def form_view(form: FormRequest, *, locale: str, key: str, page: int = 0,
              carried: dict[str, Raw] | None = None) -> dict[str, Any]:
    """Page ``page`` of the form as a modal; ``carried`` holds what the other pages held.

    Raises CarriedTooLong when the other pages' answers cannot travel with this one.
    """
    all_pages = pages(form)
    page = max(0, min(page, len(all_pages) - 1))
    last = page == len(all_pages) - 1
    shown = all_pages[page]
    out: list[dict[str, Any]] = []
    if form.intro and page == 0:
        out.append(bk.section(escape(form.intro)))
    if form.error:
        out.append(bk.section(f"{_WARNING} {escape(form.error)}"))
    if len(all_pages) > 1:
        out.append(bk.context(escape(t(locale, "slack.form_page", page=page + 1, pages=len(all_pages)))))
    for f in shown:
        out.append(_input_block(f, locale))
        if f.error:
            out.append(bk.context(f"{_WARNING} {escape(f.error)}"))
    on_page = {f.id for f in shown}
    others: dict[str, Raw] = {k: v for k, v in (carried or {}).items()
                              if k not in on_page and v not in (None, "", [])}
    submit = form.submit_label or t(locale, "dialog.form_submit") if last else t(locale, "slack.form_next")
    return {
        "type": "modal", "callback_id": FORM_CALLBACK,
        "title": bk.plain(form.title or t(locale, "slack.form_title_fallback"), bk.MODAL_TITLE),
        "submit": bk.plain(submit, bk.MODAL_BUTTON),
        "close": bk.plain(form.cancel_label or t(locale, "dialog.form_cancel"), bk.MODAL_BUTTON),
        "private_metadata": private_metadata(form.spec_id, form.context, key, page=page, last=last, carried=others),
        "blocks": out,
    }


# -- private metadata ---------------------------------------------------------


def _pack(values: dict[str, Raw]) -> str:
    """The other pages' answers, compressed: text compresses well and the room is 3,000 characters."""
    return base64.b64encode(zlib.compress(json.dumps(values, ensure_ascii=False).encode(), 9)).decode()


def _unpack(packed: object) -> dict[str, Raw]:
    if not isinstance(packed, str):
        return {}
    try:
        data = json.loads(zlib.decompress(base64.b64decode(packed)).decode())
    except (ValueError, RecursionError, zlib.error):
        return {}  # not ours, or damaged: the person fills those pages again rather than send garbage
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items()
            if v is None or isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))}


def private_metadata(spec_id: str, context: dict[str, Any], key: str, *, page: int = 0, last: bool = True,
                     carried: dict[str, Raw] | None = None) -> str:
    """What a modal carries back on submission, within Slack's 3,000 characters.

    The need and the conversation key are short; a long opening text or
    question is shortened first (the original message stays in Slack). The
    answers of other pages are never shortened: CarriedTooLong if they cannot fit.
    """
    ctx = {k: str(v) for k, v in context.items() if v is not None}
    data: dict[str, Any] = {"s": spec_id, "k": key[:255], "c": ctx}
    if page or not last:
        data["p"], data["l"] = page, last
    if carried:
        data["v"] = _pack(carried)
    text = json.dumps(data, ensure_ascii=False)
    for name in ("opening_text", "question"):
        while len(text) > bk.PRIVATE_METADATA and ctx.get(name):
            excess = len(text) - bk.PRIVATE_METADATA
            ctx[name] = bk.cut(ctx[name], max(0, len(ctx[name]) - excess - 8))
            if len(ctx[name]) <= 1:
                ctx.pop(name)
            text = json.dumps(data, ensure_ascii=False)
    if len(text) > bk.PRIVATE_METADATA:
        raise CarriedTooLong(len(text))
    return text


def read_metadata(raw: str) -> dict[str, Any]:
    return payloads.json_object(raw)


# -- reading back ---------------------------------------------------------------


def read_state(view: dict[str, Any]) -> dict[str, Raw]:
    """This page's inputs as they were sent, by field id; no reading of their meaning."""
    values: dict[str, Raw] = {}
    state = read.field(read.field(view, "state"), "values")
    for block_id in state:
        actions = read.field(state, block_id)
        for action_id in actions:
            if not action_id.startswith(ACTION_PREFIX):
                continue
            a = read.field(actions, action_id)
            typ = read.text(a, "type")
            if typ in ("plain_text_input", "number_input"):
                values[block_id] = read.maybe_text(a, "value")
            elif typ == "datepicker":
                values[block_id] = read.maybe_text(a, "selected_date")
            elif typ in ("radio_buttons", "static_select"):
                values[block_id] = read.maybe_text(read.field(a, "selected_option"), "value")
            elif typ in ("checkboxes", "multi_static_select"):
                values[block_id] = [read.text(o, "value") for o in read.objects(a, "selected_options")]
    return values


@dataclass(frozen=True)
class Submission:
    """A submitted (or changed) modal: every answer so far, and where the person is."""

    values: dict[str, Raw]
    page: int
    last: bool
    meta: dict[str, Any]


def submission(view: dict[str, Any]) -> Submission:
    meta = read_metadata(read.text(view, "private_metadata"))
    values = {**_unpack(meta.get("v")), **read_state(view)}
    page = meta["p"] if isinstance(meta.get("p"), int) else 0
    return Submission(values=values, page=page, last=meta.get("l", True) is not False, meta=meta)


def errors_for(view: dict[str, Any], form: FormRequest) -> dict[str, str] | None:
    """``response_action: errors`` when each refused field is on screen, else None (re-draw instead)."""
    on_screen = {read.text(b, "block_id") for b in read.objects(view, "blocks") if b.get("type") == "input"}
    shown = {f.id for f in pages(form)[0]} if len(pages(form)) == 1 else set()
    errors = {f.id: bk.cut(f.error, 1000) for f in form.fields if f.error}
    if not errors or form.error or shown != on_screen or not set(errors) <= on_screen:
        return None
    return errors
