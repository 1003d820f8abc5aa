"""Shared fixtures: a frozen clock, a migrated database (SQLite, and PostgreSQL
when PMOBOT_TEST_POSTGRES_URL is set), the app, and a guard that fails any
connection leaving this machine."""

from __future__ import annotations

import io
import os
import socket
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from pmobot.app import App, attach_console, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings

POSTGRES_URL = os.environ.get("PMOBOT_TEST_POSTGRES_URL")
# A Thursday morning in Paris.
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"a test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """Each storage and service test runs on SQLite, and on PostgreSQL in the PostgreSQL leg."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/pmobot.db"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL leg: set PMOBOT_TEST_POSTGRES_URL (make test-postgres does)")
    _reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None, database_url=database_url, default_locale="fr", admins="dan", it_channel="it-intake",
    )


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock):  # type: ignore[no-untyped-def]
    application = create_app(settings, clock=clock)
    await application.prepare(migrate=True, seed_demo=True)
    yield application
    await application.close()


@pytest.fixture
async def console(app: App):  # type: ignore[no-untyped-def]
    """The console chat writing into a buffer; ``console.out.getvalue()`` is the transcript."""
    async with app.db.session() as session:
        from pmobot.services import demo

        people = await demo.console_people(session)
    return attach_console(app, start_as="alice", people=people, out=io.StringIO())
