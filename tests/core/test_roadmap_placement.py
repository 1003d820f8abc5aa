"""Roadmap placement against a small case worked out by hand.

France, 2027. March has 23 weekdays, less Easter Monday (29 March): 22
business days. April has 22 business days and no holiday. May has 21
weekdays, less Ascension (Thursday 6 May) and Whit Monday (17 May): 19.
IT's capacity is 20 person-days a month.
"""

from __future__ import annotations

from datetime import date

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.roadmap import CapacityChange, Slot, Work, capacity_on, impact, place

CAL = BusinessCalendar(timezone="Europe/Paris", country="FR")
TODAY = date(2027, 3, 1)  # a Monday
TWENTY = (CapacityChange(date(2027, 3, 1), 20.0),)

# A: 22 person-days over 22 business days, one a day. Starting on 1 March would put all 22 in
# March (capacity 20), so it starts on the third business day, 3 March: 20 days in March, then
# 1 and 2 April. March is full; April carries 2.
A = Work("PRJ-1", effort=22, duration=22)
# B: 10 person-days over 5 business days, two a day: March is full, so 1-7 April (1, 2, 5, 6, 7).
B = Work("PRJ-2", effort=10, duration=5, desired=date(2027, 4, 15))
# X: 16 person-days over 8 business days, two a day, served before B: 1-12 April, and April is
# April carries 2 + 16 = 18: its 2 left hold one of B's days (Friday 30 April), the other four
# go to May, skipping Ascension on 6 May: 3, 4, 5 and 7 May. B ends on 7 May instead of 7 April,
# 30 days later, and 22 days after its desired date, 15 April.
X = Work("NEED-9", effort=16, duration=8)


def _place(*work: Work, capacity: tuple[CapacityChange, ...] = TWENTY):  # type: ignore[no-untyped-def]
    return place(work, today=TODAY, capacity=capacity, is_business_day=CAL.is_business_day)


def test_each_piece_at_the_earliest_dates_the_capacity_allows() -> None:
    plan = _place(A, B)
    assert plan.get("PRJ-1").slot == Slot(date(2027, 3, 3), date(2027, 4, 2))  # type: ignore[union-attr]
    assert plan.get("PRJ-2").slot == Slot(date(2027, 4, 1), date(2027, 4, 7))  # type: ignore[union-attr]
    loads = {m.month: m.load for m in plan.months}
    assert loads[date(2027, 3, 1)] == 20 and loads[date(2027, 4, 1)] == 12
    assert not any(m.over for m in plan.months)


def test_a_piece_served_first_displaces_the_next_past_a_holiday() -> None:
    before = _place(A, B)
    after = _place(A, X, B)
    assert after.get("NEED-9").slot == Slot(date(2027, 4, 1), date(2027, 4, 12))  # type: ignore[union-attr]
    assert after.get("PRJ-2").slot == Slot(date(2027, 4, 30), date(2027, 5, 7))  # type: ignore[union-attr]
    result = impact(before, after, "NEED-9")
    assert result.slot == Slot(date(2027, 4, 1), date(2027, 4, 12))
    assert [(m.key, m.days) for m in result.moves] == [("PRJ-2", 30)]
    assert [(m.key, m.desired, m.days) for m in result.misses] == [("PRJ-2", date(2027, 4, 15), 22)]


def test_no_capacity_set_means_nothing_waits() -> None:
    plan = _place(A, B, capacity=())
    assert plan.get("PRJ-2").slot.start == TODAY  # type: ignore[union-attr]
    assert not plan.capacity_set


def test_capacity_changes_over_time() -> None:
    changes = (CapacityChange(date(2027, 1, 1), 40.0), CapacityChange(date(2027, 4, 1), 10.0))
    assert capacity_on(changes, date(2027, 3, 1)) == 40.0
    assert capacity_on(changes, date(2027, 4, 1)) == 10.0
    assert capacity_on(changes, date(2026, 12, 1)) is None
    # 40 in March takes all of A's 22 days from 1 March (22 business days: it ends on 31 March).
    plan = _place(A, capacity=changes)
    assert plan.get("PRJ-1").slot == Slot(date(2027, 3, 1), date(2027, 3, 31))  # type: ignore[union-attr]


def test_work_under_way_keeps_its_dates_and_uses_the_capacity_first() -> None:
    # Under way since February until 31 March, 22 person-days over its 22 March business days
    # (and 20 in February): one a day. March keeps 20 - 22 = -2: overbooked, and said so.
    running = Work("PRJ-5", effort=42, duration=42, pinned=(date(2027, 2, 1), date(2027, 3, 31)))
    plan = _place(B, running)
    assert plan.get("PRJ-5").slot == Slot(date(2027, 2, 1), date(2027, 3, 31))  # type: ignore[union-attr]
    assert plan.get("PRJ-2").slot.start == date(2027, 4, 1)  # type: ignore[union-attr]
    assert [m.month for m in plan.months if m.over] == [date(2027, 3, 1)]


def test_too_heavy_for_any_month_is_stretched() -> None:
    # 60 person-days in 5 days is 12 a day; a 23-day month at 20 allows 20/23 a day,
    # so 60 * 23 / 20 = 69 business days.
    heavy = Work("NEED-3", effort=60, duration=5)
    placement = _place(heavy).get("NEED-3")
    assert placement is not None and placement.stretched and placement.days == 69
    assert not any(m.over for m in _place(heavy).months)
