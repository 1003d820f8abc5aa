"""How pmobot's engine opens transactions on PostgreSQL: at the first statement that needs one.

The pool's connections are in autocommit at the driver (psycopg), and ``BEGIN`` goes to the server just
before the first statement that must run in a transaction (``statements.needs_transaction``: one that
writes or may, or takes something held until the commit: a row lock, a transaction's advisory lock, a
notification). A unit of work that only reads (``/pmo status``, a list, a card) then makes no ``BEGIN`` and no
``COMMIT``: two round trips of its seven, each about as costly to pmobot's event loop as a statement.
What it reads is what it read inside a transaction: at READ COMMITTED each statement sees what was committed
when it started, in a transaction or not. psycopg sends ``COMMIT`` and ``ROLLBACK`` only when a transaction
is open; a connection given a real isolation level (migrations, ``Database.upgrade``) begins as psycopg does,
and one whose statements each stand alone (``statements.NO_BEGIN``: ``Database.alone``) never begins.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.ext.asyncio import AsyncEngine

from pmobot.statements import NO_BEGIN, needs_transaction

# The engine's isolation level: psycopg's autocommit, the transaction opened here.
ISOLATION = "AUTOCOMMIT"


def attach(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "before_cursor_execute", _begin_when_needed)


def _begin_when_needed(conn: Connection, cursor: DBAPICursor, statement: str, _parameters: object,
                       _context: object, _executemany: bool) -> None:
    if not needs_transaction(statement) or conn.get_execution_options().get(NO_BEGIN):
        return
    # PostgreSQL's driver: imported once a PostgreSQL pool is in use (never by the console on SQLite).
    from psycopg import AsyncConnection
    from psycopg.pq import TransactionStatus

    driver = conn.connection.driver_connection
    if (isinstance(driver, AsyncConnection) and driver.autocommit
            and driver.info.transaction_status == TransactionStatus.IDLE):
        cursor.execute("BEGIN")
