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

And what people received, read from the fake platform (``tests/support/quarter.py``
has the portfolio: owners in Paris and New York, one on plan, one who drifts
then recovers, one who misses weeks): each week's check-in once at the owner's
own hour, never on a weekend or a holiday (Christmas and New Year's Day are
Fridays); one reminder per missed week the next business morning; the PMO told
once after two missed weeks in a row; each alert told once when opened, raised
or closed, lowered in silence within the hysteresis margin; the roadmap update
of a slip once; each channel's digest once a week, the outage's one late.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from pmobot.app import App, create_app
from pmobot.clock import FrozenClock
from pmobot.config import Settings
from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage
from pmobot.domain.models_tracking import JobRun
from pmobot.jobs import registry
from pmobot.jobs.base import Every, Job, JobContext, Summary
from pmobot.messages import Card, Message
from pmobot.scheduler import Delivery, RateLimit
from pmobot.server import Leadership
from pmobot.services import addresses, digest
from pmobot.services.core import Core
from tests.support import quarter as portfolio

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
RANK = {"warning": 1, "critical": 2}
# Ticks run through the working day only (UTC hours), to keep the quarter quick: every slot the jobs have
# falls within it; a night's slot would simply run at the first morning tick, as after any downtime.
DAY_HOURS = range(5, 19)


@dataclass
class FakePlatform:
    """The network edge: what was delivered, to whom, and when (the frozen clock's time)."""

    clock: FrozenClock
    received: list[tuple[str, str, datetime]] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)
    limits: tuple[RateLimit, ...] = ()

    async def deliver(self, delivery: Delivery) -> str:
        self.received.append((delivery.key, delivery.target, self.clock.now()))
        self.messages[delivery.key] = delivery.message
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
    plays, people_answer = await portfolio.open_portfolio(first.app, quarter.platform.received)
    quarter.people.append(people_answer)
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

    # What each one received: the check-ins, reminders and PMO notices, the alerts, the roadmap, the digests.
    _check_ins_and_reminders(quarter, core, plays)
    await _alert_notices(quarter, app, plays)
    await _roadmap_updates(quarter, app, plays)
    await _digests(quarter, app)


def _check_ins_and_reminders(quarter: Quarter, core: Core, plays: list[portfolio.Script]) -> None:
    """Each week's check-in once, at the owner's own policy hour (never on a weekend nor a holiday); one
    reminder the next business morning for each week missed; the PMO told once per run of missed weeks."""
    received, tracking = quarter.platform.received, core.policy.tracking
    christmas, new_year = date(2026, 12, 25), date(2027, 1, 1)
    assert not core.calendar.is_business_day(christmas) and not core.calendar.is_business_day(new_year)
    reminders: dict[str, list[tuple[str, datetime]]] = {}
    told: dict[str, list[tuple[str, datetime]]] = {}
    for play in plays:
        due = portfolio.check_ins_due(play, core, START, END)
        asked = {key: sent for key, sent in portfolio.received_under(received, keys.check_in(play.key, "")).items()
                 if key.count(":") == 2}
        assert asked == {keys.check_in(play.key, week): [(play.login, at)] for week, at in due.items()}, play.name
        assert [week for week, _ in play.asked] == list(due), play.name
        for week, at in due.items():
            local = at.astimezone(ZoneInfo(play.zone))
            assert (local.hour, local.minute) == (tracking.check_in.hour, tracking.check_in.minute), (play.name, week)
            assert local.weekday() < 5 and local.date() not in (christmas, new_year), (play.name, week)
        # The week of Christmas Day (a Friday) is asked the Monday after; New Year's Day's, the Monday after it.
        assert {due["2026-W52"].astimezone(ZoneInfo(play.zone)).date(),
                due["2026-W53"].astimezone(ZoneInfo(play.zone)).date()} == {date(2026, 12, 28), date(2027, 1, 4)}
        for n in sorted(play.missed):
            week, at = play.asked[n]
            reminders[keys.check_in_reminder(play.key, week)] = [
                (play.login, portfolio.first_tick(portfolio.reminder_due(at, play.zone, core), quarter.ticks))]
        for n in portfolio.escalated_weeks(play, tracking.escalate_after_missed):
            week, _ = play.asked[n]
            told[keys.on_platform(keys.check_in_missed(play.key, week), "console")] = [
                (portfolio.CHANNELS[addresses.PMO_CHANNEL], reminders[keys.check_in_reminder(play.key, week)][0][1])]
    assert {k: v for k, v in portfolio.received_under(received, "checkin:").items() if k.endswith(":reminder")} \
        == reminders
    assert {k: v for k, v in portfolio.received_under(received, "checkin:").items() if ":missed" in k} == told
    assert len(told) == 1  # the script's one run of two missed weeks; its later single miss is only reminded


def _alerts_told(key: str, message: Message) -> list[int]:
    """The alert numbers a notice tells: ``alert:N:event:vV...`` one; ``alerts:<subject>:...`` several of one
    subject opened or raised together, one card whose buttons act on them all ("ALERT-3,ALERT-5 ack")."""
    if key.startswith("alert:"):
        return [int(key.split(":")[1])]
    if key.startswith("alerts:"):
        assert isinstance(message, Card) and message.actions
        return [int(named.split("-")[1]) for named in message.actions[0].value.split()[0].split(",")]
    return []


