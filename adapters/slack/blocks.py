"""Block Kit building blocks: escaping user text for mrkdwn, and Slack's limits.

Every piece of text that reaches Slack goes through ``mrkdwn`` (escaped, then
cut) or ``plain`` (cut): nothing a user typed can ping a channel, disguise a
link, or make Slack refuse a call because a field is too long.
"""

from __future__ import annotations

import re
from typing import Any

# Block Kit limits (https://docs.slack.dev/reference/block-kit).
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELD_TEXT = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ID = 255  # action_id, block_id, callback_id
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
RADIO_OPTIONS = 10
CHECKBOX_OPTIONS = 10
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLACEHOLDER = 150
INPUT_MAX_LENGTH = 3000
# The message's top-level ``text`` (notification and fallback): Slack cuts at 40,000; keep it short.
FALLBACK_TEXT = 3000
ELLIPSIS = "…"

_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(text: str) -> str:
    """User text for mrkdwn: ``<!channel>``, ``<@U1>``, ``<http://x|y>`` stay literal text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, ending with an ellipsis when cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - len(ELLIPSIS))]
    head = _PARTIAL_ENTITY.sub("", head)  # never leave half of "&amp;" behind
    return head.rstrip() + ELLIPSIS


def is_cut(text: str, limit: int) -> bool:
    return len(str(text)) > limit


def plain(text: str, limit: int) -> dict[str, Any]:
    # plain_text must not be empty
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def mrkdwn(escaped: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    """A mrkdwn object from text that is already escaped (and formatted by us)."""
    return {"type": "mrkdwn", "text": cut(escaped, limit) or " "}


def section(escaped: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(escaped, SECTION_TEXT)}


def context(escaped: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(escaped, SECTION_TEXT)]}


def chunks(escaped: str, limit: int = SECTION_TEXT) -> list[str]:
    """Long text split on line breaks into pieces that each fit one section."""
    out: list[str] = []
    current = ""
    for line in escaped.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            piece = line[:limit]
            piece = _PARTIAL_ENTITY.sub("", piece)
            out.append(piece)
            line = line[len(piece):]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current or not out:
        out.append(current)
    return out


def button(text: str, action_id: str, value: str, style: str = "default") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text, BUTTON_TEXT), "action_id": action_id[:ID],
                               "value": value[:BUTTON_VALUE]}
    if style in ("primary", "danger"):
        element["style"] = style
    return element


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label, OPTION_TEXT), "value": value[:OPTION_VALUE]}
