"""The command registry: every command declared once, and everything else read from it."""

from __future__ import annotations

import pytest

from pmobot.app import App
from pmobot.chat import PlatformTraits
from pmobot.commands import buttons
from pmobot.commands.builtin import builtin_commands
from pmobot.commands.help import help_for
from pmobot.commands.registry import (
    Command,
    Commands,
    Nothing,
    Request,
    has_prefix,
    is_command,
    without_prefix,
)
from pmobot.conversation.text import fold
from pmobot.domain.roles import Role
from pmobot.i18n import LOCALES, catalog, t
from pmobot.messages import FormRequest, Message, Notice, Text
from pmobot.services.people import Identity

COMMANDS = builtin_commands()
ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
ROLE_SETS = [frozenset(), frozenset({Role.REQUESTER}), frozenset({Role.IT}), frozenset({Role.COMMITTEE}),
             frozenset({Role.PMO}), frozenset(Role)]


def text_of(messages: list[Message]) -> str:
    return "\n".join(m.text for m in messages if isinstance(m, Text | Notice))


async def _nothing(request: Request) -> list[Message]:
    return []


@pytest.mark.parametrize("command", list(COMMANDS), ids=lambda c: c.name)
def test_every_alias_resolves_to_its_command_in_any_case_and_accent(command: Command) -> None:
    assert command.name in command.aliases
    for alias in command.aliases:
        assert COMMANDS.find(alias) is command
        assert COMMANDS.find(alias.upper()) is command
    assert COMMANDS.find("répondre") is COMMANDS["answer"] and COMMANDS.find("État") is COMMANDS["status"]


def test_no_alias_names_two_commands_and_a_collision_is_refused() -> None:
    aliases = [alias for command in COMMANDS for alias in command.aliases]
    assert len(aliases) == len(set(aliases))
    commands = Commands()
    commands.add(Command("mine", ("mine", "mes"), Nothing(), _nothing))
    with pytest.raises(ValueError, match="'mes' names both"):
        commands.add(Command("messages", ("messages", "mes"), Nothing(), _nothing))
    with pytest.raises(ValueError, match="declared twice"):
        commands.add(Command("mine", ("miens",), Nothing(), _nothing))
    with pytest.raises(ValueError, match="folded"):
        commands.add(Command("answer", ("Répondre",), Nothing(), _nothing))
    with pytest.raises(ValueError, match="two commands"):
        commands.add(Command("claim", ("claim",), Nothing(), _nothing, buttons=(buttons.CLAIM,)))
        commands.add(Command("take", ("take",), Nothing(), _nothing, buttons=(buttons.CLAIM,)))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "nobody")
def test_the_help_lists_exactly_the_commands_the_roles_see(locale: str, roles: frozenset[str]) -> None:
    [help_text] = help_for(COMMANDS, locale=locale, roles=roles)
    assert isinstance(help_text, Text)
    listed = [line for line in help_text.text.splitlines() if line.startswith("• ")]
    expected = [c for c in COMMANDS if not c.roles or c.roles & roles]
    assert listed == [f"• {t(locale, f'help.usage.{c.name}')} — {t(locale, f'help.about.{c.name}')}"
                      for c in expected]
    # Everybody sees the commands every requester needs; only IT sees claim, only PMO admins role.
    assert {"new", "status", "mine", "help"} <= {c.name for c in expected}
    assert ("claim" in {c.name for c in expected}) == (Role.IT in roles)
    assert ("role" in {c.name for c in expected}) == (Role.PMO in roles)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_command_and_button_has_its_strings_in_both_languages(locale: str) -> None:
    words = catalog(locale)
    for command in COMMANDS:
        assert words.get(f"help.usage.{command.name}") and words.get(f"help.about.{command.name}"), command.name
        for button in command.buttons:
            assert words.get(button.label), button.label


def test_each_declared_button_triggers_its_command_and_the_cards_buttons_are_declared() -> None:
    declared = {button.action_id: command for command in COMMANDS for button in command.buttons}
    assert set(declared) == {"need.claim", "need.ask", "need.estimate", "need.answer", "need.status", "need.review",
                             "committee.approve", "committee.defer", "committee.reject", "committee.request_info",
                             "need.join", "need.different", "need.submit", "project.check_in",
                             "alert.status", "alert.acknowledge", "alert.ask_update", "scope.agree", "scope.changes",
                             "scope.write"}
    assert {declared[a].name for a in ("committee.approve", "committee.defer", "committee.reject")} == {"vote"}
    assert {declared[b.action_id].name for b in buttons.ON_AN_ALERT} == {"alert"}
    for action_id, command in declared.items():
        assert COMMANDS.pressed(action_id) is command
    assert {b.action_id for b in buttons.ON_A_NEED} <= set(declared)
    assert COMMANDS.pressed("need.withdraw") is None


@pytest.mark.parametrize("action_id", ["need.claim", "need.ask", "need.estimate", "need.answer", "need.status",
                                       "need.review", "need.different", "need.submit"])
