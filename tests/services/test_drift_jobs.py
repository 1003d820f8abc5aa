"""The drift jobs: the daily scan and the service-level check, declared once, business days at the
policy's hour, run twice for the same day without telling anything twice."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.domain.models import OutboxMessage
from pmobot.jobs.base import JobContext
from pmobot.jobs.registry import builtin_jobs
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import estimated_need, open_for


def _job(name: str):  # type: ignore[no-untyped-def]
    return next(job for job in builtin_jobs() if job.name == name)


def test_the_drift_jobs_run_on_business_days_at_the_policys_hour(app: App) -> None:
    scan = _job("drift-scan")
    assert scan.schedule.describe(core=app.core) == "business days 07:00 Europe/Paris"
    # Saturday 12 December 2026, 10:00 in Paris: the latest slot is Friday's 07:00 (06:00 UTC).
    slot = scan.schedule.latest(datetime(2026, 12, 12, 9, 0, tzinfo=UTC), core=app.core)
    assert slot == datetime(2026, 12, 11, 6, 0, tzinfo=UTC)
    assert scan.schedule.period(slot, core=app.core) == "2026-12-11"
    assert _job("service-levels").schedule.describe(core=app.core) == "business days 07:00 Europe/Paris"


async def test_the_daily_scan_run_twice_tells_once(app: App, clock: FrozenClock) -> None:
    key = await open_for(app, await estimated_need(app))
    clock.set(DRIFT_DAY)
    await drifting(app, key)
    # Three weeks later without an update: the project has gone silent too.
    later = datetime(2026, 12, 31, 6, 0, tzinfo=UTC)
    ctx = JobContext(core=app.core, now=later, slot=later, period="2026-12-31", late=False)
    first = await _job("drift-scan").run(ctx)
    again = await _job("drift-scan").run(ctx)
    assert first["opened"] >= 1 and again == {"opened": 0, "raised": 0, "lowered": 0, "closed": 0, "messages": 0}
    async with app.db.session() as session:
        told = (await session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).startswith("alert:")))).all()
    assert len(told) == len(set(told))
    levels = await _job("service-levels").run(ctx)
    assert set(levels) == {"opened", "raised", "lowered", "closed", "messages"}
