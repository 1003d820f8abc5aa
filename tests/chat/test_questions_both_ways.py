"""The requester asks IT about their need, IT answers; a reply to a notification goes to its need;
"cancel" is never taken for an answer to IT."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select
from support.dialogs import file_sample_need

from pmobot.app import App
from pmobot.domain.models import ConversationState, Need, OutboxMessage, Question
from pmobot.messages import Message
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")


def text_of(messages: list[Message]) -> str:
    return "\n".join(getattr(m, "text", "") or getattr(m, "title", "") for m in messages)


async def _file_and_claim(app: App) -> None:
    await file_sample_need(app, ALICE)
    await app.chat.on_text(BOB, "b", "/pmo claim NEED-1")


async def _questions(app: App) -> list[Question]:
    async with app.db.session() as session:
        return list((await session.exec(select(Question).order_by(col(Question.id)))).all())


async def _outbox(app: App, prefix: str) -> list[OutboxMessage]:
    async with app.db.session() as session:
        rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith(prefix)))
        return list(rows.all())


async def _status(app: App) -> str:
    async with app.db.session() as session:
        return (await session.exec(select(Need))).one().status


async def test_the_requester_asks_it_and_it_answers(app: App, console: object) -> None:
    # (``console``: the console is attached, so the IT channel exists and threads are posted.)
    await _file_and_claim(app)
    sent = text_of(await app.chat.on_text(ALICE, "a", "/pmo demander NEED-1 Quand aurez-vous une estimation ?"))
    assert sent == ("Votre question sur NEED-1 a été envoyée à Bob Smith. "
                    "Vous serez prévenu de la réponse de la DSI.")
    (question,) = await _questions(app)
    assert question.addressee == "it" and question.answer is None
    assert await _status(app) == "estimating"  # a question to IT pauses nothing
    to_bob = await _outbox(app, "question-to-it:")
    assert {(r.target_kind, r.thread_key) for r in to_bob} == {("person", None), ("channel", "card:NEED-1@console")}
    dm = next(r for r in to_bob if r.target_kind == "person")
    assert dm.target == "bob" and dm.subject == "NEED-1" and "Quand aurez-vous" in dm.payload["body"]
    answered = text_of(await app.chat.on_text(BOB, "b", "/pmo answer NEED-1 By Friday."))
    assert answered == "Your answer about NEED-1 was sent to Alice Martin."
    (question,) = await _questions(app)
    assert question.answer == "By Friday." and question.answered_at is not None
    (to_alice,) = [r for r in await _outbox(app, "answer-from-it:") if r.target_kind == "person"]
    assert to_alice.target == "alice" and to_alice.payload["body"] == "By Friday."


async def test_the_ask_button_and_the_answer_button_work_for_both_sides(app: App) -> None:
    await _file_and_claim(app)
    opening = text_of(await app.chat.on_text(ALICE, "a", "/pmo ask NEED-1"))
    assert "Que souhaitez-vous demander ?" in opening
    await app.chat.on_text(ALICE, "a", "Faut-il lister les fournisseurs ?")
    opening = text_of(await app.chat.on_action(BOB, "b", "need.answer", "NEED-1"))
    assert "Faut-il lister les fournisseurs ?" in opening
    assert "was sent to Alice Martin" in text_of(await app.chat.on_text(BOB, "b", "Yes, the main ten."))


async def test_a_requester_cannot_ask_about_a_closed_need_or_someone_elses(app: App) -> None:
    await _file_and_claim(app)
    await app.chat.on_text(ALICE, "a", "/pmo retirer NEED-1 plus utile")
    refused = text_of(await app.chat.on_text(ALICE, "a", "/pmo demander NEED-1 Et maintenant ?"))
    assert refused.startswith("NEED-1 est ") and refused.endswith(": les questions à son sujet sont closes.")
    assert await _questions(app) == []


async def test_cancel_while_it_waits_is_never_offered_as_an_answer(app: App) -> None:
    await _file_and_claim(app)
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    for word in ("annuler", "cancel", "Retour", "passer"):
        reply = text_of(await app.chat.on_text(ALICE, "a", word))
        assert "sert pendant une conversation, et aucune n'est en cours : rien n'a été envoyé" in reply
        assert "Votre message est-il la réponse" not in reply
    async with app.db.session() as session:
        assert (await session.exec(select(ConversationState))).all() == []
    refused = text_of(await app.chat.on_text(ALICE, "a", "/pmo repondre NEED-1 annuler"))
    assert "n'est pas envoyé comme réponse" in refused
    (question,) = await _questions(app)
    assert question.answer is None and await _status(app) == "needs_info"


async def _delivered(app: App, key: str, platform_id: str) -> None:
    """As the outbox worker would record it once the platform took the message."""
    async with app.db.session() as session:
        await session.exec(update(OutboxMessage).where(col(OutboxMessage.key) == key)  # type: ignore[call-overload]
                           .values(status="sent", platform_message_id=platform_id))


async def test_a_reply_to_a_notification_goes_to_its_need_even_mid_dialog(app: App) -> None:
    await _file_and_claim(app)
    await _delivered(app, "claimed:NEED-1:2", "console-7")
    await app.chat.on_text(ALICE, "a", "/pmo nouveau un outil de paie pour 50 personnes")
    sent = text_of(await app.chat.on_text(ALICE, "a", "Merci ! Vous avez besoin de nos contrats types ?",
                                          reply_to="console-7"))
    assert "Votre question sur NEED-1 a été envoyée à Bob Smith" in sent
    (question,) = await _questions(app)
    assert question.addressee == "it" and question.text.startswith("Merci !")
    async with app.db.session() as session:
        (row,) = (await session.exec(select(ConversationState))).all()
    # The intake in front took nothing of it.
    assert row.spec_id == "intake" and "Merci" not in str(row.state["answers"]) and not row.state["rejected"]
    # When IT waits on the requester, the reply to that notification is the answer.
    await app.chat.on_text(BOB, "b", "/pmo ask NEED-1 Combien de contrats ?")
    await _delivered(app, "question:2", "console-9")
    answered = text_of(await app.chat.on_text(ALICE, "a", "Environ 300.", reply_to="console-9"))
    assert "votre réponse sur NEED-1 a été transmise" in answered and await _status(app) == "estimating"
    # A reply to a message about no need is an ordinary message.
    assert "Bonjour" in text_of(await app.chat.on_text(ALICE, "z", "bonjour", reply_to="console-unknown"))


async def test_it_replying_to_the_requesters_question_answers_it(app: App) -> None:
    await _file_and_claim(app)
    await app.chat.on_text(ALICE, "a", "/pmo demander NEED-1 Quand aurez-vous une estimation ?")
    (dm,) = [r for r in await _outbox(app, "question-to-it:") if r.target_kind == "person"]
    await _delivered(app, dm.key, "console-11")
    answered = text_of(await app.chat.on_text(BOB, "b", "Friday.", reply_to="console-11"))
    assert answered == "Your answer about NEED-1 was sent to Alice Martin."


async def test_without_a_thread_a_question_after_a_notification_asks_whether_it_is_about_it(app: App) -> None:
    await _file_and_claim(app)  # Alice's last notification: Bob claimed NEED-1
    asked = text_of(await app.chat.on_text(ALICE, "a", "Combien de temps pour l'estimation ?"))
    assert "Mon dernier message était au sujet de NEED-1 (Suivi des contrats)" in asked
    assert "Votre message concerne-t-il ce besoin ?" in asked
    sent = text_of(await app.chat.on_text(ALICE, "a", "oui"))
    assert "Votre question sur NEED-1 a été envoyée à Bob Smith" in sent
    (question,) = await _questions(app)
    assert question.text == "Combien de temps pour l'estimation ?"
    # A question that is a new need: the person says so, and the intake opens with it.
    await app.chat.on_text(ALICE, "a", "Est-ce que la DSI pourrait nous faire un outil de paie ?")
    opened = text_of(await app.chat.on_text(ALICE, "a", "non"))
    assert "Nouveau besoin" in opened or "Voici ce que j'ai compris" in opened
    async with app.db.session() as session:
        (row,) = (await session.exec(select(ConversationState))).all()
    assert row.spec_id == "intake"


async def test_without_a_thread_a_plain_sentence_is_still_a_new_need(app: App) -> None:
    await _file_and_claim(app)
    opened = text_of(await app.chat.on_text(ALICE, "a", "il nous faut un outil de paie pour 50 personnes"))
    assert "Mon dernier message" not in opened and "Voici ce que j'ai compris" in opened
