"""A simulated quarter on PostgreSQL with two serving replicas, under the frozen clock.

Each replica is a whole serving process as ``pmobot serve`` builds it: its
own engine, its ``Leadership`` and the APScheduler of ``App.scheduler``, whose
jobs tick and outbox worker are called here at each simulated hour instead of
by APScheduler's timer. Deliveries go to a fake platform that records what it
was sent and when. In the middle of the quarter the leading replica dies
during a run (the other takes over the lease and the lead), and later both are
down for three days (one late run per job, never one per missed period).

Every declared job (``builtin_jobs``) is checked: it ran for exactly the
periods whose slot was the latest at some live tick, once each, late exactly
when past its grace; every outbox row was delivered once by the fake platform.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from pmobot.app import App, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_tracking import JobRun
from pmobot.jobs import registry
from pmobot.jobs.base import Every, Job, JobContext, Summary
from pmobot.scheduler import Delivery, RateLimit
from pmobot.server import Leadership
from pmobot.services.core import Core
from tests.support.projects import demo_actor
from tests.support.tracking import answers, project, record

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)

# Monday 30 November 2026, 07:00 in Paris; thirteen weeks, through Christmas and New Year (both Fridays).
START = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
END = START + timedelta(weeks=13)
# The leader dies in the middle of a run at the first slot of a job after Wednesday 6 January 2027 noon.
CRASH_AFTER = datetime(2027, 1, 6, 12, 0, tzinfo=UTC)
# Both replicas are down from Saturday 30 January 2027 12:00 UTC to Tuesday 2 February 12:00 UTC.
OUTAGE = (datetime(2027, 1, 30, 12, 0, tzinfo=UTC), datetime(2027, 2, 2, 12, 0, tzinfo=UTC))
TICK = timedelta(hours=1)
# Ticks run through the working day only (UTC hours), to keep the quarter quick: every slot the jobs have
# falls within it; a night's slot would simply run at the first morning tick, as after any downtime.
DAY_HOURS = range(5, 19)


@dataclass
class FakePlatform:
    """The network edge: what was delivered, to whom, and when (the frozen clock's time)."""

    clock: FrozenClock
    received: list[tuple[str, str, datetime]] = field(default_factory=list)
    limits: tuple[RateLimit, ...] = ()

    async def deliver(self, delivery: Delivery) -> str:
        self.received.append((delivery.key, delivery.target, self.clock.now()))
        return f"m{len(self.received)}"


@dataclass
class Calls:
    """Each job function's calls: (job, period, late), and a run to hold (the crash)."""

    made: list[tuple[str, str, bool]] = field(default_factory=list)
    hold: str | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    def spy(self, job: Job) -> Job:
        async def run(ctx: JobContext) -> Summary:
            self.made.append((job.name, ctx.period, ctx.late))
            if self.hold == job.name:
                self.hold = None
                self.entered.set()
                await asyncio.Event().wait()  # never returns: the process dies here
            return await job.run(ctx)

        return dataclasses.replace(job, run=run)


@dataclass
class Replica:
    app: App
    leadership: Leadership
    tick: Callable[[], Awaitable[Any]]
    deliver: Callable[[], Awaitable[Any]]

    async def stop(self) -> None:
        # A killed process's lock goes with its connection, as on release.
        await self.leadership.release()
        await self.app.close()


class Quarter:
    def __init__(self, settings: Settings, clock: FrozenClock, calls: Calls) -> None:
        self.settings, self.clock, self.calls = settings, clock, calls
        self.platform = FakePlatform(clock)
        self.replicas: list[Replica] = []
        # Each live tick's instant: the periods that must have run derive from them.
        self.ticks: list[datetime] = []
        # Called at each tick before the replicas' (the people's side: answering a check-in).
        self.people: list[Callable[[App], Awaitable[None]]] = []

    async def start(self, *, seed: bool = False) -> Replica:
        app = create_app(self.settings, clock=self.clock)
        await app.prepare(migrate=True, seed_demo=seed)
        app.core.it_channels["console"] = self.settings.it_channel
        app.deliverers["console"] = self.platform
        leadership = Leadership(app.db)
        scheduler = app.scheduler(leadership=leadership)
        jobs, outbox = scheduler.get_job("jobs"), scheduler.get_job("outbox")
        assert jobs is not None and outbox is not None

        async def tick() -> Any:
            return await jobs.func(**jobs.kwargs)

        replica = Replica(app=app, leadership=leadership, tick=tick, deliver=outbox.func)
        self.replicas.append(replica)
        return replica

    async def stop(self, replica: Replica) -> None:
        self.replicas.remove(replica)
        await replica.stop()

    async def hour(self) -> None:
        """One simulated hour: each live replica's jobs tick, then their outbox workers until all is sent."""
        self.ticks.append(self.clock.now())
        for act in self.people:
            await act(self.replicas[0].app)
        for replica in list(self.replicas):
            await replica.tick()
        for _ in range(20):
            before = len(self.platform.received)
            for replica in self.replicas:
                await replica.deliver()
            if len(self.platform.received) == before:
                break

    async def run_until(self, until: datetime) -> None:
        while self.clock.now() < until:
            if self.clock.now().hour in DAY_HOURS:
                await self.hour()
            self.clock.advance(seconds=TICK.total_seconds())


@pytest.fixture
async def quarter(settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Quarter]:
    calls = Calls()
    declared = registry.builtin_jobs()
    monkeypatch.setattr("pmobot.app.builtin_jobs", lambda: tuple(calls.spy(job) for job in declared))
    clock.set(START)
    simulated = Quarter(settings, clock, calls)
    yield simulated
    for replica in list(simulated.replicas):
        await simulated.stop(replica)


async def _two_projects(quarter: Quarter, app: App) -> dict[str, str]:
    """PRJ-1 owned by bob in Paris, who answers within the hour; PRJ-2 by erin in New York, who never does."""
    paris, new_york = await project(app), await project(app)
    assert paris.id is not None
    async with app.db.session() as session:
        erin = await demo_actor(session, app, "erin")
        erin.person.timezone = "America/New_York"
        session.add(erin.person)
        found = await session.get(type(new_york), new_york.id)
        assert found is not None
        found.owner_id = erin.id
        session.add(found)
    answered: set[str] = set()
    percent = iter(range(5, 100, 5))

    async def bob_answers(live: App) -> None:
        asked = {key for key, _, _ in quarter.platform.received if key.startswith(f"checkin:{paris.key}:")
                 and key.count(":") == 2}
        for key in sorted(asked - answered):
            await record(live, paris.id or 0, answers(next(percent)))
            answered.add(key)

    quarter.people.append(bob_answers)
    return {paris.key: "Europe/Paris", new_york.key: "America/New_York"}


def _crash_plan(core: Core) -> tuple[str, datetime]:
    """The job the leader dies in, and when: preferably one whose slot is still its latest an hour later
    (a daily or weekly job), so that the other replica takes the very run over."""
    jobs = registry.builtin_jobs()
    for job in jobs:
        slot = job.schedule.next_after(CRASH_AFTER, core=core)
        if slot.minute == 0 and slot.hour in DAY_HOURS and job.schedule.latest(slot + TICK, core=core) == slot:
            return job.name, slot
    return jobs[0].name, jobs[0].schedule.next_after(CRASH_AFTER, core=core)


async def _rows(app: App) -> tuple[list[JobRun], list[OutboxMessage], list[tuple[str, int]]]:
    async with app.db.session() as session:
        runs = list((await session.exec(select(JobRun).order_by(col(JobRun.id)))).all())
        outbox = list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())
        per_key = list((await session.exec(select(OutboxMessage.key, func.count()).group_by(
            col(OutboxMessage.key)))).all())
        return runs, outbox, [(key, int(count)) for key, count in per_key]


