"""Help typed as a word, commands that do not exist, and the language command alone:
each says what it should, in the person's language, on every platform."""

from __future__ import annotations

from typing import Any

from pmobot.app import App
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")


def text_of(messages: list[Message]) -> str:
    return "\n".join(getattr(m, "text", "") or getattr(m, "title", "") for m in messages)


def _help_header(locale: str) -> str:
    return t(locale, "help.intro")


async def test_help_or_aide_typed_alone_outside_a_dialog_is_the_help(app: App) -> None:
    for word in ("help", "aide", "Aide", "?"):
        reply = text_of(await app.chat.on_text(ALICE, "c", word))
        assert _help_header("fr") in reply, word
        assert t("fr", "chat.hello", name="Alice Martin") not in reply
    assert _help_header("en") in text_of(await app.chat.on_text(BOB, "c", "help"))


async def test_a_short_greeting_is_still_a_greeting_and_a_sentence_still_a_need(app: App) -> None:
    assert text_of(await app.chat.on_text(ALICE, "c", "bonjour")) == t("fr", "chat.hello", name="Alice Martin")
    await app.chat.on_text(ALICE, "c", "Nous avons besoin d'aide pour suivre 40 contrats fournisseurs")
    assert await app.chat.in_conversation(ALICE, "c")


async def test_help_inside_a_dialog_stays_the_dialogs_help(app: App) -> None:
    await app.chat.on_text(ALICE, "c", "/pmo nouveau")
    reply = text_of(await app.chat.on_text(ALICE, "c", "aide"))
    assert _help_header("fr") not in reply
    assert await app.chat.in_conversation(ALICE, "c")


async def test_a_slash_command_that_does_not_exist_is_said_unknown_with_what_exists(app: App) -> None:
    replies = await app.chat.on_text(ALICE, "c", "/foo bar")
    assert isinstance(replies[0], Notice) and replies[0].level == "warning"
    assert replies[0].text == t("fr", "chat.unknown_command", word="foo")
    listed = text_of(replies[1:])
    assert "/pmo nouveau" in listed and "/pmo role" not in listed  # what Alice may do, in French
    # A slash command that exists is run, "/home/..." is not taken for one.
    assert _help_header("en") in text_of(await app.chat.on_text(BOB, "c", "/help"))
    assert text_of(await app.chat.on_text(ALICE, "c", "/tmp/x")) == t("fr", "chat.hello", name="Alice Martin")


async def test_help_on_a_command_that_does_not_exist_says_so(app: App) -> None:
    replies = await app.chat.on_text(BOB, "c", "/pmo help frobnicate")
    assert isinstance(replies[0], Notice) and replies[0].level == "warning"
    assert replies[0].text == t("en", "chat.unknown_command", word="frobnicate")
    listed = text_of(replies[1:])
    assert "/pmo claim NEED-n" in listed and "/pmo role" not in listed
    french = await app.chat.on_text(ALICE, "c", "/pmo aide truc")
    assert french[0].text == t("fr", "chat.unknown_command", word="truc")  # type: ignore[union-attr]


async def test_lang_alone_shows_the_current_language_and_the_choices(app: App) -> None:
    reply = await app.chat.on_text(ALICE, "c", "/pmo lang")
    assert text_of(reply) == t("fr", "chat.lang_current", language="français",
                               choices="en (English), fr (français)")
    assert '""' not in text_of(reply) and "« »" not in text_of(reply)
    english = text_of(await app.chat.on_text(BOB, "c", "/pmo langue"))
    assert english.startswith("I speak English with you.") and "fr (français)" in english


async def test_console_help_unknown_and_lang(console: Any) -> None:
    for line in ("aide", "/foo", "/lang"):
        await console.handle_line(line)
    out = " ".join(console.out.getvalue().split())
    assert _help_header("fr") in out
    assert t("fr", "chat.unknown_command", word="foo") in out
    assert "Je vous parle en français." in out and "Je ne parle pas" not in out


async def test_a_mistyped_command_suggests_the_one_meant_in_the_readers_language(app: App) -> None:
    french = await app.chat.on_text(ALICE, "c", "/pmo votr")
    assert len(french) == 1 and isinstance(french[0], Notice)
    assert french[0].text == (t("fr", "chat.unknown_command", word="votr") + " "
                              + t("fr", "chat.did_you_mean", usage=t("fr", "help.usage.vote")))
    assert "/pmo voter" in french[0].text
    english = text_of(await app.chat.on_text(BOB, "c", "/pmo statsu NEED-1"))
    assert "Did you mean /pmo status" in english and _help_header("en") not in english


async def test_whois_alone_is_about_the_person_asking(app: App) -> None:
    alone = text_of(await app.chat.on_text(BOB, "c", "/pmo whois"))
    assert alone == text_of(await app.chat.on_text(BOB, "c", "/pmo whois me"))
    assert "Bob Smith" in alone
