"""``pmobot serve``'s own parts: the health check, the scheduler leader, and the
refusals that name what to set."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from pmobot import cli, i18n
from pmobot.app import App, attach_platforms, create_app
from pmobot.config import Settings
from pmobot.db import Database
from pmobot.platforms import ConfigurationError
from pmobot.server import LOCK_SWITCH_SECONDS, LanguageModels, Leadership, build_web_app
from pmobot.workers import Acknowledging


async def _get(web_app, path: str):  # type: ignore[no-untyped-def]
    async with TestClient(TestServer(web_app)) as client:
        response = await client.get(path)
        return response.status, await response.json()


async def test_healthz_is_ok_on_a_current_database(app: App) -> None:
    status, body = await _get(build_web_app(db=app.db, platforms=[]), "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["migrations"] == "current"


async def test_healthz_says_whether_the_language_models_are_loaded(app: App) -> None:
    models = LanguageModels()
    web_app = build_web_app(db=app.db, platforms=[], models=models)
    assert (await _get(web_app, "/healthz"))[1]["language_models"] == "loading"
    models.ready = True
    status, body = await _get(build_web_app(db=app.db, platforms=[], models=models), "/healthz")
    assert status == 200 and body["language_models"] == "loaded"


async def test_healthz_names_the_command_when_migrations_are_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path}/fresh.db")
    try:
        status, body = await _get(build_web_app(db=db, platforms=[]), "/healthz")
    finally:
        await db.dispose()
    assert status == 503 and "pmobot db upgrade" in body["migrations"]


async def test_healthz_says_unreachable_without_leaking_the_url() -> None:
    db = Database("postgresql+psycopg://secret-user:secret-pass@127.0.0.1:1/none")
    try:
        status, body = await _get(build_web_app(db=db, platforms=[]), "/healthz")
    finally:
        await db.dispose()
    assert status == 503 and body["database"] == "unreachable"
    assert "secret" not in repr(body)


async def test_one_replica_leads_at_a_time(app: App) -> None:
    first, second = Leadership(app.db), Leadership(Database(app.settings.database_url))
    try:
        assert await first.try_acquire()
        if app.db.is_sqlite:
            assert await second.try_acquire()  # one process runs everything on SQLite
        else:
            assert not await second.try_acquire()
            await first.release()
            assert await second.try_acquire()
    finally:
        await first.release()
        await second.release()
        await second.db.dispose()


async def test_serving_with_no_platform_configured_says_what_to_set(settings: Settings, clock) -> None:
    bare = create_app(settings, clock=clock)
    try:
        with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN"):
            attach_platforms(bare)
    finally:
        await bare.close()


def test_serve_refuses_an_unmigrated_database(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PMOBOT_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["serve", "--port", "0"]) == 2
    assert "pmobot db upgrade" in capsys.readouterr().err


def test_manifest_commands_say_which_option_is_missing(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert cli.main(["manifest", "slack"]) == 2
    assert "--url" in capsys.readouterr().err
    assert cli.main(["manifest", "teams", "--app-id", "x"]) == 2
    assert "--domain" in capsys.readouterr().err


class _Preloaded(LanguageModels):
    """Models that are already loaded: the test is not about them."""

    async def load(self) -> None:
        self.warmed.set()
        self.ready = True


async def test_serve_answers_then_stops_in_order_when_told(app: App) -> None:
    import asyncio
    import socket
    import sys

    import aiohttp

    from pmobot.server import serve_forever

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop = asyncio.Event()
    leadership = Leadership(app.db)
    models = _Preloaded()
    switch = sys.getswitchinterval()
    task = asyncio.create_task(serve_forever(
        web_app=build_web_app(db=app.db, platforms=[], models=models), host="127.0.0.1", port=port, platforms=[],
        scheduler=app.scheduler(leadership=leadership), leadership=leadership, models=models, stop=stop))
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    body = await response.json()
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0)  # the server task has not bound its port yet
        assert body["status"] == "ok" and body["language_models"] == "loaded"
        # While serving, the event loop never waits Python's default 5 ms for a thread to hand over the lock.
        assert sys.getswitchinterval() == pytest.approx(LOCK_SWITCH_SECONDS) and switch > LOCK_SWITCH_SECONDS
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        assert sys.getswitchinterval() == switch  # the process's own again once stopped
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz"):
                refused = False
        except aiohttp.ClientConnectionError:
            refused = True
    assert refused


class _Recording:
    """A platform whose one endpoint says how many requests were in flight while it answered."""

    name = "recording"

    def __init__(self, acknowledging: Acknowledging) -> None:
        self.acknowledging = acknowledging
        self.seen: list[int] = []

    def mount(self, web_app: web.Application) -> None:
        web_app.router.add_post("/recording/events", self.events)

    async def events(self, _request: web.Request) -> web.Response:
        self.seen.append(self.acknowledging.in_flight)
        return web.Response(status=200)


async def test_the_platforms_requests_in_flight_are_counted_for_the_workers_and_the_health_check_is_not(
        app: App) -> None:
    acknowledging = Acknowledging()
    platform = _Recording(acknowledging)
    web_app = build_web_app(db=app.db, platforms=[platform], acknowledging=acknowledging)  # type: ignore[list-item]
    async with TestClient(TestServer(web_app)) as client:
        assert (await client.post("/recording/events", data=b"{}")).status == 200
        assert (await client.get("/healthz")).status == 200
        assert acknowledging.in_flight == 0
    # The request counted while it was answered, and no longer once answered.
    assert platform.seen == [1]
    # ``pmobot serve`` wires its workers to the counter its endpoints keep.
    assert app.inbound_worker().acknowledging is app.acknowledging


async def test_what_a_first_request_or_job_would_load_is_loaded_at_start_beside_the_language_models(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:

    from pmobot.conversation import recognizers

    loaded: list[tuple[str, bool]] = []
    # The models themselves (seconds, tested elsewhere): after the warm-ups, the collector still off.
    monkeypatch.setattr(recognizers, "warm_up", lambda: loaded.append(("models", gc.isenabled())))
    warm_ups = [lambda: loaded.append(("one", threading.current_thread() is threading.main_thread()))]
    models = LanguageModels(also=warm_ups)
    frozen = gc.get_freeze_count()
    await models.load()
    # Loaded in a thread, not in the event loop's, the warm-ups first; no full collection walked the heap
    # meanwhile, and what was loaded is frozen out of the collector's sight, which is back on.
    assert models.ready and models.warmed.is_set() and loaded == [("one", False), ("models", False)]
    assert gc.isenabled() and gc.get_freeze_count() > frozen
    # The serving process's list: every message catalog and this year's holidays.
    names = [getattr(warm, "func", None) for warm in app.warm_ups()]
    assert names.count(i18n.catalog) == len(i18n.LOCALES)
    assert app.core.calendar.warm_up in [getattr(warm, "func", None) for warm in app.warm_ups()]


async def test_the_scheduled_jobs_start_once_the_warm_ups_are_loaded(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Their first tick needs the holidays and the catalogs: loaded in the event loop, they held the first
    seconds' acknowledgements behind them."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from pmobot.conversation import recognizers
    from pmobot.server import _running

    monkeypatch.setattr(recognizers, "warm_up", lambda: None)  # the models themselves: not this test's
    release = threading.Event()
    models = LanguageModels(also=[lambda: release.wait(30)])  # the wait: only a guard against a hang
    scheduler = AsyncIOScheduler()
    try:
        async with _running(platforms=(), scheduler=scheduler, leadership=Leadership(app.db), workers=(),
                            models=models, stop=None) as stop:
            for _ in range(20):
                await asyncio.sleep(0)  # every chance to start
            assert not scheduler.running
            release.set()
            await asyncio.wait_for(models.warmed.wait(), timeout=30)
            for _ in range(20):
                if scheduler.running:
                    break
                await asyncio.sleep(0)
            assert scheduler.running
            stop.set()
    finally:
        release.set()


async def test_the_scheduled_jobs_start_anyway_when_the_warm_ups_do_not_end() -> None:
    """The outbox runs in the scheduler: a warm-up that hangs must not stop every delivery."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from pmobot.server import _start_when

    scheduler = AsyncIOScheduler()
    # Never set; the outer wait only turns a hang into a failure.
    await asyncio.wait_for(_start_when(asyncio.Event(), scheduler, most=0), timeout=30)
    assert scheduler.running
    scheduler.shutdown(wait=False)
