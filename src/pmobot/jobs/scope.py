"""The scope sign-off's reminders, declared as a daily job on business days (``services.scope_reminders``)."""

from __future__ import annotations

from pmobot.jobs.base import JobContext, Summary
from pmobot.services import scope_reminders


async def remind_scope_agreement(ctx: JobContext) -> Summary:
    """Remind whoever a scope waits on, past the service level, once that day."""
    async with ctx.core.db.session() as session:
        reminded = await scope_reminders.remind(session, core=ctx.core, now=ctx.now)
    return {"reminded": reminded}
