"""The command types and the registry ``Chat`` dispatches through.

A ``Command`` says once: its name, its English and French aliases, the shape of
what follows it (which also tells a typed sentence from a command), the roles
that see it in the help, its handler, the card buttons that trigger it, and the
dialog spec it opens (as a form where the platform shows forms, else as a
conversation). Its help lines are ``help.usage.NAME`` and ``help.about.NAME``
in ``i18n/{en,fr}/help.yaml``.

The command prefix (``/pmo``, or ``pmo`` where a client eats the slash) lives
here too, the one place that knows how a command is introduced in a message.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pmobot.commands.buttons import Button
from pmobot.conversation.controls import STEERING
from pmobot.conversation.text import fold
from pmobot.domain.keys import ConversationKey
from pmobot.messages import Message
from pmobot.services import projects
from pmobot.services.needs import parse_key

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from pmobot.conversation.engine import DialogEngine
    from pmobot.services.core import Core
    from pmobot.services.people import Actor, Directory

# "/pmo status NEED-3" typed in a message. Teams clients may drop the slash, so
# "pmo status NEED-3" is read the same way where a message cannot be a slash command.
_SLASHED = re.compile(r"^\s*/pmo\b\s*", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*/?pmo\b\s*", re.IGNORECASE)


def is_command(text: str) -> bool:
    """Whether a message starts with ``/pmo``."""
    return bool(_SLASHED.match(text))


def has_prefix(text: str) -> bool:
    """Whether a message starts with ``/pmo`` or ``pmo``."""
    return bool(_PREFIX.match(text))


# "/foo bar": a slash, a word, then a space or nothing ("/home/me" is a path, not a command).
_OTHER_SLASH = re.compile(r"^\s*/([^\s/]+)(?=\s|$)")


def other_slash_command(text: str) -> str | None:
    """A message written like a slash command other than ``/pmo`` ("/help", "/foo x"):
    the text without its slash, to be read as a command (an unknown one is said so)."""
    m = _OTHER_SLASH.match(text)
    return text[m.start(1):].strip() if m and not is_command(text) else None


def without_prefix(text: str) -> str:
    """The message after its ``/pmo`` or ``pmo``; unchanged without one."""
    return _PREFIX.sub("", text, count=1)


# -- what follows the command word -------------------------------------------------------


@dataclass(frozen=True)
class Arguments:
    # What follows the command word; for a command on a need, what follows the key.
    text: str = ""
    need_key: str = ""
    # For a command on a project (PRJ-3), its key; what follows it is ``text``.
    project_key: str = ""


class Shape(Protocol):
    """What may follow a command's word.

    ``fits`` decides whether a sentence typed without ``/pmo`` whose first word
    is an alias is the command ("mes collègues ont besoin…" is an intake, not
    ``mine``); ``parse`` reads the arguments of a command, None when they are
    missing (the person is shown the command's usage).
    """

    def fits(self, words: Sequence[str], commands: Commands) -> bool: ...

    def parse(self, text: str) -> Arguments | None: ...


@dataclass(frozen=True)
class Nothing:
    """``/pmo mine``: the word alone."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return not words

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text)


@dataclass(frozen=True)
class FreeText:
    """``/pmo new <sentence>``: anything, or nothing."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return True

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text)


_NEED_KEY = re.compile(r"^need-\d+$", re.IGNORECASE)
_PROJECT_KEY = re.compile(r"^(?:prj|projet|project)-\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class NeedKey:
    """``/pmo ask NEED-3 [text]``: a need's key, then optional free text; with ``or_project``,
    a project's key too (``/pmo status PRJ-2``)."""

    or_project: bool = False

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        word = words[0].rstrip(".,;:!?") if words else ""
        return not words or bool(_NEED_KEY.match(word)) or (self.or_project and bool(_PROJECT_KEY.match(word)))

    def parse(self, text: str) -> Arguments | None:
        key, _, tail = text.partition(" ")
        if not key:
            return None
        if self.or_project and projects.is_project_key(key):
            projects.parse_key(key)
            return Arguments(tail.strip(), project_key=key)
        parse_key(key)  # refuse a malformed key before anything else
        return Arguments(tail.strip(), need_key=key)


