"""The job runner: one run per job and period, on SQLite and on PostgreSQL.

Two runners stand for two replicas (on PostgreSQL each with its own engine,
so the race is a real one between connections); a runner "dies" by having its
task cancelled mid-run, which leaves its row running as a killed process would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from pmobot.app import App, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain.models_tracking import JobRun
from pmobot.jobs.base import Daily, Every, Job, JobContext, Summary
from pmobot.jobs.runner import LEASE, JobRunner, last_runs

# Monday 30 November 2026, 07:00 in Paris (UTC+1): the slot of the daily job below (drift_scan_hour).
MONDAY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


class Recorder:
    """A job function that counts its calls, yields to the event loop, and can be held or made to fail."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[JobContext] = []
        self.fail = fail
        self.hold: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self, ctx: JobContext) -> Summary:
        self.calls.append(ctx)
        hold = self.hold  # the gate of this call, whatever the next call's
        self.started.set()
        await asyncio.sleep(0)  # let a rival runner interleave
        if hold is not None:
            await hold.wait()
        if self.fail:
            raise RuntimeError("the digest channel is gone")
        return {"posted": len(self.calls)}


def daily(name: str, run: Recorder) -> Job:
    return Job(name=name, summary=f"{name} for the tests", schedule=Daily(lambda t: t.drift_scan_hour), run=run)


async def runs(app: App, name: str) -> list[JobRun]:
    async with app.db.session() as session:
        return list((await session.exec(select(JobRun).where(JobRun.job == name).order_by(col(JobRun.id)))).all())


@pytest.fixture
async def replica(settings: Settings, clock: FrozenClock, app: App) -> AsyncIterator[App]:
    """A second process on the same database: its own engine and connections, the same clock."""
    other = create_app(settings, clock=clock)
    yield other
    await other.close()


async def test_two_replicas_racing_for_one_period_run_it_once(app: App, replica: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    scan = Recorder()
    first = JobRunner(core=app.core, jobs=[daily("scan", scan)], name="replica-1")
    second = JobRunner(core=replica.core, jobs=[daily("scan", scan)], name="replica-2")
    outcomes = await asyncio.gather(*(runner.run_due() for runner in (first, second, first, second)))
    assert len(scan.calls) == 1
    assert sum(len(found) for found in outcomes) == 1
    [run] = await runs(app, "scan")
    assert (run.status, run.period, run.late, run.attempts) == ("done", "2026-11-30", False, 1)
    assert run.summary == {"posted": 1} and run.runner in ("replica-1", "replica-2")
    assert run.finished_at == MONDAY and run.locked_until is None


async def test_fired_twice_runs_once_and_says_it_already_ran(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY + timedelta(minutes=5))
    scan = Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)])
    [outcome] = await runner.run_due()
    assert outcome.status == "done" and outcome.summary == {"posted": 1}
    assert await runner.run_due() == []
    again = await runner.run("scan")
    assert again.status == "already" and again.run is not None and again.run.id == outcome.run.id  # type: ignore[union-attr]
    assert len(scan.calls) == 1 and len(await runs(app, "scan")) == 1


async def test_a_run_is_late_only_past_its_grace(app: App, clock: FrozenClock) -> None:
    scan = Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)])
    clock.set(MONDAY + timedelta(minutes=59))
    [on_time] = await runner.run_due()
    clock.set(MONDAY + timedelta(days=1, hours=1, minutes=1))
    [late] = await runner.run_due()
    assert (on_time.late, late.late) == (False, True)
    assert [ctx.late for ctx in scan.calls] == [False, True]
    assert [ctx.period for ctx in scan.calls] == ["2026-11-30", "2026-12-01"]


async def test_after_a_three_day_outage_only_the_latest_slot_runs_marked_late(app: App, clock: FrozenClock) -> None:
    scan = Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)])
    clock.set(MONDAY)
    await runner.run_due()
    # Down from Monday 07:00 to Thursday 11:00 (Paris): Tuesday's, Wednesday's and Thursday's slots were missed.
    clock.set(MONDAY + timedelta(days=3, hours=4))
    [caught_up] = await runner.run_due()
    assert (caught_up.period, caught_up.late) == ("2026-12-03", True)
    assert caught_up.slot == MONDAY + timedelta(days=3)
    assert await runner.run_due() == []
    assert [(run.period, run.late) for run in await runs(app, "scan")] == [("2026-11-30", False), ("2026-12-03", True)]
    assert [ctx.now for ctx in scan.calls] == [MONDAY, MONDAY + timedelta(days=3, hours=4)]


