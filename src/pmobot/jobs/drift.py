"""The drift jobs: the daily scan of every active project, and the check of needs waiting on a step.

Both take the time from the run (``ctx.now``); their messages are outbox rows
keyed by the alert's number, event and version (``keys.alert_notice``), so a
rerun of the same day finds nothing new to say.
"""

from __future__ import annotations

from pmobot.jobs.base import JobContext, Summary
from pmobot.services import drift


async def drift_scan(ctx: JobContext) -> Summary:
    """Every active project against its baseline: alerts opened, raised or closed, and told."""
    async with ctx.core.db.session() as session:
        return await drift.scan_all(session, core=ctx.core, now=ctx.now)


async def service_levels(ctx: JobContext) -> Summary:
    """Needs waiting on an estimate, a decision or a scope agreement past their service level."""
    async with ctx.core.db.session() as session:
        return await drift.check_service_levels(session, core=ctx.core, now=ctx.now)
