"""A command named in a reply is written as the help writes it in the reader's language: the word its
``help.usage`` line starts with, which the registry knows as one of the command's aliases. No English
command word in a French reply ("/pmo channel here committee"), no French one in an English reply."""

from __future__ import annotations

import re

import pytest

from pmobot.commands.builtin import builtin_commands
from pmobot.conversation.text import fold
from pmobot.i18n import LOCALES, catalog

_HINT = re.compile(r"/pmo ([^\s:;,.)»\"'{]+)((?: [^\s:;,.()»\"']+){0,4})")


def _help_word(locale: str, name: str) -> str:
    return fold(catalog(locale)[f"help.usage.{name}"].split()[1])


def _usage_words(locale: str, name: str) -> set[str]:
    return {fold(w) for w in re.split(r"[\s|\[\]]+", catalog(locale)[f"help.usage.{name}"]) if w}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_command_in_a_message_is_the_help_word_of_the_reader_language(locale: str) -> None:
    commands = builtin_commands()
    wrong = []
    for key, text in catalog(locale).items():
        if key.startswith("help.usage."):
            continue
        for word, rest in _HINT.findall(text):
            command = commands.find(word)
            if command is None:
                wrong.append(f"{key}: /pmo {word} names no command")
                continue
            if fold(word) != _help_word(locale, command.name):
                wrong.append(f"{key}: /pmo {word}, the help says /pmo {_help_word(locale, command.name)}")
            # Its arguments too: a keyword of the other language's usage that this one's does not have.
            mine = _usage_words(locale, command.name)
            other = set().union(*(_usage_words(o, command.name) for o in LOCALES if o != locale))
            wrong += [f"{key}: /pmo {word} ... {arg}" for arg in (fold(a) for a in re.split(r"[\s|\[\]]+", rest) if a)
                      if arg in other - mine]
    assert wrong == []


def test_the_help_words_are_the_registry_aliases() -> None:
    commands = builtin_commands()
    for locale in LOCALES:
        for command in commands:
            assert _help_word(locale, command.name) in command.aliases, (locale, command.name)
