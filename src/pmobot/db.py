"""Database engine, sessions and migrations.

Nothing here runs at import time: ``Database(url)`` is built by the
composition root. URLs are normalised to async drivers (aiosqlite,
psycopg), so a user may write ``sqlite:///...`` or ``postgresql://...``.
"""

from __future__ import annotations

import logging
import select
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import cache, lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Row, Table, bindparam, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot import pg_transactions
from pmobot.sqlite_writes import LoopCommits, Writers, attach, commit_alone
from pmobot.statements import NO_BEGIN, may_write

log = logging.getLogger(__name__)

T = TypeVar("T")

# PostgreSQL connections per process: the web endpoints, the inbound workers (``workers.CONCURRENCY``) and the
# outbox share them; more waits for one rather than failing.
POOL_SIZE = 10
POOL_OVERFLOW = 10
# SQLite connections kept open: as many as the sessions a busy process holds at once (requests arriving, the
# inbound workers' slots, the outbox). Past the pool, a connection is opened and closed for one session: a
# thread started, a file opened and its PRAGMAs set each time, which under load cost more than the session.
SQLITE_POOL_SIZE = 20


class DatabaseNotMigrated(RuntimeError):
    """The schema is missing or older than this version of pmobot."""


def async_url(url: str) -> str:
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
    name = parsed.drivername
    if name in driver:
        parsed = parsed.set(drivername=driver[name])
    elif name == "postgresql+psycopg2":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("pmobot.migrations")))
    return cfg


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            path = make_url(self.url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        if self.is_sqlite:
            memory = make_url(self.url).database in (None, "", ":memory:")
            pool = {} if memory else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        if not self.is_sqlite:
            pool["isolation_level"] = pg_transactions.ISOLATION
        self.engine: AsyncEngine = create_async_engine(self.url, echo=echo, **pool)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _note_write)
        for ended in ("commit", "rollback"):
            event.listen(self.engine.sync_engine, ended, _written_out)
        event.listen(self.engine.sync_engine.pool, "checkin", _written_out_checked_in)
        if not self.is_sqlite:
            event.listen(self.engine.sync_engine.pool, "checkout", _dropped_while_idle)
            pg_transactions.attach(self.engine)
        # The SQLite write turns of this process (None on PostgreSQL, which has row locks).
        self.writers: Writers | None = attach(self.engine) if self.is_sqlite else None
        # The edge's commit before each acknowledgement, in the event loop (a database in a file only: one in
        # memory is the pool's own connection's).
        path = make_url(self.url).database if self.is_sqlite else None
        self.loop_commits: LoopCommits | None = (
            LoopCommits(path, engine=self.engine, writers=self.writers)
            if self.writers is not None and path and path != ":memory:" else None)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        # A connection's options for statements that each stand alone (``alone``, ``write_alone``).
        self.alone_options: dict[str, Any] = {} if self.is_sqlite else {NO_BEGIN: True}

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends, rolled back on error. Its transaction opens at its
        first write (or lock): one that only reads opens none, and its reads each see what is committed."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[AsyncSession]:
        """A session whose statements each commit on their own, for work made of statements that each stand
        alone (an insert unless taken, a compare-and-set): on PostgreSQL no BEGIN and COMMIT around them, two
        round trips of a claim's four. On SQLite a unit of work as ``session`` (its write turn, one commit)."""
        async with self.session() as session:
            await session.connection(execution_options=self.alone_options)
            yield session

    async def upgrade(self) -> None:
        async with self.engine.connect() as conn:
            if not self.is_sqlite:
                # One transaction from the first statement, as Alembic expects (not from the first write).
                await conn.execution_options(isolation_level="READ COMMITTED")
            if self.is_sqlite:
                await conn.execution_options(**{NO_BEGIN: True})
                # SQLite changes a table by rebuilding it (Alembic's batch mode): the tables that point at it
                # would fail their foreign keys while its old copy is dropped. Checked once it is back.
                await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.run_sync(_upgrade)
            await conn.commit()
            if self.is_sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()
                if broken:
                    raise RuntimeError(f"a migration left rows pointing at nothing: {broken[:5]}")

    async def pending_migrations(self) -> list[str]:
        """Revisions not yet applied, oldest first; empty when the schema is current."""
        async with self.engine.connect() as conn:
            return await conn.run_sync(_pending)

    async def require_current(self) -> None:
        pending = await self.pending_migrations()
        if pending:
            raise DatabaseNotMigrated(
                f"the database is not up to date ({len(pending)} migration(s) to apply): run 'pmobot db upgrade'"
            )

    async def dispose(self) -> None:
        if self.loop_commits is not None:
            self.loop_commits.close()
        await self.engine.dispose()


