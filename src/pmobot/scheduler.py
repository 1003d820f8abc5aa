"""Scheduled jobs and the delivery outbox worker.

The worker claims due outbox rows, hands each to the platform's
``Deliverer``, records the platform message id, and retries with
exponential backoff (or the platform's ``Retry-After``). A key is never sent
twice: a row leaves ``pending`` only as ``sent`` or, after the last attempt,
``failed``, which PMO admins can see. On PostgreSQL several replicas claim
rows with ``FOR UPDATE SKIP LOCKED``; on SQLite one process does everything.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import update
from sqlmodel import col, select

from pmobot.db import Database
from pmobot.domain.models import OutboxMessage
from pmobot.messages import Message, from_dict

log = logging.getLogger(__name__)

# How long a claimed row is reserved for the worker that claimed it.
LEASE = timedelta(minutes=2)
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600


class RetryLater(Exception):
    """A transient failure (HTTP 429, 5xx, network); ``retry_after`` in seconds if the platform said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class DeliveryFailed(Exception):
    """A permanent failure: retrying would not help (unknown channel, blocked user)."""


class Unreachable(DeliveryFailed):
    """The platform will not deliver to this person any more (they blocked the bot, left)."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` messages per ``seconds`` to one target (a channel, a person)."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Delivery:
    key: str
    target_kind: str
    target: str
    message: Message
    # Platform ids of the earlier messages this one threads under or replaces, when known.
    thread_id: str | None = None
    replaces_id: str | None = None


class Deliverer(Protocol):
    # Read-only, so that a deliverer may declare a narrower tuple (none: not paced).
    @property
    def limits(self) -> tuple[RateLimit, ...]:
        """The platform's pace per target."""

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send; return the platform's message id. Raise RetryLater or DeliveryFailed."""


# Called after a row is marked failed, in its own transaction: (row, reason, unreachable).
FailureHook = Callable[[OutboxMessage, str, bool], Awaitable[None]]


