"""The weekly digest, declared once (``pmobot jobs list``, the scheduler and ``jobs run`` derive from it)."""

from __future__ import annotations

from datetime import timedelta

from pmobot.jobs.base import Job, JobContext, Summary, Weekly


async def _run(ctx: JobContext) -> Summary:
    # Imported at run time: declaring the job loads nothing of the services.
    from pmobot.services import digest

    return await digest.run(ctx)


DIGEST = Job(
    name="digest",
    summary="the weekly digest to the PMO, IT, committee and department channels, each cut to its readers",
    schedule=Weekly(lambda tracking: tracking.digest),
    run=_run,
    # A few hours late on Monday it is still on time; later it is posted once, marked late.
    grace=timedelta(hours=6),
)
