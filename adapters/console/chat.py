"""A multi-user terminal chat over the core.

``/as NAME`` switches who is typing, ``/lang fr|en`` sets that person's
language, ``/room NAME`` types in a channel (``/room`` alone: back to the
direct conversation), where ``/pmo channel here committee`` chooses it;
channel posts and messages to other people are printed as they are delivered,
and card buttons are numbered: typing the number presses the button. When
standard input is not a terminal, each line read is echoed so a piped
scenario produces a readable transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

from pmobot.adapters.console.render import render
from pmobot.adapters.console.terminal import OutputClosed, in_background, next_line, terminal_kept
from pmobot.chat import Chat
from pmobot.clock import Clock
from pmobot.commands.registry import Place
from pmobot.conversation.recognizers import warm_up
from pmobot.domain import keys
from pmobot.i18n import DEFAULT_LOCALE, t
from pmobot.interrupts import release_signals, stop_on_signals
from pmobot.messages import Action, Card, Chart, Message, Notice
from pmobot.scheduler import Delivery, OutboxWorker, RetryLater
from pmobot.services.people import Identity

PLATFORM = "console"

log = logging.getLogger(__name__)


def save_chart(chart: Chart, folder: Path) -> str:
    """A terminal shows no pictures: the chart goes to a file whose path is printed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(chart.filename).name
    path.write_bytes(chart.image)
    return str(path)


def shown(message: Message, charts_dir: Path, locale: str = DEFAULT_LOCALE) -> str:
    """A message as printed; a chart saved first, and named."""
    if isinstance(message, Chart):
        return render(message, saved_as=save_chart(message, charts_dir), locale=locale)
    return render(message, locale=locale)


class ConsoleDeliverer:
    """Delivers outbox messages by printing them, framed by where they go."""

    limits = ()  # a terminal takes messages as fast as they come

    def __init__(
        self, *, write: Callable[[str], None], names: Callable[[str], str],
        on_buttons: Callable[[tuple[Action, ...]], None], charts_dir: Callable[[], Path],
        locale: Callable[[Delivery], Awaitable[str]],
    ) -> None:
        self._write = write
        self._locale = locale
        self._names = names
        self._on_buttons = on_buttons
        self._charts_dir = charts_dir
        self._count = 0

    async def deliver(self, delivery: Delivery) -> str | None:
        self._count += 1
        if delivery.target_kind == "channel":
            # Symbols, not words: the frame is read by people of either language.
            where = f"#{delivery.target}"
            if delivery.replaces_id:
                where += " ✎"
            elif delivery.thread_id:
                where += " ↳"
        else:
            where = f"✉ {self._names(delivery.target)}"
        try:
            self._write(f"\n━━ {where} ━━")
            self._write(shown(delivery.message, self._charts_dir(), await self._locale(delivery)))
        except OutputClosed:
            # Not seen by anyone: left in the outbox for the next session instead of marked sent.
            raise RetryLater("the console's output is closed") from None
        if isinstance(delivery.message, Card) and delivery.message.actions:
            self._on_buttons(delivery.message.actions)
        return f"console-{self._count}"


