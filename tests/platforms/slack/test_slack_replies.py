"""Slack: a reply in the DM thread of a notification about a need goes to that need."""

from __future__ import annotations

from sqlmodel import col, select
from support.slack import SlackHarness
from support.slack_flows import file_need, make_it

from pmobot.domain.models import OutboxMessage, Question


async def test_a_reply_in_the_thread_of_a_notification_asks_it_about_that_need(slack: SlackHarness) -> None:
    await make_it(slack)
    await file_need(slack)
    await slack.command("UBOB", "claim NEED-1")
    await slack.settle()
    async with slack.app.db.session() as session:
        claimed = (await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.key).startswith("claimed:NEED-1")))).one()
    assert claimed.status == "sent" and claimed.platform_message_id
    channel, ts = claimed.platform_message_id.split(":")
    before = len(slack.fake.of("chat.postMessage"))
    await slack.event({"type": "message", "channel_type": "im", "channel": channel, "user": "UALICE",
                       "text": "Vous aurez besoin de nos contrats types ?", "ts": "1764147999.000001",
                       "thread_ts": ts}, event_id="EvReply1")
    await slack.settle()
    posted = slack.fake.of("chat.postMessage")[before:]
    in_thread = [c for c in posted if c["channel"] == channel and c.get("thread_ts") == ts]
    assert in_thread and "NEED-1" in in_thread[0]["text"]
    async with slack.app.db.session() as session:
        (question,) = (await session.exec(select(Question))).all()
    assert question.addressee == "it" and question.text == "Vous aurez besoin de nos contrats types ?"
    # Bob, who claimed it, is told in his DM.
    assert any(c["channel"] == "UBOB" and "contrats types" in str(c.get("blocks")) for c in posted)
    # And IT, in the thread of the need's card in the IT channel.
    assert any(c["channel"] == "C0IT" and c.get("thread_ts") and "contrats types" in c["text"] for c in posted)
