"""Scheduled jobs and the delivery outbox worker.

The worker claims due outbox rows, hands each to the platform's
``Deliverer``, records the platform message id and when it was sent, and
retries transient failures: a rate limit is waited out as the platform said
(``Retry-After``) and is not counted as an attempt; other transient failures
(5xx, the network, a call that timed out) back off exponentially with jitter.
A message fails for good only on a permanent error or once its time budget
(``outbox_time_budget_seconds``, a day by default) is spent; PMO admins see it.

A key is never sent twice: before each send the worker re-checks in the
database that it still holds the row's lease, and the platform's pace to the
target, across replicas (``pmobot.leases``). On PostgreSQL several replicas
claim rows with ``FOR UPDATE SKIP LOCKED``; on SQLite one process does everything.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import col, select

from pmobot import leases
from pmobot.clock import Clock
from pmobot.db import Database
from pmobot.domain.models import OutboxMessage
from pmobot.leases import LEASE
from pmobot.messages import Message, from_dict

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
# How long a message is tried before it is given up: the default of ``outbox_time_budget_seconds``.
TIME_BUDGET = timedelta(days=1)
# The longest one send may take, whatever the deliverer's own timeouts: well inside the lease.
SEND_LIMIT = LEASE / 2


class RetryLater(Exception):
    """A transient failure (HTTP 429, 5xx, network, a timeout); ``retry_after`` in seconds if the platform said.

    ``rate_limited``: the platform asked to slow down (HTTP 429); waited out, not counted as an attempt.
    """

    def __init__(self, reason: str, retry_after: float | None = None, *, rate_limited: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class DeliveryFailed(Exception):
    """A permanent failure: retrying would not help (unknown channel, blocked user)."""


class Unreachable(DeliveryFailed):
    """The platform will not deliver to this person any more (they blocked the bot, left)."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` messages per ``seconds`` to one target (a channel, a person), or (``per``
    "platform") on the whole platform, whatever the target (an app's limit, such as Teams')."""

    count: int
    seconds: float
    per: Literal["target", "platform"] = "target"


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
        """The platform's pace, per target and on the whole platform."""

    async def deliver(self, delivery: Delivery) -> str | None:
        """Send; return the platform's message id. Raise RetryLater or DeliveryFailed."""


# Called after a row is marked failed, in its own transaction: (row, reason, unreachable).
FailureHook = Callable[[OutboxMessage, str, bool], Awaitable[None]]


def backoff(attempts: int, *, rng: random.Random | None = None, first: float = BACKOFF_BASE_SECONDS,
            most: float = BACKOFF_MAX_SECONDS) -> float:
    """Exponential backoff with jitter, so retries from many rows do not align: ``first`` seconds after the
    first attempt, doubling with each, at most ``most`` (the outbox's by default; the inbound queue's are shorter)."""
    # Doubles with each attempt: a shift keeps the factor an int (2 ** n is typed Any, n may be negative).
    base = min(most, first * (1 << min(max(0, attempts - 1), 40)))
    draw = rng.random() if rng is not None else random.random()
    return base * (0.5 + draw / 2)


