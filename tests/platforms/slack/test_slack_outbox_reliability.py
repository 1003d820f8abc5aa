"""Slack's outbox under fault injection, through the real Web API client and a fake Slack:
a rate limit that lasts, a call slower than any timeout, two replicas with a slow API.
Each run checks from the fake's records that every message was posted exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlmodel import select
from support.slack import Call, FakeSlack, SlackHarness, serving

from pmobot.config import Settings
from pmobot.db import Database
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Notice
from pmobot.scheduler import OutboxWorker
from pmobot.services import outbox


async def queue(slack: SlackHarness, channels: list[str]) -> list[str]:
    """One notice per channel (in this order); their texts, which say which message each is."""
    texts = []
    async with slack.app.db.session() as session:
        for i, channel in enumerate(channels):
            texts.append(f"message {i} for {channel}")
            await outbox.enqueue(session, core=slack.app.core, key=f"test:{i}", platform="slack",
                                 target_kind="channel", target=channel, message=Notice(texts[-1]))
    return texts


async def statuses(slack: SlackHarness) -> Counter[str]:
    async with slack.app.db.session() as session:
        return Counter(r.status for r in (await session.exec(select(OutboxMessage))).all())


def posted_once(fake: FakeSlack, texts: list[str]) -> bool:
    posted = Counter(str(args.get("text")) for args in fake.posted())
    return all(posted[text] == 1 for text in texts) and sum(posted.values()) == len(texts)


async def test_a_rate_limit_that_lasts_delivers_everything_once_without_a_retry_by_hand(slack: SlackHarness) -> None:
    # Slack answers 429 "Retry-After: 3" to the next 30 posts: a minute and a half of rate limit.
    slack.fake.fail("chat.postMessage", 429, "ratelimited", {"Retry-After": "3"}, times=30)
    texts = await queue(slack, ["C001", "C002", "C003"])
    for _ in range(200):
        await slack.worker.run_once(slack.clock.now())
        if (await statuses(slack))["sent"] == len(texts):
            break
        slack.clock.advance(seconds=1)
    assert await statuses(slack) == Counter(sent=3)
    assert posted_once(slack.fake, texts)


async def test_the_web_api_session_carries_the_timeout(slack: SlackHarness) -> None:
    timeout = slack.platform.clients.http().timeout
    assert timeout.total == slack.app.settings.api_timeout_seconds == 10


async def test_a_call_slower_than_the_timeout_is_retried_and_does_not_hold_the_others(
        slack_settings: Settings, fake_slack: FakeSlack, clock) -> None:  # type: ignore[no-untyped-def]
    fake_slack.stalled["CSLOW"] = 1  # the first post to CSLOW is never answered
    settings = slack_settings.model_copy(update={"api_timeout_seconds": 0.3})
    async with serving(settings, fake=fake_slack, clock=clock) as slack:
        texts = await queue(slack, ["CSLOW", "C001", "C002"])
        # Bounded, so that a call without a timeout fails the test instead of hanging it.
        assert await asyncio.wait_for(slack.worker.run_once(clock.now()), timeout=20) == 2
        async with slack.app.db.session() as session:
            slow = (await session.exec(select(OutboxMessage).where(OutboxMessage.target == "CSLOW"))).one()
        assert slow.status == "pending" and slow.attempts == 1 and "Timeout" in (slow.last_error or "")
        clock.set(slow.next_attempt_at)
        assert await slack.worker.run_once(clock.now()) == 1
        assert posted_once(fake_slack, texts)


# Replicas need PostgreSQL (on SQLite one process runs everything): collected for the PostgreSQL leg only.
@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_two_replicas_with_a_slow_api_post_each_message_once(slack: SlackHarness) -> None:

    async def slow(call: Call) -> None:
        if call.method == "chat.postMessage":
            slack.clock.advance(seconds=50)  # each post takes 50 s: a batch outlives its 2-minute lease

    slack.fake.on_call = slow
    texts = await queue(slack, [f"C{i % 7:03d}" for i in range(40)])
    replica = Database(slack.app.settings.database_url)
    workers = [slack.worker, OutboxWorker(db=replica, deliverers=slack.app.deliverers, clock=slack.clock, batch=10)]

    async def keep_delivering(worker: OutboxWorker) -> None:
        for _ in range(200):
            await worker.run_once(slack.clock.now())
            if (await statuses(slack))["sent"] == len(texts):
                return
            await asyncio.sleep(0)  # let the other replica in; no time passes

    try:
        await asyncio.gather(*(keep_delivering(w) for w in workers))
    finally:
        await replica.dispose()
    assert await statuses(slack) == Counter(sent=len(texts))
    assert posted_once(slack.fake, texts)
