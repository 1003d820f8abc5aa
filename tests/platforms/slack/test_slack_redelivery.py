"""A request whose handling failed is handled when Slack delivers it again, and only once.

The repeated-delivery marker is written in the same transaction as the work it
guards (``services.inbound``): a failure rolls both back, so the next delivery
is not taken for a repeat. Run on SQLite and, in the PostgreSQL leg, on PostgreSQL.
"""

from __future__ import annotations

from sqlmodel import col, func, select
from support.faults import FailsOnce
from support.slack import SlackHarness, slash_body
from support.slack_flows import INTAKE, texts

from pmobot.adapters.slack.acks import AS_IT_CAME
from pmobot.domain.models import InboundDelivery, Need
from pmobot.domain.models_inbound import InboundRequest
from pmobot.i18n import t
from pmobot.services import duplicates, intake

INTERNAL_ERROR = t("fr", "chat.internal_error", ref="")[:20]


async def _needs(slack: SlackHarness) -> int:
    async with slack.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(Need))).one())


async def _worked(slack: SlackHarness) -> int:
    """The queued requests whose work is kept; each queued request's row is the record of its delivery, so
    the core keeps no other (no ``InboundDelivery`` marker)."""
    async with slack.app.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(InboundDelivery))).one() == 0
        return len((await session.exec(select(InboundRequest).where(
            col(InboundRequest.status).in_(("answering", "done"))))).all())


async def test_a_submission_whose_work_failed_is_worked_again_by_the_queue_and_once(slack: SlackHarness,
                                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await slack.command("UALICE", "nouveau")
    await slack.settle()
    view = slack.opened_view()
    opened = await _worked(slack)  # the command that opened the form
    # The intake form's completion (dialogs/hooks.py: submit_need) files the need through this service.
    submit = FailsOnce(duplicates.file_need)
    monkeypatch.setattr(duplicates, "file_need", submit)
    answers = {**INTAKE, "personal_data": "no"}
    received = await slack.submitted("UALICE", view, answers)
    # Its work failed in the worker: the modal still says "received", nothing kept, no apology.
    assert INTERNAL_ERROR not in texts(received["view"]["blocks"]) and received["view"]["callback_id"] == "pmobot.done"
    assert await _needs(slack) == 0 and await _worked(slack) == opened
    # Alice sends the same modal again meanwhile: the same request, stored once.
    again = await slack.submit("UALICE", view, answers)
    assert again.status == 200
    slack.clock.advance(seconds=5)  # the queue's retry is due
    await slack.settle(deliver=False)
    assert "NEED-1" in texts(slack.opened_view()["blocks"]) and await _needs(slack) == 1
    assert submit.calls == 2 and await _worked(slack) == opened + 1


async def test_an_event_whose_handling_failed_is_worked_again_by_the_queue_and_answered_once(
        slack: SlackHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    mine = FailsOnce(intake.mine)
    monkeypatch.setattr(intake, "mine", mine)
    event = {"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE", "text": "mes",
             "ts": "1764147601.000200"}

    async def replies() -> list[str]:
        await slack.settle()
        return [texts(c.get("blocks") or []) + (c.get("text") or "")
                for c in slack.fake.of("chat.postMessage") if c["channel"] == "DALICE"]

    await slack.event(event, event_id="EvFails1")
    # It failed: nothing answered, nothing kept of its work, the request kept in the queue for a retry.
    assert await replies() == [] and await _worked(slack) == 0
    # Slack delivers it again meanwhile: a repeat, not stored twice.
    await slack.event(event, event_id="EvFails1", retry=1)
    slack.clock.advance(seconds=5)  # the queue's retry is due
    answered = await replies()
    assert len(answered) == 1 and INTERNAL_ERROR not in answered[-1]
    await slack.event(event, event_id="EvFails1", retry=2)
    assert len(await replies()) == 1 and mine.calls == 2 and await _worked(slack) == 1


async def test_a_command_is_stored_as_it_came_and_its_failed_work_is_tried_again_through_bolt_once(
        slack: SlackHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    mine = FailsOnce(intake.mine)
    monkeypatch.setattr(intake, "mine", mine)
    body = slash_body(user="UALICE", text="mes", response_url=slack.fake.hook_url("mine"))
    response = await slack.send(body)
    # Acknowledged with nothing run but the check and the store: the request is kept as it came.
    assert response.status == 200 and mine.calls == 0
    async with slack.app.db.session() as session:
        [row] = (await session.exec(select(InboundRequest))).all()
    assert row.kind == AS_IT_CAME and row.body["raw"] == body and row.status == "pending"
    # The worker dispatches it through bolt, whose listener works it: it fails, and is kept for a retry.
    await slack.settle()
    assert mine.calls == 1 and slack.fake.hooks["mine"] == 0
    # Slack sends the same command again meanwhile (its retry): the same request, stored once.
    assert (await slack.send(body)).status == 200
    slack.clock.advance(seconds=5)  # the queue's retry is due
    await slack.settle()
    assert mine.calls == 2 and slack.fake.hooks["mine"] == 1
    async with slack.app.db.session() as session:
        assert [r.status for r in (await session.exec(select(InboundRequest))).all()] == ["done"]
