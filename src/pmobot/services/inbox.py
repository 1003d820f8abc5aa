"""The inbound queue: store a request before acknowledging it, then work on it exactly once.

- ``Arrivals.receive`` (``store`` in a transaction of one's own): at the edge,
  an ``INSERT ... ON CONFLICT DO NOTHING`` under the request's repeated-delivery
  key, committed before the platform hears "OK"; a repeat delivery stores
  nothing. The requests arriving at once share one transaction.
- ``claim``: a worker reserves due rows, at most the oldest unfinished one of
  each conversation (so a person's requests are worked in order, one at a
  time, across every worker), with a compare-and-set on ``locked_until`` (the
  lease and its fencing token; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), in
  one statement, in the transaction that marks the rows answered since done.
- ``working`` / ``finish_in``: while a worker runs a row, the core's unit of
  work (``Chat._guarded``) marks the row done in its own transaction, under
  the lease, with the messages it answers (``answering``): the work and the
  mark commit together, or neither does. A unit of work that wrote nothing
  is not marked (doing it again is as good as its answer): its row is done
  with the batch's ``finish``. A worker whose lease was taken over
  commits nothing (``LeaseLost``). A row found ``answering`` (its worker died
  before sending) runs again through the same listener, whose unit of work
  then gives back the stored answer (``replayed``) instead of working again.
- ``postpone`` / ``fail`` / ``finish``: the outcome when no unit of work
  marked it (nothing to do, a transient failure, a permanent one).

Past 400 lines on purpose: these steps are one protocol over one table (who holds a row, under which
lease, in which status), and each step's compare-and-set relies on the others'; kept together, the
exactly-once argument reads in one place.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from sqlalchemy import Integer, bindparam, func, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError, StatementError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot import leases
from pmobot.db import (
    Database,
    insert_committed,
    insert_new,
    insert_unless_taken,
    prepare_committed_insert,
    write_alone,
    wrote,
)
from pmobot.domain import keys
from pmobot.domain.models import UTCDateTime
from pmobot.domain.models_inbound import OPEN, InboundRequest
from pmobot.messages import Message, from_dict, to_dict

# How long a claimed row is reserved for its worker (a Web API call gives up after 10 s). A worker that
# died holds its rows this long, no longer; one that outlived it commits nothing (``finish_in``).
LEASE = timedelta(seconds=30)
# A read-only unit of work finished this long before its lease runs out is not marked (``finish_in``): the
# margin is what the clocks of two workers may disagree by before one could take the row over.
READ_ONLY_WITHIN = LEASE / 2
# A row that failed this many times (not counting a lease lost) is given up and reported.
MAX_ATTEMPTS = 5
# Done rows are kept this long (repeat deliveries within it are recognised), then deleted.
KEEP_FOR = timedelta(days=1)


class LeaseLost(Exception):
    """This worker no longer holds the row: another one took it over; nothing of this run is kept."""


@dataclass
class Unit:
    """The row a worker is running, and whether a unit of work marked it done (committed)."""

    row_id: int
    # The row's repeated-delivery key (``keys.received``).
    key: str
    token: datetime
    now: datetime
    # The answer stored by an earlier run that died before sending it.
    answer: list[Message] | None = None
    # Which try this is (1 for the first): the last one answers a failure instead of raising it.
    attempt: int = 1
    marked: bool = False
    committed: bool = False


_current: ContextVar[Unit | None] = ContextVar("pmobot_inbound_unit", default=None)


def conversation_of(platform: str, who: str) -> str:
    """The order key of a request: one person's requests on one platform are worked in order."""
    return f"{platform}:{who}"[:255]


def _row(*, platform: str, kind: str, key: keys.DeliveryKey, conversation: str, body: dict[str, Any],
         now: datetime) -> dict[str, Any]:
    """The queue's row of a request, as it is inserted."""
    return {"key": keys.received(platform, key), "platform": platform, "kind": kind[:40],
            "conversation": conversation[:255], "body": body, "status": "pending", "attempts": 0,
            "received_at": now, "next_attempt_at": now}


async def store(session: AsyncSession, *, platform: str, kind: str, key: keys.DeliveryKey, conversation: str,
                body: dict[str, Any], now: datetime) -> bool:
    """Queue a request; False when its key was stored before (a repeat delivery).

    One statement and no savepoint (``db.insert_new``): committed with the caller's transaction. The edge
    stores through ``Arrivals`` instead (a transaction shared by the requests arriving at once).
    """
    values = _row(platform=platform, kind=kind, key=key, conversation=conversation, body=body, now=now)
    return await insert_new(session, InboundRequest, values, key="key")


