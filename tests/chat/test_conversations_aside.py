"""Starting another conversation keeps the one in progress, and "cancel" asks before dropping much."""

from __future__ import annotations

from sqlmodel import col, select
from support.dialogs import answer_dialog

from pmobot.app import App, create_app
from pmobot.config import Settings
from pmobot.domain.models import ConversationState, Need
from pmobot.messages import Message, Prompt
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
BOB = Identity(platform="console", external_id="bob", display_name="Bob Smith", handle="bob")


def text_of(messages: list[Message]) -> str:
    return "\n".join(getattr(m, "text", "") or getattr(m, "title", "") for m in messages)


async def _rows(app: App) -> list[ConversationState]:
    async with app.db.session() as session:
        return list((await session.exec(select(ConversationState).order_by(col(ConversationState.id)))).all())


async def _alice_starts_an_intake(app: App, *, until: str) -> None:
    async def say(text: str) -> None:
        await app.chat.on_text(ALICE, "a", text)

    await say("/pmo new")
    await answer_dialog(app, platform="console", external_id="alice", say=say, until=until, answers={
        "title": "Suivi des contrats", "problem": "Tout est dans Excel, on perd des contrats.",
        "benefits": "Moins d'oublis", "department": "1", "users_affected": "20", "personal_data": "non",
        "external_vendor": "non",
    })


async def _file_and_claim(app: App) -> None:
    await _alice_starts_an_intake(app, until="")
    await app.chat.on_text(ALICE, "a", "1")
    await app.chat.on_text(BOB, "b", "/pmo claim NEED-1")


async def test_a_new_intake_puts_the_one_in_progress_aside_and_it_comes_back(app: App) -> None:
    await _alice_starts_an_intake(app, until="department")
    second = text_of(await app.chat.on_text(ALICE, "a", "/pmo nouveau un outil de paie pour 50 personnes"))
    assert "Mis de côté, rien n'est perdu : Nouveau besoin · « Suivi des contrats » (3 sur" in second
    aside, front = sorted(await _rows(app), key=lambda r: r.parked_at is None)
    assert aside.parked_at is not None and aside.state["answers"]["problem"].startswith("Tout est dans Excel")
    assert front.parked_at is None and front.state["answers"]["users_affected"] == 50
    # Cancelling the second (nothing typed in it yet) brings the first back where it was.
    back = text_of(await app.chat.on_text(ALICE, "a", "annuler"))
    assert "est annulé" in back and "Retour à Nouveau besoin · « Suivi des contrats »" in back
    assert back.endswith("Quelle direction porte la demande ?")  # the department question, asked again
    (row,) = await _rows(app)
    assert row.parked_at is None and row.state["current"] == "department"


async def test_asking_the_requester_in_the_middle_of_an_estimate_comes_back_to_it(app: App) -> None:
    await _file_and_claim(app)

    async def bob(text: str) -> list[Message]:
        return await app.chat.on_text(BOB, "b", text)

    await bob("/pmo estimate NEED-1")
    await answer_dialog(app, platform="console", external_id="bob", say=bob, until="cost",
                        answers={"effort_low": "5", "effort_likely": "8", "effort_high": "13"})
    asking = text_of(await bob("/pmo ask NEED-1"))
    assert "Put aside, nothing lost: Estimate · NEED-1 (3 of" in asking and "What would you like to ask?" in asking
    sent = text_of(await bob("Which contracts: sales only, or purchasing too?"))
    assert "was sent to Alice Martin" in sent
    assert "Back to Estimate · NEED-1, put aside earlier (3 of" in sent and "cost" in sent.lower()
    (row,) = await _rows(app)
    assert row.spec_id == "estimate" and row.state["answers"]["effort_high"] == 13


