"""EVM figures against a worked example computed by hand, and the calendar's fast counts."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.evm import Plan, PlannedMilestone, measure, planned_percent

PARIS = BusinessCalendar(timezone="Europe/Paris", country="FR")
# February 2026 has no French holiday: Monday 2 to Friday 27 is 20 business days.
PLAN = Plan(start=date(2026, 2, 2), end=date(2026, 2, 27), budget=Decimal("50000"))


def test_worked_example_by_hand() -> None:
    # Friday 13 February: 10 of the 20 business days are over, so half the work was planned.
    #   PV = 50 000 x 10/20 = 25 000;  EV = 50 000 x 40 % = 20 000;  AC = 31 000 (62 % of the budget)
    #   SPI = 20 000 / 25 000 = 0.8;   CPI = 20 000 / 31 000 = 0.64516...
    #   EAC = 50 000 / CPI = 50 000 x 31 000 / 20 000 = 77 500;  VAC = 50 000 - 77 500 = -27 500
    #   TCPI = (50 000 - 20 000) / (50 000 - 31 000) = 30 000 / 19 000 = 1.5789...
    #   forecast end: 20 / 0.8 = 25 business days from 2 February: the 20 of February, then
    #   2, 3, 4, 5, 6 March -> Friday 6 March.
    f = measure(PLAN, day=date(2026, 2, 13), percent=40, spend=Decimal("31000"), days=PARIS)
    assert f.planned_percent == pytest.approx(50.0)
    assert f.pv == Decimal("25000")
    assert f.ev == Decimal("20000")
    assert f.ac == Decimal("31000")
    assert f.spent_percent == pytest.approx(62.0)
    assert f.spi == pytest.approx(0.8)
    assert f.cpi == pytest.approx(20000 / 31000)
    assert f.eac == pytest.approx(Decimal("77500"))
    assert f.vac == pytest.approx(Decimal("-27500"))
    assert f.tcpi == pytest.approx(30000 / 19000)
    assert f.forecast_end == date(2026, 3, 6)


def test_on_plan_and_nothing_spent() -> None:
    f = measure(PLAN, day=date(2026, 2, 13), percent=50, spend=Decimal("0"), days=PARIS)
    assert f.spi == pytest.approx(1.0)
    assert f.cpi is None  # nothing spent: no cost index, the budget stands
    assert f.eac == Decimal("50000")
    assert f.forecast_end == PLAN.end


def test_money_spent_for_nothing_done() -> None:
    f = measure(PLAN, day=date(2026, 2, 13), percent=0, spend=Decimal("5000"), days=PARIS)
    assert f.eac == Decimal("55000")  # the spend, plus all the work still to do


def test_before_the_start_nothing_is_planned() -> None:
    f = measure(PLAN, day=date(2026, 1, 30), percent=0, spend=Decimal("0"), days=PARIS)
    assert f.pv == 0
    assert f.spi is None


def test_milestone_weights_spread_the_plan() -> None:
    # A (weight 1) due 13 February, B (weight 3) due 27 February. On Friday 20 February:
    #   A is fully planned: 1; B's 10 business days run 16-27 February, 5 are over: 3 x 5/10 = 1.5
    #   planned = (1 + 1.5) / 4 = 62.5 %
    plan = Plan(start=PLAN.start, end=PLAN.end, budget=PLAN.budget, milestones=(
        PlannedMilestone("B", date(2026, 2, 27), 3), PlannedMilestone("A", date(2026, 2, 13), 1)))
    assert planned_percent(plan, date(2026, 2, 20), PARIS) == pytest.approx(62.5)
    # Without weights, the business days alone: 15 of 20.
    plain = Plan(start=PLAN.start, end=PLAN.end, budget=PLAN.budget,
                 milestones=(PlannedMilestone("A", date(2026, 2, 13)),))
    assert planned_percent(plain, date(2026, 2, 20), PARIS) == pytest.approx(75.0)


def test_holidays_are_not_planned_days() -> None:
    # 27 April - 8 May 2026: 1 May and 8 May are French holidays, so 8 business days; by 30 April, 4.
    plan = Plan(start=date(2026, 4, 27), end=date(2026, 5, 8), budget=Decimal("8000"))
    assert planned_percent(plan, date(2026, 4, 30), PARIS) == pytest.approx(50.0)


def _slow_add(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        n -= PARIS.is_business_day(day)
    return day


def test_fast_business_day_counts_match_day_by_day() -> None:
    rng = random.Random(12)
    for _ in range(500):
        first = date(2025, 1, 1) + timedelta(days=rng.randint(0, 900))
        n = rng.randint(0, 300)
        assert PARIS.add_business_days(first, n) == _slow_add(first, n)
        last = first + timedelta(days=rng.randint(-3, 400))
        slow = sum(PARIS.is_business_day(first + timedelta(days=i)) for i in range((last - first).days + 1))
        assert PARIS.business_days_in(first, last) == slow
