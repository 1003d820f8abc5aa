"""Teams activities go through the inbound queue: stored and answered 202 at once, worked after by
an inbound worker, exactly once, in order per conversation; a failure is tried again, a crash loses nothing.

The real botbuilder code and the fake Bot Connector; run on SQLite and, in the PostgreSQL leg, on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import func, select
from support.faults import FailsOnce
from support.teams import FakeMicrosoft, TeamsHarness, card_text
from support.teams_flows import ALICE, BOB

from pmobot.domain.models_inbound import InboundRequest
from pmobot.i18n import t
from pmobot.services import intake

INTERNAL_ERROR = t("fr", "chat.internal_error", ref="")[:20]


async def _rows(teams: TeamsHarness, status: str | None = None) -> int:
    query = select(func.count()).select_from(InboundRequest).where(InboundRequest.platform == "teams")
    if status is not None:
        query = query.where(InboundRequest.status == status)
    async with teams.app.db.session() as session:
        return int((await session.exec(query)).one())


async def test_a_message_is_stored_and_answered_before_its_work_then_worked_once(teams, fake) -> None:  # type: ignore[no-untyped-def]
    status, _ = await teams.post(teams.personal(ALICE, "aide"), work=False)
    # Acknowledged with nothing done: no reply yet, the activity waits in the queue.
    assert status == 202 and fake.cards_to(ALICE.chat) == [] and await _rows(teams, "pending") == 1
    assert await teams.work() == 1
    assert len(fake.cards_to(ALICE.chat)) == 1 and await _rows(teams, "done") == 1
    assert await teams.work() == 0 and len(fake.cards_to(ALICE.chat)) == 1


async def test_an_activity_delivered_twice_is_worked_once(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    message = teams.personal(ALICE, "aide")
    assert (await teams.post(message, work=False))[0] == 202
    assert (await teams.post(message, work=False))[0] == 202  # the Bot Connector retries: acknowledged again
    assert await _rows(teams) == 1
    await teams.work()
    assert len(fake.cards_to(ALICE.chat)) == 1
    # Delivered again after it was worked: recognised, nothing more is said.
    await teams.post(message)
    assert len(fake.cards_to(ALICE.chat)) == 1 and await _rows(teams) == 1


async def test_a_failure_after_storing_is_tried_again_and_answered_once(teams, fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    mine = FailsOnce(intake.mine)
    monkeypatch.setattr(intake, "mine", mine)
    message = teams.personal(ALICE, "mes")
    status, _ = await teams.post(message)
    # It failed in the worker: nothing said (no apology either), the activity kept for a retry.
    assert status == 202 and fake.cards_to(ALICE.chat) == [] and await _rows(teams, "pending") == 1
    await teams.post(message)  # redelivered meanwhile: not stored twice
    teams.clock.advance(seconds=5)  # the retry is due
    assert await teams.work() == 1
    answered = [card_text(c) for c in fake.cards_to(ALICE.chat)]
    assert len(answered) == 1 and INTERNAL_ERROR not in answered[0] and mine.calls == 2
    await teams.post(message)
    assert len(fake.cards_to(ALICE.chat)) == 1 and await _rows(teams, "done") == 1


async def test_a_stored_activity_survives_a_restart_and_is_worked_once(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await teams.post(teams.personal(ALICE, "aide"), work=False)
    restarted = await teams.restart()  # the process dies right after answering Teams
    try:
        assert await restarted.work() == 1 and len(fake.cards_to(ALICE.chat)) == 1
        assert await restarted.work() == 0 and len(fake.cards_to(ALICE.chat)) == 1
    finally:
        await restarted.stop()


async def test_activities_of_a_conversation_are_worked_in_order_even_when_one_fails(teams, fake,  # type: ignore[no-untyped-def]
                                                                                   monkeypatch) -> None:
    bot = teams.platform.bot
    real = bot.route_text
    worked: list[tuple[str, str]] = []
    failed: list[str] = []

    async def route_text(turn_context: Any, text: str) -> Any:
        who = turn_context.activity.from_property.id
        if text == "aide" and who == ALICE.id and not failed:
            failed.append(text)
            raise RuntimeError("injected failure")  # Alice's first message fails once
        answer = await real(turn_context, text)
        worked.append((who, text))
        return answer

    monkeypatch.setattr(bot, "route_text", route_text)
    for who, text in ((ALICE, "aide"), (BOB, "aide"), (ALICE, "mes"), (BOB, "mes"), (ALICE, "file")):
        await teams.post(teams.personal(who, text), work=False)
    await teams.work()
    # Bob's conversation went on; Alice's waits behind her first message until it is worked.
    assert worked == [(BOB.id, "aide"), (BOB.id, "mes")]
    teams.clock.advance(seconds=5)
    await teams.work()
    assert [text for who, text in worked if who == ALICE.id] == ["aide", "mes", "file"]
    assert await _rows(teams, "done") == 5