async def test_pressing_a_button_does_what_typing_its_command_does(app: App, action_id: str) -> None:
    command = COMMANDS.pressed(action_id)
    assert command is not None
    pressed = await app.chat.on_action(BOB, "b", action_id, "NEED-42")
    typed = await app.chat.on_command(BOB, "b", f"{command.name} NEED-42")
    assert pressed == typed and "NEED-42" in text_of(pressed)  # no such need, said the same way


async def test_an_unknown_button_is_refused_politely(app: App) -> None:
    [refusal] = await app.chat.on_action(BOB, "b", "need.withdraw", "NEED-1")
    assert isinstance(refusal, Notice) and refusal.level == "warning"


def test_the_prefix_has_one_home() -> None:
    assert is_command("/pmo status NEED-1") and is_command("  /PMO") and not is_command("pmo status")
    assert not is_command("/pmobot") and has_prefix("pmo status") and has_prefix("/pmo") and not has_prefix("pmot")
    assert without_prefix("/pmo status NEED-1") == without_prefix("pmo  status NEED-1") == "status NEED-1"
    assert without_prefix("status NEED-1") == "status NEED-1"


def test_shapes_read_the_arguments_and_missing_ones_give_the_usage() -> None:
    assert COMMANDS["status"].takes.parse("") is None
    args = COMMANDS["ask"].takes.parse("NEED-3 which budget?")
    assert args is not None and (args.need_key, args.text) == ("NEED-3", "which budget?")
    assert COMMANDS["role"].takes.parse("  ") is None
    assert COMMANDS["mine"].takes.parse("") is not None


async def test_a_missing_need_key_shows_the_usage_in_the_persons_language(app: App) -> None:
    [usage] = await app.chat.on_command(BOB, "b", "statut")
    locale = await app.chat.locale_for(BOB)
    assert isinstance(usage, Notice) and usage.level == "warning"
    # Said as a sentence: what is missing, how to write it, and what the command does (not the bare usage).
    assert usage.text == t(locale, "chat.missing_arguments", usage=t(locale, "help.usage.status"),
                           about=t(locale, "help.about.status"))
    assert t(locale, "help.usage.status") in usage.text and usage.text != t(locale, "help.usage.status")


def test_the_commands_whose_answer_may_be_shared_are_the_questions() -> None:
    assert {c.name for c in COMMANDS if c.shareable} == {"status", "mine", "queue", "help", "ranking", "policy",
                                                         "channels", "project", "projects", "agenda",
                                                         "roadmap", "alerts"}


def test_each_spec_a_command_opens_exists_and_has_one_opener(app: App) -> None:
    openers = [c for c in COMMANDS if c.opens]
    assert {c.opens for c in openers} == {"intake", "question", "answer", "estimate", "assess", "review", "change",
                                          "vote", "committee_question", "checkin", "scope", "scope_changes"}
    for command in openers:
        assert command.opens in app.core.specs
        assert COMMANDS.opening(command.opens or "") is command


async def test_a_platform_shows_forms_where_its_traits_say(app: App) -> None:
    # Slack: a form in answer to a command, a conversation in answer to a typed message.
    app.chat.add_platform("console", PlatformTraits(forms=True))
    [form] = await app.chat.on_command(ALICE, "a", "new")
    assert isinstance(form, FormRequest) and form.spec_id == "intake"
    typed = await app.chat.on_text(ALICE, "a", "/pmo nouveau")
    assert typed and not any(isinstance(m, FormRequest) for m in typed)
    # Teams: a form in answer to a typed message too.
    app.chat.add_platform("console", PlatformTraits(forms=True, forms_in_messages=True))
    [form] = await app.chat.on_text(ALICE, "a2", "/pmo nouveau")
    assert isinstance(form, FormRequest)
    # The console (and any platform not registered): never.
    app.chat.add_platform("console", PlatformTraits())
    assert not any(isinstance(m, FormRequest) for m in await app.chat.on_command(ALICE, "a3", "new"))


async def test_adding_a_command_is_one_registration(app: App) -> None:
    """What a new area does: declare, and the command is typed, found in plain text and listed in the help."""

    async def ping(request: Request) -> list[Message]:
        return [Notice(f"pong {request.actor.person.display_name}")]

    app.chat.commands.add(Command("ping", ("ping", "coucou"), Nothing(), ping, roles=frozenset({Role.IT})))
    assert text_of(await app.chat.on_text(BOB, "b", "/pmo coucou")) == "pong Bob Smith"
    assert text_of(await app.chat.on_command(BOB, "b", "PING")) == "pong Bob Smith"
    assert app.chat.reads_as_command("ping") and not app.chat.reads_as_command("ping me later please")
    assert "help.usage.ping" in text_of(await app.chat.on_command(BOB, "b", "help"))  # its strings come next
    assert "help.usage.ping" not in text_of(await app.chat.on_command(ALICE, "a", "help"))
    assert fold("Coucou") in app.chat.commands["ping"].aliases
