"""The drift scan on a real project: alerts opened once per subject and rule, raised only when worse,
closed with a notice when cleared, never flapping, none for a snoozed project, and told through the outbox."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import AlertEvent, DriftAlert, Snooze, StatusUpdate
from pmobot.services import alerts, drift
from tests.support.drift import drifting
from tests.support.projects import demo_actor, estimated_need, open_for

# PRJ-1's baseline: Thursday 26 November to Wednesday 23 December 2026, 20 business days, 45 000 €.
# By Thursday 10 December (end of day), 11 of the 20 business days are over: 55 % planned.
DAY = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)


async def _project(app: App) -> Project:
    await open_for(app, await estimated_need(app))
    async with app.db.session() as session:
        return (await session.exec(select(Project))).one()


async def _update(app: App, project: Project, *, percent: float, spend: int, at: datetime) -> None:
    """A status update as the owner's check-in stores it, then the scan it triggers."""
    await drifting(app, project.key, percent=percent, spend=spend, at=at, health="green")


async def _alerts(app: App) -> list[DriftAlert]:
    async with app.db.session() as session:
        return list((await session.exec(select(DriftAlert).order_by(col(DriftAlert.number)))).all())


async def _told(app: App) -> list[str]:
    """The keys of the alert messages queued, in order (one alert's, or several of one subject's)."""
    return [key for key, _ in await _told_with_names(app)]


async def _told_with_names(app: App) -> list[tuple[str, set[str]]]:
    """Each alert message's key, with the alerts it names."""
    async with app.db.session() as session:
        rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("alert"))
                                  .order_by(col(OutboxMessage.id)))
        return [(m.key, set(re.findall(r"ALERT-\d+\b", json.dumps(m.payload)))) for m in rows.all()]


async def test_a_drifting_project_is_told_once_raised_once_and_closed_with_a_notice(app: App, clock: FrozenClock
                                                                                  ) -> None:
    project = await _project(app)
    # 40 % done for 55 % planned: SPI 0.73, critical; spend on plan, so no cost alert.
    clock.set(DAY)
    await _update(app, project, percent=40, spend=18000, at=DAY)
    opened = {a.rule: a for a in await _alerts(app)}
    assert opened["spi"].level == "critical" and opened["spi"].status == "open"
    assert "cpi" not in opened and "burn_ahead" not in opened
    first = await _told(app)
    spi = opened["spi"]
    # The owner (bob, DM) is told once, every alert the scan opened in one message (one card, not one per
    # rule); no PMO channel is chosen yet, so nothing there.
    to_owner = [(k, names) for k, names in await _told_with_names(app) if k.endswith(f":{project.owner_id}")]
    assert len(first) == len(to_owner) == 1 and to_owner[0][1] == {a.key for a in opened.values()}
    # The same scan again (the daily job on the same figures): nothing new, nothing told twice.
    async with app.db.session() as session:
        summary = await drift.scan_all(session, core=app.core, now=DAY)
    assert summary["opened"] == summary["raised"] == summary["closed"] == 0
    assert await _told(app) == first
    # Back on plan (and clear of the hysteresis margin): closed, with a short notice.
    later = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    clock.set(later)
    await _update(app, project, percent=62, spend=27000, at=later)
    closed = next(a for a in await _alerts(app) if a.number == spi.number)
    assert closed.status == "closed" and closed.open_key is None
    assert any(k.startswith(f"alert:{spi.number}:closed:") for k in await _told(app))
    async with app.db.session() as session:
        steps = await alerts.history(session, project_id=project.id or 0)
    assert [(s.alert.number, s.event.kind) for s in steps if s.alert.rule == "spi"] == [
        (spi.number, "opened"), (spi.number, "closed")]


async def test_an_alert_is_raised_only_when_worse(app: App, clock: FrozenClock) -> None:
    project = await _project(app)
    clock.set(DAY)
    # 50 % done for 55 % planned: SPI 0.91, no alert; 47 %: 0.85 warning; 46 %: still warning (no message);
    # 42 %: 0.76 critical (raised, told); 45 %: 0.82, not clear of 0.8 by 5 %: stays critical.
    for percent, expected in ((47, "warning"), (46, "warning"), (42, "critical"), (45, "critical")):
        await _update(app, project, percent=percent, spend=int(45000 * percent / 100), at=DAY)
        spi = [a for a in await _alerts(app) if a.rule == "spi"]
        assert len(spi) == 1 and spi[0].level == expected
    async with app.db.session() as session:
        kinds = (await session.exec(select(AlertEvent.kind).where(AlertEvent.alert_id == spi[0].id)
                                    .order_by(col(AlertEvent.id)))).all()
    assert list(kinds) == ["opened", "raised"]
    # Told when opened and when raised, never when it stayed a warning or stayed critical.
    told = [k for k, names in await _told_with_names(app) if spi[0].key in names]
    assert len(told) == len(set(told)) == 2


