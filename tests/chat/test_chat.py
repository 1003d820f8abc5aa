"""The chat front door: commands in both languages, help, and failures handled politely."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select
from support.dialogs import file_sample_need

from pmobot.app import App
from pmobot.commands.builtin import builtin_commands
from pmobot.domain.models import AuditEvent
from pmobot.messages import Notice, Text
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")
DAN = Identity(platform="console", external_id="dan", display_name="Dan Dupont", handle="dan")


async def _file_one(app: App) -> None:
    """Alice files NEED-1 through the intake conversation."""
    await file_sample_need(app, ALICE)


def text_of(messages) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(getattr(m, "text", "") or getattr(m, "title", "") for m in messages)


async def test_unknown_commands_get_the_help_in_the_users_language(app: App) -> None:
    replies = await app.chat.on_text(ALICE, "c", "/pmo frobnicate")
    assert "Je ne connais pas la commande « frobnicate »" in text_of(replies)
    assert any(isinstance(m, Text) and "/pmo nouveau" in m.text for m in replies)


async def test_help_shows_each_person_what_their_roles_allow(app: App) -> None:
    requester_help = text_of(await app.chat.on_text(ALICE, "c", "/pmo aide"))
    it_help = text_of(await app.chat.on_text(BOB, "c", "/pmo help"))
    admin_help = text_of(await app.chat.on_text(DAN, "c", "/pmo aide"))
    assert "/pmo prendre" not in requester_help and "/pmo role" not in requester_help
    assert "/pmo claim NEED-n" in it_help and "/pmo queue" in it_help and "/pmo role" not in it_help
    assert "/pmo role" in admin_help


async def test_help_on_one_command(app: App) -> None:
    reply = text_of(await app.chat.on_text(BOB, "c", "/pmo help estimate"))
    assert reply.startswith("/pmo estimate NEED-n") and "record your estimate" in reply


async def test_french_and_english_command_words_do_the_same(app: App) -> None:
    french = text_of(await app.chat.on_text(ALICE, "c", "/pmo mes"))
    assert french == text_of(await app.chat.on_text(ALICE, "c", "/pmo mine"))


async def test_a_command_missing_its_need_says_how_to_write_it(app: App) -> None:
    reply = text_of(await app.chat.on_text(BOB, "c", "/pmo claim"))
    assert reply == "Something is missing. Write it as /pmo claim NEED-n: take a need to estimate it."
    reply = text_of(await app.chat.on_text(BOB, "c", "/pmo claim banana"))
    assert "'banana' is not a need reference" in reply


async def test_short_free_text_is_a_greeting_not_a_need(app: App) -> None:
    reply = text_of(await app.chat.on_text(ALICE, "c", "bonjour"))
    assert "Bonjour Alice Martin" in reply and "/pmo aide" in reply
    assert not await app.chat.in_conversation(ALICE, "c")


async def test_language_can_be_switched_and_is_remembered(app: App) -> None:
    assert text_of(await app.chat.on_text(ALICE, "c", "/pmo lang en")) == "Done: I'll speak English with you."
    assert "Your needs" in text_of(await app.chat.on_text(ALICE, "c", "/pmo mine")) or "You have no needs" in text_of(
        await app.chat.on_text(ALICE, "c", "/pmo mine"))
    reply = text_of(await app.chat.on_text(ALICE, "c", "/pmo lang de"))
    assert "Choose en (English) or fr (French)" in reply


async def test_platform_locale_is_used_until_the_person_chooses(app: App) -> None:
    newcomer = Identity(platform="slack", external_id="U9", display_name="Zoe", locale="en-US")
    assert await app.chat.locale_for(newcomer) == "en"
    french = Identity(platform="slack", external_id="U10", display_name="Luc", locale="fr-FR")
    assert await app.chat.locale_for(french) == "fr"
    unknown = Identity(platform="slack", external_id="U11", display_name="Ana", locale="pt-BR")
    assert await app.chat.locale_for(unknown) == app.settings.default_locale
    # Kept: a notification sent later, with no request to say the language, uses it.
    assert await app.chat.locale_for(Identity(platform="slack", external_id="U9", display_name="Zoe")) == "en"
    # A language chosen with /pmo lang wins over what the platform says afterwards.
    await app.chat.on_command(newcomer, "c", "lang fr")
    assert await app.chat.locale_for(newcomer) == "fr"


async def test_roles_by_command(app: App) -> None:
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice committee"))
    # A committee member without a side cannot vote: the admin is told so, and how to seat them.
    assert reply == ("Alice Martin est maintenant : demandeur, comité (pas encore de côté : un vote en demande un).\n"
                     "Alice Martin siège au comité sans côté, or un vote du comité en demande un. "
                     "Choisissez-le avec : /pmo role alice comite metier|dsi")
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice comité métier"))
    assert reply == "Alice Martin est maintenant : demandeur, comité (côté métier)."
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice committee it"))
    assert reply == "Alice Martin est maintenant : demandeur, comité (côté DSI)."
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice committee finance"))
    assert reply == "« finance » n'est pas un côté du comité. Choisissez metier ou dsi."
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo whois alice"))
    assert reply.startswith("Alice Martin : demandeur, comité (côté DSI).")
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice -committee"))
    assert reply == "Alice Martin est maintenant : demandeur."
    reply = text_of(await app.chat.on_text(ALICE, "c", "/pmo role bob pmo"))
    assert "Seuls les administrateurs PMO" in reply
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role bob"))
    assert reply == "Bob Smith : demandeur, DSI."
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role bob securite"))
    assert reply == "Bob Smith est maintenant : demandeur, DSI, relecteur sécurité et RGPD."
    # The side goes with the committee role: granted again, it has none until one is given.
    reply = text_of(await app.chat.on_text(DAN, "c", "/pmo role alice committee"))
    assert "pas encore de côté" in reply


async def test_an_internal_error_gives_a_reference_and_keeps_what_was_typed(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from pmobot.services import intake

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(intake, "mine", broken)
    with caplog.at_level(logging.ERROR):
        replies = await app.chat.on_text(ALICE, "c", "/pmo mes")
    assert len(replies) == 1 and isinstance(replies[0], Notice) and replies[0].level == "error"
    assert "disk on fire" not in replies[0].text and "RuntimeError" not in replies[0].text
    ref = replies[0].text.split("référence ")[1].split(")")[0]
    assert any(ref in record.getMessage() for record in caplog.records)
    async with app.db.session() as session:
        kept = (await session.exec(select(AuditEvent).where(AuditEvent.action == "internal_error"))).one()
    assert kept.detail == {"ref": ref, "typed": "/pmo mes"}


async def test_buttons_and_commands_reach_the_same_use_case(app: App) -> None:
    await _file_one(app)
    reply = text_of(await app.chat.on_action(BOB, "b", "need.claim", "NEED-1"))
    assert "You have claimed NEED-1" in reply
    reply = text_of(await app.chat.on_action(BOB, "b", "need.claim", "NEED-1"))
    assert "Being estimated by IT" in reply
    reply = text_of(await app.chat.on_action(BOB, "b", "need.unknown", "NEED-1"))
    assert "no longer valid" in reply


async def test_estimate_refused_before_the_first_question(app: App) -> None:
    reply = text_of(await app.chat.on_text(ALICE, "c", "/pmo estimer NEED-1"))
    assert "Je ne trouve pas NEED-1" in reply
    assert not await app.chat.in_conversation(ALICE, "c")



async def test_status_offers_the_buttons_this_person_may_press(app: App) -> None:
    from pmobot.messages import Card

    await _file_one(app)
    it_card = (await app.chat.on_text(BOB, "b", "/pmo status NEED-1"))[0]
    owner_card = (await app.chat.on_text(ALICE, "a", "/pmo status NEED-1"))[0]
    assert isinstance(it_card, Card) and isinstance(owner_card, Card)
    assert [a.id for a in it_card.actions] == ["need.claim", "need.ask", "need.estimate"]
    assert owner_card.actions == ()
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    owner_card = (await app.chat.on_text(ALICE, "a", "/pmo status NEED-1"))[0]
    assert [(a.id, a.label) for a in owner_card.actions] == [("need.answer", "Répondre")]


async def test_the_answer_button_opens_a_one_question_conversation(app: App) -> None:
    await _file_one(app)
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    opening = text_of(await app.chat.on_action(ALICE, "a", "need.answer", "NEED-1"))
    assert "Combien de contrats ?" in opening and "Votre réponse" in opening
    # One question, no summary to confirm: the answer goes at once.
    done = text_of(await app.chat.on_text(ALICE, "a", "Environ 300."))
    assert "a été transmise à la DSI" in done
    assert not await app.chat.in_conversation(ALICE, "a")
    refused = text_of(await app.chat.on_action(BOB, "b", "need.answer", "NEED-1"))
    assert refused == "Only the requester of NEED-1 can answer the questions asked about it."


async def test_arriving_says_who_you_are_and_what_waits_on_you(app: App) -> None:
    assert text_of(await app.chat.welcome(ALICE)) == "Vous êtes Alice Martin (demandeur)."
    await _file_one(app)
    assert "1 need waits on IT: /pmo queue" in text_of(await app.chat.welcome(BOB))
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    assert "La DSI attend votre réponse sur NEED-1" in text_of(await app.chat.welcome(ALICE))
    assert "wait on IT" not in text_of(await app.chat.welcome(BOB))


async def test_free_text_while_it_waits_on_you_asks_whether_it_is_the_answer(app: App) -> None:
    await _file_one(app)
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    asked = text_of(await app.chat.on_text(ALICE, "a", "Environ 350 contrats actifs"))
    assert "Une question sur NEED-1 attend votre réponse : Combien de contrats ?" in asked
    assert "Votre message est-il la réponse" in asked
    sent = text_of(await app.chat.on_text(ALICE, "a", "oui"))
    assert "votre réponse sur NEED-1 a été transmise" in sent
    async with app.db.session() as session:
        from pmobot.domain.models import Question

        question = (await session.exec(select(Question))).one()
    assert question.answer == "Environ 350 contrats actifs"


async def test_free_text_that_is_a_new_need_opens_the_intake_with_it(app: App) -> None:
    await _file_one(app)
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    await app.chat.on_text(ALICE, "a", "il nous faut aussi un outil de paie pour 50 personnes")
    opened = text_of(await app.chat.on_text(ALICE, "a", "2"))
    assert "Voici ce que j'ai compris" in opened
    async with app.db.session() as session:
        from pmobot.domain.models import ConversationState, Question

        state = (await session.exec(select(ConversationState))).one()
        question = (await session.exec(select(Question))).one()
    assert state.spec_id == "intake" and state.state["answers"]["users_affected"] == 50
    assert question.answer is None  # nothing was sent to IT


@pytest.mark.parametrize("text, command", [
    ("mine", True), ("mes", True), ("status NEED-3", True), ("statut need-12.", True), ("claim NEED-1", True),
    ("answer NEED-2 the vendor is Acme", True), ("lang en", True), ("aide estimer", True), ("queue", True),
    ("new a contract tracker for 20 people", True), ("role @bob it", True), ("envois relancer 12", True),
    ("mes collègues ont besoin d'un outil de suivi", False), ("my team needs a contract tracker", False),
    ("question sur le budget de l'outil", False), ("file d'attente trop longue au service client", False),
    ("help me describe a need", False), ("hello there", False), ("", False),
])
def test_a_sentence_that_starts_with_a_command_word_is_not_a_command(text: str, command: bool) -> None:
    assert builtin_commands().reads_as_command(text) is command