async def _alert_notices(quarter: Quarter, app: App, plays: list[portfolio.Script]) -> None:
    """Each alert told once when opened, once each time it got worse, once when closed, to its owner and the
    PMO's channel; the drifting project's schedule and cost alerts opened, raised, lowered in silence
    (within the hysteresis margin), then closed."""
    alerts, events = await portfolio.alert_history(app)
    owners = {play.project_id: play for play in plays}
    pmo = portfolio.CHANNELS[addresses.PMO_CHANNEL]
    told: dict[int, list[tuple[str, datetime]]] = {}
    for key, target, at in quarter.platform.received:
        for number in _alerts_told(key, quarter.platform.messages[key]):
            told.setdefault(number, []).append((target, at))
    assert set(told) <= {a.number for a in alerts}
    for alert in alerts:
        assert alert.project_id in owners, alert.subject  # no need waits on a step in this quarter
        own = [e for e in events if e.alert_id == alert.id]
        # Opened once, first; raised only to a worse level, lowered only to a better one; closed at most once, last.
        moves = [e for e in own if e.kind != "closed"]
        assert [e.kind for e in moves] == ["opened"] + [
            "raised" if RANK[after.level] > RANK[before.level] else "lowered" for before, after in pairwise(moves)]
        assert all(before.level != after.level for before, after in pairwise(moves)), alert.key
        assert [e.kind for e in own[len(moves):]] == ([] if alert.status == "open" else ["closed"]), alert.key
        expected = [(target, portfolio.first_tick(e.at, quarter.ticks)) for e in own
                    if e.kind in ("opened", "raised", "closed") for target in (owners[alert.project_id].login, pmo)]
        assert sorted(told.get(alert.number, [])) == sorted(expected), alert.key
    steady, drifting, _ = plays
    assert [a.key for a in alerts if a.project_id == steady.project_id] == []
    for rule in ("spi", "cpi"):
        [alert] = [a for a in alerts if a.project_id == drifting.project_id and a.rule == rule]
        own = [(e.kind, e.level, e.at) for e in events if e.alert_id == alert.id]
        when = drifting.answered
        assert own == [("opened", "warning", when[2]), ("raised", "critical", when[3]),
                       ("lowered", "warning", when[4]), ("closed", "warning", when[5])], rule
        # Told when opened, raised and closed; lowered within the hysteresis margin, nothing is said.
        assert [at for target, at in told[alert.number] if target == pmo] == [when[2], when[3], when[5]], rule


async def _roadmap_updates(quarter: Quarter, app: App, plays: list[portfolio.Script]) -> None:
    """The drifting project's forecast end past the tolerance: one roadmap update that day at the policy's
    hour, to the roadmap channel; every roadmap event carried by exactly one update."""
    core, drifting = app.core, plays[1]
    events = await portfolio.roadmap_events(app)
    [slip] = [e for e in events if e.project_id == drifting.project_id]
    day = core.calendar.local_day(drifting.answered[3])
    assert (slip.kind, slip.day) == ("slip", day)
    assert all(e.posted_run_id is not None for e in events)
    hour = datetime.combine(day, time(core.policy.tracking.roadmap_update_hour), tzinfo=core.calendar.zone)
    expected = {keys.on_platform(keys.roadmap_update(d.isoformat()), "console"): [
        (portfolio.CHANNELS[addresses.ROADMAP_CHANNEL], portfolio.first_tick(
            datetime.combine(d, hour.timetz()).astimezone(UTC), quarter.ticks))] for d in {e.day for e in events}}
    assert portfolio.received_under(quarter.platform.received, "roadmap:") == expected
    assert keys.on_platform(keys.roadmap_update(day.isoformat()), "console") in expected


async def _digests(quarter: Quarter, app: App) -> None:
    """Each week's digest once to each configured channel at the policy's hour; the week of the outage's,
    once, late, at the first tick after it (not once per day missed); the week before the first start's, once,
    at the first tick."""
    core = app.core
    async with app.db.session() as session:
        channels = sorted(target.address for target in await digest.targets(session, core=core))
    # The PMO's, IT's and the committee's channels and the department's; not the roadmap's (its own update).
    chosen = portfolio.CHANNELS
    assert channels == sorted([chosen[addresses.PMO_CHANNEL], chosen[addresses.COMMITTEE_CHANNEL],
                               portfolio.DEPARTMENT[1], app.core.settings.it_channel])
    received = portfolio.received_under(quarter.platform.received, "digest:")
    sent = {key: at for key, [(_, at)] in received.items() if not key.endswith(":chart@console")}
    # From the week before: the first start catches up the latest digest due before it, once, at its first tick.
    due = portfolio.digests_due(core, START - timedelta(weeks=1), END)
    assert [at for at in due.values() if at < START] == [START - timedelta(weeks=1) + timedelta(hours=2)]
    expected = {keys.on_platform(keys.digest(channel, week), "console"): portfolio.first_tick(at, quarter.ticks)
                for week, at in due.items() for channel in channels}
    assert sent == expected
    [late] = [week for week, at in due.items() if OUTAGE[0] < at < OUTAGE[1]]
    assert {at for key, at in sent.items() if key.endswith(f":{late}@console")} == {OUTAGE[1]}
    assert all(key[:-len(":chart@console")] + "@console" in sent for key in received if key.endswith(":chart@console"))
