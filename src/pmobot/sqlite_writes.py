"""How pmobot's engine writes to SQLite, one process at a time.

SQLite has one writer at a time. Here: its connections (a statement that cannot wait runs in the event loop,
any other in one call to the driver's thread: ``pmobot.sqlite_calls``) and their PRAGMAs; a write
transaction opened ``IMMEDIATE`` just before a session's first write; and the writers of a process taking
turns in asyncio rather than in SQLite's busy handler. ``attach`` puts them on an engine (``db.Database``).
``LoopCommits`` runs short write transactions (the edge's one statement before each acknowledgement, a
worker's claim) in the event loop itself, and ``commit_alone`` the edge's in one call to the driver's thread
when it must wait (``db.insert_committed``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlalchemy.util import await_only

from pmobot import sqlite_calls
from pmobot.statements import NO_BEGIN, is_write

log = logging.getLogger(__name__)

T = TypeVar("T")

# SQLite waits this long for another connection's write to finish before saying "database is locked".
SQLITE_BUSY_MS = 5000

def attach(engine: AsyncEngine) -> Writers:
    """SQLite's discipline on ``engine``: its connections through ``sqlite_calls`` with their PRAGMAs, write
    transactions opened IMMEDIATE at their first write, in this process's write turns (returned)."""
    sync = engine.sync_engine
    event.listen(sync, "do_connect", _connect)
    event.listen(sync, "connect", _pragmas)
    writers = Writers(turn_wait=SQLITE_BUSY_MS / 1000)
    event.listen(sync, "before_cursor_execute", writers.before_write)
    event.listen(sync, "before_cursor_execute", _begin_before_write)
    for ended in ("commit", "rollback"):
        event.listen(sync, ended, _ended)
    event.listen(sync.pool, "checkin", _checked_in)
    event.listen(sync.pool, "checkin", writers.done)
    event.listen(sync.pool, "close", writers.done)
    return writers


def _connect(dialect: Any, _record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]) -> Any:
    """The driver's connection, its statements in the event loop or in one call to its thread
    (``pmobot.sqlite_calls``)."""
    return dialect.loaded_dbapi.connect(*cargs, async_creator_fn=sqlite_calls.connect, **cparams)


def _pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(pragma)
    # Wait for a writer rather than fail at once.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()
    # The driver's own transaction handling opens none before a SAVEPOINT, so a savepoint opened as a
    # unit of work's first write was committed on its own when released. Off: ``_begin_before_write``
    # opens the transaction, and everything a session writes commits together.
    dbapi_connection.isolation_level = None


_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    # WAL lets the console read while a worker writes, and survives a kill.
    "PRAGMA journal_mode=WAL",
    # In WAL, NORMAL loses nothing a process crash could (committed transactions are in the log), only what a
    # power cut could.
    "PRAGMA synchronous=NORMAL",
)


# Where a connection records that it opened a write transaction (its pool record's ``info``).
_WRITING = "pmobot_writing"
def _begin_before_write(conn: Connection, cursor: DBAPICursor, statement: str, _parameters: object,
                        _context: object, _executemany: bool) -> None:
    """Open the write transaction just before a session's first write, as IMMEDIATE.

    Reads before it run on their own (as the driver used to do), so a session
    never holds a read snapshot it then has to upgrade: a deferred transaction
    that reads, then writes after another connection wrote, fails at once with
    "database is locked" whatever the busy timeout. IMMEDIATE waits its turn.
    """
    if conn.info.get(_WRITING) or conn.get_execution_options().get(NO_BEGIN):
        return
    if is_write(statement):
        driver = conn.connection.driver_connection
        if isinstance(driver, sqlite_calls.Connection):
            driver.begin_with_next("BEGIN IMMEDIATE")  # one call to the driver's thread with the statement
        else:
            cursor.execute("BEGIN IMMEDIATE")
        conn.info[_WRITING] = True


# Where a connection records the turn it holds (``Writers``): its pool record's ``info``.
_TURN = "pmobot_turn"


