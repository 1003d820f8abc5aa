"""When an owner is asked: the ISO week of a check-in, the policy's day in the owner's zone moved past
weekends and holidays, the reminder the next business morning; and the keys its messages go under."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pmobot.domain import checkins, keys
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.tracking_policy import WeeklySlot
from pmobot.services import timezones

PARIS = ZoneInfo("Europe/Paris")
FRANCE = BusinessCalendar(timezone="Europe/Paris", country="FR")
FRIDAY_TEN = WeeklySlot(weekday=4, hour=10)


def test_the_keys_of_a_check_in_keep_their_formats() -> None:
    assert keys.check_in("PRJ-3", "2026-W49") == "checkin:PRJ-3:2026-W49"
    assert keys.check_in_reminder("PRJ-3", "2026-W49") == "checkin:PRJ-3:2026-W49:reminder"
    assert keys.check_in_missed("PRJ-3", "2026-W49") == "checkin:PRJ-3:2026-W49:missed"
    assert keys.check_in_missed_admin("PRJ-3", "2026-W49", 7) == "checkin:PRJ-3:2026-W49:missed:7"


def test_iso_weeks_across_the_new_year() -> None:
    assert checkins.iso_week(date(2026, 11, 27)) == "2026-W48"
    assert checkins.iso_week(date(2026, 12, 28)) == "2026-W53"
    assert checkins.iso_week(date(2027, 1, 4)) == "2027-W01"


def test_the_day_moves_past_holidays_and_the_reminder_past_weekends() -> None:
    assert checkins.due_at(date(2026, 11, 23), FRIDAY_TEN, PARIS, FRANCE) == datetime(2026, 11, 27, 10, tzinfo=PARIS)
    # Friday 25 December and Friday 1 January are holidays in France: the Monday after.
    assert checkins.asked_on(date(2026, 12, 21), FRIDAY_TEN, FRANCE) == date(2026, 12, 28)
    assert checkins.asked_on(date(2026, 12, 28), FRIDAY_TEN, FRANCE) == date(2027, 1, 4)
    due = checkins.due_at(date(2026, 11, 23), FRIDAY_TEN, PARIS, FRANCE)
    assert checkins.reminder_at(due, 9, FRANCE) == datetime(2026, 11, 30, 9, tzinfo=PARIS)
    # Asked Monday 28 December (moved by Christmas): reminded Tuesday 29.
    moved = checkins.due_at(date(2026, 12, 21), FRIDAY_TEN, PARIS, FRANCE)
    assert checkins.reminder_at(moved, 9, FRANCE) == datetime(2026, 12, 29, 9, tzinfo=PARIS)


def test_a_zone_is_kept_only_when_it_is_a_real_one() -> None:
    assert timezones.known("America/New_York") == "America/New_York"
    assert timezones.known("Mars/Olympus") is None and timezones.known("") is None and timezones.known(None) is None
    assert checkins.zone_named("Mars/Olympus", "Europe/Paris") == PARIS
    assert checkins.zone_named(None, "Europe/Paris") == PARIS


def test_an_update_answers_one_week_only() -> None:
    week_53 = checkins.week_start(date(2026, 12, 28), PARIS)
    answer_to_52 = datetime(2026, 12, 28, 10, 30, tzinfo=PARIS)  # week 52's question, moved by Christmas
    # The answer to week 52's question, given in week 53, does not answer week 53 too.
    assert not checkins.answered_unasked(answer_to_52, week_start=week_53, last_answer=answer_to_52)
    # An update given afterwards, unasked, does; so does one given when no question was ever answered.
    later = datetime(2026, 12, 30, 11, 0, tzinfo=PARIS)
    assert checkins.answered_unasked(later, week_start=week_53, last_answer=answer_to_52)
    assert checkins.answered_unasked(later, week_start=week_53, last_answer=None)
    # Before the week began, or none at all: the week is asked.
    assert not checkins.answered_unasked(datetime(2026, 12, 24, tzinfo=PARIS), week_start=week_53, last_answer=None)
    assert not checkins.answered_unasked(None, week_start=week_53, last_answer=None)
