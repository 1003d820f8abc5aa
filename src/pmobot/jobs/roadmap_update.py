"""The daily roadmap update, declared once (``pmobot jobs list``, the scheduler and ``jobs run`` derive from it)."""

from __future__ import annotations

from datetime import timedelta

from pmobot.jobs.base import Daily, Job, JobContext, Summary


async def _run(ctx: JobContext) -> Summary:
    # Imported at run time: declaring the job loads nothing of the services.
    from pmobot.services import roadmap_update

    return await roadmap_update.run(ctx)


ROADMAP_UPDATE = Job(
    name="roadmap-update",
    summary="the day's roadmap changes (decisions, approved changes, forecast slips, projects closed) in one post",
    schedule=Daily(lambda tracking: tracking.roadmap_update_hour),
    run=_run,
    # Still the same day's update a few hours late; later, the next day's gathers what it would have said.
    grace=timedelta(hours=4),
)
