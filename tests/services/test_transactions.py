"""A unit of work opens its transaction at the first statement that needs one (``statements``,
``pg_transactions``): one that only reads sends no BEGIN and no COMMIT, and everything from the first write or
lock on is one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pmobot.db import Database
from pmobot.statements import is_read, needs_transaction


@pytest.mark.parametrize(("statement", "needed"), [
    ("SELECT need.id FROM need WHERE need.number = $1", False),
    ("  select count(*) from inbound_request", False),
    ("SELECT 'FOR UPDATE'", True),  # read as a lock: a transaction for nothing, never one missing
    ("INSERT INTO need (title) VALUES (%(title)s)", True),
    ("update need set title = 'x'", True),
    ("DELETE FROM snooze", True),
    ("SAVEPOINT sa_savepoint_1", True),
    ("WITH due AS MATERIALIZED (SELECT id FROM inbound_request) UPDATE inbound_request SET status = 'done'", True),
    ("SELECT job_run.id FROM job_run WHERE job_run.status = 'due' FOR UPDATE SKIP LOCKED", True),
    ("SELECT id FROM project FOR NO KEY UPDATE", True),
    ("SELECT id FROM project FOR SHARE", True),
    ("SELECT pg_advisory_xact_lock(1, 2)", True),
    ("SELECT pg_notify('pmobot_arrivals', '')", True),
    ("SELECT pg_try_advisory_lock(7)", False),  # a session's lock: it outlives any transaction
    ("LOCK TABLE need IN SHARE MODE", True),
])
def test_what_needs_a_transaction_is_read_from_the_statement(statement: str, needed: bool) -> None:
    assert needs_transaction(statement) is needed


@pytest.mark.parametrize(("statement", "read"), [
    ("SELECT n FROM entry", True),
    ("\n  select n from entry", True),
    ("WITH due AS (SELECT id FROM inbound_request) UPDATE inbound_request SET status = 'done'", False),
    ("PRAGMA journal_mode=WAL", False),  # may wait for the lock to change the journal
    ("INSERT INTO entry VALUES (1)", False),
])
def test_a_plain_read_is_told_from_what_may_write_or_wait(statement: str, read: bool) -> None:
    assert is_read(statement) is read


# On PostgreSQL only, through the suite's own database fixture (a fresh schema, run in the PostgreSQL leg).
on_postgres = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                      indirect=True)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.session() as session:
        await session.exec(text("CREATE TABLE entry (n INTEGER PRIMARY KEY)"))  # type: ignore[call-overload]
        await session.exec(text("INSERT INTO entry VALUES (1)"))  # type: ignore[call-overload]
    yield database
    await database.dispose()


async def _in_transaction(session: AsyncSession) -> bool:
    from psycopg.pq import TransactionStatus

    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    return driver is not None and driver.info.transaction_status != TransactionStatus.IDLE


async def _entries(db: Database) -> list[int]:
    async with db.session() as session:
        return [n for (n,) in await session.exec(text("SELECT n FROM entry ORDER BY n"))]  # type: ignore[call-overload]


@on_postgres
async def test_a_unit_that_only_reads_opens_no_transaction(db: Database) -> None:
    async with db.session() as session:
        assert [n for (n,) in await session.exec(text("SELECT n FROM entry"))] == [1]  # type: ignore[call-overload]
        assert not await _in_transaction(session)
        await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]
        assert await _in_transaction(session)
        await session.exec(text("SELECT n FROM entry"))  # type: ignore[call-overload]
        assert await _in_transaction(session)  # still the same one, until the commit
    assert await _entries(db) == [1, 2]


@on_postgres
async def test_everything_from_the_first_write_on_is_undone_together(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]
            await session.exec(text("UPDATE entry SET n = n + 10 WHERE n = 1"))  # type: ignore[call-overload]
            raise RuntimeError("the work failed after its writes")
    assert await _entries(db) == [1]


@on_postgres
async def test_a_row_lock_is_held_until_the_commit(db: Database) -> None:
    async with db.session() as holder:
        locked = await holder.exec(text("SELECT n FROM entry WHERE n = 1 FOR UPDATE"))  # type: ignore[call-overload]
        assert [n for (n,) in locked] == [1]
        async with db.session() as other:
            skipped = await other.exec(text("SELECT n FROM entry FOR UPDATE SKIP LOCKED"))  # type: ignore[call-overload]
            assert list(skipped) == []  # held by the first session's transaction, not let go with its statement
    async with db.session() as other:
        taken = await other.exec(text("SELECT n FROM entry FOR UPDATE SKIP LOCKED"))  # type: ignore[call-overload]
        assert [n for (n,) in taken] == [1]


@on_postgres
async def test_a_transaction_advisory_lock_is_held_until_the_commit(db: Database) -> None:
    probe = text("SELECT pg_try_advisory_xact_lock(41, 42)")
    async with db.session() as holder:
        await holder.exec(text("SELECT pg_advisory_xact_lock(41, 42)"))  # type: ignore[call-overload]
        async with db.session() as other:
            assert (await other.exec(probe)).scalar() is False  # type: ignore[call-overload]
    async with db.session() as other:
        assert (await other.exec(probe)).scalar() is True  # type: ignore[call-overload]


@on_postgres
async def test_statements_that_each_stand_alone_commit_on_their_own(db: Database) -> None:
    async with db.alone() as session:
        await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]
        assert not await _in_transaction(session)  # no BEGIN and COMMIT around it
        assert await _entries(db) == [1, 2]  # committed already, seen from another connection
        await session.exec(text("UPDATE entry SET n = 3 WHERE n = 2"))  # type: ignore[call-overload]
        assert not await _in_transaction(session)
    assert await _entries(db) == [1, 3]
