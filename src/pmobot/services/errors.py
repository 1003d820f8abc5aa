"""Refusals a user may see: each carries an i18n key and its parameters."""

from __future__ import annotations

from typing import Any

from pmobot.i18n import t


class PmoError(Exception):
    level = "warning"

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, locale: str) -> str:
        return t(locale, self.key, **self.params)


class NotFound(PmoError):
    """Unknown, or not visible to this person: the two read the same on purpose."""


class Forbidden(PmoError):
    pass


class Invalid(PmoError):
    pass