async def test_a_failing_job_is_recorded_and_the_others_go_on(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    broken, fine = Recorder(fail=True), Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("digest", broken), daily("scan", fine)])
    outcomes = await runner.run_due()
    assert [(o.job, o.status) for o in outcomes] == [("digest", "failed"), ("scan", "done")]
    [failed] = await runs(app, "digest")
    assert failed.status == "failed" and failed.summary == {"error": "RuntimeError: the digest channel is gone"}
    assert failed.finished_at == MONDAY and failed.locked_until is None
    # The scheduler does not retry it every tick; asked explicitly, the period is tried again.
    assert await runner.run_due() == []
    broken.fail = False
    retried = await runner.run("digest")
    assert retried.status == "done" and retried.summary == {"posted": 2}
    [run] = await runs(app, "digest")
    assert (run.status, run.attempts) == ("done", 2)


async def test_a_runner_that_died_mid_run_is_taken_over_once_after_its_lease(
        app: App, replica: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    scan = Recorder()
    scan.hold = asyncio.Event()
    dying = JobRunner(core=app.core, jobs=[daily("scan", scan)], name="dying")
    task = asyncio.create_task(dying.run("scan"))
    await scan.started.wait()
    task.cancel()  # the process is killed mid-run: its row stays "running"
    with pytest.raises(asyncio.CancelledError):
        await task
    scan.hold = None
    [run] = await runs(app, "scan")
    assert (run.status, run.runner) == ("running", "dying")

    takers = [JobRunner(core=core, jobs=[daily("scan", scan)], name=name)
              for core, name in ((app.core, "taker-1"), (replica.core, "taker-2"))]
    # While its lease runs, nobody takes it: the runner may only be slow.
    clock.advance(minutes=5)
    busy = await takers[0].run("scan")
    assert busy.status == "busy" and len(scan.calls) == 1
    # Once the lease has run out, exactly one of two rivals takes it over.
    clock.set(MONDAY + LEASE + timedelta(seconds=1))
    outcomes = await asyncio.gather(*(taker.run("scan") for taker in takers))
    [done] = [o for o in outcomes if o.status == "done"]
    # The other found it taken (busy), or already finished if the winner was that quick.
    assert [o.status for o in outcomes if o is not done] in (["busy"], ["already"])
    assert len(scan.calls) == 2
    [run] = await runs(app, "scan")
    assert run.status == "done" and run.attempts == 2 and run.runner in ("taker-1", "taker-2")


async def test_a_run_that_kills_its_runner_twice_is_recorded_failed(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    scan = Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)])
    for _ in range(2):  # the first runner dies, then the one that took it over
        scan.hold, scan.started = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(runner.run("scan"))
        await scan.started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        clock.advance(seconds=LEASE.total_seconds() + 1)
    outcome = await runner.run("scan")
    assert outcome.status == "already" and len(scan.calls) == 2
    [run] = await runs(app, "scan")
    assert run.status == "failed" and run.summary == {"error": "its runner stopped mid-run 2 times"}


async def test_the_slow_runner_taken_over_cannot_record_its_outcome(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    slow_job, quick_job = Recorder(), Recorder()
    slow_job.hold = asyncio.Event()
    slow = JobRunner(core=app.core, jobs=[daily("scan", slow_job)], name="slow")
    quick = JobRunner(core=app.core, jobs=[daily("scan", quick_job)], name="quick")
    task = asyncio.create_task(slow.run("scan"))
    await slow_job.started.wait()
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert (await quick.run("scan")).status == "done"
    slow_job.hold.set()
    await task
    [run] = await runs(app, "scan")
    assert (run.runner, run.summary, run.attempts) == ("quick", {"posted": 1}, 2)


async def test_leadership_is_checked_before_each_run(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    first, second = Recorder(), Recorder()
    answers = iter([True, False])

    async def leading() -> bool:
        return next(answers)

    runner = JobRunner(core=app.core, jobs=[daily("first", first), daily("second", second)])
    outcomes = await runner.run_due(leading=leading)
    assert [o.job for o in outcomes] == ["first"] and not second.calls


async def test_last_runs_gives_each_jobs_latest_slot(app: App, clock: FrozenClock) -> None:
    scan, tick = Recorder(), Recorder()
    jobs = [daily("scan", scan), Job(name="tick", summary="t", schedule=Every(15), run=tick)]
    runner = JobRunner(core=app.core, jobs=jobs)
    for day in range(3):
        clock.set(MONDAY + timedelta(days=day))
        await runner.run_due()
    # A run asked for an earlier time does not hide the latest one.
    await runner.run("scan", now=MONDAY - timedelta(days=2))
    latest = await last_runs(app.core, names=["scan", "tick", "none"])
    assert set(latest) == {"scan", "tick"}
    assert latest["scan"].period == "2026-12-02" and latest["tick"].period == "2026-12-02T06:00Z"


def test_two_jobs_may_not_share_a_name(app: App) -> None:
    with pytest.raises(ValueError, match="two jobs are declared as scan"):
        JobRunner(core=app.core, jobs=[daily("scan", Recorder()), daily("scan", Recorder())])
    with pytest.raises(KeyError, match="no job is called 'nope'; the jobs are scan"):
        JobRunner(core=app.core, jobs=[daily("scan", Recorder())]).job("nope")


async def _die_mid_run(runner: JobRunner, name: str, job: Recorder, **at: datetime) -> None:
    job.hold, job.started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(runner.run(name, **at))
    await job.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    job.hold = None


async def test_a_dead_run_whose_period_has_passed_is_closed_as_failed(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)
    tick = Recorder()
    runner = JobRunner(core=app.core, jobs=[Job(name="tick", summary="t", schedule=Every(15), run=tick)])
    await _die_mid_run(runner, "tick", tick)
    # An hour later its period is no longer the latest: nobody takes it over, and it does not read "running".
    clock.advance(hours=1)
    [outcome] = await runner.run_due()
    assert outcome.period == "2026-11-30T07:00Z"
    dead, fresh = await runs(app, "tick")
    assert dead.status == "failed"
    assert dead.summary == {"error": "its runner stopped mid-run; a later period ran instead"}
    assert dead.finished_at == clock.now() and fresh.status == "done"


async def test_a_run_as_of_an_earlier_time_holds_its_lease_by_the_clock(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY + timedelta(days=2))
    scan = Recorder()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)])
    scan.hold = asyncio.Event()
    task = asyncio.create_task(runner.run("scan", now=MONDAY))  # pmobot jobs run scan --at <Monday>
    await scan.started.wait()
    gate, scan.hold = scan.hold, None  # only that run waits
    [run] = await runs(app, "scan")
    assert run.started_at == clock.now() and run.locked_until == clock.now() + LEASE and run.period == "2026-11-30"
    # The serving leader's tick neither takes it over nor closes it while the run is alive.
    assert [o.period for o in await runner.run_due()] == ["2026-12-02"]
    assert (await runner.run("scan", now=MONDAY)).status == "busy"
    gate.set()
    assert (await task).status == "done"