@dataclass
class _Arrival:
    row: dict[str, Any]
    # True once its transaction committed with the row inserted; False for a repeat; the failure else.
    stored: asyncio.Future[bool]


# On PostgreSQL, where the requests stored by any process are announced: a worker process apart from the web
# replicas is woken by it rather than at its next poll.
ARRIVALS_CHANNEL = "pmobot_inbound"
_NOTIFY = select(func.pg_notify(ARRIVALS_CHANNEL, ""))


class Arrivals:
    """The requests arriving in this process, stored a batch at a time: one transaction, one commit.

    On SQLite a process writes one transaction at a time (``sqlite_writes.Writers``): a burst of requests,
    each storing itself in its own transaction, queued one commit after another, and the workers' claims
    queued behind them. A request arriving while no batch is being written starts a writer task; the ones
    arriving meanwhile wait for it and go together in its next transaction (``BATCH`` at most). Each caller
    returns once the commit holding its row is done (the edge acknowledges only then), with its own answer:
    a repeat, stored before or earlier in the same batch, is False. A failed transaction raises to every
    caller of its batch, and stores none of them. The writer is a task of its own: a caller cancelled (its
    client gone) cancels nobody else's storing.

    One per database, built by the composition root (``create_app``).
    """

    BATCH = 200

    def __init__(self, db: Database, *, batch: int = BATCH) -> None:
        self.db = db
        self.batch = batch
        self._waiting: list[_Arrival] = []
        self._writer: asyncio.Task[None] | None = None

    def prepare(self) -> None:
        """Build the statements a batch is stored with before the first request comes (``db.insert_committed``)."""
        columns = tuple(_row(platform="", kind="", key=keys.DeliveryKey(""), conversation="", body={},
                             now=datetime.min))
        prepare_committed_insert(self.db, InboundRequest, key="key", columns=columns, most=self.batch)

    async def receive(self, *, platform: str, kind: str, key: keys.DeliveryKey, conversation: str,
                      body: dict[str, Any], now: datetime) -> bool:
        """Queue a request, committed when this returns (then the edge acknowledges); False for a repeat."""
        loop = asyncio.get_running_loop()
        arrival = _Arrival(_row(platform=platform, kind=kind, key=key, conversation=conversation, body=body,
                                now=now), loop.create_future())
        self._waiting.append(arrival)
        if self._writer is None:
            self._writer = loop.create_task(self._write_all(), name="pmobot-inbox-arrivals")
        return await arrival.stored

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:self.batch], self._waiting[self.batch:]
                await self._write(batch)
        except BaseException:
            # Cancelled (the loop is closing): nobody is left to store the requests still waiting.
            for arrival in self._waiting:
                arrival.stored.cancel()
            self._waiting = []
            raise
        finally:
            self._writer = None

    async def _write(self, batch: list[_Arrival]) -> None:
        # A caller already gone (cancelled) is left out: it will not acknowledge, its platform sends it again.
        batch = [arrival for arrival in batch if not arrival.stored.done()]
        firsts: dict[str, dict[str, Any]] = {}
        for arrival in batch:
            firsts.setdefault(arrival.row["key"], arrival.row)
        try:
            inserted = await self._insert(list(firsts.values()))
        except BaseException as exc:
            if len(batch) > 1 and _refused(exc):
                # One request the database will not take (its body) must not sink the others of its batch,
                # again at each of their platforms' retries: each is stored alone, and only it is refused.
                for arrival in batch:
                    await self._write([arrival])
                return
            for arrival in batch:
                if not arrival.stored.done():
                    if isinstance(exc, asyncio.CancelledError):
                        arrival.stored.cancel()
                    else:
                        arrival.stored.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for arrival in batch:
            first = firsts.get(arrival.row["key"]) is arrival.row
            if not arrival.stored.done():
                arrival.stored.set_result(first and arrival.row["key"] in inserted)

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        """The keys of ``rows`` inserted (a key already held is left out), committed. On SQLite by the event loop
        itself (``db.insert_committed``); on PostgreSQL announced to every process's workers."""
        if self.db.is_sqlite:
            return set(await insert_committed(self.db, InboundRequest, rows, key="key"))
        # Each statement committed on its own: the insert (a key already held is skipped), then the notice.
        async with self.db.alone() as session:
            inserted = {key for (key,) in await insert_unless_taken(
                session, InboundRequest, rows, returning=(col(InboundRequest.key),), key="key")}
            if inserted:
                # Heard by every process's workers now that the rows are committed (``workers.hear_arrivals``).
                await session.exec(_NOTIFY)
        return inserted


