"""Housekeeping declared as a job: what the serving process cleans up, once per period on the leader."""

from __future__ import annotations

from pmobot.jobs.base import JobContext, Summary
from pmobot.services import inbound, inbox


async def forget_old_inbound(ctx: JobContext) -> Summary:
    """Forget the platform deliveries old enough that no platform will send them again, and the queued
    requests done that long ago (those given up stay, for an operator to read)."""
    async with ctx.core.db.session() as session:
        forgotten = await inbound.forget_old(session, core=ctx.core, now=ctx.now)
        worked = await inbox.forget_old(session, now=ctx.now)
    return {"forgotten": forgotten, "worked": worked}
