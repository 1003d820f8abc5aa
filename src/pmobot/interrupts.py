"""Ctrl-C and SIGTERM as a request to stop in order, for the commands that run until told.

One home for the rule shared by ``pmobot serve`` and ``pmobot console``: a
signal sets an event, and the command finishes what it is doing, closes in
order and says goodbye, instead of being cut by ``KeyboardInterrupt`` wherever
it happens to be.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event,
                    signals: Iterable[int] = STOP_SIGNALS) -> list[int]:
    """Make each of ``signals`` set ``stop``; returns the signals now handled.

    None are handled where the loop cannot take signal handlers (Windows, or a
    loop outside the main thread, as in tests); there the default behaviour of
    the signal is kept. Give the list back to :func:`release_signals`.
    """
    handled: list[int] = []
    for signum in signals:
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):
            break
        handled.append(signum)
    return handled


def release_signals(loop: asyncio.AbstractEventLoop, handled: Iterable[int]) -> None:
    for signum in handled:
        loop.remove_signal_handler(signum)
