"""The ``tracking:`` section of the policy file, checked at start like the rest.

A threshold that is not a number, an hour past 23, a day that is not a day:
refused with the file and the line, never half-used.
"""

from __future__ import annotations

from dataclasses import fields

from yaml.nodes import Node

from pmobot.domain.tracking_policy import WEEKDAYS, DriftRules, Levels, ServiceLevels, TrackingPolicy, WeeklySlot
from pmobot.services.policy_reader import Reader, shown

_TOP = ("check_in", "reminder_hour", "escalate_after_missed", "digest", "roadmap_update_hour",
        "roadmap_tolerance_days", "drift_scan_hour", "service_levels", "drift")
_HOURS = ("reminder_hour", "roadmap_update_hour", "drift_scan_hour")
_COUNTS = ("escalate_after_missed", "roadmap_tolerance_days")
_LEVELS = tuple(f.name for f in fields(DriftRules) if isinstance(getattr(DriftRules(), f.name), Levels))
_DRIFT_NUMBERS = ("hysteresis", "early_percent", "trend_updates")


def _hour(r: Reader, node: Node, what: str) -> int:
    value = r.number(node, what, at_least=0)
    if value > 23 or value != int(value):
        raise r.fail(node, f"{what} must be a whole hour from 0 to 23, not {shown(node)}")
    return int(value)


def _whole(r: Reader, node: Node, what: str, *, at_least: float = 0) -> int:
    value = r.number(node, what, at_least=at_least)
    if value != int(value):
        raise r.fail(node, f"{what} must be a whole number, not {shown(node)}")
    return int(value)


def _slot(r: Reader, node: Node, what: str, default: WeeklySlot) -> WeeklySlot:
    entries = r.mapping(node, what, ("day", "hour", "minute"))
    weekday = default.weekday
    if "day" in entries:
        day = str(r.plain(entries["day"][1])).strip().lower()
        if day not in WEEKDAYS:
            raise r.fail(entries["day"][1], f"{what} day must be a day of the week (monday … sunday), "
                                            f"not {shown(entries['day'][1])}")
        weekday = WEEKDAYS[day]
    hour = _hour(r, entries["hour"][1], f"{what} hour") if "hour" in entries else default.hour
    minute = _whole(r, entries["minute"][1], f"{what} minute") if "minute" in entries else default.minute
    if minute > 59:
        raise r.fail(entries["minute"][1], f"{what} minute must be from 0 to 59")
    return WeeklySlot(weekday=weekday, hour=hour, minute=minute)


def _levels(r: Reader, node: Node, what: str, default: Levels) -> Levels:
    entries = r.mapping(node, what, ("warning", "critical"))
    warning = r.number(entries["warning"][1], f"{what} warning") if "warning" in entries else default.warning
    critical = r.number(entries["critical"][1], f"{what} critical") if "critical" in entries else default.critical
    wrong = critical > warning if default.worse == "below" else critical < warning
    if wrong:
        side = "below" if default.worse == "below" else "above"
        raise r.fail(node, f"{what}: critical must be {side} warning (a lower value is "
                           f"{'worse' if default.worse == 'below' else 'better'})")
    return Levels(warning, critical, default.worse)


def _drift(r: Reader, node: Node) -> DriftRules:
    entries = r.mapping(node, "tracking drift", _LEVELS + _DRIFT_NUMBERS)
    d = DriftRules()
    lv = {name: _levels(r, entries[name][1], f"drift {name}", getattr(d, name)) if name in entries
          else getattr(d, name) for name in _LEVELS}
    hysteresis, early, trend = d.hysteresis, d.early_percent, d.trend_updates
    if "hysteresis" in entries:
        hysteresis = r.number(entries["hysteresis"][1], "drift hysteresis", at_least=0)
        if hysteresis >= 1:
            raise r.fail(entries["hysteresis"][1], "drift hysteresis is a share of the threshold, below 1 (0.05)")
    if "early_percent" in entries:
        early = r.number(entries["early_percent"][1], "drift early_percent", at_least=0)
        if early > 100:
            raise r.fail(entries["early_percent"][1], "drift early_percent is a percent, at most 100")
    if "trend_updates" in entries:
        trend = _whole(r, entries["trend_updates"][1], "drift trend_updates", at_least=2)
    return DriftRules(spi=lv["spi"], cpi=lv["cpi"], end_slip_days=lv["end_slip_days"],
                      over_budget_percent=lv["over_budget_percent"], milestone_slip_days=lv["milestone_slip_days"],
                      burn_ahead_points=lv["burn_ahead_points"], silent_business_days=lv["silent_business_days"],
                      hysteresis=hysteresis, early_percent=early, trend_updates=trend)


def parse_tracking(r: Reader, node: Node) -> TrackingPolicy:
    entries = r.mapping(node, "tracking", _TOP)
    d = TrackingPolicy()
    check_in = _slot(r, entries["check_in"][1], "tracking check_in", d.check_in) if "check_in" in entries \
        else d.check_in
    digest = _slot(r, entries["digest"][1], "tracking digest", d.digest) if "digest" in entries else d.digest
    hours = {name: _hour(r, entries[name][1], f"tracking {name}") if name in entries else int(getattr(d, name))
             for name in _HOURS}
    counts = {name: _whole(r, entries[name][1], f"tracking {name}", at_least=1 if name == "escalate_after_missed"
                           else 0) if name in entries else int(getattr(d, name)) for name in _COUNTS}
    service = d.service_levels
    if "service_levels" in entries:
        names = tuple(f.name for f in fields(ServiceLevels))
        given = r.mapping(entries["service_levels"][1], "tracking service_levels", names)
        days = {name: _whole(r, given[name][1], f"service level {name} (business days)", at_least=1)
                if name in given else int(getattr(service, name)) for name in names}
        service = ServiceLevels(estimate=days["estimate"], scope_agreement=days["scope_agreement"],
                                decision=days["decision"])
    drift = _drift(r, entries["drift"][1]) if "drift" in entries else d.drift
    return TrackingPolicy(check_in=check_in, reminder_hour=hours["reminder_hour"],
                          escalate_after_missed=counts["escalate_after_missed"], digest=digest,
                          roadmap_update_hour=hours["roadmap_update_hour"],
                          roadmap_tolerance_days=counts["roadmap_tolerance_days"],
                          drift_scan_hour=hours["drift_scan_hour"], service_levels=service, drift=drift)