@dataclass(frozen=True)
class ProjectKey:
    """``/pmo milestone PRJ-3 Pilot 15/03/2027``: a project's key, then what follows it."""

    # Whether the word alone, typed without ``/pmo``, is the command (its usage shown). Not for a step that
    # ends something ("done" typed alone is a remark, not a request to close a project).
    alone: bool = True

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return (self.alone and not words) or bool(words and _PROJECT_KEY.match(words[0].rstrip(".,;:!?")))

    def parse(self, text: str) -> Arguments | None:
        key, _, tail = text.strip().partition(" ")
        if not key:
            return None
        projects.parse_key(key)  # refuse a malformed key before anything else
        return Arguments(tail.strip(), project_key=key)


@dataclass(frozen=True)
class PersonThen:
    """``/pmo role @bob +it [remove]``: a person, then at most two words, the first one of ``then``."""

    then: frozenset[str]

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return len(words) <= 3 and (len(words) <= 1 or fold(words[1]) in self.then)

    # The person may be left out (``/pmo whois``: the one asking).
    optional: bool = False

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text) if text.split() or self.optional else None


@dataclass(frozen=True)
class OneOf:
    """``/pmo lang fr``: one word among ``words``."""

    words: frozenset[str]

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return len(words) <= 1 and (not words or fold(words[0]) in self.words)

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text)


@dataclass(frozen=True)
class CommandName:
    """``/pmo help queue``: the name of another command, or nothing."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return len(words) <= 1 and (not words or commands.find(words[0]) is not None)

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text)


@dataclass(frozen=True)
class Position:
    """``/pmo resume`` or ``/pmo resume 2``: nothing, or a position in a list."""

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return not words or (len(words) == 1 and self.number(words[0]) is not None)

    def parse(self, text: str) -> Arguments | None:
        text = text.strip()
        return Arguments(text) if not text or self.number(text) is not None else None

    @staticmethod
    def number(word: str) -> int | None:
        digits = word.lstrip("#").removeprefix("n°")
        return int(digits) if digits.isdigit() else None


@dataclass(frozen=True)
class OptionalVerbAndNumber:
    """``/pmo deliveries`` or ``/pmo deliveries retry 12``: nothing, or one of ``verbs`` and a number."""

    verbs: frozenset[str]

    def fits(self, words: Sequence[str], commands: Commands) -> bool:
        return not words or (len(words) == 2 and fold(words[0]) in self.verbs and self.number(words[1]) is not None)

    def parse(self, text: str) -> Arguments | None:
        return Arguments(text)

    @staticmethod
    def number(word: str) -> int | None:
        digits = word.lstrip("#").removeprefix("n°")
        return int(digits) if digits.isdigit() else None


# -- commands ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The channel a command is typed in (a console room, a Slack channel, a Teams channel conversation),
    as the platform addresses it, with what it needs to post there later; None for a direct conversation."""

    address: str
    reference: Mapping[str, object] | None = None


@dataclass(frozen=True)
class Request:
    """One command being run: who asks, where, and what follows the command word."""

    session: AsyncSession
    actor: Actor
    core: Core
    commands: Commands
    conversation_key: ConversationKey
    # The platform can show a dialog spec as a form here (from its ``PlatformTraits``).
    forms: bool = False
    args: Arguments = Arguments()
    # Who the platform knows by a mention, for people pmobot has not met (``people.Directory``).
    directory: Directory | None = None
    # The dialog engine, for the commands that steer conversations (``resume``).
    engine: DialogEngine | None = None
    # The channel the command is typed in; None in a direct conversation.
    place: Place | None = None

    @property
    def locale(self) -> str:
        return self.actor.locale