async def test_a_quarter_on_two_replicas_runs_every_job_once_per_period(quarter: Quarter) -> None:
    first = await quarter.start(seed=True)
    second = await quarter.start()
    await _two_projects(quarter, first.app)
    # The first one started leads; the other waits its turn.
    assert await first.leadership.try_acquire() and not await second.leadership.try_acquire()
    core = first.app.core
    crashing, crash = _crash_plan(core)
    await quarter.run_until(crash)

    # The leader dies in the middle of a run: the other replica takes the lead at its next tick and the
    # run over once its lease has run out; the dead one comes back a day later as a follower.
    quarter.calls.hold = crashing
    quarter.ticks.append(quarter.clock.now())
    dying = asyncio.create_task(first.tick())
    await quarter.calls.entered.wait()
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying
    await quarter.stop(first)
    crash_period, crash_tick = quarter.calls.made[-1][1], quarter.ticks[-1]
    quarter.clock.advance(seconds=TICK.total_seconds())
    await quarter.run_until(crash + timedelta(days=1))
    await quarter.start()
    await quarter.run_until(OUTAGE[0])

    # Three days with no replica at all, then both start again.
    last_before = quarter.ticks[-1]
    for replica in list(quarter.replicas):
        await quarter.stop(replica)
    quarter.clock.set(OUTAGE[1])
    for _ in range(2):
        await quarter.start()
    await quarter.run_until(END)

    app = quarter.replicas[0].app
    runs, outbox, per_key = await _rows(app)
    jobs = {job.name: job for job in registry.builtin_jobs()}

    # Every job ran for exactly the periods whose slot was the latest at a live tick, and each once.
    order = list(jobs)
    for name, job in jobs.items():
        expected: dict[str, bool] = {}
        for at in quarter.ticks:
            if at == crash_tick and order.index(name) > order.index(crashing):
                continue  # the leader died before this job's turn at that tick
            slot = job.schedule.latest(at, core=core)
            expected.setdefault(job.schedule.period(slot, core=core), at - slot > job.grace)
        ran = {run.period: run for run in runs if run.job == name}
        assert sorted(ran) == sorted(expected), name
        crashed = {crash_period} if name == crashing else set()
        assert {p: r.late for p, r in ran.items() if p not in crashed} == {
            p: late for p, late in expected.items() if p not in crashed}, name
        assert [r.period for r in ran.values() if r.status != "done" and r.period not in crashed] == [], name

    # The run the leader died in: taken over once (it ran twice, its messages once) if its period was still
    # the latest at the next tick; else closed as failed (a later period did the work).
    [dead] = [run for run in runs if (run.job, run.period) == (crashing, crash_period)]
    calls = Counter((name, period) for name, period, _ in quarter.calls.made)
    crashing_job = jobs[crashing]
    if crashing_job.schedule.latest(crash + TICK, core=core) == crashing_job.schedule.latest(crash, core=core):
        assert (dead.status, dead.attempts) == ("done", 2)
        assert [call for call, n in calls.items() if n > 1] == [(crashing, crash_period)]
    else:
        assert dead.status == "failed" and "stopped mid-run" in dead.summary["error"]
        assert [call for call, n in calls.items() if n > 1] == []

    # The outage: each job runs once at the first tick after it, for its latest slot only, late when that
    # slot is past its grace (the daily and weekly jobs: one late run, not one per missed day).
    for name, job in jobs.items():
        latest = job.schedule.latest(OUTAGE[1], core=core)
        at_restart = [run for run in runs if run.job == name and run.started_at == OUTAGE[1]]
        assert [r.scheduled_for for r in at_restart] == ([latest] if latest > last_before else []), name
        missed = [run for run in runs if run.job == name and last_before < run.scheduled_for <= OUTAGE[1]]
        assert missed == at_restart, name
        if not isinstance(job.schedule, Every):
            assert [r.late for r in at_restart] == [True], name

    # Every message went once: one outbox row per key, all sent, each received once by the platform.
    assert all(count == 1 for _, count in per_key)
    assert [row.key for row in outbox if row.status != "sent"] == []
    received = Counter(key for key, _, _ in quarter.platform.received)
    assert sorted(received) == sorted(row.key for row in outbox)
    assert [key for key, n in received.items() if n > 1] == []
