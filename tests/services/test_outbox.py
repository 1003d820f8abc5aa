"""The delivery outbox worker: once per key, retries, backoff, failures on record."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from sqlmodel import select

from pmobot.app import App
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Card, Notice
from pmobot.scheduler import (
    Delivery,
    DeliveryFailed,
    OutboxWorker,
    RetryLater,
    backoff,
    build_scheduler,
    failed_deliveries,
)
from pmobot.services import outbox


class Recorder:
    """A deliverer that records what it is given and fails as scripted."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[Delivery] = []
        self.tries = 0

    async def deliver(self, delivery: Delivery) -> str | None:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)
        return f"m{len(self.sent)}"


async def queue(app: App, key: str, *, thread_key: str | None = None, replaces_key: str | None = None) -> None:
    async with app.db.session() as session:
        await outbox.enqueue(session, core=app.core, key=key, platform="test", target_kind="channel", target="C1",
                             message=Card(title=key), thread_key=thread_key, replaces_key=replaces_key)


async def row(app: App, key: str) -> OutboxMessage:
    async with app.db.session() as session:
        return (await session.exec(select(OutboxMessage).where(OutboxMessage.key == key))).one()


async def test_a_message_is_sent_once_and_its_platform_id_kept(app: App, clock) -> None:
    recorder = Recorder()
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder})
    await queue(app, "card:NEED-1")
    assert await worker.run_once(clock.now()) == 1
    assert await worker.run_once(clock.now()) == 0
    assert [d.key for d in recorder.sent] == ["card:NEED-1"]
    sent = await row(app, "card:NEED-1")
    assert (sent.status, sent.platform_message_id, sent.attempts) == ("sent", "m1", 1)
    assert isinstance(recorder.sent[0].message, Card)


async def test_retry_after_is_honoured(app: App, clock) -> None:
    recorder = Recorder(RetryLater("HTTP 429", retry_after=30))
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder})
    await queue(app, "k")
    assert await worker.run_once(clock.now()) == 0
    waiting = await row(app, "k")
    assert waiting.status == "pending" and waiting.next_attempt_at == clock.now() + timedelta(seconds=30)
    clock.advance(seconds=29)
    assert await worker.run_once(clock.now()) == 0 and recorder.tries == 1
    clock.advance(seconds=1)
    assert await worker.run_once(clock.now()) == 1 and recorder.tries == 2


async def test_transient_errors_back_off_then_fail_on_record(app: App, clock) -> None:
    recorder = Recorder(*(RetryLater("HTTP 503") for _ in range(3)))
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder}, max_attempts=3, rng=random.Random(1))
    await queue(app, "k")
    delays = []
    for _ in range(3):
        before = clock.now()
        await worker.run_once(clock.now())
        current = await row(app, "k")
        delays.append((current.next_attempt_at - before).total_seconds())
        clock.set(current.next_attempt_at)
    assert delays[0] < delays[1] < delays[2]
    failed = await row(app, "k")
    assert failed.status == "failed" and failed.attempts == 3 and "503" in (failed.last_error or "")
    assert [r.key for r in await failed_deliveries(app.db)] == ["k"]
    assert await worker.run_once(clock.now() + timedelta(days=1)) == 0


async def test_a_permanent_failure_is_not_retried(app: App, clock) -> None:
    recorder = Recorder(DeliveryFailed("channel_not_found"))
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder})
    await queue(app, "k")
    await worker.run_once(clock.now())
    await worker.run_once(clock.now() + timedelta(hours=1))
    assert recorder.tries == 1 and (await row(app, "k")).status == "failed"


async def test_a_crashing_renderer_does_not_block_the_other_messages(app: App, clock) -> None:
    recorder = Recorder(ValueError("bad card"))
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder})
    await queue(app, "a")
    await queue(app, "b")
    assert await worker.run_once(clock.now()) == 1
    assert [d.key for d in recorder.sent] == ["b"]
    assert (await row(app, "a")).status == "pending"


async def test_threads_and_updates_point_at_the_platform_ids_of_earlier_messages(app: App, clock) -> None:
    recorder = Recorder()
    worker = OutboxWorker(db=app.db, deliverers={"test": recorder})
    await queue(app, "card:NEED-1")
    await worker.run_once(clock.now())
    await queue(app, "question:1", thread_key="card:NEED-1")
    await queue(app, "card:NEED-1:v3", replaces_key="card:NEED-1")
    await worker.run_once(clock.now())
    by_key = {d.key: d for d in recorder.sent}
    assert by_key["question:1"].thread_id == "m1"
    assert by_key["card:NEED-1:v3"].replaces_id == "m1"


async def test_rows_for_platforms_without_a_deliverer_wait(app: App, clock) -> None:
    async with app.db.session() as session:
        await outbox.enqueue(session, core=app.core, key="slack-only", platform="slack", target_kind="channel",
                             target="C1", message=Notice("x"))
    worker = OutboxWorker(db=app.db, deliverers={"test": Recorder()})
    assert await worker.run_once(clock.now()) == 0
    assert (await row(app, "slack-only")).status == "pending"


async def test_two_workers_never_send_the_same_row(app: App, clock) -> None:
    for i in range(30):
        await queue(app, f"k{i}")
    first, second = Recorder(), Recorder()
    workers = [OutboxWorker(db=app.db, deliverers={"test": r}, batch=7) for r in (first, second)]
    for _ in range(6):
        results = await asyncio.gather(*(w.run_once(clock.now()) for w in workers), return_exceptions=True)
        # SQLite may refuse a concurrent writer; PostgreSQL skips locked rows instead.
        assert all(isinstance(r, int) or "locked" in str(r) for r in results)
    sent = [d.key for d in first.sent + second.sent]
    assert len(sent) == len(set(sent)) == 30


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    rng = random.Random(7)
    values = [backoff(n, rng=rng) for n in range(1, 8)]
    for n, value in enumerate(values, start=1):
        ceiling = min(3600, 5 * 2 ** (n - 1))
        assert ceiling / 2 <= value <= ceiling
    assert backoff(40, rng=rng) <= 3600


async def test_the_scheduler_runs_the_outbox_job(app: App, clock) -> None:
    scheduler = build_scheduler(worker=OutboxWorker(db=app.db, deliverers={}), clock=clock, every_seconds=5)
    job = scheduler.get_job("outbox")
    assert job is not None and job.trigger.interval == timedelta(seconds=5)
