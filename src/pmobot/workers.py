"""The inbound workers: they take stored requests and hand each to its platform's handler.

``pmobot serve`` runs them beside the web endpoints (one process on SQLite);
``pmobot worker`` runs only them, as many processes as wanted on PostgreSQL.
A claim holds at most one row per conversation (``inbox.claim``), so its rows
run concurrently without ever reordering one person's requests; a worker claims
no more rows than it has free slots, and claims again as half of them free up, so
a claimed row starts at once and never waits out its lease in a queue. The handler's
unit of work marks its row worked, with its answer, in the same transaction as
the work (one that wrote nothing is not marked: ``inbox.finish_in``); the row is
done once the answer is sent, with the next claim's transaction. A failure is tried again with
backoff, up to ``inbox.MAX_ATTEMPTS``, then the row is given up and logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from sqlalchemy import make_url

from pmobot.clock import Clock
from pmobot.db import Database
from pmobot.domain.models_inbound import InboundRequest
from pmobot.scheduler import backoff
from pmobot.services import inbox

log = logging.getLogger(__name__)

# What a platform does with one of its stored requests (the same dispatch as when it arrived).
Handler = Callable[[InboundRequest], Awaitable[None]]

# Without a wake-up from this process (rows stored by another replica), look for work this often.
POLL_SECONDS = 0.25
BATCH = 32
# Rows of different conversations run at once, at most this many per worker.
CONCURRENCY = 8
BACKOFF_BASE = 1.0
BACKOFF_MAX = 60.0
# While this process's web endpoints acknowledge requests, a worker waits at most this long before it claims,
# and then claims this many rows at most. A quarter of a second lets a burst of a few hundred requests be
# acknowledged whole before its work starts (at 50 ms, a row started every 50 ms inside a burst, and the
# acknowledgements queued behind its work made pmobot's p99); the limit only says "never forever": under
# acknowledgements that never stop, work moves at a row per wait whatever the wait.
YIELD_MOST = 0.25
WHILE_ACKNOWLEDGING = 1
# While rows are being worked, a claim waits for half the slots to be free, this long at most (rows held up by
# a slow platform must not keep the free slots idle).
FULLER_MOST = 0.02
# A burst is over once no request has been in flight for this long. Shorter than the gap between requests at
# any rate the workers keep up with (5 ms at 200 a second), longer than the gap inside a burst, when a batch
# of acknowledgements has gone out and its clients' next requests are on their way.
CALM = 0.002


class Acknowledging:
    """The requests this process's web endpoints are answering now; its workers let them go first.

    An acknowledgement has a deadline (Slack's 3 s, then it sends again), an answer only a person waiting:
    a worker's claim waits until no request has been in flight for ``calm`` seconds, ``YIELD_MOST`` at most
    (so a worker never starves), and its work then does not hold the event loop or the database's write
    turn while a burst is being acknowledged. The calm matters: inside a burst, no request is in flight for
    an instant each time a batch has been acknowledged; a worker that took that instant for the end started
    eight rows' work in the middle of the burst, and acknowledgements took 1.6 times as long (p50). The
    first request of a burst is alone for a moment too (the others not read yet): a worker that started
    its row then (a claim and a row's first steps, 3 to 4 ms) held back the whole burst, whose first
    acknowledgements made the p99. So the calm follows every request; an answer waits 2 ms more for it.
    Still acknowledging after that wait, it claims ``WHILE_ACKNOWLEDGING`` rows, not a slot's worth: eight
    rows' work started at once held the acknowledgements behind it for milliseconds.
    ``pmobot worker`` has no endpoint and never waits.
    """

    def __init__(self, *, calm: float = CALM) -> None:
        self.in_flight = 0
        # Workers waiting for the requests in flight (the tests read it).
        self.waiting = 0
        self.calm = calm
        self._quiet = asyncio.Event()
        self._quiet.set()
        # Sets the event once the calm has lasted; cancelled by a request meanwhile.
        self._calming: asyncio.TimerHandle | None = None

    @contextmanager
    def request(self) -> Iterator[None]:
        self.in_flight += 1
        self._quiet.clear()
        if self._calming is not None:
            self._calming.cancel()
            self._calming = None
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._calming = asyncio.get_running_loop().call_later(self.calm, self._calmed)

    def _calmed(self) -> None:
        self._calming = None
        if not self.in_flight:
            self._quiet.set()

    async def quiet(self, *, most: float) -> bool:
        """Until no request has been in flight for ``calm`` seconds, ``most`` seconds at most; whether so."""
        if self._quiet.is_set():
            return True
        self.waiting += 1
        try:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), most)
        finally:
            self.waiting -= 1
        return self._quiet.is_set()


async def hear_arrivals(db: Database, *, wake: Callable[[], None], listening: asyncio.Event | None = None,
                        retry_most: float = 30.0,
                        pause: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
    """On PostgreSQL, until cancelled: wake this process's workers whenever any process stores a request
    (``LISTEN``, ``inbox.ARRIVALS_CHANNEL``), not at their next poll; a worker process apart from the web
    replicas learned of a request up to a poll later. On a lost connection it connects again after
    ``pause`` (1 s, doubling up to ``retry_most``; the polls find every row meanwhile, so nothing waits for it
    but speed). ``listening``: set once it listens."""
    import psycopg

    conninfo = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    delay = 1.0
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {inbox.ARRIVALS_CHANNEL}")
                delay = 1.0
                if listening is not None:
                    listening.set()
                wake()  # what was stored while nobody listened
                async for _ in conn.notifies():
                    wake()
        except psycopg.Error as exc:
            log.warning("inbound worker: not hearing new requests (%s), polling meanwhile; listening again in "
                        "%.0f s", type(exc).__name__, delay)
            await pause(delay)
            delay = min(delay * 2, retry_most)


class InboundWorker:
    def __init__(self, *, db: Database, clock: Clock, handlers: Mapping[str, Handler], batch: int = BATCH,
                 concurrency: int = CONCURRENCY, poll_seconds: float = POLL_SECONDS,
                 rng: random.Random | None = None, acknowledging: Acknowledging | None = None,
                 yield_most: float = YIELD_MOST, fuller_most: float = FULLER_MOST) -> None:
        self.db = db
        self.clock = clock
        self.handlers = dict(handlers)
        self.batch = batch
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.rng = rng or random.Random()
        self.acknowledging = acknowledging
        self.yield_most = yield_most
        # While rows are being worked, a claim waits until this many slots are free (``fuller_most`` at most):
        # a claim per freed slot was a claim per request under load, and a claim costs as much as a fifth of a
        # request's work on PostgreSQL (fuller claims: saturation about 17% higher there, same-run pairs).
        self._fuller = (concurrency + 1) // 2
        self.fuller_most = fuller_most
        # Since when (the event loop's time) a claim has been waiting for more free slots.
        self._put_off_since: float | None = None
        # Times a claim waited for more free slots (the tests read it).
        self.put_off = 0
        self._wake = asyncio.Event()
        # The rows being worked; never more than ``concurrency``, so a claimed row starts at once and never
        # waits in this process past its lease (another worker would take it over).
        self._running: set[asyncio.Task[None]] = set()
        # Rows worked and answered, to be marked done (with the next claim, or at the end of ``run_once``).
        self._answered: list[tuple[InboundRequest, datetime]] = []

    def wake(self) -> None:
        self._wake.set()

    def _free_slots(self) -> int:
        return min(self.batch, self.concurrency - len(self._running))

    async def _fill(self, *, look_first: bool = False, most: int | None = None) -> int:
        """Claim as many rows as there are free slots (``most`` at most) and start each at once; how many
        were taken. ``look_first``: read whether anything is due before writing (``inbox.claim``)."""
        free = self._free_slots() if most is None else min(most, self._free_slots())
        if free <= 0:
            return 0
        answered, self._answered = self._answered, []
        try:
            claimed = await inbox.claim(self.db, now=self.clock.now(), platforms=list(self.handlers), batch=free,
                                        finished=answered, look_first=look_first)
        except Exception:
            self._answered[:0] = answered  # kept for the next try (the lease still fences them)
            raise
        for row, token in claimed:
            task = asyncio.get_running_loop().create_task(self._run_row(row, token))
            self._running.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()  # a slot is free, and the conversation's next request may be due

    async def _run_row(self, row: InboundRequest, token: datetime) -> None:
        if await self._guarded(row, token):
            self._answered.append((row, token))

    async def _mark_done(self) -> None:
        answered, self._answered = self._answered, []
        try:
            await inbox.finish(self.db, answered, now=self.clock.now())
        except Exception:
            self._answered[:0] = answered  # kept for the next try (the lease still fences them)
            raise

    async def run_once(self) -> int:
        """Work on the rows due now, as many as there are slots; how many were taken."""
        taken = await self._fill()
        await asyncio.gather(*self._running)
        # Marked done together: one statement for the batch (a crash before it sends the answers again).
        await self._mark_done()
        return taken

    async def drain(self, *, rounds: int = 100) -> int:
        """Work until nothing is due (tests, shutdown)."""
        total = 0
        for _ in range(rounds):
            taken = await self.run_once()
            total += taken
            if taken == 0:
                break
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: keep every slot busy, claiming again as soon as one frees up; else wait for a
        wake-up (a request stored here, a row finished) or the next poll. Rows in hand are finished."""
        # Whether the last look found nothing: polled again without a wake-up, the worker reads before it writes.
        idle = False
        try:
            while not stop.is_set():
                woken = self._wake.is_set()
                self._wake.clear()
                left = self._fuller_in()
                if left > 0:
                    self.put_off += 1
                    await self._wait(stop, timeout=left)  # a row finishing wakes it
                    continue
                most = None
                if (self.acknowledging is not None and self._free_slots() > 0
                        and not await self.acknowledging.quiet(most=self.yield_most)):
                    most = WHILE_ACKNOWLEDGING
                try:
                    # Rows answered meanwhile are marked done with the next claim (one commit for both).
                    taken = await self._fill(look_first=idle and not woken, most=most)
                    idle = not taken and not self._running
                    if not taken and self._answered:
                        await self._mark_done()
                except Exception:  # the database away for a moment: the loop must outlive it
                    log.exception("inbound worker: could not claim requests")
                await self._wait(stop)
        finally:
            await asyncio.gather(*self._running, return_exceptions=True)
            if self._answered:
                try:
                    await self._mark_done()
                except Exception:  # their answers went out; sent again after the lease, at worst
                    log.exception("inbound worker: could not mark answered requests done")

    def _fuller_in(self) -> float:
        """How long a claim is still put off for more free slots (``_fuller``); 0 to claim now."""
        if not self._running or self._free_slots() >= self._fuller:
            self._put_off_since = None
            return 0.0
        now = asyncio.get_running_loop().time()
        if self._put_off_since is None:
            self._put_off_since = now
        return max(0.0, self._put_off_since + self.fuller_most - now)

    async def _wait(self, stop: asyncio.Event, *, timeout: float | None = None) -> None:
        """Until a wake-up (a request stored here, a row finished), ``stop``, or ``timeout`` (the next poll)."""
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(waiters, timeout=self.poll_seconds if timeout is None else timeout,
                                        return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()

    async def _guarded(self, row: InboundRequest, token: datetime) -> bool:
        try:
            return await self._work(row, token)
        except Exception:  # the outcome could not be written: the lease runs out and the row is taken again
            log.exception("inbound worker: request %s left for a retry", row.id)
            return False

    async def _work(self, row: InboundRequest, token: datetime) -> bool:
        """Whether the row's work and answer are through (to be marked done)."""
        handler = self.handlers[row.platform]
        with inbox.working(row, token, now=self.clock.now()):
            try:
                # No time limit of its own: a worker whose lease ran out meanwhile commits nothing (the
                # fence in ``inbox.finish_in``), and cutting a database call short would break its connection.
                await handler(row)
            except inbox.LeaseLost:
                log.warning("inbound worker: request %s was taken over by another worker", row.id)
                return False
            except Exception as exc:
                # Before its work committed: tried again. After: the work is kept and the stored answer is
                # sent on the next try.
                await self._failed(row, token, exc)
                return False
        return True

    async def _failed(self, row: InboundRequest, token: datetime, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        attempts = row.attempts + 1
        if attempts >= inbox.MAX_ATTEMPTS:
            log.error("inbound worker: request %s (%s) given up after %d attempts: %s", row.id, row.kind, attempts,
                      reason, exc_info=exc)
            await inbox.fail(self.db, row, token, now=self.clock.now(), reason=reason)
            return
        delay = backoff(attempts, rng=self.rng, first=BACKOFF_BASE, most=BACKOFF_MAX)
        log.warning("inbound worker: request %s postponed %.1fs: %s", row.id, delay, reason)
        await inbox.postpone(self.db, row, token, until=self.clock.now() + timedelta(seconds=delay), reason=reason)
