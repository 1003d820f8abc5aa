"""The simulated quarter's portfolio (tests/services/test_quarter.py) and what its people should receive.

Three projects, their owners in two time zones, each owner answering the weekly
check-in (or not) as a script says: ``steady`` answers on plan every week,
``drifting`` falls behind plan and over cost for a few weeks (and forecasts a
late end once) then recovers, ``missing`` skips two weeks in a row and later
one more. The answers are worked out from each project's own baseline (its
planned percent on the day), so that a week's schedule and cost indices are
the script's whatever day the project started.

The expectations below are worked out from the policy, the calendar and the
script, independently of the jobs that send: when each check-in is due in its
owner's own time, when a reminder goes, when the PMO is told, which alert
notices a drift gives, when the digests go.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain import keys
from pmobot.domain.evm import Plan, planned_percent
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import AlertEvent, DriftAlert, RoadmapEvent
from pmobot.domain.tracking_policy import WeeklySlot
from pmobot.services import addresses, baselines
from pmobot.services.core import Core
from pmobot.services.drift_facts import plan_of
from tests.support.projects import ESTIMATE, demo_actor, estimated_need, open_for
from tests.support.tracking import answers, record

# A project long enough to run through the quarter (about twelve weeks of business days).
DURATION_DAYS = 60
# The channels the PMO chooses on the console (the IT channel is the settings' own).
CHANNELS = {addresses.PMO_CHANNEL: "pmo", addresses.COMMITTEE_CHANNEL: "committee",
            addresses.ROADMAP_CHANNEL: "roadmap"}
DEPARTMENT = ("purchasing", "purchasing-news")


@dataclass
class Script:
    """One project and how its owner answers its check-ins, counted from 0 in the order they are asked."""

    name: str
    login: str
    zone: str
    # Check-in number -> the schedule and cost index (the same for both) the answer gives; on plan otherwise.
    indices: dict[int, float] = field(default_factory=dict)
    # Check-in number -> business days past the baseline end the owner forecasts; none given otherwise.
    slips: dict[int, int] = field(default_factory=dict)
    missed: frozenset[int] = frozenset()
    # Filled in as the quarter goes.
    key: str = ""
    project_id: int = 0
    owner_id: int = 0
    plan: Plan | None = None
    asked: list[tuple[str, datetime]] = field(default_factory=list)
    answered: dict[int, datetime] = field(default_factory=dict)

    def values(self, n: int, day: date, core: Core) -> dict[str, Any]:
        """The answer to check-in ``n`` given on ``day``: percent and spend that give the script's indices."""
        assert self.plan is not None
        index = self.indices.get(n, 1.0)
        # Rounded up: a hundredth of a percent short of plan would forecast a day late (an alert of its own).
        percent = min(100.0, math.ceil(planned_percent(self.plan, day, core.calendar) * index * 100) / 100)
        earned = self.plan.budget * Decimal(str(percent)) / 100
        more: dict[str, Any] = {}
        if n in self.slips:
            more["forecast_end"] = core.calendar.add_business_days(self.plan.end, self.slips[n]).isoformat()
        return answers(percent, spend=str(round(earned / Decimal(str(index)), 2)), **more)


def scripts(tolerance_days: int) -> list[Script]:
    return [
        Script("steady", "bob", "Europe/Paris"),
        # Behind and over cost from the third week (a warning), worse the fourth (critical, and an end
        # forecast past the roadmap's tolerance), better the fifth but not past the hysteresis margin of
        # the warning threshold (lowered, nothing said), back on plan the sixth (closed).
        Script("drifting", "carla", "Europe/Paris", indices={2: 0.85, 3: 0.7, 4: 0.92},
               slips={3: tolerance_days + 5}),
        Script("missing", "erin", "America/New_York", missed=frozenset({2, 3, 7})),
    ]


