"""Running the declared jobs exactly once per period, whatever the number of replicas.

A run is claimed by inserting its ``job_run`` row: the unique (job, period)
key lets one insert win, on any number of replicas or processes. The winner
holds a lease (``locked_until``) that it renews while the job runs. A runner
that died mid-run leaves a row still ``running`` with a lease that runs out;
the next runner to find it takes it over with a compare-and-set on
``attempts``, which is also the fencing token: the one that raised it owns the
run, a slower one finds the count moved and backs off, and the runner that
was thought dead can no longer record its outcome. A run is taken over once:
if the taker dies too, the run is recorded failed instead of tried again.

Only a job's latest slot is ever due, so after downtime one late run catches
up, never one per missed period. A job that raises is recorded ``failed`` and
the others go on; ``pmobot jobs run`` tries a failed period again on request.
Time comes from the core's clock, or from the ``now`` a caller gives
(``pmobot jobs run --at``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select

from pmobot.domain.models_tracking import JobRun
from pmobot.jobs.base import Job, JobContext
from pmobot.services.core import Core

log = logging.getLogger(__name__)

# How often a serving leader looks for due jobs: a slot runs within this of its time.
JOBS_TICK = timedelta(minutes=1)
# How long a claimed run is reserved; renewed every third of it while the job runs.
LEASE = timedelta(minutes=10)
# The first claim and one takeover: a run that killed its runner twice is not tried a third time by itself.
MAX_ATTEMPTS = 2

# "done", "failed": what the run did; "already": the period ran or runs elsewhere; "busy": held by a live runner.
Status = str


@dataclass(frozen=True)
class Outcome:
    """What asking for one job's run gave."""

    job: str
    period: str
    slot: datetime
    status: Status
    late: bool = False
    summary: dict[str, Any] = field(default_factory=dict)
    # The run recorded for the period (this one, or the one that was there).
    run: JobRun | None = None

    @property
    def ran(self) -> bool:
        return self.status in ("done", "failed")


