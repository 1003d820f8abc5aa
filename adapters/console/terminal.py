"""The console's terminal edge: lines in, Ctrl-C, and an output that went away.

Lines are read on a daemon thread of their own, never on the event loop's
default executor: the interpreter joins that executor at exit, so a read
that will never finish (``input()`` waiting at the prompt when Ctrl-C is
pressed) kept the console from ending, and the third press broke the join
with a traceback. A daemon thread is simply dropped at exit.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import IO


class OutputClosed(Exception):
    """Whoever read the console's output has gone (``pmobot console | head``)."""


def in_background(work: Callable[[], object], *, name: str) -> None:
    """Run ``work`` on a daemon thread that nothing waits for at exit."""
    threading.Thread(target=work, name=name, daemon=True).start()


async def read_line(stream: IO[str], *, prompt: str | None) -> str | None:
    """The next line, or None at the end of input.

    With a ``prompt`` the line is read by ``input()``, which edits and keeps a
    history with readline on a terminal; without, from ``stream`` as it comes.
    """
    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str | None] = loop.create_future()

    def settle(line: str | None, error: Exception | None) -> None:
        if arrived.done():  # the console stopped waiting (Ctrl-C)
            return
        if error is not None:
            arrived.set_exception(error)
        else:
            arrived.set_result(line)

    def read() -> None:
        line: str | None = None
        error: Exception | None = None
        try:
            line = input(prompt) if prompt is not None else (stream.readline() or None)
        except EOFError:
            line = None
        except Exception as exc:  # handed to the coroutine that waits, which decides; a thread has no one to tell
            error = exc
        # A closed loop raises RuntimeError: the console ended while this line was typed.
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, line, error)

    in_background(read, name="console-input")
    return await arrived


async def next_line(stream: IO[str], *, prompt: str | None, stop: asyncio.Event) -> str | None:
    """The next line, or None at the end of input or as soon as ``stop`` is set."""
    reading = asyncio.ensure_future(read_line(stream, prompt=prompt))
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (reading, stopping):
            if not waiter.done():
                waiter.cancel()
    if reading.done() and not reading.cancelled():
        return reading.result()
    return None


@contextmanager
def terminal_kept(stream: IO[str]) -> Iterator[None]:
    """Give the terminal back as it was found.

    readline switches echo off while it reads; a read cut short by Ctrl-C
    never switches it back, and the shell would be left typing blind.
    """
    try:
        import termios
    except ImportError:  # no terminal settings to keep on this system (Windows)
        yield
        return
    try:
        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):  # not a terminal after all
        yield
        return
    try:
        yield
    finally:
        # termios.error: the terminal has gone (window closed), nothing to give back.
        with suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