async def open_portfolio(app: App, received: list[tuple[str, str, datetime]]) -> tuple[list[Script], Any]:
    """The projects opened, owners and zones set, channels chosen; and the people's part of each tick."""
    core = app.core
    plays = scripts(core.policy.tracking.roadmap_tolerance_days)
    for play in plays:
        key = await open_for(app, await estimated_need(app, {**ESTIMATE, "duration_days": DURATION_DAYS}))
        async with app.db.session() as session:
            owner = await demo_actor(session, app, play.login)
            owner.person.timezone = play.zone
            session.add(owner.person)
            project = (await session.exec(select(Project).where(Project.number == int(key.split("-")[1])))).one()
            project.owner_id = owner.id
            session.add(project)
            baseline = await baselines.in_force(session, project_id=project.id or 0)
            assert baseline is not None and project.id is not None and owner.id is not None
            play.key, play.project_id, play.owner_id, play.plan = key, project.id, owner.id, plan_of(baseline)
    async with app.db.session() as session:
        dan = await demo_actor(session, app, "dan")
        for purpose, address in CHANNELS.items():
            await addresses.set_channel(session, core=core, actor=dan, platform="console", purpose=purpose,
                                        address=address)
        await addresses.set_department_channel(session, core=core, actor=dan, platform="console",
                                               department=DEPARTMENT[0], address=DEPARTMENT[1])
    seen = 0

    async def people_answer(live: App) -> None:
        """Each owner answers the check-ins received since the last tick (unless the script skips it)."""
        nonlocal seen
        now = live.core.now()
        fresh, seen = received[seen:], len(received)
        for play in plays:
            for key, _, at in fresh:
                week = _asked_week(key, play.key)
                if week is None:
                    continue
                n = len(play.asked)
                play.asked.append((week, at))
                if n not in play.missed:
                    await record(live, play.project_id, play.values(n, live.core.calendar.local_day(now), live.core),
                                 login=play.login)
                    play.answered[n] = now

    return plays, people_answer


def _asked_week(key: str, project_key: str) -> str | None:
    """The ISO week of a check-in question to ``project_key`` (not its reminder nor the PMO's notice)."""
    prefix = keys.check_in(project_key, "")
    rest = key[len(prefix):] if key.startswith(prefix) else ""
    return rest if rest and ":" not in rest else None


# -- what should have been received ----------------------------------------------------------------

def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def next_business_day(day: date, core: Core, *, after: bool = False) -> date:
    """``day`` itself when it is a business day (unless ``after``), else the next one."""
    day += timedelta(days=1) if after else timedelta()
    while not core.calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


def weekly_slots(slot: WeeklySlot, zone: ZoneInfo, core: Core, start: datetime, end: datetime) -> dict[str, datetime]:
    """Each week's instant for a weekly ``slot`` (ISO week of its Monday -> UTC): its day and hour in
    ``zone``, the next business day's when that day is a weekend or a holiday."""
    monday = start.astimezone(zone).date()
    monday -= timedelta(days=monday.weekday())
    out = {}
    while monday <= end.date():
        day = next_business_day(monday + timedelta(days=slot.weekday), core)
        due = datetime.combine(day, time(slot.hour, slot.minute), tzinfo=zone).astimezone(UTC)
        if start <= due < end:
            out[iso_week(monday)] = due
        monday += timedelta(days=7)
    return out


def check_ins_due(play: Script, core: Core, start: datetime, end: datetime) -> dict[str, datetime]:
    """Each week's check-in: the policy's day and hour in the owner's zone."""
    return weekly_slots(core.policy.tracking.check_in, ZoneInfo(play.zone), core, start, end)


def reminder_due(asked: datetime, zone: str, core: Core) -> datetime:
    """The next business morning after the question, at the policy's reminder hour in the owner's zone."""
    local = ZoneInfo(zone)
    day = next_business_day(asked.astimezone(local).date(), core, after=True)
    return datetime.combine(day, time(core.policy.tracking.reminder_hour), tzinfo=local).astimezone(UTC)


def escalated_weeks(play: Script, escalate_after: int) -> list[int]:
    """The check-ins whose reminder tells the PMO: the ``escalate_after``-th missed one of each run in a row."""
    out, run = [], 0
    for n in range(len(play.asked)):
        run = run + 1 if n in play.missed else 0
        if run == escalate_after:
            out.append(n)
    return out


def digests_due(core: Core, start: datetime, end: datetime) -> dict[str, datetime]:
    """Each week's digest: the policy's day and hour in the organisation's zone."""
    return weekly_slots(core.policy.tracking.digest, core.calendar.zone, core, start, end)


def first_tick(at: datetime, ticks: Iterable[datetime]) -> datetime:
    """When something due at ``at`` goes: at the first live tick from then on."""
    return min(t for t in ticks if t >= at)


def received_under(received: list[tuple[str, str, datetime]], prefix: str) -> dict[str, list[tuple[str, datetime]]]:
    """Keys starting with ``prefix`` -> (target, when) each time the platform received them."""
    out: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for key, target, at in received:
        if key.startswith(prefix):
            out[key].append((target, at))
    return out


async def alert_history(app: App) -> tuple[list[DriftAlert], list[AlertEvent]]:
    async with app.db.session() as session:
        alerts = list((await session.exec(select(DriftAlert).order_by(col(DriftAlert.number)))).all())
        events = list((await session.exec(select(AlertEvent).order_by(col(AlertEvent.id)))).all())
        return alerts, events


async def roadmap_events(app: App) -> list[RoadmapEvent]:
    async with app.db.session() as session:
        return list((await session.exec(select(RoadmapEvent).order_by(col(RoadmapEvent.id)))).all())
