"""Neutral messages as Block Kit: messages, the modal after a form, and the App Home.

Forms themselves are drawn and read in ``forms``.

User text is escaped for mrkdwn before anything else and every limit of Block
Kit is respected: what does not fit is cut with an ellipsis, and a "See all"
button or a command says where to read the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pmobot.adapters.slack import blocks as bk
from pmobot.adapters.slack.blocks import escape
from pmobot.commands import buttons
from pmobot.i18n import t
from pmobot.messages import Action, Card, CardField, Chart, FormRequest, Message, Notice, Prompt, Text

_ICONS = {"info": ":information_source:", "success": ":white_check_mark:", "warning": ":warning:", "error": ":x:"}
_NEED_KEY = re.compile(r"\bNEED-\d+\b")

DONE_CALLBACK = "pmobot.done"
# Prompts: buttons up to this many options, a menu above.
PROMPT_BUTTONS = 5


@dataclass
class Rendered:
    text: str
    blocks: list[dict[str, Any]]


# -- messages ---------------------------------------------------------------

def _fields_blocks(fields: tuple[CardField, ...]) -> list[dict[str, Any]]:
    """Short fields two by two (10 per section), long ones packed into sections of at most 3,000 characters."""
    out: list[dict[str, Any]] = []
    short: list[dict[str, Any]] = []
    long_text = ""

    def flush_short() -> None:
        nonlocal short
        while short:
            out.append({"type": "section", "fields": short[: bk.SECTION_FIELDS]})
            short = short[bk.SECTION_FIELDS:]

    def flush_long() -> None:
        nonlocal long_text
        if long_text:
            out.append(bk.section(long_text))
            long_text = ""

    for f in fields:
        item = f"*{escape(f.label)}*\n{escape(f.value)}"
        if f.short and "\n" not in f.value and len(item) <= bk.SECTION_FIELD_TEXT:
            flush_long()
            short.append(bk.mrkdwn(item, bk.SECTION_FIELD_TEXT))
        else:
            flush_short()
            candidate = f"{long_text}\n\n{item}" if long_text else item
            if len(candidate) <= bk.SECTION_TEXT:
                long_text = candidate
            else:
                flush_long()
                long_text = item  # cut by section() if it alone is too long
    flush_long()
    flush_short()
    return out


def _actions_blocks(actions: tuple[Action, ...], block_prefix: str = "actions") -> list[dict[str, Any]]:
    out = []
    elements = [bk.button(a.label, f"{a.id}|{i}", a.value, a.style) for i, a in enumerate(actions)]
    for n in range(0, len(elements), bk.ACTIONS_ELEMENTS):
        row = elements[n:n + bk.ACTIONS_ELEMENTS]
        out.append({"type": "actions", "block_id": f"{block_prefix}{n}", "elements": row})
    return out


def _fit(body: list[dict[str, Any]], tail: list[dict[str, Any]], limit: int, *, locale: str,
         need_key: str | None, cut_text: bool) -> list[dict[str, Any]]:
    """Body blocks then tail blocks (buttons, footer) within ``limit`` blocks.

    What does not fit is replaced by a line that says so and, for a need, a
    "See all" button that shows its status privately.
    """
    if len(body) + len(tail) <= limit and not cut_text:
        return body + tail
    notes: list[str] = []
    more_blocks: list[dict[str, Any]] = []
    room = limit - len(tail) - 1 - (1 if need_key else 0)
    hidden = max(0, len(body) - room)
    kept = body[:room] if hidden else body
    if hidden:
        notes.append(t(locale, "slack.truncated", count=hidden))
    elif cut_text:
        notes.append(t(locale, "slack.truncated_text"))
    if need_key:
        notes.append(t(locale, "slack.see_all_status", key=need_key))
        more_blocks.append({"type": "actions", "block_id": "more", "elements": [
            bk.button(t(locale, buttons.STATUS.label), f"{buttons.STATUS.action_id}|more", need_key)]})
    return kept + [bk.context(escape(" ".join(notes)))] + more_blocks + tail


def _card(card: Card, locale: str, limit: int) -> Rendered:
    body: list[dict[str, Any]] = [{"type": "header", "text": bk.plain(card.title, bk.HEADER_TEXT)}]
    cut_text = bk.is_cut(card.title, bk.HEADER_TEXT)
    if card.subtitle:
        body.append(bk.context(f"*{escape(card.subtitle)}*"))
    if card.body:
        escaped = escape(card.body)
        cut_text = cut_text or bk.is_cut(escaped, bk.SECTION_TEXT)
        body.append(bk.section(escaped))
    fields = _fields_blocks(card.fields)
    cut_text = cut_text or any(
        bk.is_cut(b["text"]["text"], bk.SECTION_TEXT) for b in fields if "text" in b)
    body += fields
    tail = _actions_blocks(card.actions)
    if card.footer:
        tail.append(bk.context(escape(card.footer)))
    match = _NEED_KEY.search(card.title)
    blocks = _fit(body, tail, limit, locale=locale, need_key=match.group(0) if match else None, cut_text=cut_text)
    return Rendered(text=_fallback(" · ".join(p for p in (card.title, card.subtitle) if p)), blocks=blocks)


def _long_text(escaped: str, locale: str, limit: int, tail: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    body = [bk.section(piece) for piece in bk.chunks(escaped)]
    match = _NEED_KEY.search(escaped)
    need_key = match.group(0) if match and len(body) > limit else None
    return _fit(body, tail or [], limit, locale=locale, need_key=need_key, cut_text=False)


def _prompt(prompt: Prompt, locale: str, limit: int) -> Rendered:
    head = f"*({prompt.step}/{prompt.steps})* " if prompt.steps else ""
    out = _long_text(head + escape(prompt.text), locale, limit)
    if prompt.hint:
        out.append(bk.context(escape(prompt.hint)))
    options = prompt.options[: bk.OPTIONS]
    if options and prompt.multiple:
        element: dict[str, Any]
        opts = [bk.option(o.label, o.value) for o in options]
        if len(opts) <= bk.CHECKBOX_OPTIONS:
            element = {"type": "checkboxes", "action_id": "prompt.multi", "options": opts}
        else:
            element = {"type": "multi_static_select", "action_id": "prompt.multi", "options": opts,
                       "placeholder": bk.plain(t(locale, "slack.pick"), bk.PLACEHOLDER)}
        out.append({"type": "actions", "block_id": "prompt.choices", "elements": [
            element, bk.button(t(locale, "slack.send"), "prompt.send", "", "primary")]})
    elif options and len(options) <= PROMPT_BUTTONS:
        out.append({"type": "actions", "block_id": "prompt.choices", "elements": [
            bk.button(o.label, f"prompt.answer|{i}", o.value) for i, o in enumerate(options)]})
    elif options:
        out.append({"type": "actions", "block_id": "prompt.choices", "elements": [{
            "type": "static_select", "action_id": "prompt.select",
            "placeholder": bk.plain(t(locale, "slack.pick"), bk.PLACEHOLDER),
            "options": [bk.option(o.label, o.value) for o in options]}]})
    if prompt.controls:
        out.append({"type": "actions", "block_id": "prompt.controls", "elements": [
            bk.button(c, f"prompt.control|{i}", c) for i, c in enumerate(prompt.controls[: bk.ACTIONS_ELEMENTS])]})
    if len(out) > limit:
        out = out[: limit - 1] + [out[-1]]
    return Rendered(text=_fallback(prompt.text), blocks=out)


def _form_button(form: FormRequest, locale: str) -> Rendered:
    """A form met where no modal can open (a message): a button opens it."""
    value = json.dumps({"s": form.spec_id, "c": {k: str(v)[:300] for k, v in form.context.items() if k == "need"}})
    blocks = [bk.section(f"*{escape(form.title)}*" + (f"\n{escape(form.intro)}" if form.intro else "")),
              {"type": "actions", "block_id": "form", "elements": [
                  bk.button(t(locale, "slack.open_form"), "form.open", value, "primary")]}]
    return Rendered(text=_fallback(form.title), blocks=blocks)


def _fallback(text: str) -> str:
    """The top-level ``text`` (notifications, screen readers): escaped like the blocks."""
    return bk.cut(escape(text), bk.FALLBACK_TEXT) or " "


def render(message: Message, *, locale: str, limit: int = bk.MESSAGE_BLOCKS) -> Rendered:
    if isinstance(message, Card):
        return _card(message, locale, limit)
    if isinstance(message, Notice):
        icon = _ICONS.get(message.level, _ICONS["info"])
        blocks = _long_text(f"{icon} {escape(message.text)}", locale, limit)
        return Rendered(text=_fallback(message.text), blocks=blocks)
    if isinstance(message, Text):
        return Rendered(text=_fallback(message.text), blocks=_long_text(escape(message.text), locale, limit))
    if isinstance(message, Prompt):
        return _prompt(message, locale, limit)
    if isinstance(message, FormRequest):
        return _form_button(message, locale)
    if isinstance(message, Chart):
        # The picture itself is uploaded as a file (``files``); in a message, its title and text alternative.
        return Rendered(text=_fallback(message.title),
                        blocks=_long_text(f"*{escape(message.title)}*\n{escape(message.alt_text)}", locale, limit))
    raise TypeError(f"cannot render {type(message).__name__}")


def _own(action_id: str, n: int) -> str:
    return f"{action_id}.{n}" if "|" in action_id else f"{action_id}|{n}"


def _distinct(blocks: list[dict[str, Any]], n: int, seen: set[str]) -> list[dict[str, Any]]:
    """The ``n``-th message's blocks, with the block and action ids an earlier message already used made
    its own: Slack refuses two alike in one message or view (two cards with the same buttons). Ids seen
    once are kept as they are, since listeners read them back (a question's "prompt.choices"); what
    follows "|" in an action id is its position, which nothing reads back."""
    out = []
    for block in blocks:
        block = dict(block)
        if "block_id" in block:
            if block["block_id"] in seen:
                block["block_id"] = f"{block['block_id']}.{n}"
            seen.add(block["block_id"])
        if block.get("type") == "actions":
            elements = []
            for el in block["elements"]:
                if "action_id" in el:
                    if el["action_id"] in seen:
                        el = {**el, "action_id": _own(el["action_id"], n)}
                    seen.add(el["action_id"])
                elements.append(el)
            block["elements"] = elements
        out.append(block)
    return out


def render_many(messages: list[Message], *, locale: str, limit: int = bk.MESSAGE_BLOCKS) -> Rendered:
    """Several messages as one (an ephemeral reply): a divider between them."""
    parts = [render(m, locale=locale, limit=limit) for m in messages]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, part in enumerate(parts):
        if out:
            out.append({"type": "divider"})
        out += _distinct(part.blocks, n, seen)
    if len(out) > limit:
        out = out[: limit - 1] + [bk.context(escape(t(locale, "slack.truncated", count=len(out) - limit + 1)))]
    return Rendered(text=bk.cut("\n".join(p.text for p in parts), bk.FALLBACK_TEXT), blocks=out)


# -- after a form ----------------------------------------------------------

def result_view(messages: list[Message], *, locale: str) -> dict[str, Any]:
    """The modal after a submission: what was done, in place of the form."""
    body = render_many(messages, locale=locale, limit=bk.VIEW_BLOCKS).blocks or [bk.section(" ")]
    # Buttons inside a result modal would act from a modal: keep the text, drop the buttons.
    body = [b for b in body if b.get("type") != "actions"]
    return {"type": "modal", "callback_id": DONE_CALLBACK,
            "title": bk.plain(t(locale, "slack.form_done"), bk.MODAL_TITLE),
            "close": bk.plain(t(locale, "slack.form_close"), bk.MODAL_BUTTON), "blocks": body[: bk.VIEW_BLOCKS]}


def working_view(*, locale: str) -> dict[str, Any]:
    """The modal while a submission waits for its worker, who puts ``result_view`` in its place."""
    return {"type": "modal", "callback_id": DONE_CALLBACK,
            "title": bk.plain(t(locale, "slack.form_sent"), bk.MODAL_TITLE),
            "close": bk.plain(t(locale, "slack.form_close"), bk.MODAL_BUTTON),
            "blocks": [bk.section(escape(t(locale, "slack.form_working")))]}


def home_view(messages: list[Message], *, locale: str, name: str) -> dict[str, Any]:
    head: list[dict[str, Any]] = [
        {"type": "header", "text": bk.plain(t(locale, "slack.home_title"), bk.HEADER_TEXT)},
        bk.section(escape(t(locale, "slack.home_intro", name=name))),
        {"type": "actions", "block_id": "home", "elements": [
            bk.button(t(locale, "slack.home_new"), "home.new", "intake", "primary")]},
    ]
    tail = [bk.context(escape(t(locale, "slack.home_help")))]
    room = bk.VIEW_BLOCKS - len(head) - len(tail)
    body: list[dict[str, Any]] = []
    per_message = max(4, room // max(1, len(messages))) if messages else room
    seen: set[str] = set()
    for n, message in enumerate(messages):
        body.append({"type": "divider"})
        body += _distinct(render(message, locale=locale, limit=per_message - 1).blocks, n, seen)
    if len(body) > room:
        body = body[: room - 1] + [bk.context(escape(t(locale, "slack.truncated", count=len(body) - room + 1)))]
    return {"type": "home", "blocks": head + body + tail}
