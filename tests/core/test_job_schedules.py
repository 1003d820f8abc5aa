"""Job schedules in the organisation's time zone (Europe/Paris, French holidays): DST changes and holidays.

In 2027 Easter Monday (29 March) is also the Monday after the clocks go forward
(28 March): a weekly job due that Monday runs on Tuesday, at 09:00 summer time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pmobot.app import create_app
from pmobot.config import Settings
from pmobot.jobs.base import Daily, Every, Weekly
from pmobot.services.core import Core


@pytest.fixture
def core(tmp_path: Path) -> Core:
    # Nothing here touches the database: the schedules read the policy and the calendar.
    return create_app(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/unused.db")).core


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


DIGEST = Weekly(lambda t: t.digest)  # Mondays 09:00 by default
SCAN = Daily(lambda t: t.drift_scan_hour)  # 07:00 every day
BUSINESS_SCAN = Daily(lambda t: t.drift_scan_hour, business_days_only=True)


def test_a_weekly_slot_keeps_its_local_hour_across_the_spring_change(core: Core) -> None:
    # Monday 22 March 2027 09:00 CET is 08:00 UTC; the next Monday is Easter Monday, so Tuesday 09:00 CEST.
    assert DIGEST.latest(utc(2027, 3, 22, 8, 0), core=core) == utc(2027, 3, 22, 8, 0)
    assert DIGEST.next_after(utc(2027, 3, 22, 8, 0), core=core) == utc(2027, 3, 30, 7, 0)
    assert DIGEST.next_after(utc(2027, 3, 30, 7, 0), core=core) == utc(2027, 4, 5, 7, 0)


def test_a_weekly_slot_on_a_holiday_moves_to_the_next_business_day_within_its_week(core: Core) -> None:
    easter_tuesday = utc(2027, 3, 30, 7, 0)
    # On Easter Monday itself, nothing is due yet: the latest slot is the week before's.
    assert DIGEST.latest(utc(2027, 3, 29, 12, 0), core=core) == utc(2027, 3, 22, 8, 0)
    assert DIGEST.latest(easter_tuesday - timedelta(seconds=1), core=core) == utc(2027, 3, 22, 8, 0)
    assert DIGEST.latest(easter_tuesday, core=core) == easter_tuesday
    # Its period is the week it was due in, and the following week has its own.
    assert DIGEST.period(easter_tuesday, core=core) == "2027-W13"
    assert DIGEST.period(utc(2027, 4, 5, 7, 0), core=core) == "2027-W14"
    # Christmas week 2028: Monday 25 December is a holiday, the digest goes on Tuesday.
    assert DIGEST.next_after(utc(2028, 12, 20, 0, 0), core=core) == utc(2028, 12, 26, 8, 0)


def test_a_holiday_pushing_a_slot_into_the_next_week_keeps_the_weeks_apart(core: Core) -> None:
    # Friday check-in slot; Friday 25 December 2026 and the weekend: Monday 28 December 10:00, week 52's run.
    check_in = Weekly(lambda t: t.check_in)
    moved = check_in.next_after(utc(2026, 12, 24, 12, 0), core=core)
    assert moved == utc(2026, 12, 28, 9, 0)
    assert check_in.period(moved, core=core) == "2026-W52"
    # New Year's Day is a Friday too: Monday 4 January, for the week it was due in (2026 has 53 weeks).
    following = check_in.next_after(moved, core=core)
    assert following == utc(2027, 1, 4, 9, 0) and check_in.period(following, core=core) == "2026-W53"
    after = check_in.next_after(following, core=core)
    assert after == utc(2027, 1, 8, 9, 0) and check_in.period(after, core=core) == "2027-W01"


def test_a_weekly_job_may_run_on_holidays_when_declared_so(core: Core) -> None:
    every_monday = Weekly(lambda t: t.digest, business_days_only=False)
    assert every_monday.next_after(utc(2027, 3, 22, 8, 0), core=core) == utc(2027, 3, 29, 7, 0)


def test_a_daily_slot_keeps_its_local_hour_across_the_autumn_change(core: Core) -> None:
    # 25 October 2026 the clocks go back: 07:00 is 05:00 UTC before, 06:00 UTC after.
    assert SCAN.latest(utc(2026, 10, 24, 12, 0), core=core) == utc(2026, 10, 24, 5, 0)
    assert SCAN.next_after(utc(2026, 10, 24, 12, 0), core=core) == utc(2026, 10, 25, 6, 0)
    assert SCAN.period(utc(2026, 10, 25, 6, 0), core=core) == "2026-10-25"


def test_a_business_day_job_skips_weekends_and_holidays(core: Core) -> None:
    # Friday 25 December 2026 is Christmas: the latest run on Saturday noon is Thursday's.
    assert BUSINESS_SCAN.latest(utc(2026, 12, 26, 11, 0), core=core) == utc(2026, 12, 24, 6, 0)
    assert BUSINESS_SCAN.next_after(utc(2026, 12, 24, 6, 0), core=core) == utc(2026, 12, 28, 6, 0)
    assert SCAN.next_after(utc(2026, 12, 24, 6, 0), core=core) == utc(2026, 12, 25, 6, 0)


def test_every_is_aligned_on_the_hour_in_utc(core: Core) -> None:
    quarter = Every(15)
    assert quarter.latest(utc(2027, 3, 28, 1, 59), core=core) == utc(2027, 3, 28, 1, 45)
    assert quarter.next_after(utc(2027, 3, 28, 1, 59), core=core) == utc(2027, 3, 28, 2, 0)
    assert quarter.period(utc(2027, 3, 28, 1, 45), core=core) == "2027-03-28T01:45Z"


def test_schedules_say_themselves_in_words(core: Core) -> None:
    assert DIGEST.describe(core=core) == "Mondays 09:00 Europe/Paris (next business day on a holiday)"
    assert BUSINESS_SCAN.describe(core=core) == "business days 07:00 Europe/Paris"
    assert Every(15).describe(core=core) == "every 15 minutes"
