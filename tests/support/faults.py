"""Faults injected into pmobot's own code: a service that fails once, then works."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


class FailsOnce:
    """A service that fails the first time it is called (a database blip, a bug on one path), then works."""

    def __init__(self, real: Callable[..., Awaitable[Any]]) -> None:
        self.real = real
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("injected failure")
        return await self.real(*args, **kwargs)