@dataclass(frozen=True)
class Opening:
    """A handler's answer for a command that opens its dialog spec: with what."""

    context: Mapping[str, str] = field(default_factory=dict)
    opening_text: str | None = None
    # Answers offered before the person's own (the last status update's), as the spec's field ids.
    defaults: Mapping[str, object] = field(default_factory=dict)
    # Answers drafted for the person to correct rather than type (a statement of scope from the need).
    values: Mapping[str, object] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[list[Message] | Opening]]


@dataclass(frozen=True)
class Command:
    name: str
    # Typed words that name it, folded (no accents, lower case), English and French.
    aliases: tuple[str, ...]
    takes: Shape
    handler: Handler
    # Roles that see it in the help; empty: everybody. Everybody may try it: the services decide.
    roles: frozenset[str] = frozenset()
    buttons: tuple[Button, ...] = ()
    # The dialog spec its handler may open (by returning an ``Opening``).
    opens: str | None = None
    # A question whose answer a person may show to the channel ("/pmo status NEED-3 share").
    shareable: bool = False
    # Not followed by "your conversation in progress is still open": it opens or is part of one.
    leaves_dialog_alone: bool = False


class Commands:
    """Every command, by name, alias and button: built once by the composition root."""

    def __init__(self) -> None:
        self._by_name: dict[str, Command] = {}
        self._by_alias: dict[str, Command] = {}
        self._by_action: dict[str, Command] = {}

    def add(self, command: Command) -> None:
        """Register a command; a name, alias or button already taken is a programming error."""
        if command.name in self._by_name:
            raise ValueError(f"command {command.name!r} is declared twice")
        for alias in command.aliases:
            if alias != fold(alias):
                raise ValueError(f"alias {alias!r} of {command.name!r} must be written folded")
            if alias in STEERING:
                raise ValueError(f"alias {alias!r} of {command.name!r} steers conversations ({alias!r} stops one)")
            if alias in self._by_alias:
                raise ValueError(f"alias {alias!r} names both {self._by_alias[alias].name!r} and {command.name!r}")
        for button in command.buttons:
            if button.action_id in self._by_action:
                raise ValueError(f"button {button.action_id!r} triggers two commands")
        self._by_name[command.name] = command
        self._by_alias.update({alias: command for alias in command.aliases})
        self._by_action.update({button.action_id: command for button in command.buttons})

    def __iter__(self) -> Iterator[Command]:
        return iter(self._by_name.values())

    def __getitem__(self, name: str) -> Command:
        return self._by_name[name]

    def find(self, word: str) -> Command | None:
        """The command a typed word names, in either language."""
        return self._by_alias.get(fold(word))

    def closest(self, word: str) -> Command | None:
        """The command a mistyped word most likely meant ("votr": vote), None if none is close.

        Every command, not only those in a person's help: everybody may try any (the services decide).
        """
        match = difflib.get_close_matches(fold(word), self._by_alias, n=1, cutoff=0.75)
        return self._by_alias[match[0]] if match else None

    def pressed(self, action_id: str) -> Command | None:
        """The command a card button triggers."""
        return self._by_action.get(action_id)

    def opening(self, spec_id: str) -> Command | None:
        """The command that opens a dialog spec (e.g. to open its form again from a button)."""
        return next((c for c in self if c.opens == spec_id), None)

    def buttons(self) -> list[Button]:
        """Every card button, for a platform that listens to each one by its action id."""
        return [button for command in self for button in command.buttons]

    def visible_to(self, roles: frozenset[str]) -> list[Command]:
        return [c for c in self if not c.roles or c.roles & roles]

    def reads_as_command(self, text: str) -> bool:
        """Whether text typed without ``/pmo`` is a command rather than a sentence.

        Where commands are typed as plain text (a Teams chat), "mes collègues ont
        besoin d'un outil" must open an intake, not list "mes" needs: a first word
        that names a command counts only when the rest has that command's shape.
        """
        words = text.split()
        command = self.find(words[0]) if words else None
        return command is not None and command.takes.fits(words[1:], self)