def _dropped_while_idle(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry, _proxy: object) -> None:
    """A PostgreSQL connection cut while it waited in the pool (the server restarted, the backend was
    terminated) is replaced before anyone uses it: the pool takes another (``DisconnectionError``).

    Without a round trip: an idle connection's server has nothing to say to it, so a socket with something
    to read (the server's farewell, then the end of the stream) or a connection no longer in order is one
    to drop. SQLAlchemy's ``pool_pre_ping`` asked the server instead, a round trip at each checkout: about
    three per request under load, each as costly to pmobot as a statement. A peer gone without a word (a
    cable, a firewall) is seen by neither at once: the statement fails, and the pool is renewed.
    """
    # PostgreSQL's driver: imported once a PostgreSQL pool is in use (never by the console on SQLite).
    from psycopg import AsyncConnection
    from psycopg.pq import ConnStatus

    connection = getattr(dbapi_connection, "driver_connection", None)
    if not isinstance(connection, AsyncConnection):
        return
    pgconn = connection.pgconn
    try:
        dropped = connection.closed or pgconn.status != ConnStatus.OK or _readable(pgconn.socket)
    except Exception as exc:  # the socket is gone already
        raise DisconnectionError(f"connection lost while idle: {exc}") from exc
    if dropped:
        raise DisconnectionError("connection closed by the server while idle in the pool")


def _readable(fd: int) -> bool:
    """Whether the socket ``fd`` has something to read, or was closed, now (``poll``: no limit on ``fd``
    numbers, where ``select`` fails past 1,023)."""
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


# Where a connection records that its transaction wrote (its pool record's ``info``), on every database.
_WROTE = "pmobot_wrote"


def _note_write(conn: Connection, _cursor: DBAPICursor, statement: str, _parameters: object, _context: object,
                _executemany: bool) -> None:
    if may_write(statement):
        conn.info[_WROTE] = True


