"""SQLite's one writer at a time: the sessions of a process take turns in asyncio
(``sqlite_writes.Writers``); a statement that cannot wait runs in the event loop, the others in one call to the
driver's thread (``pmobot.sqlite_calls``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from pmobot import sqlite_calls
from pmobot.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/writers.db")
    async with database.session() as session:
        await session.exec(text("CREATE TABLE entry (n INTEGER)"))  # type: ignore[call-overload]
    yield database
    await database.dispose()


async def _entries(db: Database) -> list[int]:
    async with db.session() as session:
        return [n for (n,) in await session.exec(text("SELECT n FROM entry ORDER BY n"))]  # type: ignore[call-overload]


async def _until(done: asyncio.Event) -> None:
    # Only a guard against a hang: the other task gets there as soon as it is scheduled.
    await asyncio.wait_for(done.wait(), timeout=30)


async def test_two_sessions_writing_at_once_take_turns(db: Database) -> None:
    assert db.writers is not None
    order: list[str] = []
    first_wrote, first_may_commit = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with db.session() as session:
            await session.exec(text("INSERT INTO entry VALUES (1)"))  # type: ignore[call-overload]
            order.append("first wrote")
            first_wrote.set()
            await _until(first_may_commit)
            order.append("first commits")

    async def second() -> None:
        await _until(first_wrote)
        async with db.session() as session:
            await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]
            order.append("second wrote")

    waiting = asyncio.Event()
    db.writers.on_wait = waiting.set
    tasks = [asyncio.ensure_future(first()), asyncio.ensure_future(second())]
    await _until(first_wrote)
    await _until(waiting)  # the second waits for its turn in asyncio, not in SQLite's busy handler
    assert order == ["first wrote"]
    first_may_commit.set()
    await asyncio.gather(*tasks)
    assert order == ["first wrote", "first commits", "second wrote"]
    assert await _entries(db) == [1, 2]
    assert db.writers.fallbacks == 0


async def test_a_turn_is_given_back_on_commit_and_on_rollback(db: Database) -> None:
    assert db.writers is not None
    async with db.session() as session:
        await session.exec(text("INSERT INTO entry VALUES (1)"))  # type: ignore[call-overload]
        assert db.writers.held()
    assert not db.writers.held()
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]
            assert db.writers.held()
            raise RuntimeError("the work after the write failed")
    assert not db.writers.held()
    async with db.session() as session:  # the next writer gets its turn at once
        await session.exec(text("INSERT INTO entry VALUES (3)"))  # type: ignore[call-overload]
    assert await _entries(db) == [1, 3]
    assert db.writers.fallbacks == 0


async def test_a_writer_whose_turn_does_not_come_in_time_waits_in_sqlite_instead(db: Database) -> None:
    assert db.writers is not None
    first_wrote = asyncio.Event()
    second_fell_back = asyncio.Event()

    async def second() -> None:
        await _until(first_wrote)
        assert db.writers is not None
        db.writers.turn_wait = 0  # the first's turn cannot end in time: SQLite's own waiting, as before turns
        db.writers.on_fallback = second_fell_back.set
        async with db.session() as session:
            await session.exec(text("INSERT INTO entry VALUES (2)"))  # type: ignore[call-overload]

    task = asyncio.ensure_future(second())
    async with db.session() as session:
        await session.exec(text("INSERT INTO entry VALUES (1)"))  # type: ignore[call-overload]
        first_wrote.set()
        await _until(second_fell_back)
    await task  # SQLite let it write once the first committed
    assert await _entries(db) == [1, 2]
    assert db.writers.fallbacks == 1


async def test_what_cannot_wait_runs_in_the_event_loop_the_rest_in_one_call_and_an_empty_commit_in_none(
        db: Database) -> None:
    calls: list[str] = []
    async with db.session() as session:
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        original = raw._execute

        async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(getattr(fn, "__name__", "call"))
            return await original(fn, *args, **kwargs)

        raw._execute = counted
        try:
            rows = list(await session.exec(text("SELECT 1 UNION ALL SELECT 2")))  # type: ignore[call-overload]
            assert [r[0] for r in rows] == [1, 2]
            assert calls == []  # a read waits for no lock: run here, no call to the driver's thread
            await session.commit()  # nothing was written: no transaction to end
            assert calls == []
            await session.exec(text("INSERT INTO entry VALUES (7)"))  # type: ignore[call-overload]
            assert len(calls) == 1  # its BEGIN IMMEDIATE (which may wait) with the write, in one call
            await session.exec(text("UPDATE entry SET n = n + 1"))  # type: ignore[call-overload]
            assert len(calls) == 1  # in the write transaction this connection holds: nothing to wait for
            await session.commit()
            assert len(calls) == 2  # the commit, which may checkpoint the log
        finally:
            raw._execute = original
    assert await _entries(db) == [8]


async def test_a_statement_waits_behind_a_call_still_on_the_driver_thread(db: Database) -> None:
    async with db.session() as session:
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert isinstance(raw, sqlite_calls.Connection)
        started, release = threading.Event(), threading.Event()

        def held() -> None:
            started.set()
            release.wait(30)  # only a guard against a hang: released below once the read is queued
            raw._conn.execute("INSERT INTO entry VALUES (5)")

        # A caller cancelled while its call runs on the driver's thread leaves that call running.
        call = asyncio.ensure_future(raw._execute(held))
        await asyncio.to_thread(started.wait, 30)
        call.cancel()
        assert not raw.may_run_here("SELECT n FROM entry")
        read = asyncio.ensure_future(session.exec(text("SELECT n FROM entry")))  # type: ignore[call-overload]
        await asyncio.sleep(0)  # one turn of the event loop, no time: the read gets its first step
        assert not read.done()  # queued behind the running call, not run beside it
        release.set()
        assert [n for (n,) in await read] == [5]
        assert raw.may_run_here("SELECT n FROM entry")


async def test_a_returning_statement_counts_its_rows(db: Database) -> None:
    seen: list[int] = []

    def after(_conn, cursor, *_):  # type: ignore[no-untyped-def]
        seen.append(cursor.rowcount)

    event.listen(db.engine.sync_engine, "after_cursor_execute", after)
    async with db.session() as session:
        await session.exec(text("INSERT INTO entry VALUES (1), (2), (3)"))  # type: ignore[call-overload]
        result = await session.exec(text("UPDATE entry SET n = n + 10 WHERE n > 1 RETURNING n"))  # type: ignore[call-overload]
        assert sorted(n for (n,) in result) == [12, 13]
    event.remove(db.engine.sync_engine, "after_cursor_execute", after)
    assert seen[-1] == 2 and seen[0] == 3


async def test_a_first_write_that_fails_after_its_begin_leaves_no_transaction_open(db: Database) -> None:
    async with db.session() as session:
        await session.exec(text("CREATE TABLE unique_entry (n INTEGER PRIMARY KEY)"))  # type: ignore[call-overload]
        await session.exec(text("INSERT INTO unique_entry VALUES (1)"))  # type: ignore[call-overload]
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            # The BEGIN IMMEDIATE and this insert are one call: the BEGIN took, the insert failed.
            await session.exec(text("INSERT INTO unique_entry VALUES (1)"))  # type: ignore[call-overload]
    # Rolled back, its write lock given back: the next writer of every connection writes at once.
    for n in (2, 3):
        async with db.session() as session:
            await session.exec(text(f"INSERT INTO unique_entry VALUES ({n})"))  # type: ignore[call-overload]
    async with db.session() as session:
        assert [n for (n,) in await session.exec(text("SELECT n FROM unique_entry ORDER BY n"))] == [1, 2, 3]  # type: ignore[call-overload]
    assert db.writers.fallbacks == 0