async def test_a_long_run_keeps_its_lease_while_it_runs(app: App, replica: App, clock: FrozenClock) -> None:
    """The lease keeper renews on the shared clock at each of its steps, so a live run is never taken."""
    clock.set(MONDAY)
    steps: asyncio.Queue[asyncio.Event] = asyncio.Queue()

    async def step(seconds: float) -> None:
        assert seconds == LEASE.total_seconds() / 3
        go = asyncio.Event()
        await steps.put(go)
        await go.wait()

    scan = Recorder()
    scan.hold = asyncio.Event()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)], name="slow", pause=step)
    task = asyncio.create_task(runner.run("scan"))
    await scan.started.wait()
    waiting = await steps.get()  # the keeper's first pause
    for _ in range(3):  # well past the first lease: each step renews it from the clock
        clock.advance(seconds=LEASE.total_seconds() / 2)
        waiting.set()
        waiting = await steps.get()  # renewed, and pausing again
    [run] = await runs(app, "scan")
    assert run.locked_until is not None and run.locked_until > clock.now()
    rival = await JobRunner(core=replica.core, jobs=[daily("scan", scan)], name="rival").run("scan")
    assert rival.status == "busy" and len(scan.calls) == 1
    scan.hold.set()
    assert (await task).status == "done"


async def test_a_lease_keeper_that_fails_does_not_replace_the_jobs_outcome(app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY)

    async def broken(seconds: float) -> None:
        raise RuntimeError("database is locked")

    scan = Recorder()
    scan.hold = asyncio.Event()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan)], pause=broken)
    task = asyncio.create_task(runner.run("scan"))
    await scan.started.wait()
    await asyncio.sleep(0)  # the keeper has failed by now
    scan.hold.set()
    outcome = await task
    [run] = await runs(app, "scan")
    assert outcome.status == "done" and (run.status, run.summary) == ("done", {"posted": 1})


async def test_a_tick_with_nothing_to_run_writes_nothing_and_a_dead_run_is_still_taken_over(
        app: App, clock: FrozenClock) -> None:
    clock.set(MONDAY + timedelta(minutes=5))
    scan, digest = Recorder(), Recorder()
    digest.hold = asyncio.Event()
    runner = JobRunner(core=app.core, jobs=[daily("scan", scan), daily("digest", digest)], name="first")
    task = asyncio.create_task(runner.run_due())
    await digest.started.wait()
    task.cancel()  # killed while the digest ran: its row stays "running" under a lease
    with pytest.raises(asyncio.CancelledError):
        await task
    digest.hold = None
    writes: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        # The scan is done, the digest held by a lease still running: the tick reads, and writes nothing.
        clock.advance(minutes=1)
        assert await JobRunner(core=app.core, jobs=[daily("scan", scan), daily("digest", digest)]).run_due() == []
        assert writes == []
        # Its lease run out, the digest is taken over by the next tick.
        clock.set(MONDAY + timedelta(minutes=5) + LEASE + timedelta(seconds=1))
        [outcome] = await JobRunner(core=app.core, jobs=[daily("scan", scan), daily("digest", digest)]).run_due()
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", seen)
    assert (outcome.job, outcome.status) == ("digest", "done") and writes
    assert len(scan.calls) == 1 and len(digest.calls) == 2
