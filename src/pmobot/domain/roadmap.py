"""The roadmap, computed: where each piece of work goes under IT's monthly capacity.

Pure rules, no I/O. Work is a list of ``Work`` items in the order they are
served; each is placed at the earliest business day the capacity allows, its
effort (person-days) spread evenly over its duration (business days, with the
organisation's holidays), so that no month ever carries more person-days
than IT's capacity for that month. Work already under way (``pinned``) keeps
its dates and is counted first, whatever the capacity says: it is happening.

Capacity is a schedule of changes ("40 from January, 30 from March"): a month
has the capacity of the latest change that took effect on or before its first
day. No capacity at all means none was set: nothing waits for capacity.

A piece of work too heavy for its duration ever to fit (60 person-days in 5
business days against 40 a month) is stretched: its duration becomes the
fewest business days at which even a whole month of its daily share fits in
the capacity that is in force in the end, unless it finds room as it is
before that far future (a month of higher capacity, earlier). Months before the first capacity
change have the first change's capacity: it is the only one known.

How it is computed (``domain.capacity_ledger``): business days are numbered
from the first day of the month of ``today``; each month is a range of those
numbers. A candidate start that overloads a month jumps straight to the first
start at which its share of that month fits (every start in between
overloads it too), so an item costs a few checks, not one per day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pmobot.domain.capacity_ledger import EPSILON, CapacityChange, Days, Ledger, capacity_on, month_start

__all__ = [
    "CapacityChange",
    "Impact",
    "Miss",
    "MonthLoad",
    "Move",
    "Placement",
    "Plan",
    "Slot",
    "Work",
    "capacity_on",
    "count_business_days",
    "impact",
    "place",
]

# The most business days a month can have (23): one day's share must fit in a month.
_LONGEST_MONTH = 23


@dataclass(frozen=True)
class Work:
    """A piece of work to place: a project or a need, by its human key."""

    key: str
    effort: float  # person-days
    duration: int  # business days
    desired: date | None = None
    # Under way: it keeps these dates (start, end) and is counted before anything else.
    pinned: tuple[date, date] | None = None
    # Shown as "if approved": a candidate, not a commitment.
    tentative: bool = False
    # Not to start before this day (a committed start not reached yet).
    not_before: date | None = None


@dataclass(frozen=True)
class Slot:
    start: date
    end: date


@dataclass(frozen=True)
class Placement:
    work: Work
    slot: Slot
    # Business days it occupies (the estimate's duration, or longer when stretched).
    days: int
    stretched: bool = False

    @property
    def key(self) -> str:
        return self.work.key

    @property
    def late_by(self) -> int:
        """Calendar days its end falls after the desired date (0: on time, or no desired date)."""
        desired = self.work.desired
        return max(0, (self.slot.end - desired).days) if desired else 0


@dataclass(frozen=True)
class MonthLoad:
    month: date  # its first day
    capacity: float | None  # None: no capacity set
    load: float

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.load > self.capacity + EPSILON


@dataclass(frozen=True)
class Plan:
    placements: tuple[Placement, ...]
    months: tuple[MonthLoad, ...]
    capacity_set: bool

    def get(self, key: str) -> Placement | None:
        return next((p for p in self.placements if p.key == key), None)


@dataclass(frozen=True)
class Move:
    key: str
    before: Slot
    after: Slot

    @property
    def days(self) -> int:
        """Calendar days its end moves (positive: later)."""
        return (self.after.end - self.before.end).days


@dataclass(frozen=True)
class Miss:
    """A desired date the plan would miss."""

    key: str
    desired: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.desired).days


@dataclass(frozen=True)
class Impact:
    """What placing ``key`` would do: its own slot, what moves, which desired dates are missed."""

    key: str
    slot: Slot
    moves: tuple[Move, ...] = ()
    misses: tuple[Miss, ...] = ()


def _final_capacity(changes: Sequence[CapacityChange]) -> float | None:
    """The capacity of the far future, where nothing is booked yet: every piece must fit there."""
    return max(changes, key=lambda c: c.effective_from).person_days if changes else None


def _needs_stretching(count: int, rate: float, capacity: float) -> bool:
    """Whether ``count`` days at ``rate`` cannot fit in any month of an empty far future.

    At most ``most`` of its days fit in one month. Up to ``2 * most`` days can
    straddle two months; longer work covers a whole month, and a month may have
    up to 23 business days.
    """
    most = math.floor((capacity + EPSILON) / rate) if rate > 0 else count
    return most < _LONGEST_MONTH and count > 2 * most


def place(work: Iterable[Work], *, today: date, capacity: Sequence[CapacityChange],
          is_business_day: Callable[[date], bool]) -> Plan:
    """Place ``work`` in the order given: pinned work first, then each at its earliest fit from ``today``."""
    items = list(work)
    days = Days(month_start(today), is_business_day)
    ledger = Ledger(days, capacity)
    final = _final_capacity(capacity)
    placed: dict[str, Placement] = {}
    for item in items:
        if item.pinned is not None:
            placed[item.key] = _pin(item, days, ledger)
    first = days.index_on_or_after(today)
    for item in items:
        if item.pinned is None:
            placed[item.key] = _place(item, first, days, ledger, final)
    return Plan(
        placements=tuple(placed[item.key] for item in items),
        months=_months(days, ledger, until=max((p.slot.end for p in placed.values()), default=today)),
        capacity_set=bool(capacity),
    )


def _pin(item: Work, days: Days, ledger: Ledger) -> Placement:
    assert item.pinned is not None
    start, end = item.pinned
    total = count_business_days(start, end, days.is_business_day)
    rate = item.effort / total if total else 0.0
    first = days.index_on_or_after(start)
    if end >= days.origin and total:
        last = days.index_on_or_after(end + timedelta(days=1))
        ledger.add(first, last - first, rate)
    return Placement(item, Slot(start, end), total)


def count_business_days(start: date, end: date, is_business_day: Callable[[date], bool]) -> int:
    """Business days from ``start`` to ``end``, both included."""
    count, day = 0, start
    while day <= end:
        count += is_business_day(day)
        day += timedelta(days=1)
    return count


def _place(item: Work, first: int, days: Days, ledger: Ledger, final: float | None) -> Placement:
    count = max(1, item.duration)
    rate = item.effort / count
    if item.not_before is not None:
        first = max(first, days.index_on_or_after(item.not_before))
    if final is None or not _needs_stretching(count, rate, final):
        start = ledger.first_fit(first, count, rate)
        stretched = False
    else:  # room as it is before the far future, or stretched to fit there
        start = ledger.first_fit(first, count, rate, before=ledger.far_future())
        stretched = start is None
        if start is None:
            count = math.ceil(item.effort * _LONGEST_MONTH / final - EPSILON)
            rate = item.effort / count
            start = ledger.first_fit(first, count, rate)
    assert start is not None  # without a limit, the far future always has room
    ledger.add(start, count, rate)
    return Placement(item, Slot(days.day(start), days.day(start + count - 1)), count, stretched)


def _months(days: Days, ledger: Ledger, *, until: date) -> tuple[MonthLoad, ...]:
    out: list[MonthLoad] = []
    for number, month in enumerate(days.firsts):
        if month > until:
            break
        left_cap = ledger.capacity[number] if number < len(ledger.capacity) else capacity_on(ledger.changes, month)
        load = ledger.load[number] if number < len(ledger.load) else 0.0
        cap = None if left_cap is None or math.isinf(left_cap) else left_cap
        out.append(MonthLoad(month, cap, load))
    return tuple(out)


def impact(before: Plan, after: Plan, key: str) -> Impact:
    """What placing ``key`` changed between two plans: moves of the others, desired dates missed.

    A desired date counts as missed when the new plan misses it by more than
    the old one did (or the old one kept it); the work itself is counted when
    its own slot misses its desired date.
    """
    own = after.get(key)
    if own is None:
        raise KeyError(key)
    moves: list[Move] = []
    misses: list[Miss] = []
    for placement in after.placements:
        if placement.key == key:
            continue
        old = before.get(placement.key)
        if old is None or old.slot == placement.slot:
            continue
        moves.append(Move(placement.key, old.slot, placement.slot))
        if placement.late_by > old.late_by and placement.work.desired is not None:
            misses.append(Miss(placement.key, placement.work.desired, placement.slot.end))
    if own.late_by and own.work.desired is not None:
        misses.insert(0, Miss(key, own.work.desired, own.slot.end))
    return Impact(key, own.slot, tuple(moves), tuple(misses))