def _refused(exc: BaseException) -> bool:
    """Whether the database refused what was written (a value it cannot store, a constraint), rather than
    being unreachable or failing as a whole: only then is each row of a batch worth trying alone."""
    if isinstance(exc, (DataError, IntegrityError, sqlite3.DataError, sqlite3.IntegrityError)):
        return True
    # A value that could not even be sent (not serialisable: SQLAlchemy wraps it, psycopg and the bind
    # processing of ``insert_committed`` raise it bare): raised before the database saw it.
    return isinstance(exc, (TypeError, ValueError)) or (isinstance(exc, StatementError)
                                                          and not isinstance(exc, DBAPIError))


def _unfinished(status: Any) -> Any:
    """``status IN ('pending', 'answering')`` with the statuses written out, not bound: the planners then
    read the partial indexes of the unfinished rows (``ix_inbound_request_unfinished``, ``_heads``)."""
    return status.in_(bindparam("unfinished", list(OPEN), expanding=True, literal_execute=True))


def _free(now: Any) -> Any:
    return (col(InboundRequest.locked_until).is_(None)) | (col(InboundRequest.locked_until) <= now)


# Bound at each claim (a claim and a look share it, so that one statement binds it once).
_NOW = bindparam("now", type_=UTCDateTime)


@cache
def _due_statement() -> Any:
    """The ids of the due rows, the oldest unfinished one of each conversation at most, oldest first
    (``batch`` at most): what a claim reserves, and what a worker with nothing to do looks for first."""
    earlier = aliased(InboundRequest)
    # ``OFFSET 0`` keeps the probe a subquery run for each candidate with its conversation and id, which the
    # index of unfinished rows by conversation answers at once. Without it PostgreSQL made it an anti-join,
    # planned on a young table (no statistics, a few rows when the plan was made, then kept) as a scan of
    # every waiting row for each waiting row: 600 waiting, 9 ms a claim and 2.7 ms of the database's time a
    # request, against about 1 ms a claim and 0.15 ms a request now.
    waits_on_earlier = (
        select(col(earlier.id))
        .where(col(earlier.conversation) == col(InboundRequest.conversation), _unfinished(col(earlier.status)),
               col(earlier.id) < col(InboundRequest.id))
        .offset(0)
        .exists())
    return (
        select(col(InboundRequest.id))
        .where(_unfinished(col(InboundRequest.status)), col(InboundRequest.next_attempt_at) <= _NOW,
               col(InboundRequest.platform).in_(bindparam("platforms", expanding=True)), _free(_NOW),
               ~waits_on_earlier)
        .order_by(col(InboundRequest.id))
        .limit(bindparam("batch", type_=Integer))
    )


@cache
def _claim_statement(postgres: bool) -> Any:
    """Reserve the due rows (``_due_statement``) in one statement: ``UPDATE ... WHERE id IN (SELECT ...
    LIMIT :batch) RETURNING``. Built once; bound at each claim (``now``, ``token``, ``platforms``,
    ``batch``): building it was a tenth of a worker's time."""
    due = _due_statement()
    chosen: Any = due.scalar_subquery()
    if postgres:
        # Rows another worker is reserving are skipped, not waited for. Chosen once (a materialised CTE):
        # PostgreSQL may run an ``IN (subquery)`` again as the rows change, and its LIMIT then held per run.
        due = due.with_for_update(skip_locked=True, of=InboundRequest)
        picked = due.cte("due").prefix_with("MATERIALIZED")
        chosen = select(picked.c.id)
    return (
        update(InboundRequest)
        # Still free and unfinished: a compare-and-set, whatever the isolation level.
        .where(col(InboundRequest.id).in_(chosen), _unfinished(col(InboundRequest.status)), _free(_NOW))
        .values(locked_until=bindparam("token", type_=UTCDateTime))
        .returning(*InboundRequest.__table__.columns)  # type: ignore[attr-defined]
    )


