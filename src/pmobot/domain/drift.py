"""The drift rules (pure): each declared once, measured on a project or a waiting need.

A rule says what it reads, how it measures it (a number the policy's
``Levels`` compare), and its words (``drift.rule.<id>`` and
``drift.alert.<id>`` in ``i18n/{en,fr}/drift.yaml``). Whether an alert opens,
is raised, stays or closes is ``assess``: the level of the value, with
hysteresis, so that a value hovering at a threshold does not open and close
an alert at every scan. Cost figures on a project under the policy's
``early_percent`` are early and uncertain: they may warn, never alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Literal

from pmobot.domain.evm import Days, Figures, PlannedMilestone
from pmobot.domain.tracking_policy import Levels, TrackingPolicy

WARNING, CRITICAL = "warning", "critical"
_RANK = {None: 0, WARNING: 1, CRITICAL: 2}
# When no update came yet, the next one is expected a week after the last.
_UPDATE_EVERY_DAYS = 7.0

# A figure as stored with an alert (JSON): numbers, ISO dates, money as a string.
Figure = str | float | int | None


def rank(level: str | None) -> int:
    return _RANK[level]


@dataclass(frozen=True)
class ProjectFacts:
    """What the rules read of one project: its figures now, the last few, its milestones, its silence."""

    key: str
    need_key: str
    currency: str
    baseline_end: date
    # The latest status update's figures; None before the first one.
    figures: Figures | None
    # The figures of the last updates, oldest first (the trend rule's series).
    series: tuple[Figures, ...] = ()
    # The owner's forecast end and milestone forecasts from the latest update, if given.
    owner_end: date | None = None
    milestones: tuple[PlannedMilestone, ...] = ()
    forecasts: tuple[tuple[str, date], ...] = ()
    # Business days since the latest update (or since the baseline started, before any).
    silent_days: int = 0

    @cached_property
    def common(self) -> dict[str, Figure]:
        return _common(self)

    @property
    def forecast_end(self) -> date | None:
        """The owner's forecast when they gave one (they know the plan), else the schedule index's."""
        if self.owner_end is not None:
            return self.owner_end
        return self.figures.forecast_end if self.figures else None


@dataclass(frozen=True)
class Finding:
    """A rule's measure: the value its levels compare, the figures its words show, and the most it may say."""

    value: float
    figures: dict[str, Figure] = field(default_factory=dict)
    # "warning" for early and uncertain cost figures: they never alarm.
    at_most: str = CRITICAL
    # False when the finding may keep an open alert but never opens one: a trend on an index already past its
    # threshold adds nothing to that index's own alert, yet a trend alert already open is not "cleared" by it.
    opens: bool = True


@dataclass(frozen=True)
class Rule:
    id: str
    subject: Literal["project", "need"]
    # The figures it reads, as the help and the export name them.
    reads: tuple[str, ...]
    levels: Callable[[TrackingPolicy], Levels]
    measure: Callable[[ProjectFacts, TrackingPolicy, Days], Finding | None]

    @property
    def title_key(self) -> str:
        return f"drift.rule.{self.id}"

    @property
    def text_key(self) -> str:
        return f"drift.alert.{self.id}"


def assess(levels: Levels, value: float, previous: str | None, hysteresis: float,
           at_most: str = CRITICAL) -> str | None:
    """The level an alert should have now, given the level it has (``previous``, None when closed).

    Up at once; down (or closed) only once the value is back past the threshold it
    crossed by ``hysteresis`` of that threshold (a threshold at 0, "any day late",
    is cleared by being on time again).
    """
    level = levels.level(value)
    if rank(level) < rank(previous):
        threshold = levels.critical if previous == CRITICAL else levels.warning
        margin = hysteresis * abs(threshold)
        clear = value >= threshold + margin if levels.worse == "below" else value <= threshold - margin
        if not clear:
            level = previous
        elif previous == CRITICAL:
            level = assess(levels, value, WARNING, hysteresis)
    return at_most if rank(level) > rank(at_most) else level


# -- the figures an alert keeps, to be worded later (services.alerts) --------------------


def common_figures(facts: ProjectFacts) -> dict[str, Figure]:
    """What every project alert shows: progress, spend, the forecast cost and end against the baseline
    (worked out once per project: every rule's figures start from it)."""
    return facts.common


