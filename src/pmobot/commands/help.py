"""The help: the commands a person's roles let them see, or one command's usage."""

from __future__ import annotations

from pmobot.commands.registry import Command, CommandName, Commands, Request
from pmobot.i18n import t
from pmobot.messages import Message, Notice, Text


def help_for(commands: Commands, *, locale: str, roles: frozenset[str], topic: str = "") -> list[Message]:
    """The help on ``topic`` (a command's word), or on every command the person's roles let them see."""
    words = topic.split()
    if words:
        command = commands.find(words[0])
        if command is None:
            return unknown_command(commands, locale=locale, roles=roles, word=words[0])
        return [Text(t(locale, f"help.usage.{command.name}") + "\n" + t(locale, f"help.about.{command.name}"))]
    lines = [t(locale, "help.intro")]
    lines += [f"• {t(locale, f'help.usage.{c.name}')} — {t(locale, f'help.about.{c.name}')}"
              for c in commands.visible_to(roles)]
    lines.append(t(locale, "help.outro"))
    return [Text("\n".join(lines))]


def unknown_command(commands: Commands, *, locale: str, roles: frozenset[str], word: str) -> list[Message]:
    """A word that names no command: said so, with the one it most likely meant, or with what the person can do."""
    meant = commands.closest(word)
    if meant is not None:
        return [Notice(t(locale, "chat.unknown_command", word=word) + " "
                       + t(locale, "chat.did_you_mean", usage=t(locale, f"help.usage.{meant.name}")), "warning")]
    return [Notice(t(locale, "chat.unknown_command", word=word), "warning"),
            *help_for(commands, locale=locale, roles=roles)]


async def _help(r: Request) -> list[Message]:
    return help_for(r.commands, locale=r.locale, roles=r.actor.roles, topic=r.args.text)


def register(commands: Commands) -> None:
    commands.add(Command("help", ("help", "aide", "?"), CommandName(), _help, shareable=True))
