"""The declared jobs: one name each, and housekeeping as a job that takes its time from the run."""

from __future__ import annotations

from datetime import timedelta

from pmobot.app import App
from pmobot.clock import FrozenClock
from pmobot.jobs.base import JobContext
from pmobot.jobs.registry import builtin_jobs
from pmobot.services import inbound


def test_every_job_has_one_name_a_summary_and_a_schedule_in_words(app: App) -> None:
    jobs = builtin_jobs()
    names = [job.name for job in jobs]
    assert len(names) == len(set(names)) and "housekeeping" in names
    for job in jobs:
        assert job.summary and job.schedule.describe(core=app.core)


async def test_housekeeping_forgets_old_deliveries_as_of_the_runs_time(app: App, clock: FrozenClock) -> None:
    async with app.db.session() as session:
        assert await inbound.first_time(session, core=app.core, platform="slack", key="Ev1")
    [job] = [job for job in builtin_jobs() if job.name == "housekeeping"]
    now = clock.now()
    ctx = JobContext(core=app.core, now=now, slot=now, period="p", late=False)
    assert await job.run(ctx) == {"forgotten": 0, "worked": 0}
    later = now + timedelta(days=1, seconds=1)
    ctx = JobContext(core=app.core, now=later, slot=later, period="q", late=False)
    assert await job.run(ctx) == {"forgotten": 1, "worked": 0}
