"""Refusals a user may see: each carries an i18n key and its parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pmobot.i18n import t


class Phrase:
    """A message part rendered in the reader's language only when the message is shown."""

    def __init__(self, render: Callable[[str], str]) -> None:
        self.render = render


class PmoError(Exception):
    level = "warning"

    # Positional-only, so that messages may themselves have a ``key`` parameter (NEED-12).
    def __init__(self, message_key: str, /, **params: Any) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.params = params

    def message(self, locale: str) -> str:
        params = {k: v.render(locale) if isinstance(v, Phrase) else v for k, v in self.params.items()}
        return t(locale, self.message_key, **params)


class NotFound(PmoError):
    """Unknown, or not visible to this person: the two read the same on purpose."""


class Forbidden(PmoError):
    pass


class Invalid(PmoError):
    pass


class Overtaken(PmoError):
    """Someone else moved the need between reading it and writing the step: nothing was done."""
