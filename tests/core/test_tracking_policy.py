"""The policy's tracking section: defaults, and every wrong value refused with its line."""

from __future__ import annotations

import pytest

from pmobot.domain.tracking_policy import TrackingPolicy
from pmobot.services.policy import PolicyError, load_default, parse

BASE = """\
method: weighted
criteria:
  value:
    from: assessment
    label: {en: value, fr: valeur}
    question: {en: "Value?", fr: "Valeur ?"}
"""


def test_a_policy_without_the_section_tracks_with_the_defaults() -> None:
    assert parse(BASE, "p.yaml").tracking == TrackingPolicy()


def test_the_shipped_policy_reads_its_section() -> None:
    tracking = load_default().tracking
    assert (tracking.check_in.weekday, tracking.check_in.hour) == (4, 10)
    assert tracking.drift.spi.level(0.85) == "warning"
    assert tracking.drift.spi.level(0.7) == "critical"
    assert tracking.drift.burn_ahead_points.level(22) == "warning"
    assert tracking.drift.burn_ahead_points.level(10) is None


def test_french_day_names_and_partial_levels() -> None:
    policy = parse(BASE + "tracking:\n  digest: {day: mardi, hour: 8}\n  drift:\n    cpi: {warning: 0.95}\n", "p")
    assert (policy.tracking.digest.weekday, policy.tracking.digest.hour) == (1, 8)
    assert (policy.tracking.drift.cpi.warning, policy.tracking.drift.cpi.critical) == (0.95, 0.8)


@pytest.mark.parametrize(("section", "line", "words"), [
    ("tracking:\n  drift:\n    spi: {warning: high}\n", 9, "must be a number"),
    ("tracking:\n  digest: {day: someday}\n", 8, "day of the week"),
    ("tracking:\n  reminder_hour: 25\n", 8, "from 0 to 23"),
    ("tracking:\n  drift:\n    cpi: {warning: 0.8, critical: 0.9}\n", 9, "critical must be below warning"),
    ("tracking:\n  drift:\n    burn_ahead_points: {warning: 30, critical: 10}\n", 9, "critical must be above"),
    ("tracking:\n  service_levels: {estimate: 2.5}\n", 8, "whole number"),
    ("tracking:\n  cadence: weekly\n", 8, "unknown key 'cadence'"),
])
def test_a_wrong_value_is_refused_naming_its_line(section: str, line: int, words: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse(BASE + section, "p.yaml")
    assert f"p.yaml, line {line}:" in str(caught.value)
    assert words in str(caught.value)