@cache
def _done_statement() -> Any:
    """Mark rows done, each only under the lease it was worked with: one statement for a batch."""
    return (
        update(InboundRequest)
        .where(tuple_(col(InboundRequest.id), col(InboundRequest.locked_until)).in_(
            bindparam("held", expanding=True)), _unfinished(col(InboundRequest.status)))
        .values(status="done", done_at=bindparam("done_at", type_=UTCDateTime), locked_until=None, answer=None)
    )


async def claim(db: Database, *, now: datetime, platforms: Sequence[str], batch: int,
                finished: Sequence[tuple[InboundRequest, datetime]] = (),
                look_first: bool = False) -> list[tuple[InboundRequest, datetime]]:
    """Reserve due rows, the oldest unfinished one of each conversation at most; each with its lease token,
    in ``id`` order. One statement (``_claim_statement``).

    ``finished``: rows this worker answered since its last claim, marked done first, in the same write (one
    commit for both on SQLite, each statement committed alone on PostgreSQL: ``db.write_alone``); the next
    request of their conversations may then be claimed at once.
    ``look_first``: a worker that found nothing last time and polls again reads whether anything is due
    before it writes: an idle worker then makes no write transaction (on SQLite, none waits its write turn
    and the log stops growing; four times a second otherwise)."""
    token = now + LEASE
    if look_first and not finished and batch > 0:
        async with db.session() as session:
            found = (await session.exec(_due_statement(), params={"now": now, "platforms": list(platforms),
                                                                  "batch": 1})).first()
        if found is None:
            return []
    if not finished and batch <= 0:
        return []
    return await write_alone(db, partial(_reserve, finished=finished, now=now, token=token,
                                         platforms=list(platforms), batch=batch))


def _reserve(connection: Connection, *, finished: Sequence[tuple[InboundRequest, datetime]], now: datetime,
             token: datetime, platforms: list[str], batch: int) -> list[tuple[InboundRequest, datetime]]:
    """``claim``'s transaction: the rows ``finished`` marked done, then the due rows reserved until ``token``."""
    _mark_done(connection, finished, now=now)
    if batch <= 0:
        return []
    # Run by the connection, not the ORM: its bulk update made each claim a new statement to key and look up
    # (a third of a claim's time); the rows come back as plain values, made rows here.
    result = connection.execute(_claim_statement(connection.dialect.name == "postgresql"),
                                {"now": now, "token": token, "platforms": platforms, "batch": batch})
    taken = sorted((InboundRequest(**values) for values in result.mappings()), key=lambda row: row.id or 0)
    return [(row, token) for row in taken]


@contextmanager
def working(row: InboundRequest, token: datetime, *, now: datetime) -> Iterator[Unit]:
    """Run a row's work inside this block: the unit of work it opens marks the row done (``finish_in``)."""
    assert row.id is not None
    answer = [from_dict(dict(m)) for m in row.answer or []] if row.status == "answering" else None
    unit = Unit(row_id=row.id, key=row.key, token=token, now=now, answer=answer, committed=answer is not None,
                attempt=row.attempts + 1)
    reset = _current.set(unit)
    try:
        yield unit
    finally:
        _current.reset(reset)


def in_worker() -> bool:
    """Whether a worker runs this code (a transient failure is then retried, not answered)."""
    return _current.get() is not None


def runs(platform: str, key: keys.DeliveryKey) -> bool:
    """Whether a worker runs the request stored under ``key``: its row, stored once per key and worked once, is
    then the record of that delivery, and a unit of work that marks the row with its own work (``finish_in``,
    as ``Chat._guarded`` does) needs no other (``inbound.first_time``). Work that does not mark the row (a
    platform's own handler) keeps that record: a crash before the row is done would do it again. That other
    record was a write at the start of every button press and event: it opened the write transaction, which
    then held SQLite's write turn through every read of the work after it, and the edge's commits waited."""
    unit = _current.get()
    return unit is not None and unit.key == keys.received(platform, key)


def replayed() -> list[Message] | None:
    """The answer an earlier run of the running row stored and did not send (given back once), else None."""
    unit = _current.get()
    if unit is None or unit.answer is None:
        return None
    answer, unit.answer = unit.answer, None
    return answer


