"""The tracking part of the policy: when owners are asked, when digests go, what counts as drift.

Read from the ``tracking:`` section of the policy file
(``services.policy_tracking``); every field has the default below, so a
policy without the section tracks with these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Monday is 0, as in ``date.weekday()``.
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}


@dataclass(frozen=True)
class WeeklySlot:
    """A day of the week and an hour, in somebody's local time."""

    weekday: int
    hour: int
    minute: int = 0


@dataclass(frozen=True)
class Levels:
    """A warning and a critical threshold.

    ``worse``: "below" when a lower value is worse (SPI, CPI), "above" when a
    higher one is (days late, points of budget burnt ahead of progress).
    """

    warning: float
    critical: float
    worse: Literal["below", "above"]

    def level(self, value: float) -> str | None:
        """"critical", "warning" or None for ``value``, without hysteresis."""
        if self.worse == "below":
            return "critical" if value < self.critical else "warning" if value < self.warning else None
        return "critical" if value > self.critical else "warning" if value > self.warning else None


@dataclass(frozen=True)
class ServiceLevels:
    """How many business days a need may wait on each step before the one it waits on is reminded."""

    estimate: int = 10
    scope_agreement: int = 5
    decision: int = 15


def _below(warning: float, critical: float) -> Levels:
    return Levels(warning, critical, "below")


def _above(warning: float, critical: float) -> Levels:
    return Levels(warning, critical, "above")


@dataclass(frozen=True)
class DriftRules:
    # Schedule and cost performance indices (1.0 is on plan).
    spi: Levels = field(default_factory=lambda: _below(0.9, 0.8))
    cpi: Levels = field(default_factory=lambda: _below(0.9, 0.8))
    # Forecast end past the baseline end, in business days.
    end_slip_days: Levels = field(default_factory=lambda: _above(0, 10))
    # Estimate at completion over the budget, in percent of the budget.
    over_budget_percent: Levels = field(default_factory=lambda: _above(5, 15))
    # A milestone's forecast past its baseline date, in business days.
    milestone_slip_days: Levels = field(default_factory=lambda: _above(0, 10))
    # Points of budget spent ahead of the points of work done (62 % spent for 40 % done: 22).
    burn_ahead_points: Levels = field(default_factory=lambda: _above(15, 30))
    # Business days since the last status update of an active project.
    silent_business_days: Levels = field(default_factory=lambda: _above(7, 15))
    # A value must come back past its threshold by this share of it to close or lower an alert (no flapping).
    hysteresis: float = 0.05
    # Below this percent complete, cost indices are flagged as early and uncertain rather than alarming.
    early_percent: float = 15.0
    # The trend rule fits a line through this many last updates.
    trend_updates: int = 3


@dataclass(frozen=True)
class TrackingPolicy:
    # Owners are asked for their status on this day and hour, in their own time zone.
    check_in: WeeklySlot = WeeklySlot(weekday=4, hour=10)
    # The one reminder goes the next business morning at this hour (owner's time).
    reminder_hour: int = 9
    # After this many missed weeks in a row, the PMO is told.
    escalate_after_missed: int = 2
    # The weekly digest, in the organisation's time zone.
    digest: WeeklySlot = WeeklySlot(weekday=0, hour=9)
    # The day's roadmap events are gathered and posted at this hour (organisation's time).
    roadmap_update_hour: int = 17
    # A forecast end that slips more than this many business days is a roadmap change.
    roadmap_tolerance_days: int = 5
    # The daily drift scan, in the organisation's time zone.
    drift_scan_hour: int = 7
    service_levels: ServiceLevels = ServiceLevels()
    drift: DriftRules = DriftRules()