def runner_name() -> str:
    """Who runs a job, as shown by ``pmobot jobs list``: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


# Before each run on a serving replica: does this replica still lead?
Leading = Callable[[], Awaitable[bool]]
# How the lease keeper waits between renewals: real time when serving, a test's own step otherwise.
Pause = Callable[[float], Awaitable[None]]


class JobRunner:
    def __init__(self, *, core: Core, jobs: Sequence[Job], name: str | None = None,
                 lease: timedelta = LEASE, pause: Pause = asyncio.sleep) -> None:
        names = [job.name for job in jobs]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"two jobs are declared as {', '.join(duplicated)}")
        self.core = core
        self.jobs = {job.name: job for job in jobs}
        self.name = name or runner_name()
        self.lease = lease
        self.pause = pause

    def job(self, name: str) -> Job:
        """The declared job called ``name``; KeyError names the known ones."""
        try:
            return self.jobs[name]
        except KeyError:
            raise KeyError(f"no job is called {name!r}; the jobs are {', '.join(sorted(self.jobs))}") from None

    async def run_due(self, *, now: datetime | None = None, leading: Leading | None = None) -> list[Outcome]:
        """Run every job whose latest slot has no run yet; a failed run stays failed until asked again."""
        outcomes: list[Outcome] = []
        settled = await self._settled(now or self.core.clock.now())
        for job in self.jobs.values():
            if job.name in settled:
                continue
            # Leadership is checked again before each run: a replica that lost it mid-tick stops there.
            if leading is not None and not await leading():
                log.info("scheduled jobs left to the replica that leads now")
                return outcomes
            outcome = await self.run(job.name, now=now, retry_failed=False)
            if outcome.ran:
                outcomes.append(outcome)
        await self._close_abandoned()
        return outcomes

    async def _settled(self, now: datetime) -> set[str]:
        """The jobs whose latest period's run needs nothing now: done, failed (tried again only when asked),
        or held by a live runner. One read: a tick with nothing to run, nearly every minute, writes nothing
        (it tried to insert each job's run, one write transaction a job)."""
        periods = {job.name: job.schedule.period(job.schedule.latest(now, core=self.core), core=self.core)
                   for job in self.jobs.values()}
        async with self.core.db.session() as session:
            rows = await session.exec(select(JobRun.job, JobRun.period, JobRun.status, JobRun.locked_until).where(
                col(JobRun.job).in_(list(periods)), col(JobRun.period).in_(sorted(set(periods.values())))))
            return {job for job, period, status, locked_until in rows.all() if periods.get(job) == period and (
                _over(status, retry_failed=False) or (status == "running" and _held(locked_until, now)))}

    async def _close_abandoned(self) -> None:
        """Record as failed the dead runs of periods that are no longer any job's latest.

        Their period has passed (a later slot ran instead), so nobody will take
        them over; left alone they would read "running" for ever. The current
        periods' dead runs were taken over above, before this. Looked for before
        they are written: there are nearly never any.
        """
        now = self.core.clock.now()
        dead = (col(JobRun.job).in_(list(self.jobs)), col(JobRun.status) == "running", col(JobRun.locked_until) < now)
        async with self.core.db.session() as session:
            if (await session.exec(select(JobRun.id).where(*dead).limit(1))).first() is None:
                return
        async with self.core.db.session() as session:
            closed = await session.exec(
                update(JobRun).where(*dead)
                .values(status="failed", finished_at=now, locked_until=None,
                        summary={"error": "its runner stopped mid-run; a later period ran instead"})
                .execution_options(synchronize_session=False))
            if closed.rowcount:
                log.warning("%s scheduled run(s) whose runner stopped were closed as failed", closed.rowcount)

    async def run(self, name: str, *, now: datetime | None = None, retry_failed: bool = True) -> Outcome:
        """Run ``name`` for the period of its latest slot at ``now`` (the clock's by default), once."""
        job = self.job(name)
        now = now or self.core.clock.now()
        slot = job.schedule.latest(now, core=self.core)
        period = job.schedule.period(slot, core=self.core)
        late = now - slot > job.grace
        claimed = await self._claim(job, period=period, slot=slot, late=late, retry_failed=retry_failed)
        if isinstance(claimed, Outcome):
            return claimed
        run_id, attempt = claimed
        ctx = JobContext(core=self.core, now=now, slot=slot, period=period, late=late)
        status, summary = await self._execute(job, ctx, run_id=run_id, attempt=attempt)
        run = await self._finish(run_id, attempt=attempt, status=status, summary=summary)
        return Outcome(job=name, period=period, slot=slot, status=status, late=late, summary=summary, run=run)

    async def _execute(self, job: Job, ctx: JobContext, *, run_id: int,
                       attempt: int) -> tuple[Status, dict[str, Any]]:
        keeper = asyncio.create_task(self._keep_lease(run_id, attempt=attempt))
        try:
            summary = await job.run(ctx)
        except Exception as exc:  # one job failing never stops the others
            log.exception("scheduled job %s failed for %s", job.name, ctx.period)
            return "failed", {"error": f"{type(exc).__name__}: {exc}"[:500]}
        finally:
            keeper.cancel()
            # Whatever became of the keeper (cancelled, or a renewal that failed), the job's outcome stands.
            await asyncio.gather(keeper, return_exceptions=True)
        log.info("scheduled job %s done for %s%s: %s", job.name, ctx.period, " (late)" if ctx.late else "", summary)
        return "done", dict(summary)

    async def _claim(self, job: Job, *, period: str, slot: datetime, late: bool,
                     retry_failed: bool) -> tuple[int, int] | Outcome:
        """(run id, attempt) when this runner owns the run now; else what is there.

        The lease is on the clock, which every replica shares, even for a run as of an earlier time (``--at``).
        """
        started = self.core.clock.now()
        values = {"job": job.name, "period": period, "scheduled_for": slot, "started_at": started, "late": late,
                  "status": "running", "runner": self.name, "summary": {}, "locked_until": started + self.lease,
                  "attempts": 1}
        insert = sqlite_insert if self.core.db.is_sqlite else postgresql_insert
        statement = (insert(JobRun).values(**values).on_conflict_do_nothing(index_elements=["job", "period"])
                     .returning(col(JobRun.id)))
        async with self.core.db.session() as session:
            # A row comes back only to the insert that won (psycopg reports no row count for this statement).
            run_id = (await session.exec(statement)).first()
        if run_id is not None:
            return int(run_id[0]), 1
        existing = await self._find(job.name, period)
        if existing is None:  # cannot be: the insert lost to this very row
            raise RuntimeError(f"job run {job.name} {period} is neither new nor there")
        return await self._take_over(job, existing, late=late, slot=slot, retry_failed=retry_failed)

    async def _take_over(self, job: Job, run: JobRun, *, late: bool, slot: datetime,
                         retry_failed: bool) -> tuple[int, int] | Outcome:
        """Take a dead runner's run (once), or a failed run when asked; never one a live runner holds."""
        assert run.id is not None
        now = self.core.clock.now()
        seen = run.attempts
        if run.status == "running":
            if _held(run.locked_until, now):
                return Outcome(job=job.name, period=run.period, slot=slot, status="busy", late=run.late, run=run)
            if seen >= MAX_ATTEMPTS:
                await self._cas(run.id, seen=seen, status="running", values={
                    "status": "failed", "finished_at": now, "locked_until": None,
                    "summary": {"error": f"its runner stopped mid-run {seen} times"}})
                return Outcome(job=job.name, period=run.period, slot=slot, status="already", late=run.late,
                               run=await self._find(job.name, run.period))
            log.warning("scheduled job %s for %s: its runner %s stopped mid-run; taken over", job.name,
                        run.period, run.runner)
        elif _over(run.status, retry_failed=retry_failed):
            return Outcome(job=job.name, period=run.period, slot=slot, status="already", late=run.late, run=run)
        taken = await self._cas(run.id, seen=seen, status=run.status, values={
            "status": "running", "runner": self.name, "started_at": now, "late": late, "finished_at": None,
            "locked_until": now + self.lease, "attempts": seen + 1, "summary": {}})
        if not taken:  # another runner was quicker
            return Outcome(job=job.name, period=run.period, slot=slot, status="busy", late=run.late,
                           run=await self._find(job.name, run.period))
        return run.id, seen + 1

    async def _cas(self, run_id: int, *, seen: int, status: str, values: dict[str, Any]) -> bool:
        """Write ``values`` only if the run is still at attempt ``seen`` and in ``status``."""
        async with self.core.db.session() as session:
            done = await session.exec(
                update(JobRun).where(col(JobRun.id) == run_id, col(JobRun.attempts) == seen,
                                     col(JobRun.status) == status)
                .values(**values).execution_options(synchronize_session=False))
            return bool(done.rowcount == 1)

    async def _keep_lease(self, run_id: int, *, attempt: int) -> None:
        """Renew the lease while the job runs, so that nobody takes a run that is alive."""
        while True:
            await self.pause(self.lease.total_seconds() / 3)
            try:
                renewed = await self._cas(run_id, seen=attempt, status="running",
                                          values={"locked_until": self.core.clock.now() + self.lease})
            except Exception:  # a database blip: try again at the next step, the lease still has two thirds
                log.warning("scheduled run %s: its lease could not be renewed this time", run_id, exc_info=True)
                continue
            if not renewed:
                log.warning("scheduled run %s was taken over while it ran", run_id)
                return

    async def _finish(self, run_id: int, *, attempt: int, status: Status, summary: dict[str, Any]) -> JobRun | None:
        finished = await self._cas(run_id, seen=attempt, status="running", values={
            "status": status, "summary": summary, "finished_at": self.core.clock.now(), "locked_until": None})
        if not finished:
            # Its messages went through the outbox under the period's keys: the taker re-sends none of them.
            log.warning("scheduled run %s finished after another runner took it over; outcome not recorded", run_id)
        async with self.core.db.session() as session:
            return await session.get(JobRun, run_id)

    async def _find(self, name: str, period: str) -> JobRun | None:
        async with self.core.db.session() as session:
            found = await session.exec(select(JobRun).where(JobRun.job == name, JobRun.period == period))
            return found.first()


def _held(locked_until: datetime | None, now: datetime) -> bool:
    """Whether a running run's lease is still alive: its runner may only be slow, nobody takes it."""
    return locked_until is not None and locked_until > now


def _over(status: str, *, retry_failed: bool) -> bool:
    """Whether a run that is not running is over for its period: done, or failed and not asked again."""
    return status == "done" or (status == "failed" and not retry_failed)


async def last_runs(core: Core, *, names: Sequence[str]) -> dict[str, JobRun]:
    """Each job's most recent run (by its slot), in one query."""
    latest = (select(JobRun.job, func.max(JobRun.scheduled_for).label("slot"))
              .where(col(JobRun.job).in_(list(names))).group_by(col(JobRun.job)).subquery())
    async with core.db.session() as session:
        rows = await session.exec(select(JobRun).join(latest, (col(JobRun.job) == latest.c.job)
                                                      & (col(JobRun.scheduled_for) == latest.c.slot))
                                  .order_by(col(JobRun.id)))
        return {run.job: run for run in rows.all()}
