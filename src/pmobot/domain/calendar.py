"""Business days in the organisation's time zone, with its public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=16)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


class BusinessCalendar:
    def __init__(self, *, timezone: str, country: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.country = country

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _holidays(self.country, day.year)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Whole business days elapsed from ``start`` to ``end`` (0 on the same day)."""
        first, last = self.local_day(start), self.local_day(end)
        if last <= first:
            return 0
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count

    def business_day_on_or_before(self, day: date) -> date:
        """``day`` if it is a business day, else the last business day before it."""
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def add_business_days(self, day: date, days: int) -> date:
        while days > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day
