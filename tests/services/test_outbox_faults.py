"""The outbox under faults: rate limits waited out, a time budget instead of a count of
quick attempts, the actual send time recorded, leases and pace checked before each send
(also across workers on PostgreSQL)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlmodel import select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.db import Database
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Card
from pmobot.scheduler import Delivery, OutboxWorker, RateLimit, RetryLater
from pmobot.services import outbox


class Fake:
    """A deliverer that fails as scripted, records what went, and can run ``during`` each send."""

    def __init__(self, *failures: Exception, limits: tuple[RateLimit, ...] = (),
                 during: Callable[[Delivery], Awaitable[None]] | None = None) -> None:
        self.failures = list(failures)
        self.limits = limits
        self.during = during
        self.sent: list[Delivery] = []
        self.tries = 0

    async def deliver(self, delivery: Delivery) -> str | None:
        self.tries += 1
        if self.during is not None:
            await self.during(delivery)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)
        return f"m{len(self.sent)}"


async def queue(app: App, key: str, *, target: str = "C1") -> None:
    async with app.db.session() as session:
        await outbox.enqueue(session, core=app.core, key=key, platform="test", target_kind="channel", target=target,
                             message=Card(title=key))


async def rows(db: Database) -> dict[str, OutboxMessage]:
    async with db.session() as session:
        return {r.key: r for r in (await session.exec(select(OutboxMessage))).all()}


def rate_limited(seconds: float = 3) -> RetryLater:
    return RetryLater("HTTP 429", retry_after=seconds, rate_limited=True)


async def test_a_rate_limit_is_waited_out_however_long_it_lasts(app: App, clock: FrozenClock) -> None:
    # Slack says "Retry-After: 3" for a minute and a half: thirty refusals, then the message goes.
    fake = Fake(*(rate_limited() for _ in range(30)))
    app.deliverers["test"] = fake
    worker = app.worker()
    await queue(app, "k")
    for _ in range(40):
        await worker.run_once(clock.now())
        clock.advance(seconds=3)
    row = (await rows(app.db))["k"]
    assert (row.status, row.attempts, len(fake.sent)) == ("sent", 1, 1)
    assert fake.tries == 31


async def test_one_rate_limit_holds_the_rest_of_the_batch_back(app: App, clock: FrozenClock) -> None:
    fake = Fake(rate_limited(3))
    app.deliverers["test"] = fake
    for i in range(5):
        await queue(app, f"k{i}", target=f"C{i}")
    await app.worker().run_once(clock.now())
    assert fake.tries == 1  # the others were not tried into the same limit
    assert {r.next_attempt_at for r in (await rows(app.db)).values()} == {clock.now() + timedelta(seconds=3)}


async def test_errors_back_off_until_the_time_budget_is_spent(app: App, clock: FrozenClock) -> None:
    fake = Fake(*(RetryLater("HTTP 503") for _ in range(100)))
    worker = OutboxWorker(db=app.db, deliverers={"test": fake}, clock=clock, time_budget=timedelta(minutes=10))
    await queue(app, "k")
    start = clock.now()
    tried_at: list[datetime] = []
    while clock.now() < start + timedelta(minutes=11):
        row = (await rows(app.db))["k"]
        if row.status == "pending" and row.next_attempt_at <= clock.now():
            tried_at.append(clock.now())
            await worker.run_once(clock.now())
        clock.advance(seconds=1)
    row = (await rows(app.db))["k"]
    assert row.status == "failed" and "503" in (row.last_error or "")
    # Backed off (each wait longer than the one before), and given up at the budget, not before.
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(tried_at)][:-1]  # the last one is cut short
    assert all(later >= earlier for earlier, later in itertools.pairwise(gaps)) and gaps[-1] > 4 * gaps[0]
    assert tried_at[-1] == start + timedelta(minutes=10)


async def test_sent_at_is_when_the_message_went_not_when_the_batch_began(app: App, clock: FrozenClock) -> None:
    async def slow(_delivery: Delivery) -> None:
        clock.advance(seconds=5)

    app.deliverers["test"] = Fake(during=slow)
    await queue(app, "a", target="C1")
    await queue(app, "b", target="C2")
    start = clock.now()
    assert await app.worker().run_once(start) == 2
    sent = await rows(app.db)
    assert (sent["a"].sent_at, sent["b"].sent_at) == (start + timedelta(seconds=5), start + timedelta(seconds=10))


async def test_a_batch_that_outlived_its_lease_does_not_send(app: App, settings, clock: FrozenClock) -> None:
    # Worker A's sends each take 50 s: by its fourth row, its two-minute lease has run out and a
    # second replica (its own connections to the same database) has taken and sent the rest.
    replica = Database(settings.database_url)
    second = Fake()
    other = OutboxWorker(db=replica, deliverers={"test": second}, clock=clock)

    async def slow(delivery: Delivery) -> None:
        clock.advance(seconds=50)
        if delivery.key == "k2":
            await other.run_once(clock.now())

    first = Fake(during=slow)
    worker = OutboxWorker(db=app.db, deliverers={"test": first}, clock=clock)
    try:
        for i in range(6):
            await queue(app, f"k{i}", target=f"C{i}")
        await worker.run_once(clock.now())
    finally:
        await replica.dispose()
    sent = [d.key for d in first.sent + second.sent]
    assert sorted(sent) == [f"k{i}" for i in range(6)]  # each once
    assert [d.key for d in first.sent] == ["k0", "k1", "k2"]
    assert {r.status for r in (await rows(app.db)).values()} == {"sent"}


async def test_the_pace_holds_across_workers(app: App, settings, clock: FrozenClock) -> None:
    # Two replicas, one message each for the same channel (one per second): while the first is
    # being sent, the second replica holds its own back.
    replica = Database(settings.database_url)
    entered, release = asyncio.Event(), asyncio.Event()

    async def hold_first(delivery: Delivery) -> None:
        if delivery.key == "a":
            entered.set()
            await release.wait()

    fake = Fake(limits=(RateLimit(1, 1.0),), during=hold_first)
    one = OutboxWorker(db=app.db, deliverers={"test": fake}, clock=clock, batch=1)
    two = OutboxWorker(db=replica, deliverers={"test": fake}, clock=clock, batch=1)
    await queue(app, "a")
    await queue(app, "b")

    async def second_replica() -> int:
        await entered.wait()
        try:
            return await two.run_once(clock.now())
        finally:
            release.set()

    try:
        results = await asyncio.gather(one.run_once(clock.now()), second_replica())
    finally:
        await replica.dispose()
    assert results == [1, 0] and [d.key for d in fake.sent] == ["a"]
    held = (await rows(app.db))["b"]
    assert held.status == "pending" and held.next_attempt_at == clock.now() + timedelta(seconds=1)
    clock.advance(seconds=1)
    assert await one.run_once(clock.now()) == 1
