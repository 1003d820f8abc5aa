"""SQLite through aiosqlite: a statement that cannot wait runs in the event loop, the rest in one call to its
thread; no call at all for an empty commit.

aiosqlite runs each step of a statement (open a cursor, execute, fetch the rows, close) as a call to its
connection's thread: every call wakes that thread and hands the GIL to it and back. Here a statement is
opened, executed, read whole and closed at once, and where it runs depends on whether SQLite can make it
wait. A read (in WAL, readers never wait for the writer) and any statement of a write transaction this
connection already holds run in the event loop itself: the hop to the thread and back cost more than such a
statement (saturation 1.4 times higher in same-run bursts). What may wait for another connection's write
lock (the ``BEGIN IMMEDIATE`` of a write transaction, run in the same call as its first statement, a write
outside a transaction, a PRAGMA), a commit or rollback (a commit may checkpoint the log, which syncs) and a
script go to the thread, where the event loop goes on meanwhile. A commit or rollback with no transaction
open (every read-only unit of work, every connection going back to the pool) makes no call at all.

``Database`` plugs it in with ``connect`` (SQLAlchemy's ``do_connect`` event); SQLAlchemy's aiosqlite
dialect is otherwise unchanged. It builds on aiosqlite's ``Connection._execute`` (the one call to the
thread) and ``Connection._conn`` (the sqlite3 connection, opened for use from both threads, one at a time).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

from pmobot.statements import is_read

T = TypeVar("T")

# What one call brings back: the statement's description, its row count, the last row id, every row,
# and whether a transaction is open after it.
_Outcome = tuple[Any, int, int | None, list[Any], bool]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool, begin: str | None) -> _Outcome:
    """On the driver's thread: the whole statement, after the ``begin`` of its transaction if it opens one."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        # After the rows are read: SQLite counts a RETURNING statement's rows as they are stepped through.
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows, connection.in_transaction
    finally:
        cursor.close()


def _commit(connection: sqlite3.Connection) -> None:
    connection.execute("COMMIT")


# Statements run one after the other in one transaction, each with its parameters.
Statements = Sequence[tuple[str, Sequence[Any]]]


def in_own_transaction(connection: sqlite3.Connection, statements: Statements) -> list[Any]:
    """``statements`` in a write transaction of their own, committed; the rows they return, in order. Rolled
    back when one or the commit fails. On the driver's thread, or in the event loop on its own connection
    (``sqlite_writes.LoopCommits``)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        rows = [row for sql, parameters in statements for row in connection.execute(sql, parameters).fetchall()]
        _commit(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return rows


class Statement(aiosqlite.Cursor):
    """A cursor whose ``execute`` runs, reads every row and closes in one call; its rows are then read here."""

    def __init__(self, conn: Connection) -> None:
        # No sqlite3 cursor outlives a call: each ``execute`` opens and closes its own on the driver's thread.
        super().__init__(conn, None)  # type: ignore[arg-type]
        self._owner = conn
        self._rows: list[Any] = []
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._size = 1

    async def _statement(self, sql: str, parameters: Any, many: bool) -> Statement:
        owner = self._owner
        begin, owner.begin_first = owner.begin_first, None
        try:
            if begin is None and owner.may_run_here(sql):
                outcome = _run(owner._conn, sql, parameters, many, None)
            else:
                outcome = await owner._execute(lambda: _run(owner._conn, sql, parameters, many, begin))
        except BaseException:
            if begin is not None:
                owner.open = True  # the transaction may have begun: the rollback that follows must end it
            raise
        self._description, self._rowcount, self._lastrowid, self._rows, owner.open = outcome
        return self

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Statement:
        return await self._statement(sql, [] if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Statement:
        return await self._statement(sql, parameters, True)

    async def executescript(self, sql_script: str) -> Statement:
        owner = self._owner

        def script() -> bool:
            owner._conn.executescript(sql_script)
            return owner._conn.in_transaction

        owner.open = await owner._execute(script)
        self._rows, self._description, self._rowcount = [], None, -1
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self._size if size is None else size
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        taken, self._rows = self._rows, []
        return taken

    async def close(self) -> None:
        self._rows = []

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._size

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._size = value

    @property
    def description(self) -> Any:
        return self._description


class Connection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors are ``Statement`` and that knows whether a transaction is open."""

    # Whether a transaction is open, as the last call on the driver's thread left it. Wrong only towards
    # True (a transaction ended some other way): then a commit or rollback is called for nothing.
    open = True
    # The statement opening the next statement's transaction ("BEGIN IMMEDIATE"), run in the same call to the
    # driver's thread (``begin_with_next``): a write transaction costs one call fewer.
    begin_first: str | None = None

    # Calls handed to the driver's thread, and calls it has finished: each counter written by one thread only.
    handed = 0
    finished = 0

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def call() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                self.finished += 1

        self.handed += 1
        result: T = await super()._execute(call)  # type: ignore[no-untyped-call]
        return result

    def may_run_here(self, sql: str) -> bool:
        """Whether ``sql`` (opening no transaction) may run in the event loop: it cannot wait for a lock (a read,
        or any statement of the write transaction this connection holds), and no call of this connection is still
        on the driver's thread (a cancelled caller leaves one running; statements then keep their order)."""
        return self.handed == self.finished and (self.open or is_read(sql))

    def begin_with_next(self, begin: str) -> None:
        """Run ``begin`` just before the next statement, in its call to the driver's thread."""
        self.begin_first = begin

    async def commit_alone(self, statements: Statements) -> list[Any]:
        """``statements`` in a write transaction of their own (``BEGIN IMMEDIATE``, the statements, ``COMMIT``),
        all in one call to the driver's thread; the rows they return. A failure rolls it back there. For what
        the edge commits before each acknowledgement (``db.insert_committed``)."""
        try:
            rows = await self._execute(lambda: in_own_transaction(self._conn, statements))
        except BaseException:
            self.open = True  # a rollback that failed may have left it open: the pool's rollback ends it
            raise
        self.open = False
        return rows

    @contextmanager
    async def cursor(self) -> Statement:  # type: ignore[override]
        return Statement(self)

    async def commit(self) -> None:
        if self.open:
            await super().commit()
            self.open = False

    async def rollback(self) -> None:
        if self.open:
            await super().rollback()
            self.open = False


async def connect(database: str, **kwargs: Any) -> Connection:
    """Open ``database`` as ``aiosqlite.connect`` does (the same arguments), with ``Connection``."""

    def connector() -> sqlite3.Connection:
        # Used by the event loop and by the driver's thread, never both at once (``may_run_here``).
        connection: sqlite3.Connection = sqlite3.connect(database, **{**kwargs, "check_same_thread": False})
        return connection

    connection = Connection(connector, 64)
    connection._thread.daemon = True  # as SQLAlchemy does: a connection left open never holds the process
    await connection  # starts its thread and connects
    connection.open = False  # a new connection holds no transaction
    return connection
