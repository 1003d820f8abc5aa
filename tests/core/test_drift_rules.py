"""The drift rules: a trend built to cross a threshold warns before it does, a hovering value does not flap,
early cost figures never alarm, and each rule has its words in both languages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pmobot.domain import drift
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.drift import ProjectFacts, assess, evaluate
from pmobot.domain.evm import Figures, Plan, measure
from pmobot.domain.tracking_policy import Levels, TrackingPolicy
from pmobot.i18n import catalog

PARIS = BusinessCalendar(timezone="Europe/Paris", country="FR")
POLICY = TrackingPolicy()
SPI = POLICY.drift.spi  # warning below 0.9, critical below 0.8
# 2 February - 26 June 2026 (holidays included), budget 100 000.
PLAN = Plan(start=date(2026, 2, 2), end=date(2026, 6, 26), budget=Decimal("100000"))


def _facts(series: list[Figures], **extra: object) -> ProjectFacts:
    return ProjectFacts(key="PRJ-1", need_key="NEED-1", currency="EUR", baseline_end=PLAN.end,
                        figures=series[-1] if series else None, series=tuple(series), **extra)  # type: ignore[arg-type]


def _level(facts: ProjectFacts, rule: str, open_levels: dict[str, str] | None = None) -> str | None:
    verdicts = evaluate(facts, policy=POLICY, days=PARIS, open_levels=open_levels or {})
    return next(v.level for v in verdicts if v.rule.id == rule)


def _weekly(progress: list[float], spend_ratio: float = 1.0, first: date = date(2026, 3, 2)) -> list[Figures]:
    """One update a week: ``progress`` as a share of what was planned that day (1.0 is on plan)."""
    out = []
    for week, share in enumerate(progress):
        day = first + timedelta(weeks=week)
        planned = measure(PLAN, day=day, percent=0, spend=Decimal(0), days=PARIS).planned_percent
        percent = round(planned * share, 2)
        spend = PLAN.budget * Decimal(str(percent)) / 100 * Decimal(str(spend_ratio))
        out.append(measure(PLAN, day=day, percent=percent, spend=spend, days=PARIS))
    return out


def test_a_trend_built_to_cross_the_warning_warns_before_it_does() -> None:
    # SPI 0.99, 0.955, 0.92: still above 0.9, but the line reaches 0.885 by next week.
    series = _weekly([0.99, 0.955, 0.92])
    assert series[-1].spi is not None and series[-1].spi > SPI.warning
    assert _level(_facts(series), "spi") is None
    assert _level(_facts(series), "trend") == "warning"
    verdict = next(v for v in evaluate(_facts(series), policy=POLICY, days=PARIS, open_levels={})
                   if v.rule.id == "trend")
    assert verdict.figures["index"] == "spi"
    assert float(str(verdict.figures["predicted"])) < SPI.warning


def test_a_trend_on_an_index_already_past_its_threshold_opens_nothing_but_keeps_an_open_trend() -> None:
    # SPI 0.95, 0.87, 0.79: already critical; its own rule says so, a trend alert would repeat it.
    series = _weekly([0.95, 0.87, 0.79])
    assert _level(_facts(series), "spi") == "critical"
    assert _level(_facts(series), "trend") is None
    # A trend alert opened before the crossing stays open rather than being "cleared" by the crossing.
    assert _level(_facts(series), "trend", {"trend": "warning"}) == "warning"


def test_a_steady_or_rising_trend_says_nothing() -> None:
    assert _level(_facts(_weekly([0.97, 0.97, 0.97])), "trend") is None
    assert _level(_facts(_weekly([0.92, 0.95, 0.98])), "trend") is None
    # Slowly falling, far from the threshold by the next update: nothing yet.
    assert _level(_facts(_weekly([1.0, 0.995, 0.99])), "trend") is None


def test_a_value_hovering_at_a_threshold_does_not_flap() -> None:
    # The index goes 0.88 (opens a warning), then hovers about 0.9 without ever clearing it by 5 %.
    hovering = [0.88, 0.91, 0.89, 0.92, 0.895, 0.93, 0.90]
    level: str | None = None
    changes = []
    for value in hovering:
        new = assess(SPI, value, level, POLICY.drift.hysteresis)
        if new != level:
            changes.append((value, new))
        level = new
    assert changes == [(0.88, "warning")]
    # Clearly back above (0.9 + 5 % of 0.9 = 0.945): closed once.
    assert assess(SPI, 0.95, level, POLICY.drift.hysteresis) is None


def test_levels_go_up_at_once_and_down_with_a_margin() -> None:
    assert assess(SPI, 0.79, None, 0.05) == "critical"
    assert assess(SPI, 0.81, "critical", 0.05) == "critical"  # not clear of 0.8 by 0.04
    assert assess(SPI, 0.85, "critical", 0.05) == "warning"
    assert assess(SPI, 0.95, "critical", 0.05) is None
    assert assess(SPI, 0.79, "warning", 0.05) == "critical"
    days = Levels(7, 15, "above")
    assert assess(days, 8, None, 0.05) == "warning"
    assert assess(days, 7, "warning", 0.05) == "warning"
    assert assess(days, 6, "warning", 0.05) is None
    # "Any day late" (a threshold at 0) clears once on time again.
    late = Levels(0, 10, "above")
    assert assess(late, 1, None, 0.05) == "warning"
    assert assess(late, 0, "warning", 0.05) is None


def test_early_cost_figures_warn_but_never_alarm() -> None:
    # 10 % done for 30 % of the budget: CPI 0.33, far below critical, but only 10 % complete.
    day = date(2026, 2, 16)
    early = measure(PLAN, day=day, percent=10, spend=Decimal("30000"), days=PARIS)
    facts = _facts([early])
    assert _level(facts, "cpi") == "warning"
    assert _level(facts, "burn_ahead") == "warning"
    verdict = next(v for v in evaluate(facts, policy=POLICY, days=PARIS, open_levels={}) if v.rule.id == "cpi")
    assert verdict.figures["early"] is True
    # The same figures at 40 % complete alarm.
    late = measure(PLAN, day=day, percent=40, spend=Decimal("80000"), days=PARIS)
    assert _level(_facts([late]), "cpi") == "critical"


def test_the_issue_example_burn_ahead_and_forecasts() -> None:
    # 62 % of a 50 000 budget spent for 40 % of the work.
    plan = Plan(start=date(2026, 2, 2), end=date(2026, 4, 30), budget=Decimal("50000"))
    f = measure(plan, day=date(2026, 3, 20), percent=40, spend=Decimal("31000"), days=PARIS)
    facts = ProjectFacts(key="PRJ-3", need_key="NEED-12", currency="EUR", baseline_end=plan.end, figures=f,
                         series=(f,))
    levels = {v.rule.id: v.level for v in evaluate(facts, policy=POLICY, days=PARIS, open_levels={})}
    assert levels["burn_ahead"] == "warning"  # 22 points ahead: over 15, under 30
    assert levels["over_budget"] == "critical"  # 77 500 for 50 000
    assert levels["cpi"] == "critical"


def test_milestones_silence_and_end_slip() -> None:
    from pmobot.domain.evm import PlannedMilestone

    f = measure(PLAN, day=date(2026, 3, 2), percent=20, spend=Decimal("20000"), days=PARIS)
    facts = _facts([f], milestones=(PlannedMilestone("Pilot", date(2026, 3, 13)),),
                   forecasts=(("pilot", date(2026, 3, 31)),), owner_end=date(2026, 7, 3), silent_days=9)
    levels = {v.rule.id: v.level for v in evaluate(facts, policy=POLICY, days=PARIS, open_levels={})}
    assert levels["milestone_slip"] == "critical"  # 12 business days late
    assert levels["end_slip"] == "warning"  # 5 business days late
    assert levels["silent"] == "warning"  # 9 business days, over 7


def test_service_levels_for_waiting_needs() -> None:
    from datetime import UTC, datetime

    waiting = drift.Waiting(need_id=1, step="estimate", since=datetime(2026, 3, 2, tzinfo=UTC), waits_on=(2,))
    assert drift.assess_waiting(waiting, waited=10, policy=POLICY, previous=None) is None
    assert drift.assess_waiting(waiting, waited=11, policy=POLICY, previous=None) == "warning"
    assert drift.assess_waiting(waiting, waited=21, policy=POLICY, previous=None) == "critical"


def test_every_rule_has_its_words_in_both_languages() -> None:
    for locale in ("en", "fr"):
        keys = catalog(locale)
        for rule in drift.rule_ids():
            assert f"drift.rule.{rule}" in keys
            assert f"drift.alert.{rule}" in keys or f"drift.alert.{rule}.other" in keys
