"""The scheduler leader: one replica at a time, re-checked before each leader-only run,
on a real PostgreSQL server (its advisory lock's connection cut from outside)."""

from __future__ import annotations

import sqlalchemy as sa

from pmobot.db import Database
from pmobot.server import LEADER_LOCK_ID, Leadership


async def test_a_leader_whose_lock_connection_died_stops_leading(database_url: str) -> None:
    first, second, admin = Database(database_url), Database(database_url), Database(database_url)
    try:
        one, two = Leadership(first), Leadership(second)
        if first.is_sqlite:
            assert await one.try_acquire() and await one.try_acquire()  # one process: always the leader
            return
        assert await one.try_acquire() and not await two.try_acquire()
        assert await one.try_acquire()  # the heartbeat finds the lock still held
        async with admin.engine.connect() as conn:
            # Advisory locks are per database: another database on the same server may hold its own.
            holder = (await conn.execute(sa.text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = :low "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"low": LEADER_LOCK_ID & 0xFFFFFFFF})).scalar_one()
            # Returns once the backend has exited (or after 5 s, and the test fails).
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": holder})).scalar()
        # The lock went with the connection: the other replica takes over, and the first one notices.
        assert await two.try_acquire()
        assert not await one.try_acquire() and not one.held
        assert await two.try_acquire()
        # Once the new leader lets go, the first replica may lead again.
        await two.release()
        assert await one.try_acquire() and not await two.try_acquire()
        await one.release()
    finally:
        for db in (first, second, admin):
            await db.dispose()
