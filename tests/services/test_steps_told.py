"""A step someone else takes on a need is told to its requester with the reason;
the status shows every step (each estimate version) with who took it and why;
questions close with the need; refusals list only what this person may do."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Card
from pmobot.services import estimation, export, intake, needs, people
from pmobot.services.errors import Forbidden
from pmobot.services.people import Actor

ESTIMATE = {"effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
            "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": False,
            "notes": None}


async def as_(session: Any, app: App, login: str) -> Actor:
    person = await people.find_by_platform_id(session, platform="console", user_id=login)
    assert person is not None
    return await people.actor_for(session, core=app.core, person=person)


async def file_need(app: App) -> str:
    async with app.db.session() as session:
        need, _ = await intake.submit_need(
            session, core=app.core, actor=await as_(session, app, "alice"),
            answers={"title": "Contract tracker", "problem": "Spreadsheets."},
            source_platform="console", source_conversation="console:dm:alice",
        )
        return need.key


async def to(app: App, login: str) -> list[str]:
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == login)
                                   .order_by(col(OutboxMessage.id)))).all()
    return [str(r.payload.get("text") or r.payload.get("title")) for r in rows]


async def status_card(app: App, key: str, login: str) -> Card:
    async with app.db.session() as session:
        card = (await intake.status(session, core=app.core, actor=await as_(session, app, login), key=key))[0]
    assert isinstance(card, Card)
    return card


def field(card: Card, label: str) -> str:
    return next((f.value for f in card.fields if f.label == label), "")


async def test_a_withdrawal_by_the_pmo_is_told_to_the_requester_with_its_reason_and_closes_questions(
    app: App,
) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        await estimation.ask(session, core=app.core, actor=await as_(session, app, "bob"), key=key,
                             text="How many people?")
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await as_(session, app, "dan"), key=key,
                              reason="Doublon de NEED-0")
    # Alice reads French: told who withdrew it, and why.
    told = (await to(app, "alice"))[-1]
    assert told.startswith(f"Dan Dupont a retiré {key} (Contract tracker)") and "Motif : Doublon de NEED-0" in told
    # Bob, who asked, is told too, with the reason, in English.
    told_bob = (await to(app, "bob"))[-1]
    assert "Dan Dupont withdrew" in told_bob and "Reason: Doublon de NEED-0" in told_bob
    card = await status_card(app, key, "alice")
    assert card.subtitle == "Retiré"
    assert field(card, "Question en attente") == ""  # the question closed with the need
    assert "Dan Dupont · Motif : Doublon de NEED-0" in field(card, "Historique")
    async with app.db.session() as session:
        row = (await export.needs(session, core=app.core))[0]
    assert (row["questions_open"], row["withdrawal_reason"]) == (0, "Doublon de NEED-0")
    questions = row["questions"]
    assert isinstance(questions, list)
    question = questions[0]
    assert question["answered_at"] is None and question["closed_at"] == row["withdrawn_at"]


async def test_a_requester_withdrawing_their_own_need_gets_no_notice_about_it(app: App) -> None:
    key = await file_need(app)
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await as_(session, app, "alice"), key=key, reason="")
    assert await to(app, "alice") == []


async def test_the_history_shows_every_estimate_version(app: App) -> None:
    key = await file_need(app)
    for _ in range(2):
        async with app.db.session() as session:
            await estimation.record_estimate(session, core=app.core, actor=await as_(session, app, "bob"),
                                             key=key, answers=ESTIMATE)
    history = field(await status_card(app, key, "alice"), "Historique").splitlines()
    assert [line.split(" : ", 1)[1] for line in history] == [
        "Brouillon · Alice Martin", "Soumis, en attente de la DSI · Alice Martin",
        "Estimé · Bob Smith · estimation v1", "Estimé · Bob Smith · estimation v2",
    ]


@pytest.mark.parametrize(("login", "step", "allowed", "not_allowed"), [
    # IT waits on the requester: nothing is IT's to do, and IT is not told to answer or withdraw.
    ("bob", "claim", "nothing for you at this stage", ("answer", "withdraw")),
    ("alice", "answer", "withdraw", ("claim", "estimate", "ask")),
])
async def test_a_refusal_lists_only_what_this_person_may_do(
    app: App, login: str, step: str, allowed: str, not_allowed: tuple[str, ...]
) -> None:
    key = await file_need(app)
    if step == "claim":
        async with app.db.session() as session:
            await estimation.ask(session, core=app.core, actor=await as_(session, app, "bob"), key=key, text="Who?")
    async with app.db.session() as session:
        actor = await as_(session, app, login)
        need = await needs.get_visible(session, actor=actor, key=key)
        with pytest.raises(Forbidden) as refused:
            await needs.check_step(session, actor, need, step)
    text = refused.value.message("en")
    possible = text.split("Possible from there: ", 1)[1]
    assert allowed in possible and not any(word in possible for word in not_allowed), text