async def finish_in(session: AsyncSession, answer: list[Message], *, now: datetime) -> None:
    """Mark the running row worked, with its ``answer``, in ``session``'s transaction (once per row);
    LeaseLost if it is not this worker's any more. The lease is kept: the worker sends the answer next.

    A unit of work that wrote nothing (a status, a list) is not marked: it changed nothing, so doing it
    again after a crash is as good as its stored answer, and its transaction stays read-only (no write
    turn, no commit to wait for). Its fence is the lease's clock instead of the row: well within the lease
    (``READ_ONLY_WITHIN``), no other worker can hold the row; later, it is marked as any other."""
    unit = _current.get()
    if unit is None or unit.marked or unit.committed:
        return
    if now < unit.token - READ_ONLY_WITHIN and not await wrote(session):
        return
    done = await session.exec(
        update(InboundRequest)
        .where(col(InboundRequest.id) == unit.row_id, col(InboundRequest.locked_until) == unit.token,
               col(InboundRequest.status) == "pending")
        .values(status="answering", answer=[to_dict(m) for m in answer], attempts=col(InboundRequest.attempts) + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise LeaseLost(f"inbound request {unit.row_id}")
    unit.marked = True


def committed() -> None:
    """The transaction that marked the running row committed: the row is done."""
    unit = _current.get()
    if unit is not None and unit.marked:
        unit.committed = True


def rolled_back() -> None:
    """The transaction that marked the running row was rolled back: it is not done."""
    unit = _current.get()
    if unit is not None and not unit.committed:
        unit.marked = False


def retry_instead(exc: BaseException) -> bool:
    """Whether a failure in a worker's unit of work is raised to the worker, to be tried again, rather
    than answered: always but on the last try, when the request is answered with the failure instead;
    a transient failure or a lost lease every time (the request is not done)."""
    unit = _current.get()
    if unit is None:
        return False
    return isinstance(exc, LeaseLost) or is_transient(exc) or unit.attempt < MAX_ATTEMPTS


def is_transient(exc: BaseException) -> bool:
    """A failure worth trying the row again for: the database busy or unreachable, a call timed out."""
    if isinstance(exc, OperationalError | InterfaceError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def _settle(db: Database, row: InboundRequest, token: datetime, values: dict[str, Any]) -> bool:
    return await leases.settle(db, row, token=token, values=values, table=InboundRequest,
                               still=(_unfinished(col(InboundRequest.status)),))


async def finish(db: Database, rows: Sequence[tuple[InboundRequest, datetime]], *, now: datetime) -> int:
    """Done: their answers are sent (or there were none to send). One statement for a whole batch."""
    if not rows:
        return 0
    return await write_alone(db, partial(_mark_done, rows=rows, now=now))


def _mark_done(connection: Connection, rows: Sequence[tuple[InboundRequest, datetime]], *, now: datetime) -> int:
    if not rows:
        return 0
    # By the connection, as the claim (``_reserve``).
    done = connection.execute(_done_statement(), {"held": [(row.id, token) for row, token in rows], "done_at": now})
    return int(done.rowcount or 0)


async def postpone(db: Database, row: InboundRequest, token: datetime, *, until: datetime, reason: str) -> bool:
    return await _settle(db, row, token, {"next_attempt_at": until, "locked_until": None,
                                          "attempts": row.attempts + 1, "last_error": reason[:2000]})


async def fail(db: Database, row: InboundRequest, token: datetime, *, now: datetime, reason: str) -> bool:
    return await _settle(db, row, token, {"status": "failed", "done_at": now, "locked_until": None,
                                          "attempts": row.attempts + 1, "last_error": reason[:2000]})


@dataclass(frozen=True)
class Depth:
    """What an operator watches: rows waiting, the age of the oldest, rows given up."""

    pending: int
    oldest_seconds: float
    failed: int


async def depth(db: Database, *, now: datetime) -> Depth:
    async with db.session() as session:
        pending, first = (await session.exec(
            select(func.count(), func.min(InboundRequest.received_at))
            .where(_unfinished(col(InboundRequest.status))))).one()
        oldest: datetime | None = first  # None when nothing waits
        failed = (await session.exec(
            select(func.count()).select_from(InboundRequest).where(col(InboundRequest.status) == "failed"))).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return Depth(pending=int(pending), oldest_seconds=max(0.0, age), failed=int(failed))


async def forget_old(session: AsyncSession, *, now: datetime) -> int:
    """Delete done rows older than KEEP_FOR (failed ones stay, for an operator to read)."""
    from sqlalchemy import delete

    result = await session.exec(delete(InboundRequest).where(
        col(InboundRequest.status) == "done", col(InboundRequest.received_at) < now - KEEP_FOR))
    return int(result.rowcount or 0)