class ConsoleChat:
    def __init__(self, *, chat: Chat, clock: Clock, people: dict[str, str], start_as: str,
                 out: IO[str] | None = None, charts_dir: Path = Path("var/charts")) -> None:
        self.chat = chat
        # Set by the composition root, which owns the outbox worker.
        self.worker: OutboxWorker | None = None
        self.clock = clock
        self.people = dict(people)  # login -> display name
        self.current = start_as
        # The channel being typed in (``/room NAME``); None: the person's direct conversation with pmobot.
        self.room: str | None = None
        self.out = out or sys.stdout
        self.buttons: tuple[Action, ...] = ()
        # Where charts are saved (a terminal shows no pictures): the path is printed.
        self.charts_dir = charts_dir
        # The language of the person at the terminal, as last read: the typography of what is printed.
        self.locale = DEFAULT_LOCALE
        self.deliverer = ConsoleDeliverer(write=self.write, names=self.name_of, on_buttons=self.remember_buttons,
                                          charts_dir=lambda: self.charts_dir, locale=self.worded_in)
        # Set when the reader of the output has gone: the console then stops quietly.
        self.output_closed = False

    def write(self, text: str) -> None:
        if self.output_closed:
            raise OutputClosed
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except BrokenPipeError:
            self.output_closed = True
            raise OutputClosed from None

    def name_of(self, login: str) -> str:
        return self.people.get(login, login)

    async def worded_in(self, delivery: Delivery) -> str:
        """The language of a delivery's labels ("Title:", "Titre :"): a message to a person is worded in
        theirs, whoever types here now; a channel's, in the organisation's (a digest channel chosen by an
        admin of the other language is the exception, the message does not say its language)."""
        if delivery.target_kind == "channel":
            return self.chat.core.org_locale
        return await self.chat.locale_for(Identity(platform=PLATFORM, external_id=delivery.target,
                                                   display_name=self.name_of(delivery.target), handle=delivery.target))

    def remember_buttons(self, actions: tuple[Action, ...]) -> None:
        self.buttons = actions

    def identity(self) -> Identity:
        return Identity(platform=PLATFORM, external_id=self.current, display_name=self.name_of(self.current),
                        handle=self.current)

    @property
    def conversation_key(self) -> keys.ConversationKey:
        return keys.direct(PLATFORM, self.current)

    async def show(self, messages: list[Message]) -> None:
        self.locale = await self.chat.locale_for(self.identity())
        for message in messages:
            self.write(shown(message, self.charts_dir, self.locale))
            if isinstance(message, Card) and message.actions:
                self.remember_buttons(message.actions)

    async def say(self, key: str, *, level: str | None = None, **params: object) -> None:
        """Print a line of the console's own, in the language of whoever is typing."""
        text = t(await self.chat.locale_for(self.identity()), f"console.{key}", **params)
        self.write(render(Notice(text, level)) if level else text)

    async def greet(self) -> None:
        locale = await self.chat.locale_for(self.identity())
        await self.say("greeting", people=", ".join(sorted(self.people)) or t(locale, "console.anyone"))
        await self._arrive()

    async def _arrive(self) -> None:
        """Say who is typing and what waits on them, then resume their conversation."""
        await self.show(await self.chat.welcome(self.identity()))
        await self.show(await self.chat.resume(self.identity(), self.conversation_key))

    async def handle_line(self, line: str) -> bool:
        """Handle one typed line; False when the user asked to quit."""
        text = line.rstrip("\n")
        stripped = text.strip()
        if not stripped:
            return True
        lowered = stripped.lower()
        if lowered in ("/quit", "/exit", "/q"):
            return False
        if lowered.startswith("/as"):
            await self._switch(stripped[3:].strip())
        elif lowered == "/room" or lowered.startswith("/room "):
            await self._enter(stripped[5:].strip())
        elif lowered.startswith("/lang"):
            command = "lang " + stripped[5:].strip()
            await self.show(await self.chat.on_command(self.identity(), self.conversation_key, command))
        elif lowered in ("/who", "/people"):
            people = ", ".join(f"{login} ({name})" for login, name in sorted(self.people.items()))
            await self.say("people", people=people)
        elif lowered == "/help":
            await self.show(await self.chat.on_command(self.identity(), self.conversation_key, "help"))
        elif stripped.isdigit() and not await self.chat.in_conversation(self.identity(), self.conversation_key):
            await self._press(int(stripped))
        else:
            await self.show(await self.chat.on_text(self.identity(), self.conversation_key, text, place=self.place))
        await self.deliver()
        return True

    async def deliver(self) -> None:
        """Print what the outbox holds for the console, right after the action that queued it."""
        if self.worker is not None:
            await self.worker.drain(self.clock.now())

    @property
    def place(self) -> Place | None:
        return Place(self.room) if self.room else None

    async def _enter(self, room: str) -> None:
        room = room.lstrip("#").strip().lower()
        if not room:
            self.room = None
            await self.say("room_left")
        elif room.replace("-", "").replace("_", "").isalnum():
            self.room = room
            await self.say("room_entered", room=room)
        else:
            await self.say("room_usage", level="warning")

    async def _switch(self, login: str) -> None:
        login = login.lstrip("@").strip().lower()
        if not login or not login.replace(".", "").replace("-", "").replace("_", "").isalnum():
            await self.say("as_usage", level="warning")
            return
        self.current = login
        self.people.setdefault(login, login)
        await self.say("typing", name=self.name_of(login), login=login)
        await self._arrive()

    async def _press(self, number: int) -> None:
        if not self.buttons:
            await self.say("no_buttons", level="warning")
            return
        if not 1 <= number <= len(self.buttons):
            await self.say("no_such_button", level="warning", number=number, count=len(self.buttons))
            return
        action = self.buttons[number - 1]
        await self.say("pressed", label=action.label)
        await self.show(await self.chat.on_action(self.identity(), self.conversation_key, action.id, action.value))

    async def run(self, stream: IO[str] | None = None) -> None:
        """Chat until ``/quit``, the end of input (Ctrl-D), Ctrl-C, or a reader that closed the output.

        Each ends at once with a goodbye (except the last: no one is left to
        read it); a line being handled when Ctrl-C comes is finished first, so
        the database never holds half a turn.
        """
        stream = stream or sys.stdin
        interactive = stream.isatty() and stream is sys.stdin
        if interactive:
            with contextlib.suppress(ImportError):  # no readline on Windows: input() still reads lines
                import readline  # noqa: F401  (line editing and history for input())
            # Load the slow language models while the person reads the greeting.
            in_background(warm_up, name="console-warm-up")
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        handled = stop_on_signals(loop, stop)
        try:
            with terminal_kept(stream) if interactive else contextlib.nullcontext():
                quit_typed = await self._converse(stream, interactive=interactive, stop=stop)
            if interactive and not quit_typed:
                self.write("")  # after Ctrl-C or Ctrl-D the cursor still stands after the prompt
            await self.say("bye")
        except OutputClosed:
            log.info("the console's output was closed; stopping")
        finally:
            release_signals(loop, handled)

    async def _converse(self, stream: IO[str], *, interactive: bool, stop: asyncio.Event) -> bool:
        """Read and handle lines until the end; True when it was a typed ``/quit``."""
        await self.greet()
        await self.deliver()
        while not stop.is_set():
            prompt = f"{self.current}> "
            line = await next_line(stream, prompt=prompt if interactive else None, stop=stop)
            if line is None:
                return False
            if not interactive:
                self.write(f"\n{prompt}{line.rstrip()}")
            try:
                if not await self.handle_line(line):
                    return True
            except OutputClosed:
                raise
            except Exception:  # the loop must survive anything a line triggers
                ref = uuid.uuid4().hex[:8]
                log.exception("console error ref=%s", ref)
                locale = await self.chat.locale_for(self.identity())
                self.write(render(Notice(t(locale, "console.crashed", ref=ref), "error")))
        return False