def backoff(attempts: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter, so retries from many rows do not align."""
    # Doubles with each attempt: a shift keeps it an int (2 ** n is typed Any, n may be negative).
    base = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS << max(0, attempts - 1))
    draw = rng.random() if rng is not None else random.random()
    return base * (0.5 + draw / 2)


class OutboxWorker:
    def __init__(self, *, db: Database, deliverers: Mapping[str, Deliverer], max_attempts: int = 8,
                 batch: int = 50, rng: random.Random | None = None, on_failure: FailureHook | None = None) -> None:
        self.db = db
        self.deliverers = dict(deliverers)
        self.on_failure = on_failure
        self.max_attempts = max_attempts
        self.batch = batch
        self.rng = rng or random.Random()

    async def _claim(self, now: datetime) -> list[OutboxMessage]:
        """Reserve due rows for this worker.

        Each row is taken with a compare-and-set UPDATE (only if still free), so
        two workers, or two coroutines of one process, never both take it; on
        PostgreSQL ``SKIP LOCKED`` also keeps them from waiting on each other.
        """
        free = (col(OutboxMessage.locked_until).is_(None)) | (col(OutboxMessage.locked_until) <= now)
        async with self.db.session() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", col(OutboxMessage.next_attempt_at) <= now,
                       col(OutboxMessage.platform).in_(list(self.deliverers)))
                .where(free)
                .order_by(col(OutboxMessage.id))
                .limit(self.batch)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            candidates = list((await session.exec(query)).all())
            claimed = []
            for row in candidates:
                taken = await session.exec(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.status) == "pending", free)
                    .values(locked_until=now + LEASE)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount == 1:
                    claimed.append(row)
            return claimed

    async def _parents(self, row: OutboxMessage) -> dict[str, OutboxMessage]:
        """The earlier messages ``row`` threads under or replaces, by key (one query)."""
        keys = [k for k in (row.thread_key, row.replaces_key) if k]
        if not keys:
            return {}
        async with self.db.session() as session:
            rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).in_(keys)))
            return {parent.key: parent for parent in rows.all()}

    async def _paced_until(self, row: OutboxMessage, now: datetime) -> datetime | None:
        """When ``row`` may go without exceeding its platform's pace to that target, if not now.

        Counted from what was sent, in the database, so replicas share the pace.
        """
        latest: datetime | None = None
        for limit in getattr(self.deliverers[row.platform], "limits", ()) or ():
            window_start = now - timedelta(seconds=limit.seconds)
            async with self.db.session() as session:
                recent = list((await session.exec(
                    select(OutboxMessage.sent_at)
                    .where(OutboxMessage.platform == row.platform, OutboxMessage.target == row.target,
                           OutboxMessage.status == "sent", col(OutboxMessage.sent_at) > window_start)
                    .order_by(col(OutboxMessage.sent_at).desc())
                    .limit(limit.count)
                )).all())
            if len(recent) >= limit.count:
                # The oldest of the last ``count`` sends leaves the window first.
                oldest = recent[-1]
                assert oldest is not None  # the query kept only rows sent inside the window
                free_at = oldest + timedelta(seconds=limit.seconds)
                latest = free_at if latest is None or free_at > latest else latest
        return latest

    @staticmethod
    def _parent_pending(parents: dict[str, OutboxMessage]) -> datetime | None:
        """When a message this row threads under or replaces is next tried, if one is not sent yet.

        An update or a thread reply sent before its message would land as a
        new top-level post (and the message itself would follow: a double).
        """
        waiting = [p.next_attempt_at for p in parents.values() if p.status == "pending"]
        return max(waiting) if waiting else None

    async def run_once(self, now: datetime) -> int:
        """Deliver what is due at ``now``; returns how many rows were sent."""
        return (await self._run(now))[1]

    async def _run(self, now: datetime) -> tuple[int, int]:
        """(rows handled, rows sent)."""
        sent = 0
        claimed = await self._claim(now)
        for row in claimed:
            paced = await self._paced_until(row, now)
            parents = await self._parents(row)
            parent_at = self._parent_pending(parents)
            if parent_at is not None:
                # Rows are taken in id order, so the parent goes first when both are due.
                paced = max(paced, parent_at) if paced is not None else parent_at
            if paced is not None:
                async with self.db.session() as session:
                    await session.exec(update(OutboxMessage).where(col(OutboxMessage.id) == row.id)
                                       .values(next_attempt_at=paced, locked_until=None)
                                       .execution_options(synchronize_session=False))
                continue
            delivery = Delivery(
                key=row.key, target_kind=row.target_kind, target=row.target, message=from_dict(row.payload),
                thread_id=_platform_id(parents, row.thread_key), replaces_id=_platform_id(parents, row.replaces_key),
            )
            outcome: dict[str, object] = {"attempts": row.attempts + 1, "locked_until": None}
            unreachable = False
            try:
                platform_id = await self.deliverers[row.platform].deliver(delivery)
            except RetryLater as exc:
                delay = exc.retry_after if exc.retry_after is not None else backoff(row.attempts + 1, rng=self.rng)
                outcome |= {"last_error": str(exc), "next_attempt_at": now + timedelta(seconds=delay)}
                if row.attempts + 1 >= self.max_attempts:
                    outcome["status"] = "failed"
                log.warning("delivery of %s postponed %.0fs: %s", row.key, delay, exc)
            except DeliveryFailed as exc:
                unreachable = isinstance(exc, Unreachable)
                outcome |= {"status": "failed", "last_error": str(exc)}
                log.error("delivery of %s failed: %s", row.key, exc)
            except Exception as exc:  # a bug in a renderer must not stop the other rows
                delay = backoff(row.attempts + 1, rng=self.rng)
                outcome |= {
                    "last_error": f"{type(exc).__name__}: {exc}", "next_attempt_at": now + timedelta(seconds=delay),
                }
                if row.attempts + 1 >= self.max_attempts:
                    outcome["status"] = "failed"
                log.exception("delivery of %s raised", row.key)
            else:
                outcome |= {"status": "sent", "platform_message_id": platform_id, "sent_at": now, "last_error": None}
                sent += 1
            async with self.db.session() as session:
                fresh = await session.get(OutboxMessage, row.id)
                if fresh is not None:
                    for name, value in outcome.items():
                        setattr(fresh, name, value)
                    session.add(fresh)
            if outcome.get("status") == "failed" and self.on_failure is not None:
                try:
                    await self.on_failure(row, str(outcome.get("last_error") or ""), unreachable)
                except Exception:  # telling admins must not stop deliveries
                    log.exception("could not report the failure of %s", row.key)
        return len(claimed), sent

    async def drain(self, now: datetime, *, rounds: int = 10) -> int:
        """Deliver everything due now, including rows queued while delivering."""
        total = 0
        for _ in range(rounds):
            handled, sent = await self._run(now)
            total += sent
            if handled == 0:
                break
        return total


def _platform_id(parents: dict[str, OutboxMessage], key: str | None) -> str | None:
    parent = parents.get(key) if key else None
    return parent.platform_message_id if parent is not None else None


async def failed_deliveries(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        rows = await session.exec(
            select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(col(OutboxMessage.id))
        )
        return list(rows.all())


def build_scheduler(*, worker: OutboxWorker, clock: ClockLike, every_seconds: float = 2.0) -> AsyncIOScheduler:
    """The APScheduler that runs the outbox worker; later jobs (digests, drift) join it."""
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def deliver_outbox() -> None:
        await worker.run_once(clock.now())

    scheduler.add_job(deliver_outbox, "interval", seconds=every_seconds, id="outbox", max_instances=1,
                      coalesce=True, replace_existing=True)
    return scheduler


class ClockLike(Protocol):
    def now(self) -> datetime: ...