async def test_resume_switches_and_the_same_dialog_is_picked_up_not_copied(app: App) -> None:
    await _file_and_claim(app)
    await app.chat.on_text(BOB, "b", "/pmo estimate NEED-1")
    await app.chat.on_text(BOB, "b", "5")
    await app.chat.on_text(BOB, "b", "/pmo new a payroll tool for fifty people in the plant")
    switched = text_of(await app.chat.on_text(BOB, "b", "/pmo resume"))
    assert "Put aside, nothing lost: New need" in switched and "Back to Estimate · NEED-1" in switched
    again = text_of(await app.chat.on_text(BOB, "b", "/pmo estimate NEED-1"))
    assert "You are already in Estimate · NEED-1 (1 of" in again
    await app.chat.on_text(BOB, "b", "/pmo resume")  # the intake in front, the estimate aside
    picked = text_of(await app.chat.on_text(BOB, "b", "/pmo estimate NEED-1"))
    assert "Back to Estimate · NEED-1" in picked
    assert sorted(r.spec_id for r in await _rows(app)) == ["estimate", "intake"]
    assert "no conversation number 5" in text_of(await app.chat.on_text(BOB, "b", "/pmo resume 5"))


async def test_what_is_put_aside_is_seen_by_another_replica(app: App, settings: Settings, clock) -> None:  # type: ignore[no-untyped-def]
    await _alice_starts_an_intake(app, until="department")
    await app.chat.on_text(ALICE, "a", "/pmo nouveau un outil de paie pour 50 personnes")
    await app.chat.on_text(ALICE, "a", "annuler")
    await app.chat.on_text(ALICE, "a", "/pmo nouveau un outil de paie pour 50 personnes")
    other = create_app(settings, clock=clock)
    try:
        await other.prepare(migrate=False, seed_demo=False)
        resumed = text_of(await other.chat.resume(ALICE, "a"))
        assert "Reprenons « Nouveau besoin »" in resumed
        back = text_of(await other.chat.on_text(ALICE, "a", "/pmo reprendre"))
        assert "Retour à Nouveau besoin · « Suivi des contrats »" in back
    finally:
        await other.close()


async def test_nothing_in_front_says_what_waits_aside(app: App) -> None:
    await _alice_starts_an_intake(app, until="department")
    async with app.db.session() as session:
        row = (await session.exec(select(ConversationState))).one()
        row.parked_at = row.updated_at
        session.add(row)
    waiting = text_of(await app.chat.resume(ALICE, "a"))
    assert "Mis de côté dans cette conversation" in waiting and "1. Nouveau besoin · « Suivi des contrats »" in waiting
    assert text_of(await app.chat.on_text(BOB, "b", "/pmo resume")) == "You have no conversation put aside."


async def test_cancel_asks_first_when_more_than_two_answers_would_be_lost(app: App) -> None:
    await _alice_starts_an_intake(app, until="department")
    asked = await app.chat.on_text(ALICE, "a", "annuler")
    assert isinstance(asked[-1], Prompt)
    assert asked[-1].text.startswith("Annuler « Nouveau besoin » ? Les 3 réponses que vous avez tapées")
    kept = text_of(await app.chat.on_text(ALICE, "a", "non"))
    assert "Pas d'annulation" in kept
    (row,) = await _rows(app)
    assert row.state["current"] == "department" and len(row.state["answers"]) == 3
    await app.chat.on_text(ALICE, "a", "annuler")
    # After a restart the confirmation is asked again, not forgotten.
    assert "Annuler « Nouveau besoin » ?" in text_of(await app.chat.resume(ALICE, "a"))
    done = text_of(await app.chat.on_text(ALICE, "a", "oui"))
    assert "est annulé" in done and await _rows(app) == []


async def test_cancel_is_one_step_when_little_is_lost(app: App) -> None:
    await _alice_starts_an_intake(app, until="benefits")
    assert "est annulé" in text_of(await app.chat.on_text(ALICE, "a", "annuler"))
    assert await _rows(app) == []
    async with app.db.session() as session:
        assert (await session.exec(select(Need))).all() == []