def _common(facts: ProjectFacts) -> dict[str, Figure]:
    f = facts.figures
    out: dict[str, Figure] = {"need": facts.need_key, "currency": facts.currency,
                              "baseline_end": facts.baseline_end.isoformat()}
    end = facts.forecast_end
    if end is not None:
        out["forecast_end"] = end.isoformat()
    if f is None:
        return out
    out.update(percent=round(f.percent, 1), spent_percent=round(f.spent_percent, 1), budget=str(f.bac),
               eac=str(round(f.eac)), spend=str(f.ac), spi=_round(f.spi), cpi=_round(f.cpi),
               tcpi=_round(f.tcpi), vac=str(round(f.vac)), as_of=f.day.isoformat())
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _early(facts: ProjectFacts, policy: TrackingPolicy) -> bool:
    return facts.figures is not None and facts.figures.percent < policy.drift.early_percent


def _cost(facts: ProjectFacts, policy: TrackingPolicy, value: float, **extra: Figure) -> Finding:
    early = _early(facts, policy)
    figures = {**common_figures(facts), **extra, "early": early}
    return Finding(value, figures, at_most=WARNING if early else CRITICAL)


def _spi(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    f = facts.figures
    if f is None or f.spi is None:
        return None
    return Finding(f.spi, {**common_figures(facts), "planned_percent": round(f.planned_percent, 1)})


def _cpi(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    f = facts.figures
    return None if f is None or f.cpi is None else _cost(facts, policy, f.cpi)


def _over_budget(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    f = facts.figures
    if f is None or not f.bac:
        return None
    over = float((f.eac - f.bac) / f.bac * 100)
    return _cost(facts, policy, over, over_percent=round(over, 1))


def _burn_ahead(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    f = facts.figures
    if f is None or not f.bac:
        return None
    ahead = f.spent_percent - f.percent
    return _cost(facts, policy, ahead, points=round(ahead, 1))


def slip_days(days: Days, committed: date, forecast: date) -> int:
    """Business days ``forecast`` is past ``committed`` (0 when on time or early)."""
    return days.business_days_in(committed + timedelta(days=1), forecast) if forecast > committed else 0


def _end_slip(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    end = facts.forecast_end
    if end is None:
        return None
    late = slip_days(days, facts.baseline_end, end)
    return Finding(late, {**common_figures(facts), "days": late})


def _milestone_slip(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    due = {m.name.casefold(): m for m in facts.milestones}
    worst: tuple[int, PlannedMilestone, date] | None = None
    for name, forecast in facts.forecasts:
        mark = due.get(name.casefold())
        if mark is not None and (worst is None or slip_days(days, mark.due, forecast) > worst[0]):
            worst = (slip_days(days, mark.due, forecast), mark, forecast)
    if worst is None:
        return None
    late, mark, forecast = worst
    return Finding(late, {**common_figures(facts), "days": late, "milestone": mark.name,
                          "due": mark.due.isoformat(), "milestone_forecast": forecast.isoformat()})


def _silent(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    return Finding(facts.silent_days, {**common_figures(facts), "days": facts.silent_days})


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares line through (x, y) points: (slope, intercept)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    spread = sum((x - mx) ** 2 for x, _ in points)
    a = sum((x - mx) * (y - my) for x, y in points) / spread if spread else 0.0
    return a, my - a * mx


def _trend(facts: ProjectFacts, policy: TrackingPolicy, days: Days) -> Finding | None:
    """The index whose line through the last updates reaches the lowest value at the next update."""
    series = facts.series[-policy.drift.trend_updates:]
    if len(series) < 2 or facts.figures is None:
        return None
    gaps = [(b.day - a.day).days for a, b in pairwise(series)]
    step = sum(gaps) / len(gaps) if any(gaps) else _UPDATE_EVERY_DAYS
    last = series[-1]
    next_day = last.day + timedelta(days=round(step))
    worst: tuple[float, str, float] | None = None
    indices = ("spi",) if last.percent < policy.drift.early_percent else ("spi", "cpi")
    for index in indices:
        points = [(float(f.day.toordinal()), v) for f in series if (v := getattr(f, index)) is not None]
        if len(points) < 2:
            continue
        a, b = slope(points)
        predicted = a * next_day.toordinal() + b
        if a < 0 and (worst is None or predicted < worst[0]):
            worst = (predicted, index, points[-1][1])
    if worst is None:
        return None
    predicted, index, now = worst
    # The trend warns *before* a threshold is crossed; once the index is past it, its own rule speaks.
    crossed = _index_levels(policy).level(now) is not None
    return Finding(predicted, {**common_figures(facts), "index": index, "now": round(now, 2),
                               "predicted": round(predicted, 2), "next_update": next_day.isoformat()},
                   at_most=WARNING, opens=not crossed)


def _index_levels(policy: TrackingPolicy) -> Levels:
    return policy.drift.spi


PROJECT_RULES: tuple[Rule, ...] = (
    Rule("spi", "project", ("pv", "ev", "spi"), lambda p: p.drift.spi, _spi),
    Rule("cpi", "project", ("ev", "ac", "cpi"), lambda p: p.drift.cpi, _cpi),
    Rule("end_slip", "project", ("forecast_end", "baseline_end"), lambda p: p.drift.end_slip_days, _end_slip),
    Rule("over_budget", "project", ("eac", "bac"), lambda p: p.drift.over_budget_percent, _over_budget),
    Rule("milestone_slip", "project", ("forecasts", "milestones"), lambda p: p.drift.milestone_slip_days,
         _milestone_slip),
    Rule("burn_ahead", "project", ("ac", "bac", "percent"), lambda p: p.drift.burn_ahead_points, _burn_ahead),
    Rule("silent", "project", ("last_update",), lambda p: p.drift.silent_business_days, _silent),
    # Both indices share SPI's thresholds: a trend warns before either crosses them.
    Rule("trend", "project", ("spi", "cpi", "series"), _index_levels, _trend),
)


@dataclass(frozen=True)
class Verdict:
    rule: Rule
    level: str | None
    figures: dict[str, Figure]


def evaluate(facts: ProjectFacts, *, policy: TrackingPolicy, days: Days,
             open_levels: Mapping[str, str]) -> list[Verdict]:
    """Every project rule on ``facts``; ``open_levels``: the level of this project's open alerts by rule."""
    out = []
    for rule in PROJECT_RULES:
        finding = rule.measure(facts, policy, days)
        previous = open_levels.get(rule.id)
        if finding is None:
            out.append(Verdict(rule, None, {}))
            continue
        level = assess(rule.levels(policy), finding.value, previous, policy.drift.hysteresis, finding.at_most)
        if previous is None and not finding.opens:
            level = None
        out.append(Verdict(rule, level, finding.figures))
    return out


# -- needs waiting on a step, against the policy's service levels ----------------------------


@dataclass(frozen=True)
class Waiting:
    """A need waiting on somebody for a step since a moment."""

    need_id: int
    step: str
    since: datetime
    # Who it waits on (person ids): reminded when the service level is passed.
    waits_on: tuple[int, ...]


@dataclass(frozen=True)
class Step:
    id: str
    # Its service level, in business days, from the policy.
    service_level: Callable[[TrackingPolicy], int]

    @property
    def rule_id(self) -> str:
        return f"wait_{self.id}"

    def levels(self, policy: TrackingPolicy) -> Levels:
        # Past the service level warns; twice past it is critical.
        days = self.service_level(policy)
        return Levels(days, 2 * days, "above")


STEPS: dict[str, Step] = {step.id: step for step in (
    Step("estimate", lambda p: p.service_levels.estimate),
    Step("decision", lambda p: p.service_levels.decision),
    Step("scope_agreement", lambda p: p.service_levels.scope_agreement),
)}


def assess_waiting(waiting: Waiting, *, waited: int, policy: TrackingPolicy, previous: str | None) -> str | None:
    """The level of a need's wait of ``waited`` business days (hysteresis as for projects)."""
    step = STEPS[waiting.step]
    return assess(step.levels(policy), waited, previous, policy.drift.hysteresis)


def rule_ids() -> tuple[str, ...]:
    """Every rule an alert may carry: the project rules, then one per waiting step."""
    return tuple(r.id for r in PROJECT_RULES) + tuple(s.rule_id for s in STEPS.values())


LEVELS = (WARNING, CRITICAL)
# What may happen to an alert (``AlertEvent.kind``).
EVENTS = ("opened", "raised", "lowered", "closed", "acknowledged", "update_asked")
