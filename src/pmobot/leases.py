"""Outbox leases and pacing, decided in the database so that every replica agrees.

- ``claim``: due rows are reserved with a compare-and-set on ``locked_until``.
  The instant written there is the worker's lease token: a row taken again
  after its lease ran out carries a later one, so a worker can tell it lost it.
- ``fence``: just before a row is sent, in one transaction serialised per
  target (an advisory transaction lock on PostgreSQL, a lock in the process on
  SQLite, where one process runs everything), the platform's pace to that
  target is checked against what was sent and what is being sent, and the
  lease is renewed only if the worker still holds it and it has not run out.
  A row being sent is marked by its ``sent_at`` (when its call went out)
  while still pending; a successful send then records when it completed.
- ``settle``: the outcome is written; a failure only while the lease is held
  (another worker may own the row by then), a send always (it happened).
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, text, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import Database
from pmobot.domain.models import OutboxMessage

# How long a claimed row is reserved for the worker that claimed it; the worker
# gives a send at most half of it, so a lease renewed before a send outlives it.
LEASE = timedelta(minutes=2)
# The first key of the per-target pacing locks on PostgreSQL ("pace" in ASCII); the
# scheduler leader's lock is a single 64-bit key, a separate space.
PACE_LOCK_SPACE = 0x70616365


class Leased(Protocol):
    """A row of a leased queue (the outbox, the inbound queue)."""

    @property
    def id(self) -> int | None: ...


Row = TypeVar("Row", bound=Leased)


class Limit(Protocol):
    """A pace: at most ``count`` messages per ``seconds`` to one target, or (``per`` "platform") on the
    whole platform."""

    @property
    def count(self) -> int: ...

    @property
    def seconds(self) -> float: ...

    @property
    def per(self) -> str: ...


@dataclass(frozen=True)
class Fence:
    """What ``fence`` decided: send under ``token``, wait until ``paced_until``, or (neither) the lease is lost."""

    token: datetime | None = None
    paced_until: datetime | None = None


def _free(now: datetime) -> ColumnElement[bool]:
    return (col(OutboxMessage.locked_until).is_(None)) | (col(OutboxMessage.locked_until) <= now)


def _held(row_id: int | None, token: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(OutboxMessage.id) == row_id, col(OutboxMessage.locked_until) == token


async def claim(db: Database, *, now: datetime, platforms: Sequence[str],
                batch: int) -> list[tuple[OutboxMessage, datetime]]:
    """Reserve due rows: each with its lease token.

    Each row is taken with a compare-and-set UPDATE (only if still free), so
    two workers, or two coroutines of one process, never both take it; on
    PostgreSQL ``SKIP LOCKED`` also keeps them from waiting on each other.
    """
    token = now + LEASE
    async with db.session() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", col(OutboxMessage.next_attempt_at) <= now,
                   col(OutboxMessage.platform).in_(list(platforms)))
            .where(_free(now))
            .order_by(col(OutboxMessage.id))
            .limit(batch)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        candidates = list((await session.exec(query)).all())
        return await reserve(session, OutboxMessage, candidates, token=token,
                             still=(col(OutboxMessage.status) == "pending", _free(now)))


async def reserve(session: AsyncSession, table: Any, candidates: Sequence[Row],
                  *, token: datetime, still: Sequence[ColumnElement[bool]]) -> list[tuple[Row, datetime]]:
    """Lease ``candidates`` under ``token``, each only if ``still`` holds for it (a compare-and-set; one
    statement for them all); those taken, in order, each with its token. ``table``: the outbox or the
    inbound queue, any table with an ``id`` and a ``locked_until``."""
    if not candidates:
        return []
    taken = set((await session.exec(
        update(table).where(col(table.id).in_([row.id for row in candidates]), *still)
        .values(locked_until=token).returning(col(table.id)).execution_options(synchronize_session=False)
    )).scalars().all())
    return [(row, token) for row in candidates if row.id in taken]


# SQLite: one lock per database file and event loop (a lock belongs to the loop it first waits on).
_process_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary())


def _target_key(platform: str, target: str) -> int:
    digest = hashlib.blake2b(f"{platform}\x00{target}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def _serialised(db: Database, row: OutboxMessage, *, whole_platform: bool) -> AsyncIterator[AsyncSession]:
    """A transaction that no other worker's for the same target overlaps (for the same platform, when a
    limit spans the whole platform)."""
    if db.is_sqlite:
        locks = _process_locks.setdefault(asyncio.get_running_loop(), {})
        async with locks.setdefault(db.url, asyncio.Lock()), db.session() as session:
            yield session
        return
    async with db.session() as session:
        key = _target_key(row.platform, "" if whole_platform else row.target)
        await session.exec(text("SELECT pg_advisory_xact_lock(:space, :key)").bindparams(  # type: ignore[call-overload]
            space=PACE_LOCK_SPACE, key=key))
        yield session


async def _paced_until(session: AsyncSession, row: OutboxMessage, *, now: datetime,
                       limits: Sequence[Limit]) -> datetime | None:
    """When ``row`` may go without exceeding ``limits`` (to its target, or on its whole platform), if not now."""
    per_target = [limit for limit in limits if limit.per != "platform"]
    per_platform = [limit for limit in limits if limit.per == "platform"]
    platform = col(OutboxMessage.platform) == row.platform
    waits = [await _free_at(session, row, now=now, limits=per_target,
                            scope=(platform, col(OutboxMessage.target) == row.target)),
             await _free_at(session, row, now=now, limits=per_platform, scope=(platform,))]
    found = [at for at in waits if at is not None]
    return max(found) if found else None


async def _free_at(session: AsyncSession, row: OutboxMessage, *, now: datetime, limits: Sequence[Limit],
                   scope: Sequence[ColumnElement[bool]]) -> datetime | None:
    """When the sends within ``scope`` leave room under every one of ``limits`` for one more, if not now.

    A send still in flight on another worker counts as one made now: its
    completion, which the platform counts, is at least that late.
    """
    if not limits:
        return None
    widest = max(limit.seconds for limit in limits)
    sent = list((await session.exec(
        select(OutboxMessage.sent_at)
        .where(*scope, OutboxMessage.status == "sent", col(OutboxMessage.sent_at) > now - timedelta(seconds=widest))
        .order_by(col(OutboxMessage.sent_at).desc())
        .limit(max(limit.count for limit in limits))
    )).all())
    in_flight = (await session.exec(
        select(func.count()).select_from(OutboxMessage)
        .where(*scope, OutboxMessage.status == "pending", col(OutboxMessage.sent_at).is_not(None),
               col(OutboxMessage.locked_until) > now, col(OutboxMessage.id) != row.id)
    )).one()
    latest: datetime | None = None
    for limit in limits:
        window_start = now - timedelta(seconds=limit.seconds)
        recent = [now] * in_flight + [at for at in sent if at is not None and at > window_start]
        if len(recent) >= limit.count:
            # The oldest of the last ``count`` sends leaves the window first.
            free_at = recent[limit.count - 1] + timedelta(seconds=limit.seconds)
            latest = free_at if latest is None or free_at > latest else latest
    return latest


async def fence(db: Database, row: OutboxMessage, *, token: datetime, now: datetime, limits: Sequence[Limit],
                not_before: datetime | None = None) -> Fence:
    """Renew ``row``'s lease and mark it in flight, if it is still held, its lease has not run out, its
    target's pace allows it and ``not_before`` (a parent not sent yet, a rate limit) has passed."""
    held = (*_held(row.id, token), col(OutboxMessage.status) == "pending", col(OutboxMessage.locked_until) > now)
    async with _serialised(db, row, whole_platform=any(limit.per == "platform" for limit in limits)) as session:
        paced = await _paced_until(session, row, now=now, limits=limits)
        if not_before is not None and not_before > now:
            paced = max(paced, not_before) if paced is not None else not_before
        if paced is not None:
            done = await session.exec(update(OutboxMessage).where(*held)
                                      .values(next_attempt_at=paced, locked_until=None)
                                      .execution_options(synchronize_session=False))
            return Fence(paced_until=paced if done.rowcount == 1 else None)
        renewed = now + LEASE
        done = await session.exec(update(OutboxMessage).where(*held).values(locked_until=renewed, sent_at=now)
                                  .execution_options(synchronize_session=False))
        return Fence(token=renewed if done.rowcount == 1 else None)


async def settle(db: Database, row: Leased, *, token: datetime | None, values: dict[str, Any],
                 table: Any = OutboxMessage, still: Sequence[ColumnElement[bool]] = ()) -> bool:
    """Write an outcome; with a ``token``, only while that lease is held (and ``still`` holds). False when it
    was not written."""
    query = update(table).where(col(table.id) == row.id, *still)
    if token is not None:
        query = query.where(col(table.locked_until) == token)
    async with db.session() as session:
        done = await session.exec(query.values(**values).execution_options(synchronize_session=False))
        return bool(done.rowcount == 1)
