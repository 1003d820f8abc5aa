"""What a scheduled job is: a name, a schedule and a function, declared once.

Everything else derives from the declaration: ``pmobot jobs list``, ``pmobot
jobs run NAME``, the APScheduler trigger in ``pmobot serve`` and the catch-up
after downtime. A schedule turns any instant into the latest slot at or before
it, and each slot into a period key; a run is recorded under (job, period)
once (``job_run``), so a job fired twice, on two replicas or after a restart,
runs once for its period; after downtime only the latest missed slot runs,
marked late.

Schedules read their day and hour from the policy in force when they are
asked, so a new policy file moves them without a code change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from pmobot.domain.tracking_policy import TrackingPolicy, WeeklySlot

if TYPE_CHECKING:
    from pmobot.services.core import Core


class Schedule(Protocol):
    def latest(self, now: datetime, *, core: Core) -> datetime:
        """The latest slot at or before ``now`` (UTC)."""

    def next_after(self, now: datetime, *, core: Core) -> datetime:
        """The first slot after ``now`` (UTC)."""

    def period(self, slot: datetime, *, core: Core) -> str:
        """The key of the period ``slot`` opens: one run per job and period."""

    def describe(self, *, core: Core) -> str:
        """In words, for ``pmobot jobs list`` ("Mondays 09:00 Europe/Paris")."""


_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def _utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Weekly:
    """Once a week, on the policy's day and hour in the organisation's time zone.

    A weekend or public holiday moves that week's slot to the next business
    day (Easter Monday's digest goes out on Tuesday); its period stays the week
    of the day it was due, so the week after runs as usual.
    """

    slot_of: Callable[[TrackingPolicy], WeeklySlot]
    business_days_only: bool = True

    def _at(self, core: Core) -> tuple[WeeklySlot, ZoneInfo]:
        return self.slot_of(core.policy.tracking), core.calendar.zone

    def _due_day(self, now: datetime, core: Core) -> date:
        """The policy's weekday on or before ``now``'s local day."""
        slot, zone = self._at(core)
        local = now.astimezone(zone).date()
        return local - timedelta(days=(local.weekday() - slot.weekday) % 7)

    def _slot(self, due: date, core: Core) -> datetime:
        slot, zone = self._at(core)
        # A week off (Christmas to New Year) still ends: at most a fortnight later.
        day = min(core.calendar.business_day_on_or_after(due), due + timedelta(days=14)) \
            if self.business_days_only else due
        return _utc(day, time(slot.hour, slot.minute), zone)

    def _around(self, now: datetime, core: Core) -> list[datetime]:
        due = self._due_day(now, core)
        return [self._slot(due + timedelta(days=7 * weeks), core) for weeks in (-2, -1, 0, 1)]

    def latest(self, now: datetime, *, core: Core) -> datetime:
        return max(at for at in self._around(now, core) if at <= now)

    def next_after(self, now: datetime, *, core: Core) -> datetime:
        return min(at for at in self._around(now, core) if at > now)

    def period(self, slot: datetime, *, core: Core) -> str:
        # The week the slot was due in, not the one a holiday pushed it into.
        year, week, _ = self._due_day(slot, core).isocalendar()
        return f"{year}-W{week:02d}"

    def describe(self, *, core: Core) -> str:
        slot, zone = self._at(core)
        moved = " (next business day on a holiday)" if self.business_days_only else ""
        return f"{_DAY_NAMES[slot.weekday]} {slot.hour:02d}:{slot.minute:02d} {zone.key}{moved}"


@dataclass(frozen=True)
class Daily:
    """Once a day at the policy's hour in the organisation's time zone (business days only if asked)."""

    hour_of: Callable[[TrackingPolicy], int]
    business_days_only: bool = False

    def _runs_on(self, day: date, core: Core) -> bool:
        return not self.business_days_only or core.calendar.is_business_day(day)

    def latest(self, now: datetime, *, core: Core) -> datetime:
        zone, at = core.calendar.zone, time(self.hour_of(core.policy.tracking))
        day = now.astimezone(zone).date()
        while _utc(day, at, zone) > now or not self._runs_on(day, core):
            day -= timedelta(days=1)
        return _utc(day, at, zone)

    def next_after(self, now: datetime, *, core: Core) -> datetime:
        zone, at = core.calendar.zone, time(self.hour_of(core.policy.tracking))
        day = now.astimezone(zone).date()
        while _utc(day, at, zone) <= now or not self._runs_on(day, core):
            day += timedelta(days=1)
        return _utc(day, at, zone)

    def period(self, slot: datetime, *, core: Core) -> str:
        return slot.astimezone(core.calendar.zone).date().isoformat()

    def describe(self, *, core: Core) -> str:
        days = "business days" if self.business_days_only else "every day"
        return f"{days} {self.hour_of(core.policy.tracking):02d}:00 {core.calendar.zone.key}"


@dataclass(frozen=True)
class Every:
    """Every ``minutes`` minutes, aligned on the hour (check-ins: each owner's own hour decides)."""

    minutes: int

    def latest(self, now: datetime, *, core: Core) -> datetime:
        start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return start + timedelta(minutes=(now.astimezone(UTC).minute // self.minutes) * self.minutes)

    def next_after(self, now: datetime, *, core: Core) -> datetime:
        return self.latest(now, core=core) + timedelta(minutes=self.minutes)

    def period(self, slot: datetime, *, core: Core) -> str:
        return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")

    def describe(self, *, core: Core) -> str:
        return f"every {self.minutes} minutes"


@dataclass(frozen=True)
class JobContext:
    core: Core
    # The moment of the run (the clock's, or ``--at``), and the slot it is for.
    now: datetime
    slot: datetime
    period: str
    # Run after its slot's grace (catch-up after downtime): messages may say so.
    late: bool


# What a run did, in counts ("asked": 3, "posted": 12), kept with the run and shown by ``jobs list``.
Summary = dict[str, int]
JobFunction = Callable[[JobContext], Awaitable[Summary]]


@dataclass(frozen=True)
class Job:
    name: str
    # One line for operators (``pmobot jobs list``).
    summary: str
    schedule: Schedule
    run: JobFunction
    # How long after its slot a run still counts as on time.
    grace: timedelta = timedelta(hours=1)
