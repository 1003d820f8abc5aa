"""Earned value: a project's status update measured against its baseline (pure).

- planned value (PV): the share of the budget the baseline planned to have
  earned by a day, spread evenly over the baseline's business days, or, when
  its milestones carry weights, each milestone's weight spread over the
  business days that lead to it;
- earned value (EV): the budget times the percent complete;
- actual cost (AC): the spend to date.

From these: SPI = EV/PV, CPI = EV/AC, the estimate at completion
EAC = BAC/CPI, the variance at completion VAC = BAC - EAC, the to-complete
index TCPI = (BAC - EV)/(BAC - AC), and the forecast end (the baseline's
business days stretched by 1/SPI from its start). An index whose
denominator is zero is None: nothing planned yet, nothing spent yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol


class Days(Protocol):
    """What EVM needs of the organisation's calendar (``domain.calendar.BusinessCalendar``)."""

    def business_days_in(self, first: date, last: date) -> int: ...

    def add_business_days(self, day: date, days: int) -> date: ...


@dataclass(frozen=True)
class PlannedMilestone:
    name: str
    due: date
    weight: float | None = None


@dataclass(frozen=True)
class Plan:
    """The baseline in force, as EVM reads it."""

    start: date
    end: date
    budget: Decimal
    milestones: tuple[PlannedMilestone, ...] = ()

    @property
    def weighted(self) -> bool:
        """Whether the milestones carry the plan (all weighted, some weight in all)."""
        return bool(self.milestones) and all(m.weight is not None for m in self.milestones) and \
            sum(m.weight or 0 for m in self.milestones) > 0


@dataclass(frozen=True)
class Figures:
    """Where a project stands on a day; money in the baseline's currency."""

    day: date
    bac: Decimal
    planned_percent: float
    percent: float
    pv: Decimal
    ev: Decimal
    ac: Decimal
    spi: float | None
    cpi: float | None
    eac: Decimal
    vac: Decimal
    tcpi: float | None
    forecast_end: date

    @property
    def spent_percent(self) -> float:
        """The spend in percent of the budget (62 for 31 000 of 50 000)."""
        return float(self.ac / self.bac * 100) if self.bac else 0.0


def _share(days: Days, start: date, end: date, day: date) -> float:
    """The share of the business days from ``start`` to ``end`` already over on ``day`` (included)."""
    total = days.business_days_in(start, end)
    if total <= 0:
        return 1.0 if day >= end else 0.0
    return min(1.0, days.business_days_in(start, min(day, end)) / total)


def planned_percent(plan: Plan, day: date, days: Days) -> float:
    """The percent of the work the baseline planned to be done by the end of ``day``."""
    if day < plan.start:
        return 0.0
    if not plan.weighted:
        return 100.0 * _share(days, plan.start, plan.end, day)
    total = sum(m.weight or 0.0 for m in plan.milestones)
    earned, since = 0.0, plan.start
    for mark in sorted(plan.milestones, key=lambda m: m.due):
        earned += (mark.weight or 0.0) * _share(days, since, mark.due, day)
        since = mark.due + timedelta(days=1)
    return 100.0 * earned / total


def _ratio(top: Decimal, bottom: Decimal) -> float | None:
    return float(top / bottom) if bottom > 0 else None


def measure(plan: Plan, *, day: date, percent: float, spend: Decimal, days: Days, forecast: bool = True) -> Figures:
    """Every EVM figure for a status update of ``percent`` complete and ``spend`` to date, on ``day``.

    ``forecast=False`` leaves the forecast end at the baseline end: an earlier update of a series is
    read for its indices only, and the forecast is the costliest figure to work out."""
    bac = plan.budget
    planned = planned_percent(plan, day, days)
    pv = bac * Decimal(str(round(planned, 6))) / 100
    ev = bac * Decimal(str(percent)) / 100
    spi, cpi = _ratio(ev, pv), _ratio(ev, spend)
    # Nothing spent yet: the budget stands; spent for nothing earned yet: the spend plus all the work.
    eac = bac / Decimal(str(cpi)) if cpi else spend + bac - ev if spend > 0 else bac
    tcpi = _ratio(bac - ev, bac - spend)
    return Figures(day=day, bac=bac, planned_percent=planned, percent=percent, pv=pv, ev=ev, ac=spend, spi=spi,
                   cpi=cpi, eac=eac, vac=bac - eac, tcpi=tcpi,
                   forecast_end=forecast_end(plan, spi, days) if forecast else plan.end)


def forecast_end(plan: Plan, spi: float | None, days: Days) -> date:
    """The baseline end once its business days are stretched by the schedule index (on plan: its end)."""
    if not spi or spi >= 1.0:
        return plan.end
    total = days.business_days_in(plan.start, plan.end)
    # The n-th business day counting the start as the first one.
    return days.add_business_days(plan.start - timedelta(days=1), math.ceil(total / spi))
