"""SQLite through aiosqlite in one call to its thread per statement, and none for an empty commit.

aiosqlite runs each step of a statement (open a cursor, execute, fetch the rows, close) as a call to
its connection's thread: every call wakes that thread and hands the GIL to it and back, which cost a
quarter of the event loop's time under load, more than the statements themselves. Here a statement
is opened, executed, read whole and closed in one call (with the ``BEGIN`` of the write transaction it
opens), and a commit or rollback with no transaction open (every read-only unit of work, every
connection going back to the pool) makes no call at all.

``Database`` plugs it in with ``connect`` (SQLAlchemy's ``do_connect`` event); SQLAlchemy's aiosqlite
dialect is otherwise unchanged. It builds on aiosqlite's ``Connection._execute`` (the one call to the
thread) and ``Connection._conn`` (the sqlite3 connection, used on that thread only).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

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
            outcome: _Outcome = await owner._execute(  # type: ignore[no-untyped-call]
                lambda: _run(owner._conn, sql, parameters, many, begin))
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

        owner.open = await owner._execute(script)  # type: ignore[no-untyped-call]
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

    def begin_with_next(self, begin: str) -> None:
        """Run ``begin`` just before the next statement, in its call to the driver's thread."""
        self.begin_first = begin

    async def commit_alone(self, statements: Statements) -> list[Any]:
        """``statements`` in a write transaction of their own (``BEGIN IMMEDIATE``, the statements, ``COMMIT``),
        all in one call to the driver's thread; the rows they return. A failure rolls it back there. For what
        the edge commits before each acknowledgement (``db.insert_committed``)."""
        try:
            rows: list[Any] = await self._execute(  # type: ignore[no-untyped-call]
                lambda: in_own_transaction(self._conn, statements))
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
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    connection = Connection(connector, 64)
    connection._thread.daemon = True  # as SQLAlchemy does: a connection left open never holds the process
    await connection  # starts its thread and connects
    return connection
