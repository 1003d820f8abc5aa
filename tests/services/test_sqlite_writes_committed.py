"""The edge's one transaction before each acknowledgement on SQLite (``db.insert_committed``): the
rows read back as a session would have written them, committed by the event loop on its own connection
(``sqlite_writes.LoopCommits``) in the process's write turn, and in the driver's thread when another
process is writing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlmodel import select

from pmobot import sqlite_calls
from pmobot.db import Database, insert_committed
from pmobot.domain import keys
from pmobot.domain.models_inbound import InboundRequest
from pmobot.services import inbox

WHEN = datetime(2026, 11, 30, 9, 15, 30, 123456, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/committed.db")
    await database.upgrade()
    yield database
    await database.dispose()


def _row(key: str, text: str) -> dict[str, Any]:
    return {"key": key, "platform": "slack", "kind": "request", "conversation": "slack:U1",
            "body": {"raw": text, "n": [1, 2.5, None, True]}, "status": "pending", "attempts": 0,
            "received_at": WHEN, "next_attempt_at": WHEN}


async def _stored(db: Database) -> dict[str, InboundRequest]:
    async with db.session() as session:
        return {row.key: row for row in (await session.exec(select(InboundRequest))).all()}


async def test_rows_committed_in_one_call_read_back_as_a_session_wrote_them(db: Database) -> None:
    # The same request through a session (``inbox.store``), the reference.
    async with db.session() as session:
        assert await inbox.store(session, platform="slack", kind="request", key=keys.command("by-session"),
                                 conversation="slack:U1", body=_row("", "Été \x00 ✓")["body"], now=WHEN)
    [by_session] = (await _stored(db)).values()
    text = "Été \x00 ✓"
    inserted = await insert_committed(db, InboundRequest, [_row("a", text), _row(by_session.key, text),
                                                           _row("b", "plain")], key="key")
    # A key already held is left out; the others come back.
    assert sorted(inserted) == ["a", "b"]
    stored = await _stored(db)
    fields = ("platform", "kind", "conversation", "body", "status", "attempts", "received_at", "next_attempt_at")
    assert {f: getattr(stored["a"], f) for f in fields} == {f: getattr(by_session, f) for f in fields}
    assert stored["a"].received_at == WHEN and stored["b"].body["raw"] == "plain"


async def test_a_committed_batch_waits_for_the_write_turn_of_a_session_writing(db: Database) -> None:
    assert db.writers is not None
    waiting, session_wrote = asyncio.Event(), asyncio.Event()
    db.writers.on_wait = waiting.set
    order: list[str] = []

    async def batch() -> None:
        await asyncio.wait_for(session_wrote.wait(), timeout=30)  # only a guard against a hang
        await insert_committed(db, InboundRequest, [_row("late", "x")], key="key")
        order.append("batch committed")

    task = asyncio.ensure_future(batch())
    async with db.session() as session:
        await inbox.store(session, platform="slack", kind="request", key=keys.command("first"),
                          conversation="slack:U1", body={}, now=WHEN)
        session_wrote.set()
        await asyncio.wait_for(waiting.wait(), timeout=30)  # the batch waits in asyncio for its turn
        order.append("session commits")
    await task
    assert order == ["session commits", "batch committed"]
    assert len(await _stored(db)) == 2 and db.writers.fallbacks == 0


async def test_a_failed_batch_leaves_nothing_stored_and_the_connection_clean(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_connection: object) -> None:
        raise OSError("the disk is full")

    monkeypatch.setattr(sqlite_calls, "_commit", full)
    with pytest.raises(OSError, match="the disk is full"):
        await insert_committed(db, InboundRequest, [_row("gone", "x")], key="key")
    monkeypatch.undo()
    assert await _stored(db) == {}
    # Rolled back and the turn given back: the next batch goes through at once.
    assert await insert_committed(db, InboundRequest, [_row("next", "x")], key="key") == ["next"]
    assert db.writers is not None and not db.writers.held()


def _calls_to_the_drivers_thread(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call made to a driver's thread from now on (until ``monkeypatch.undo``)."""
    calls: list[object] = []
    to_thread = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object, **kwargs: object) -> object:
        calls.append(fn)
        return await to_thread(self, fn, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_batch_is_committed_by_the_event_loop_without_a_call_to_the_drivers_thread(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _calls_to_the_drivers_thread(monkeypatch)
    assert await insert_committed(db, InboundRequest, [_row("a", "x"), _row("b", "y")], key="key") == ["a", "b"]
    assert calls == []
    monkeypatch.undo()
    assert set(await _stored(db)) == {"a", "b"}
    # Its connection never waits in SQLite (that would hold the event loop) and leaves checkpoints to the pool's.
    assert db.loop_commits is not None
    connection = db.loop_commits._connect()
    assert connection.execute("PRAGMA busy_timeout").fetchone() == (0,)
    assert connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)


async def test_a_batch_waits_in_the_drivers_thread_while_another_process_writes(db: Database) -> None:
    assert db.loop_commits is not None
    other = sqlite3.connect(db.loop_commits.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO inbound_request (key, platform, kind, conversation, body, status, attempts, "
                      "received_at, next_attempt_at) VALUES ('other', 'slack', 'request', 'slack:U2', '{}', "
                      "'pending', 0, '2026-11-30 09:00:00', '2026-11-30 09:00:00')")
        batch = asyncio.ensure_future(insert_committed(db, InboundRequest, [_row("mine", "x")], key="key"))
        ticks = 0
        while db.loop_commits.waited == 0:
            await asyncio.sleep(0)  # the event loop goes on meanwhile: this coroutine keeps running
            ticks += 1
            assert ticks < 10_000 and not batch.done()
        for _ in range(20):
            await asyncio.sleep(0)
        assert not batch.done()  # waiting for the other process's write, in the driver's thread
        other.execute("COMMIT")
        assert await asyncio.wait_for(batch, timeout=30) == ["mine"]  # the timeout only guards against a hang
    finally:
        other.close()
    assert set(await _stored(db)) == {"other", "mine"}
    assert db.writers is not None and not db.writers.held()


async def test_disposing_of_the_database_closes_the_event_loops_connection(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/closed.db")
    await database.upgrade()
    await insert_committed(database, InboundRequest, [_row("a", "x")], key="key")
    assert database.loop_commits is not None
    connection = database.loop_commits._connect()
    await database.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        connection.execute("SELECT 1")
    await database.dispose()  # twice is harmless


async def test_a_batch_of_any_size_is_committed_whole_by_statements_of_a_few_sizes(db: Database) -> None:
    assert await insert_committed(db, InboundRequest, [_row("held", "x")], key="key") == ["held"]
    # 27 rows, one of them a key already held and one given twice: statements of 16, 8, 2 and 1 rows, one
    # transaction, the rows inserted back in order.
    keys_ = [f"k{n}" for n in range(25)] + ["held", "k3"]
    inserted = await insert_committed(db, InboundRequest, [_row(key, key) for key in keys_], key="key")
    assert inserted == [f"k{n}" for n in range(25)]
    stored = await _stored(db)
    assert len(stored) == 26 and stored["k24"].body["raw"] == "k24"
    assert stored["held"].body["raw"] == "x"  # kept as it was


async def _two_due(db: Database) -> list[tuple[InboundRequest, datetime]]:
    async with db.session() as session:
        for who in ("U1", "U2"):
            await inbox.store(session, platform="slack", kind="request", key=keys.command(who),
                              conversation=f"slack:{who}", body={}, now=WHEN)
    return await inbox.claim(db, now=WHEN, platforms=["slack"], batch=1)


async def test_a_claim_is_made_by_the_event_loop_without_a_call_to_the_drivers_thread(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    [(first, token)] = await _two_due(db)
    calls = _calls_to_the_drivers_thread(monkeypatch)
    # The first row marked done and the second reserved, in one transaction of the event loop's connection.
    [(second, _)] = await inbox.claim(db, now=WHEN, platforms=["slack"], batch=1, finished=[(first, token)])
    assert calls == []
    monkeypatch.undo()
    stored = await _stored(db)
    assert stored[first.key].status == "done" and stored[second.key].locked_until == WHEN + inbox.LEASE
    assert second.body == {} and second.received_at == WHEN  # read back as a session reads it
    assert db.writers is not None and not db.writers.held()


async def test_a_claim_waits_in_the_drivers_thread_while_another_process_writes(db: Database) -> None:
    [(first, token)] = await _two_due(db)
    assert db.loop_commits is not None
    other = sqlite3.connect(db.loop_commits.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        claim = asyncio.ensure_future(inbox.claim(db, now=WHEN, platforms=["slack"], batch=1,
                                                  finished=[(first, token)]))
        ticks = 0
        while db.loop_commits.waited == 0:
            await asyncio.sleep(0)  # the event loop goes on meanwhile
            ticks += 1
            assert ticks < 10_000 and not claim.done()
        other.execute("COMMIT")
        [(second, _)] = await asyncio.wait_for(claim, timeout=30)  # the timeout only guards against a hang
    finally:
        other.close()
    stored = await _stored(db)
    assert stored[first.key].status == "done" and stored[second.key].locked_until == WHEN + inbox.LEASE


async def test_a_failed_claim_leaves_nothing_changed_and_the_turn_given_back(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    [(first, token)] = await _two_due(db)

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("the statement failed")

    monkeypatch.setattr(inbox, "_claim_statement", broken)
    with pytest.raises(RuntimeError, match="the statement failed"):
        await inbox.claim(db, now=WHEN, platforms=["slack"], batch=1, finished=[(first, token)])
    monkeypatch.undo()
    # The done mark before it was rolled back with it.
    assert (await _stored(db))[first.key].status == "pending"
    assert db.writers is not None and not db.writers.held()
    assert len(await inbox.claim(db, now=WHEN, platforms=["slack"], batch=1, finished=[(first, token)])) == 1


async def test_the_statements_a_batch_is_stored_with_are_built_before_the_first_request(db: Database) -> None:
    from pmobot.db import _committed_insert

    _committed_insert.cache_clear()
    inbox.Arrivals(db, batch=32).prepare()
    built = _committed_insert.cache_info().misses
    assert built == 6  # 1, 2, 4, 8, 16 and 32 rows
    for count in (32, 27, 1):
        rows = [inbox._row(platform="slack", kind="request", key=keys.command(f"{count}-{n}"),
                           conversation="slack:U1", body={}, now=WHEN) for n in range(count)]
        assert len(await insert_committed(db, InboundRequest, rows, key="key")) == count
    # Nothing was built while requests were being stored.
    assert _committed_insert.cache_info().misses == built