async def test_a_snoozed_project_gets_no_alert(app: App, clock: FrozenClock) -> None:
    project = await _project(app)
    assert project.id is not None and project.owner_id is not None
    async with app.db.session() as session:
        session.add(Snooze(project_id=project.id, until=date(2027, 1, 15), reason="on hold",
                           set_by_id=project.owner_id, set_at=app.core.now()))
    clock.set(DAY)
    await _update(app, project, percent=10, spend=40000, at=DAY)
    assert await _alerts(app) == []


async def test_a_silent_project_and_a_need_waiting_for_an_estimate(app: App, clock: FrozenClock) -> None:
    project = await _project(app)
    # No update at all, three weeks after the baseline started: 16 business days of silence, critical.
    clock.set(datetime(2026, 12, 18, 8, 0, tzinfo=UTC))
    async with app.db.session() as session:
        await drift.scan_all(session, core=app.core, now=app.core.now())
    silent = [a for a in await _alerts(app) if a.rule == "silent"]
    assert [(a.subject, a.level) for a in silent] == [(project.key, "critical")]
    # A need submitted and never estimated: past the 10 business days of the estimate's service level.
    async with app.db.session() as session:
        from pmobot.services import intake
        from tests.support.projects import NEED

        alice = await demo_actor(session, app, "alice")
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
    clock.set(datetime(2027, 1, 8, 8, 0, tzinfo=UTC))
    async with app.db.session() as session:
        summary = await drift.check_service_levels(session, core=app.core, now=app.core.now())
    assert summary["opened"] == 1
    waiting = [a for a in await _alerts(app) if a.rule == "wait_estimate"]
    assert [a.subject for a in waiting] == [need.key]
    text = alerts.alert_text(waiting[0], locale="en", core=app.core)
    assert text.startswith(f"{need.key} has waited ") and "for an estimate (service level: 10)" in text


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_two_scans_at_once_open_one_alert_told_once(app: App, clock: FrozenClock) -> None:
    """Two replicas' daily scans at the same moment on PostgreSQL: one alert per rule, each told once."""
    project = await _project(app)
    assert project.id is not None and project.owner_id is not None
    clock.set(DAY)
    async with app.db.session() as session:
        session.add(StatusUpdate(project_id=project.id, number=1, author_id=project.owner_id, percent_complete=40,
                                 spend=Decimal(30000), currency="EUR", health="red", schedule_health="red",
                                 cost_health="red", scope_health="green", created_at=DAY))

    async def scan() -> dict[str, int]:
        async with app.db.session() as session:
            return await drift.scan_all(session, core=app.core, now=DAY)

    first, second = await asyncio.gather(scan(), scan())
    found = await _alerts(app)
    rules = [a.rule for a in found]
    assert sorted(rules) == sorted(set(rules)) and "spi" in rules
    assert first["opened"] + second["opened"] == len(rules)
    # The owner is told of each alert once: in one card, or in one card from each scan for what it opened.
    told = await _told_with_names(app)
    named = [name for _, names in told for name in names]
    assert len(told) == len({k for k, _ in told}) and sorted(named) == sorted(a.key for a in found)


async def test_the_export_has_each_alert_with_its_figures_and_every_step(app: App, clock: FrozenClock) -> None:
    from pmobot.services import export

    project = await _project(app)
    clock.set(DAY)
    await _update(app, project, percent=40, spend=18000, at=DAY)
    async with app.db.session() as session:
        document = await export.document(session, core=app.core, what="alerts", format="csv")
        rows = await export.TABLES["alerts"].rows(session, core=app.core)
        steps = await export.TABLES["alert-history"].rows(session, core=app.core)
    spi = next(r for r in rows if r["rule"] == "spi")
    assert (spi["subject"], spi["need"], spi["level"], spi["status"], spi["percent"], spi["budget"],
            spi["currency"]) == ("PRJ-1", "NEED-1", "critical", "open", 40.0, "45000.00", "EUR")
    assert document.count == len(rows) and document.text.splitlines()[0].lstrip("\ufeff").startswith("key,subject")
    assert {(s["alert"], s["event"]) for s in steps} == {(r["key"], "opened") for r in rows}
