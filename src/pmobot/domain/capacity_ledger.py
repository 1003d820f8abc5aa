"""IT's capacity month by month, and the ledger placement books work against (pure, no I/O).

Business days are numbered from the first day of the month of ``today``; each
month is a range of those numbers. The ledger keeps, for each month, the
capacity in force, what is booked and what is left, and finds the earliest
start at which a piece of work fits (``domain.roadmap`` uses it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

# Person-days below this are rounding, not load.
EPSILON = 1e-6


@dataclass(frozen=True)
class CapacityChange:
    """From the month of ``effective_from`` on, IT delivers ``person_days`` a month."""

    effective_from: date
    person_days: float


def capacity_on(changes: Sequence[CapacityChange], month: date) -> float | None:
    """The capacity in force for the month starting ``month``: the latest change on or before it."""
    in_force = [c for c in changes if month_start(c.effective_from) <= month]
    return max(in_force, key=lambda c: c.effective_from).person_days if in_force else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


@dataclass
class Days:
    """Business days numbered from ``origin`` (a month's first day), grown on demand."""

    origin: date
    is_business_day: Callable[[date], bool]
    days: list[date] = field(default_factory=list)
    month_of_day: list[int] = field(default_factory=list)
    # Month number -> [first, end) day numbers; month 0 is ``origin``'s.
    bounds: list[tuple[int, int]] = field(default_factory=list)
    firsts: list[date] = field(default_factory=list)

    def grow(self) -> None:
        month = self.origin if not self.firsts else _next_month(self.firsts[-1])
        number, first, day = len(self.firsts), len(self.days), month
        while day.month == month.month:
            if self.is_business_day(day):
                self.days.append(day)
                self.month_of_day.append(number)
            day += timedelta(days=1)
        self.firsts.append(month)
        self.bounds.append((first, len(self.days)))

    def day(self, index: int) -> date:
        while index >= len(self.days):
            self.grow()
        return self.days[index]

    def month(self, index: int) -> int:
        self.day(index)
        return self.month_of_day[index]

    def month_bounds(self, number: int) -> tuple[int, int]:
        while number >= len(self.bounds):
            self.grow()
        return self.bounds[number]

    def index_on_or_after(self, day: date) -> int:
        """The number of the first business day on or after ``day`` (0 before the origin)."""
        if day <= self.origin:
            return 0
        while not self.days or self.days[-1] < day:
            self.grow()
        low, high = 0, len(self.days)
        while low < high:
            mid = (low + high) // 2
            if self.days[mid] < day:
                low = mid + 1
            else:
                high = mid
        return low


class Ledger:
    """Person-days left in each month."""

    def __init__(self, days: Days, changes: Sequence[CapacityChange]) -> None:
        self.days = days
        self.changes = sorted(changes, key=lambda c: c.effective_from)
        self.capacity: list[float] = []
        self.load: list[float] = []
        # Capacity less load, by month: read in the tight loop that skips full months.
        self.free: list[float] = []
        # The first day number after everything booked so far.
        self.booked_until = 0

    def _reach(self, number: int) -> None:
        while number >= len(self.capacity):
            month = self.days.firsts[len(self.capacity)] if len(self.capacity) < len(self.days.firsts) else None
            if month is None:
                self.days.grow()
                continue
            cap = capacity_on(self.changes, month)
            if cap is None and self.changes:
                cap = self.changes[0].person_days
            self.capacity.append(math.inf if cap is None else cap)
            self.load.append(0.0)
            self.free.append(self.capacity[-1])

    def left(self, number: int) -> float:
        self._reach(number)
        return self.free[number]

    def add(self, start: int, count: int, rate: float) -> None:
        """Book ``rate`` person-days on each of ``count`` business days from day number ``start``."""
        index, end = start, start + count
        self.booked_until = max(self.booked_until, end)
        while index < end:
            number = self.days.month(index)
            _, month_end = self.days.month_bounds(number)
            self._reach(number)
            booked = rate * (min(end, month_end) - index)
            self.load[number] += booked
            self.free[number] -= booked
            index = month_end

    def far_future(self) -> int:
        """The first day number of the far future: past the last capacity change and everything booked."""
        last_change = self.changes[-1].effective_from if self.changes else self.days.origin
        number = self.days.month(self.days.index_on_or_after(last_change))
        return max(self.days.month_bounds(number + 1)[0], self.booked_until)

    def first_fit(self, start: int, count: int, rate: float, *, before: int | None = None) -> int | None:
        """The earliest day number from ``start`` at which ``count`` days at ``rate`` fit in every month;
        None if none starts before day number ``before``."""
        while before is None or start < before:
            start = self._room_from(start, rate, before)
            if before is not None and start >= before:
                break
            index, end, moved = start, start + count, False
            while index < end:
                number = self.days.month(index)
                month_end = self.days.month_bounds(number)[1]
                overlap = min(end, month_end) - index
                left = self.left(number)
                if rate * overlap > left + EPSILON:
                    fits = max(0, math.floor((left + EPSILON) / rate)) if rate > 0 else overlap
                    start, moved = max(start + 1, month_end - fits), True
                    break
                index = month_end
            if not moved:
                return start
        return None


    def _room_from(self, start: int, rate: float, before: int | None) -> int:
        """The first day number from ``start`` in a month with room for one day at ``rate``.

        Months too full for even one day are passed over in one tight loop: a
        long plan has many full months, and an item would otherwise check each.
        """
        number, free, need = self.days.month(start), self.free, rate - EPSILON
        while True:
            while number < len(free) and free[number] < need:
                number += 1
            if number < len(free):
                break
            first = self.days.month_bounds(number)[0]
            if before is not None and first >= before:
                return first
            self._reach(number)
        return max(start, self.days.month_bounds(number)[0])