class Writers:
    """The writers of this process take turns in an asyncio queue, not in SQLite's busy handler.

    SQLite has one writer at a time; one that finds the database locked sleeps in growing steps (up to
    100 ms) before trying again, and the database often sits idle meanwhile: under load most of a write's
    time went there. A session's first write (``_begin_before_write``) now waits here its turn,
    which it gives back when its connection goes back to the pool (after its commit or rollback). A turn
    not given within the busy timeout falls back to SQLite's own waiting (another process, a nested
    session of the same task), as before.
    """

    def __init__(self, *, turn_wait: float) -> None:
        # One queue per event loop (a lock belongs to the loop it first waits on).
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())
        # How long a writer waits for its turn before it waits in SQLite instead (seconds).
        self.turn_wait = turn_wait
        # Writers whose turn did not come in time (each logged).
        self.fallbacks = 0
        # Told when a writer starts waiting for its turn, and when one falls back (tests watch them).
        self.on_wait: Callable[[], None] | None = None
        self.on_fallback: Callable[[], None] | None = None

    def held(self) -> bool:
        """Whether a writer of the running event loop holds the turn."""
        lock = self._locks.get(asyncio.get_running_loop())
        return lock is not None and lock.locked()

    def before_write(self, conn: Connection, _cursor: DBAPICursor, statement: str, _parameters: object,
                     _context: object, _executemany: bool) -> None:
        if conn.info.get(_WRITING) or _TURN in conn.info or conn.get_execution_options().get(NO_BEGIN):
            return
        if not is_write(statement):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not under the event loop (a synchronous migration): SQLite's waiting alone
            return
        await_only(self.take(conn.info))

    async def take(self, info: dict[Any, Any]) -> None:
        """Wait for this process's write turn, recorded in ``info`` (a pooled connection's) and given back when
        that connection goes back to the pool (``done``); past ``turn_wait``, SQLite's own waiting instead."""
        lock = self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        if not lock.locked():
            # Free: taken at once. ``wait_for`` would run the acquire as a task of its own, a turn of the event
            # loop later (a millisecond and more while a burst is being acknowledged).
            await lock.acquire()
            info[_TURN] = lock
            return
        if self.on_wait is not None:
            self.on_wait()
        try:
            await asyncio.wait_for(lock.acquire(), self.turn_wait)
        except TimeoutError:
            self.fallbacks += 1
            log.warning("sqlite: a write waited %.1f s for its turn; it waits in SQLite instead", self.turn_wait)
            if self.on_fallback is not None:
                self.on_fallback()
            return
        info[_TURN] = lock

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """The write turn for a block that writes on a connection of no pool (``LoopCommits``)."""
        info: dict[Any, Any] = {}
        await self.take(info)
        try:
            yield
        finally:
            _give_back(info)

    def done(self, _dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        _give_back(record.info)


def _busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked": another connection holds the write lock."""
    error = exc.orig if isinstance(exc, OperationalError) else exc
    return isinstance(error, sqlite3.OperationalError) and error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


def _give_back(info: dict[Any, Any]) -> None:
    """Give back the write turn ``info`` records (``Writers.take``), if it holds one."""
    lock = info.pop(_TURN, None)
    if lock is not None and lock.locked():
        lock.release()


def _ended(conn: Connection) -> None:
    conn.info.pop(_WRITING, None)


def _checked_in(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    # Back in the pool, rolled back by it if nothing else ended the transaction.
    record.info.pop(_WRITING, None)


async def commit_alone(engine: AsyncEngine, writers: Writers, statements: sqlite_calls.Statements) -> list[Any]:
    """``statements`` in a write transaction of their own, committed in one call to the driver's thread
    (``sqlite_calls.Connection.commit_alone``), in this process's write turn; the rows they return."""
    async with engine.connect() as conn:
        await writers.take(conn.info)
        driver = (await conn.get_raw_connection()).driver_connection
        assert isinstance(driver, sqlite_calls.Connection)
        return await driver.commit_alone(statements)


class LoopCommits:
    """Short write transactions made by the event loop itself on a connection of its own: the edge's commit
    before each acknowledgement (``commit_alone``) and a worker's claim (``transaction``).

    That transaction (``BEGIN IMMEDIATE``, one insert, ``COMMIT``) takes a fifth of a millisecond in WAL,
    which does not sync at each commit. Made in the driver's thread it took 1.7 ms (p50) to 12 ms (p99)
    while a burst was acknowledged: the thread waited for the GIL at each step, then the event loop a turn
    to hear it had finished, and every request of the batch waited with it. A worker's claim through a
    session held the write turn the same way, for three calls to the driver's thread (2.6 ms p50, up to
    25 ms under a burst), and every acknowledgement waited behind it. Here a transaction never waits inside
    the event loop: SQLite's busy timeout is 0 on this connection, so a write of another process in progress
    sends it elsewhere to wait (``otherwise``: the driver's thread, as sessions do); and this connection
    never checkpoints the log (the pool's connections do, as they commit).
    """

    def __init__(self, path: str, *, engine: AsyncEngine, writers: Writers) -> None:
        self.path = path
        self.engine = engine
        self.writers = writers
        self._connection: sqlite3.Connection | None = None
        # The same connection for SQLAlchemy's statements (``transaction``), made at its first use.
        self._statements: Engine | None = None
        # Transactions sent elsewhere because another process was writing (the tests read it).
        self.waited = 0

    async def commit_alone(self, statements: sqlite_calls.Statements) -> list[Any]:
        """``statements`` in a write transaction of their own, committed, in this process's write turn; their
        rows."""
        return await self._run(lambda: sqlite_calls.in_own_transaction(self._connect(), statements),
                               otherwise=lambda: commit_alone(self.engine, self.writers, statements))

    async def transaction(self, work: Callable[[Connection], T], *, otherwise: Callable[[], Awaitable[T]]) -> T:
        """``work`` with SQLAlchemy's statements in a write transaction of its own (``BEGIN IMMEDIATE``), committed,
        in this process's write turn; what it returns. ``otherwise()`` instead while another process writes."""
        return await self._run(lambda: self._in_transaction(work), otherwise=otherwise)

    async def _run(self, work: Callable[[], T], *, otherwise: Callable[[], Awaitable[T]]) -> T:
        async with self.writers.turn():
            try:
                return work()
            except (sqlite3.OperationalError, OperationalError) as exc:
                if not _busy(exc):
                    raise
        self.waited += 1
        return await otherwise()

    def _in_transaction(self, work: Callable[[Connection], T]) -> T:
        if self._statements is None:
            self._statements = create_engine("sqlite://", creator=self._connect, poolclass=StaticPool)
        with self._statements.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                done = work(connection)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        return done

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            for pragma in (*_PRAGMAS, "PRAGMA busy_timeout=0", "PRAGMA wal_autocheckpoint=0"):
                connection.execute(pragma)
            self._connection = connection
        return self._connection

    def close(self) -> None:
        if self._statements is not None:
            self._statements.dispose()
            self._statements = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
