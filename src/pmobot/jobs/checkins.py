"""The weekly check-in declared as a job: every 15 minutes, because each owner's own hour decides
(``services.checkins``); a pass asks, reminds and tells the PMO only what is due and not done yet."""

from __future__ import annotations

from pmobot.jobs.base import JobContext, Summary
from pmobot.services import checkins


async def check_ins(ctx: JobContext) -> Summary:
    """Ask the owners whose hour has come, remind those who did not answer, tell the PMO of missed weeks."""
    async with ctx.core.db.session() as session:
        return await checkins.run(session, core=ctx.core, now=ctx.now)
