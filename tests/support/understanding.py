"""The intake's reading of an opening sentence as the understanding tests call it: on the day their
sentences were written for (the sets before dev5 on Thursday 26 November 2026, the later ones on Monday
30 November), so a relative date means what it meant to their authors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pmobot.conversation.prefill import extract

THURSDAY = date(2026, 11, 26)
MONDAY = date(2026, 11, 30)

Reader = Callable[[str, str], dict[str, Any]]


def reader(today: date) -> Reader:
    """``extract`` on ``today``: ``found(text, lang)``."""
    def found(text: str, lang: str) -> dict[str, Any]:
        return extract(text, locale=lang, today=today)
    return found
