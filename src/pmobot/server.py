"""``pmobot serve``: one aiohttp server for every platform, and the jobs beside it.

The web application carries ``/healthz`` and each platform's routes; the
inbound workers (``pmobot.workers``) work the requests the routes stored; the
scheduler runs the outbox worker on every replica (rows are claimed safely)
and the scheduled jobs (``pmobot.jobs``) on the one replica that holds the leader lock.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from pmobot.clock import Clock, SystemClock
from pmobot.db import Database
from pmobot.interrupts import release_signals, stop_on_signals
from pmobot.platforms import Platform
from pmobot.services import inbox
from pmobot.workers import Acknowledging, InboundWorker, hear_arrivals

log = logging.getLogger(__name__)

# The scheduled jobs wait this long at most for the warm-ups (``LanguageModels.warmed``) before they start.
WARM_UPS_MOST = 30.0
# While serving, how long the event loop's thread waits at most for the interpreter lock held by another
# thread (``sys.setswitchinterval``; Python's default is 5 ms). The SQLite driver's thread lets the lock go at
# each call into SQLite and takes it back at once, so the event loop, asking for it meanwhile, got it only when
# that thread was made to yield: 5 ms, sometimes 10, each time a statement of a worker's ended while requests
# were being acknowledged. Five runs of the acknowledgement bench each way: 63 to 83 handlers a run held 4 ms
# or more by that wait, against 0 or 1 at 0.5 ms; worst p99 ratio to bare bolt 2.75 against 1.30.
LOCK_SWITCH_SECONDS = 0.0005
# The advisory lock id of the scheduler leader on PostgreSQL ("pmob" in ASCII).
LEADER_LOCK_ID = 0x706D6F62


class Leadership:
    """Who runs the jobs that must run once (housekeeping, digests, drift).

    On PostgreSQL the leader holds a session-level advisory lock on a
    connection of its own; when the process or that connection dies the lock
    goes with it and another replica takes over at its next try. So the leader
    re-checks before each leader-only run (``try_acquire``), on that very
    connection, that PostgreSQL still counts the lock as its own; if not (the
    connection was cut), it stops leading and competes again like any replica:
    two replicas never both lead. On SQLite one process runs everything, so it
    is always the leader.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        """Whether this replica led at its last check (``try_acquire`` checks again)."""
        return self.db.is_sqlite or self._conn is not None

    async def _still_held(self, conn: AsyncConnection) -> bool:
        """The heartbeat: does the lock's own connection still answer, and still hold it?"""
        try:
            held = (await conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
                "AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"),
                {"high": LEADER_LOCK_ID >> 32, "low": LEADER_LOCK_ID & 0xFFFFFFFF})).scalar()
            await conn.commit()
        except Exception as exc:  # the connection died: the lock went with it
            log.warning("the scheduler lock's connection is gone (%s): this replica stops leading",
                        type(exc).__name__)
            return False
        if not held:
            log.warning("the scheduler lock is no longer held: this replica stops leading")
        return bool(held)

    async def _drop(self, conn: AsyncConnection) -> None:
        self._conn = None
        try:
            await conn.invalidate()  # never back to the pool: it is dead or holds nothing
            await conn.close()
        except Exception:  # closing a dead connection may fail too; it is dropped either way
            log.debug("closing the lost scheduler lock connection", exc_info=True)

    async def try_acquire(self) -> bool:
        """Whether this replica leads now: checked again on every call, before each leader-only run."""
        if self.db.is_sqlite:
            return True
        if self._conn is not None:
            if await self._still_held(self._conn):
                return True
            await self._drop(self._conn)
        conn = await self.db.engine.connect()
        try:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": LEADER_LOCK_ID})).scalar()
            # The lock is the session's: it outlives the transaction, which is not left open.
            await conn.commit()
        except Exception:
            await conn.close()
            raise
        if got:
            self._conn = conn
            log.info("this replica leads the scheduled jobs")
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LEADER_LOCK_ID})
            await conn.commit()
            await conn.close()
        except Exception:  # a dead connection released the lock already
            await self._drop(conn)


async def health(db: Database) -> tuple[bool, dict[str, Any]]:
    """Database reachable and migrations current."""
    try:
        pending = await db.pending_migrations()
    except Exception as exc:  # the reason goes to the log, not to the caller
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return False, {"database": "unreachable"}
    if pending:
        return False, {"database": "reachable", "migrations": f"{len(pending)} pending: run 'pmobot db upgrade'"}
    return True, {"database": "reachable", "migrations": "current"}


async def queue_depth(db: Database, clock: Clock) -> dict[str, Any]:
    """The inbound queue as an operator watches it: requests waiting, the oldest one's age, those given up."""
    depth = await inbox.depth(db, now=clock.now())
    return {"waiting": depth.pending, "oldest_seconds": round(depth.oldest_seconds, 3), "failed": depth.failed}


def build_web_app(*, db: Database, platforms: Sequence[Platform], models: LanguageModels | None = None,
                  clock: Clock | None = None, acknowledging: Acknowledging | None = None) -> web.Application:
    """``/healthz`` and each platform's endpoints; ``acknowledging`` counts the platforms' requests in flight
    (the workers of the process let them go first)."""
    middlewares = [_counted(acknowledging)] if acknowledging is not None else []
    web_app = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
    clock = clock or SystemClock()

    async def healthz(_request: web.Request) -> web.Response:
        ok, detail = await health(db)
        if ok:
            detail["inbound"] = await queue_depth(db, clock)
        detail["status"] = "ok" if ok else "unavailable"
        if models is not None:
            detail["language_models"] = "loaded" if models.ready else "loading"
        detail["platforms"] = [p.name for p in platforms]
        return web.json_response(detail, status=200 if ok else 503)

    web_app.router.add_get("/healthz", healthz)
    for platform in platforms:
        platform.mount(web_app)
    return web_app


