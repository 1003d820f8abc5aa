"""Messages as terminal text. User text is kept as typed; only control
characters (which could move the cursor or recolour the terminal) are made
visible, since they are this renderer's markup."""

from __future__ import annotations

import re
import textwrap

from pmobot.i18n import DEFAULT_LOCALE, label
from pmobot.messages import Card, Chart, FormRequest, Message, Notice, Prompt, Text

WIDTH = 96
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ICONS = {"info": "ℹ", "success": "✓", "warning": "⚠", "error": "✗"}


def clean(text: str) -> str:
    """Show control characters as escapes rather than letting the terminal obey them."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# French puts a space before : ; ? ! » and after «; a line must not break there.
_FRENCH_SPACE = re.compile(r" (?=[:;?!»])|(?<=«) ")


def _wrap(text: str, indent: str, width: int = WIDTH) -> list[str]:
    out: list[str] = []
    for paragraph in _FRENCH_SPACE.sub("\u00a0", clean(text)).split("\n"):
        # A bullet's continuation lines hang under its text, not under the bullet.
        hang = "  " if paragraph.startswith("• ") else ""
        out += textwrap.wrap(paragraph, width=width - len(indent), subsequent_indent=hang,
                             break_on_hyphens=False) or [""]
    return [indent + line for line in out]


def render(message: Message, *, buttons_from: int = 1, saved_as: str | None = None,
           locale: str = DEFAULT_LOCALE) -> str:
    """``saved_as``: where a chart's picture was saved, for the reader to open it; ``locale``: the
    reader's, for the typography of labels ("Titre :")."""
    if isinstance(message, Chart):
        lines = ["▦ " + clean(message.title)]
        if saved_as:
            lines.append("  → " + clean(saved_as))
        return "\n".join(lines + _wrap(message.alt_text, "  "))
    if isinstance(message, Text):
        return "\n".join(_wrap(message.text, ""))
    if isinstance(message, Notice):
        icon = _ICONS.get(message.level, "ℹ")
        lines = _wrap(message.text, "  ")
        lines[0] = f"{icon} {lines[0][2:]}"
        return "\n".join(lines)
    if isinstance(message, Prompt):
        head = f"({message.step}/{message.steps}) " if message.steps else ""
        lines = _wrap(head + message.text, "")
        if message.hint:
            lines += _wrap(message.hint, "   ")
        if message.options:
            opts = "  ".join(f"{i}) {clean(o.label)}" for i, o in enumerate(message.options, 1))
            lines += _wrap(opts, "   ")
            if message.multiple:
                lines += ["   (1, 3 …)"]
        if message.controls:
            lines.append("   [" + " · ".join(message.controls) + "]")
        return "\n".join(lines)
    if isinstance(message, Card):
        lines = ["┌─ " + clean(message.title)]
        if message.subtitle:
            lines += _wrap(message.subtitle, "│  ")
        if message.body:
            lines += _wrap(message.body, "│  ")
        for f in message.fields:
            if f.short and "\n" not in f.value:
                lines += _wrap(f"{label(locale, f.label)} {f.value}", "│  ")
            else:
                lines.append("│  " + clean(label(locale, f.label)))
                lines += _wrap(f.value, "│     ")
        if message.actions:
            buttons = "  ".join(f"[{i}] {clean(a.label)}" for i, a in enumerate(message.actions, buttons_from))
            lines += _wrap(buttons, "│  ")
        lines.append("└─ " + clean(message.footer) if message.footer else "└─")
        return "\n".join(lines)
    if isinstance(message, FormRequest):
        return clean(message.title)
    raise TypeError(f"cannot render {type(message).__name__}")
