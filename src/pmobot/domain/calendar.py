"""Business days in the organisation's time zone, with its public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=16)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def _day_of_year(day: date) -> int:
    return day.toordinal() - date(day.year, 1, 1).toordinal() + 1


@lru_cache(maxsize=64)
def _running_count(country: str, year: int) -> tuple[int, ...]:
    """``[0, n1, n2, ...]``: the business days among the year's first 0, 1, 2... days."""
    off = _holidays(country, year)
    out, count, day = [0], 0, date(year, 1, 1)
    while day.year == year:
        count += day.weekday() < 5 and day not in off
        out.append(count)
        day += timedelta(days=1)
    return tuple(out)


class BusinessCalendar:
    def __init__(self, *, timezone: str, country: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.country = country

    def warm_up(self, around: date) -> None:
        """Load the holidays of ``around``'s year and the next (their tables take a good part of a second
        to import), e.g. in a thread at start rather than in the first scheduled job's event loop turn."""
        for year in (around.year, around.year + 1):
            _holidays(self.country, year)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _holidays(self.country, day.year)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Whole business days elapsed from ``start`` to ``end`` (0 on the same day)."""
        first, last = self.local_day(start), self.local_day(end)
        if last <= first:
            return 0
        return self.business_days_in(first + timedelta(days=1), last)

    def business_days_in(self, first: date, last: date) -> int:
        """Business days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``).

        Read from each year's running count rather than day by day: the drift scan asks it
        for every project and every status update it reads.
        """
        if last < first:
            return 0
        start, end = _running_count(self.country, first.year), _running_count(self.country, last.year)
        if first.year == last.year:
            return end[_day_of_year(last)] - end[_day_of_year(first) - 1]
        between = sum(_running_count(self.country, year)[-1] for year in range(first.year + 1, last.year))
        return start[-1] - start[_day_of_year(first) - 1] + between + end[_day_of_year(last)]

    def business_day_on_or_before(self, day: date) -> date:
        """``day`` if it is a business day, else the last business day before it."""
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def business_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a business day, else the first business day after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, days: int) -> date:
        """The ``days``-th business day after ``day`` (``day`` itself for 0 or less)."""
        # Whole weeks at a time while many are left (a holiday in a week gives one back), then day by day.
        while days > 5:
            weeks = (days - 1) // 5  # leaves at least one day, found day by day
            after = day + timedelta(weeks=weeks)
            days -= self.business_days_in(day + timedelta(days=1), after)
            day = after
        while days > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day