def _counted(acknowledging: Acknowledging) -> Middleware:
    @web.middleware
    async def counted(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/healthz":
            return await handler(request)
        with acknowledging.request():
            return await handler(request)

    return counted


class LanguageModels:
    """The language models of this process: loaded in a thread once serving has
    begun, then taken out of the garbage collector's sight. ``also``: more of
    what a first request or job would otherwise load in the event loop (the
    message catalogs, the holidays), loaded first in the same thread
    (``warmed`` is set then: the scheduled jobs start after it).

    They are a million long-lived objects. Left in the collected heap, every
    full collection walks them all: while they loaded, one every half second
    held the event loop for 150 to 700 ms, and later ones would too. So the
    collector is off while they load, and what exists once they are loaded is
    moved to a permanent generation (``gc.freeze``) without a full collection
    first: that one held the loop 0.3 s to find a few hundred unreachable
    objects among the million, which are kept. ``/healthz`` says whether they
    are loaded; requests are served meanwhile (a sentence read before then
    waits for the models).
    """

    def __init__(self, *, also: Sequence[Callable[[], object]] = ()) -> None:
        self.ready = False
        self.also = tuple(also)
        self.warmed = asyncio.Event()

    async def load(self) -> None:
        from pmobot.conversation.recognizers import warm_up as load_models

        def warm_all() -> None:
            for warm in self.also:
                warm()

        loop = asyncio.get_running_loop()
        collecting = gc.isenabled()
        gc.disable()
        try:
            await loop.run_in_executor(None, warm_all)
            self.warmed.set()
            await loop.run_in_executor(None, load_models)
            gc.freeze()
        finally:
            self.warmed.set()
            if collecting:
                gc.enable()
        self.ready = True
        log.info("language models loaded")


async def _start_when(ready: asyncio.Event, scheduler: AsyncIOScheduler, *, most: float = WARM_UPS_MOST) -> None:
    """Start ``scheduler`` once ``ready`` is set, ``most`` seconds at most: the outbox it runs never waits on
    a warm-up that hangs."""
    with suppress(TimeoutError):
        await asyncio.wait_for(ready.wait(), most)
    scheduler.start()


@asynccontextmanager
async def _running(*, platforms: Sequence[Platform], scheduler: AsyncIOScheduler, leadership: Leadership,
                   workers: Sequence[InboundWorker], models: LanguageModels | None,
                   stop: asyncio.Event | None) -> AsyncIterator[asyncio.Event]:
    """What ``pmobot serve`` and ``pmobot worker`` both run: the platforms, the scheduled jobs and the inbound
    workers, until the ``stop`` it yields is set; then everything is stopped in order (``stop`` set first)."""
    loop = asyncio.get_running_loop()
    models = models or LanguageModels()
    warming = loop.create_task(models.load())
    stop = stop or asyncio.Event()
    handled = stop_on_signals(loop, stop)
    started: list[Platform] = []
    working: list[asyncio.Task[None]] = []
    hearing: asyncio.Task[None] | None = None
    scheduling: asyncio.Task[None] | None = None
    try:
        for platform in platforms:
            await platform.start()
            started.append(platform)
        # The jobs' first tick needs what the warm-ups load (holidays, catalogs): loaded in the event loop
        # meanwhile, it held the acknowledgements of the first seconds behind it.
        scheduling = loop.create_task(_start_when(models.warmed, scheduler))
        working += [loop.create_task(worker.run(stop)) for worker in workers]
        if workers and not workers[0].db.is_sqlite:
            # Requests stored by other processes wake these workers at once (SQLite has one process).
            def wake_all() -> None:
                for worker in workers:
                    worker.wake()

            hearing = loop.create_task(hear_arrivals(workers[0].db, wake=wake_all))
        yield stop
    finally:
        warming.cancel()
        for task in (scheduling, hearing):
            if task is not None:
                task.cancel()
        stop.set()
        # The workers finish the row in hand; a row cut short is taken again when its lease runs out.
        await asyncio.gather(*working, return_exceptions=True)
        release_signals(loop, handled)
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for platform in reversed(started):
            try:
                await platform.stop()
            except Exception:
                log.exception("stopping %s", platform.name)
        await leadership.release()


async def serve_forever(*, web_app: web.Application, host: str, port: int, platforms: Sequence[Platform],
                        scheduler: AsyncIOScheduler, leadership: Leadership,
                        models: LanguageModels | None = None, stop: asyncio.Event | None = None,
                        workers: Sequence[InboundWorker] = ()) -> None:
    """Run until ``stop`` is set (or the process is interrupted), then shut down in order."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(LOCK_SWITCH_SECONDS)
    try:
        async with _running(platforms=platforms, scheduler=scheduler, leadership=leadership, workers=workers,
                            models=models, stop=stop) as stopping:
            log.info("pmobot serving on %s:%s for %s", host, port,
                     ", ".join(p.name for p in platforms) or "no platform")
            await stopping.wait()
            log.info("pmobot stopping")
    finally:
        sys.setswitchinterval(switch)
        await runner.cleanup()


async def work_forever(*, workers: Sequence[InboundWorker], scheduler: AsyncIOScheduler, leadership: Leadership,
                       models: LanguageModels | None = None, stop: asyncio.Event | None = None) -> None:
    """``pmobot worker``: the inbound workers and the scheduled jobs, no web endpoint, until ``stop``."""
    async with _running(platforms=(), scheduler=scheduler, leadership=leadership, workers=workers, models=models,
                        stop=stop) as stopping:
        log.info("pmobot working (%d inbound worker(s))", len(workers))
        await stopping.wait()
