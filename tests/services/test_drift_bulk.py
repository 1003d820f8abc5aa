"""The drift scan's writes in bulk keep one row per key: an alert opened twice is opened once, a message
queued twice (in one batch, or again later) is queued once; and the scan leaves the cycle collector as it
found it."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlmodel import col, func, select

from pmobot.app import App
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_tracking import AlertEvent, DriftAlert
from pmobot.messages import Notice
from pmobot.services import alert_store, drift, outbox
from pmobot.services.alert_store import Opening
from tests.support.projects import estimated_need, open_for

AT = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)


async def test_alerts_opened_twice_are_opened_once_in_order(app: App) -> None:
    await open_for(app, await estimated_need(app))
    wanted = [Opening("PRJ-1", "spi", "critical", {"spi": 0.7}, project_id=1),
              Opening("PRJ-1", "cpi", "warning", {"cpi": 0.85}, project_id=1)]
    async with app.db.session() as session:
        first = await alert_store.open_alerts(session, wanted, at=AT)
    # A rerun, or a rival scan that read before the first committed: the same alerts are there already.
    async with app.db.session() as session:
        again = await alert_store.open_alerts(session, [*wanted, Opening("PRJ-1", "silent", "warning", {},
                                                                          project_id=1)], at=AT)
    assert [(a.rule, a.number) for a in first] == [("spi", first[0].number), ("cpi", first[0].number + 1)]
    assert [a.rule for a in again] == ["silent"] and again[0].number > first[1].number
    async with app.db.session() as session:
        alerts = (await session.exec(select(DriftAlert.rule).order_by(col(DriftAlert.number)))).all()
        events = (await session.exec(select(func.count()).select_from(AlertEvent))).one()
    assert list(alerts) == ["spi", "cpi", "silent"] and events == 3


async def test_messages_queued_twice_are_queued_once(app: App) -> None:
    def note(key: str, text: str) -> outbox.Queued:
        return outbox.Queued(key=key, platform="console", target_kind="person", target="bob",
                             message=Notice(text, "info"))

    async with app.db.session() as session:
        assert await outbox.enqueue_many(session, core=app.core, messages=[note("k1", "one"), note("k1", "two"),
                                                                           note("k2", "three")]) == 2
    async with app.db.session() as session:
        assert await outbox.enqueue_many(session, core=app.core, messages=[note("k2", "four"),
                                                                           note("k3", "five")]) == 1
    async with app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage.key, OutboxMessage.payload)
                                   .where(col(OutboxMessage.key).in_(["k1", "k2", "k3"]))
                                   .order_by(col(OutboxMessage.id)))).all()
    assert [(key, payload["text"]) for key, payload in rows] == [("k1", "one"), ("k2", "three"), ("k3", "five")]


async def test_the_scan_leaves_the_cycle_collector_as_it_found_it(app: App) -> None:
    assert gc.isenabled()
    async with app.db.session() as session:
        await drift.scan_all(session, core=app.core, now=AT)
    assert gc.isenabled()
    gc.disable()
    try:
        async with app.db.session() as session:
            await drift.scan_all(session, core=app.core, now=AT)
        assert not gc.isenabled()  # switched off by someone else: left off
    finally:
        gc.enable()
