"""The edge's one transaction before each acknowledgement on SQLite (``db.insert_committed``): the
rows read back as a session would have written them, in one call to the driver's thread, in the turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    # Rolled back on the driver's thread and the turn given back: the next batch goes through at once.
    assert await insert_committed(db, InboundRequest, [_row("next", "x")], key="key") == ["next"]
    assert db.writers is not None and not db.writers.held()