def _written_out(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def _written_out_checked_in(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    record.info.pop(_WROTE, None)


async def wrote(session: AsyncSession) -> bool:
    """Whether ``session``'s transaction changes anything: a write ran, or the ORM holds one to flush.

    A read-only unit of work may skip what only a write needs (``inbox.finish_in``). Conservative:
    an object touched without a real change counts as a write."""
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return bool((await session.connection()).info.get(_WROTE))


def _upgrade(conn: Connection) -> None:
    cfg = _alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


@cache
def _revisions() -> tuple[str, ...]:
    """The migrations this code ships, newest first: read from their files once per process (they do not
    change under it). Read at every ``/healthz``, they were its cost: every file parsed again, the event
    loop held for tens of milliseconds."""
    return tuple(rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions())


def _pending(conn: Connection) -> list[str]:
    current = set(MigrationContext.configure(conn).get_current_heads())
    pending: list[str] = []
    for revision in _revisions():
        if revision in current:
            break
        pending.append(revision)
    return list(reversed(pending))


async def add_unless_taken(session: AsyncSession, row: SQLModel) -> bool:
    """Add ``row`` in a savepoint; False when a unique key already holds its value.

    The compare-and-set of an insert: two replicas (or two presses) writing the same
    natural key keep one row, and the loser's transaction, with the rest of its work,
    stays whole.
    """
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


async def insert_new(session: AsyncSession, table: type[SQLModel], values: dict[str, Any], *, key: str) -> bool:
    """Insert ``values`` unless a row with the same unique ``key`` exists; whether it was inserted.

    One ``INSERT ... ON CONFLICT DO NOTHING`` and no savepoint, committed (or not) with the caller's
    transaction: on SQLite a savepoint opened before any other write would be committed on its own when
    released. On PostgreSQL a second replica inserting the same key waits for the first one's transaction.
    """
    return bool(await insert_unless_taken(session, table, [values], returning=(col(getattr(table, key)),), key=key))


async def insert_unless_taken(session: AsyncSession, model: type[SQLModel], rows: Sequence[Mapping[str, Any]], *,
                              returning: Sequence[Any], key: str | None = None) -> list[Row[Any]]:
    """Insert ``rows`` in as few statements as the driver allows; a row whose unique ``key`` (without one:
    any of its unique keys) is already held is left out, and only the rows inserted come back (their
    ``returning`` columns).

    ``insert_new`` for many rows at once, as the drift scan opens thousands of alerts: no savepoint per
    row, and a rerun or a rival replica still keeps one row per key. Rows count by what comes back:
    psycopg reports no row count for this statement.
    """
    if not rows:
        return []
    statement = _insert_unless_taken((await session.connection()).dialect.name, model.__table__,  # type: ignore[attr-defined]
                                     key, tuple(returning))
    result = await session.exec(statement, params=list(rows))
    return list(result.all())


async def insert_committed(db: Database, model: type[SQLModel], rows: Sequence[Mapping[str, Any]], *,
                           key: str) -> list[Any]:
    """SQLite: ``insert_unless_taken`` in a transaction of its own, committed, in this process's write turn:
    by the event loop itself (``sqlite_writes.LoopCommits``), else in one call to the driver's thread
    (``sqlite_writes.commit_alone``); the ``key`` of each row inserted. Every row has the same fields.

    What the edge pays before each acknowledgement. A session cost three times as much for the same rows:
    its events, the ORM, and a second call to the driver's thread for the commit (0.5 to 0.7 ms of the event
    loop's time a transaction, against 0.18 ms). The values go through their columns' bind processing, as
    in a session (JSON, times), and may fail there as they would in one.
    """
    if not rows:
        return []
    assert db.writers is not None, "SQLite only"
    table, columns = model.__table__, tuple(rows[0])  # type: ignore[attr-defined]
    statements = []
    start = 0
    for count in _chunks(len(rows)):
        sql, processors = _committed_insert(db.engine.dialect, table, key, columns, count)
        chunk = rows[start:start + count]
        statements.append((sql, [process(chunk[n][name]) if process else chunk[n][name]
                                 for n, name, process in processors]))
        start += count
    committed = (db.loop_commits.commit_alone(statements) if db.loop_commits is not None
                 else commit_alone(db.engine, db.writers, statements))
    return [inserted for (inserted,) in await committed]


def prepare_committed_insert(db: Database, model: type[SQLModel], *, key: str, columns: Sequence[str],
                             most: int) -> None:
    """Build ``insert_committed``'s statements for rows of ``columns``, up to ``most`` rows at once, ahead of
    the first request (SQLite; nothing to do elsewhere). A statement is built once, when its size first
    comes: in the event loop, 9 ms for 32 rows on a slow machine, waited for by the first requests of a
    burst, which come in the largest batches."""
    if db.writers is None:
        return
    for bit in range(max(most, 1).bit_length()):
        _committed_insert(db.engine.dialect, model.__table__, key, tuple(columns), 1 << bit)  # type: ignore[attr-defined]


def _chunks(count: int) -> list[int]:
    """``count`` rows as statements of a power of two rows each, largest first (27: 16, 8, 2, 1): a handful of
    statements to build, each once (``prepare_committed_insert``), where one statement for any count built a
    new one for each new count, in the event loop."""
    return [1 << bit for bit in reversed(range(count.bit_length())) if count >> bit & 1]


async def write_alone(db: Database, work: Callable[[Connection], T]) -> T:
    """``work`` (SQLAlchemy's statements on a connection, each of which stands alone: a compare-and-set) written
    and committed; what it returns. On SQLite in one write transaction of its own; in a file, by the event loop
    itself (``sqlite_writes.LoopCommits.transaction``): for a short transaction that must not hold the
    process's write turn while the event loop is busy (a worker's claim). Elsewhere, or while another process
    writes, on a connection of the pool (no session: its bookkeeping was a fifth of a claim's time on
    PostgreSQL), where on PostgreSQL each statement commits on its own (``Database.alone``)."""
    if db.loop_commits is not None:
        return await db.loop_commits.transaction(work, otherwise=partial(_write_on_pool, db, work))
    return await _write_on_pool(db, work)


async def _write_on_pool(db: Database, work: Callable[[Connection], T]) -> T:
    async with db.engine.connect() as connection:
        await connection.execution_options(**db.alone_options)
        done = await connection.run_sync(work)
        await connection.commit()
    return done


@lru_cache(maxsize=64)
def _committed_insert(dialect: Dialect, table: Table, key: str, columns: tuple[str, ...],
                      count: int) -> tuple[str, tuple[tuple[int, str, Callable[[Any], Any] | None], ...]]:
    """``insert_committed``'s statement for ``count`` rows of ``columns`` (``insert_unless_taken``'s, with
    their values), and for each of its parameters, in order, the row and the field it takes and its
    column's bind processing."""
    values: list[dict[str, Any]] = [{name: bindparam(f"r{n}_{name}") for name in columns} for n in range(count)]
    statement = _insert_unless_taken(dialect.name, table, key, (table.c[key],)).values(values)
    compiled = statement.compile(dialect=dialect)
    processing = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns}
    taken = [name[1:].split("_", 1) for name in compiled.positiontup or ()]
    return str(compiled), tuple((int(n), field, processing[field]) for n, field in taken)


@lru_cache(maxsize=128)
def _insert_unless_taken(dialect: str, table: Any, key: str | None, returning: tuple[Any, ...]) -> Any:
    """The statement of ``insert_unless_taken``, built once for each table (the inbound queue stores every
    request with it: building it each time cost more than running it)."""
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return insert(table).on_conflict_do_nothing(index_elements=[key] if key else None).returning(*returning)
