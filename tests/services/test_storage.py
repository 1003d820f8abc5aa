"""Storage: migrations, the schema they build, key numbering, timestamps."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

from pmobot.app import App
from pmobot.config import Settings
from pmobot.db import Database, DatabaseNotMigrated, async_url
from pmobot.domain.models import OutboxMessage, Person
from pmobot.messages import Notice
from pmobot.services import needs, outbox


async def test_an_unmigrated_database_is_refused_with_the_command_to_run(database_url: str) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="pmobot db upgrade"):
            await db.require_current()
        await db.upgrade()
        await db.require_current()
        assert await db.pending_migrations() == []
    finally:
        await db.dispose()


async def test_migrations_build_exactly_the_models_schema(app: App) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)

    async with app.db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_upgrade_twice_is_harmless(app: App) -> None:
    await app.db.upgrade()
    assert await app.db.pending_migrations() == []


async def test_need_numbers_never_repeat_under_concurrent_submissions(app: App) -> None:
    async def take() -> int:
        for attempt in range(20):
            try:
                async with app.db.session() as session:
                    return await needs.next_number(session, prefix="NEED")
            except Exception:
                # SQLite reports a busy database instead of waiting on the row lock.
                if attempt == 19:
                    raise
                await asyncio.sleep(0)
        raise AssertionError("unreachable")

    numbers = await asyncio.gather(*(take() for _ in range(12)))
    assert sorted(numbers) == list(range(1, 13))


async def test_timestamps_come_back_in_utc(app: App, clock) -> None:
    async with app.db.session() as session:
        person = (await session.exec(select(Person))).first()
        assert person is not None
        assert person.created_at == clock.now() and person.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(app: App) -> None:
    with pytest.raises(Exception, match="naive"):
        async with app.db.session() as session:
            session.add(Person(handle="y", display_name="Y",
                               created_at=datetime(2026, 1, 1)))
            await session.flush()


async def test_the_same_outbox_key_is_queued_once(app: App) -> None:
    async with app.db.session() as session:
        first = await outbox.enqueue(session, core=app.core, key="digest:C1:2026-W48", platform="console",
                                     target_kind="channel", target="general", message=Notice("hello"))
        second = await outbox.enqueue(session, core=app.core, key="digest:C1:2026-W48", platform="console",
                                      target_kind="channel", target="general", message=Notice("again"))
    assert (first, second) == (True, False)
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert [r.payload["text"] for r in rows] == ["hello"]


def test_database_urls_get_async_drivers() -> None:
    assert async_url("sqlite:///./var/pmobot.db") == "sqlite+aiosqlite:///./var/pmobot.db"
    assert async_url("postgresql://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert async_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


def test_the_sqlite_default_lives_under_var() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite") and str(settings.sqlite_path()) == "var/pmobot.db"


def test_settings_refuse_an_unknown_language_and_a_naive_now() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, default_locale="de")
    with pytest.raises(ValueError):
        Settings(_env_file=None, now=datetime(2026, 1, 1))
    assert Settings(_env_file=None, admins=" U1, U2 ,").admin_ids() == {"U1", "U2"}


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_postgres_connection_cut_while_idle_in_the_pool_is_replaced_without_a_ping(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server restarted or the backend was terminated while the connection waited in the pool: the next
    unit of work gets a fresh connection, and no checkout costs a round trip to find out."""
    import sqlalchemy as sa

    db, admin = Database(database_url), Database(database_url)
    pings: list[object] = []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)

    async def backend() -> int:
        """The server process a unit of work of ``db`` talks to."""
        async with db.session() as session:
            connection = await session.connection()
            return int((await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())

    try:
        first = await backend()
        async with admin.engine.connect() as conn:
            # Returns once the backend has exited (or after 5 s, and the test fails).
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first})).scalar()
        second = await backend()
        assert second != first
        assert await backend() == second  # a connection still in order is kept
        assert pings == []
    finally:
        await db.dispose()
        await admin.dispose()