class OutboxWorker:
    """Claims due rows and sends them; see the module's docstring and ``pmobot.leases``."""

    def __init__(self, *, db: Database, deliverers: Mapping[str, Deliverer], max_attempts: int | None = None,
                 batch: int = 50, rng: random.Random | None = None, on_failure: FailureHook | None = None,
                 clock: Clock | None = None, time_budget: timedelta = TIME_BUDGET) -> None:
        self.db = db
        self.deliverers = dict(deliverers)
        self.on_failure = on_failure
        # Without a cap (the default) only the time budget ends the tries of a message.
        self.max_attempts = max_attempts
        self.time_budget = time_budget
        self.batch = batch
        self.rng = rng or random.Random()
        self.clock = clock
        self._batch_now = datetime.min

    def _now(self) -> datetime:
        """The time now, mid-batch: the clock's; without one, the ``now`` the batch was given."""
        return self.clock.now() if self.clock is not None else self._batch_now

    async def _parents(self, row: OutboxMessage) -> dict[str, OutboxMessage]:
        """The earlier messages ``row`` threads under or replaces, by key (one query)."""
        keys = [k for k in (row.thread_key, row.replaces_key) if k]
        if not keys:
            return {}
        async with self.db.session() as session:
            rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).in_(keys)))
            return {parent.key: parent for parent in rows.all()}

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
        self._batch_now = now
        claimed = await leases.claim(self.db, now=now, platforms=list(self.deliverers), batch=self.batch)
        # Per platform, until when a rate limit it answered holds the rest of the batch back.
        held_back: dict[str, datetime] = {}
        sent = 0
        for row, token in claimed:
            sent += await self._handle(row, token, held_back)
        return len(claimed), sent

    async def _handle(self, row: OutboxMessage, token: datetime, held_back: dict[str, datetime]) -> int:
        """Send one claimed row if it is still this worker's and its pace allows; 1 if it was sent."""
        deliverer = self.deliverers[row.platform]
        parents = await self._parents(row)
        waits = [at for at in (self._parent_pending(parents), held_back.get(row.platform)) if at is not None]
        # Rows are taken in id order, so a parent goes first when both are due.
        fenced = await leases.fence(self.db, row, token=token, now=self._now(),
                                    limits=tuple(getattr(deliverer, "limits", ()) or ()),
                                    not_before=max(waits) if waits else None)
        if fenced.token is None:
            if fenced.paced_until is None:
                log.warning("delivery of %s skipped: this worker's lease on it ran out", row.key)
            return 0
        delivery = Delivery(
            key=row.key, target_kind=row.target_kind, target=row.target, message=from_dict(row.payload),
            thread_id=_platform_id(parents, row.thread_key), replaces_id=_platform_id(parents, row.replaces_key),
        )
        try:
            # The deliverers time their calls out; this bounds the whole send within the lease.
            async with asyncio.timeout(SEND_LIMIT.total_seconds()):
                platform_id = await deliverer.deliver(delivery)
        except RetryLater as exc:
            return await self._postpone(row, fenced.token, exc, held_back)
        except TimeoutError:
            return await self._postpone(row, fenced.token, RetryLater("the send took too long"), held_back)
        except DeliveryFailed as exc:
            log.error("delivery of %s failed: %s", row.key, exc)
            await self._fail(row, fenced.token, {"attempts": row.attempts + 1}, str(exc),
                             unreachable=isinstance(exc, Unreachable))
            return 0
        except Exception as exc:  # a bug in a renderer must not stop the other rows
            log.exception("delivery of %s raised", row.key)
            return await self._postpone(row, fenced.token, RetryLater(f"{type(exc).__name__}: {exc}"), held_back)
        # Recorded whatever became of the lease meanwhile: the message went.
        await leases.settle(self.db, row, token=None, values={
            "status": "sent", "platform_message_id": platform_id, "sent_at": self._now(), "last_error": None,
            "attempts": row.attempts + 1, "locked_until": None})
        return 1

    async def _postpone(self, row: OutboxMessage, token: datetime, exc: RetryLater,
                        held_back: dict[str, datetime]) -> int:
        """A transient failure: try again later, or give up once the time budget is spent.

        A rate limit is waited out, as the platform said, and is not counted
        as an attempt; other failures back off exponentially, with jitter.
        """
        now = self._now()
        attempts = row.attempts if exc.rate_limited else row.attempts + 1
        delay = exc.retry_after if exc.retry_after is not None else backoff(max(1, attempts), rng=self.rng)
        deadline = row.created_at + self.time_budget
        next_at = min(now + timedelta(seconds=delay), max(now, deadline))
        if exc.rate_limited:
            held_back[row.platform] = max(next_at, held_back.get(row.platform, next_at))
        values: dict[str, object] = {"attempts": attempts, "last_error": str(exc)[:2000], "next_attempt_at": next_at}
        capped = self.max_attempts is not None and not exc.rate_limited and attempts >= self.max_attempts
        if now >= deadline or capped:
            log.error("delivery of %s given up after %s: %s", row.key,
                      "its time budget" if now >= deadline else f"{attempts} attempts", exc)
            await self._fail(row, token, values, str(exc))
            return 0
        log.warning("delivery of %s postponed %.0fs: %s", row.key, (next_at - now).total_seconds(), exc)
        await leases.settle(self.db, row, token=token,
                            values=values | {"locked_until": None, "sent_at": None})
        return 0

    async def _fail(self, row: OutboxMessage, token: datetime, values: dict[str, object], reason: str, *,
                    unreachable: bool = False) -> None:
        done = await leases.settle(self.db, row, token=token, values=values | {
            "status": "failed", "last_error": reason[:2000], "locked_until": None, "sent_at": None})
        if not done:
            log.warning("failure of %s not recorded: this worker's lease on it ran out", row.key)
            return
        if self.on_failure is not None:
            try:
                await self.on_failure(row, reason, unreachable)
            except Exception:  # telling admins must not stop deliveries
                log.exception("could not report the failure of %s", row.key)

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


def build_scheduler(*, worker: OutboxWorker, clock: Clock, every_seconds: float = 2.0) -> AsyncIOScheduler:
    """The APScheduler that runs the outbox worker; later jobs (digests, drift) join it."""
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def deliver_outbox() -> None:
        await worker.run_once(clock.now())

    scheduler.add_job(deliver_outbox, "interval", seconds=every_seconds, id="outbox", max_instances=1,
                      coalesce=True, replace_existing=True)
    return scheduler
