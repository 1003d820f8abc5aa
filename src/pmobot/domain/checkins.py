"""When an owner is asked for their project's status: pure rules, no I/O.

The policy names a day and an hour (``tracking.check_in``) read in the owner's own time zone.
A week whose day falls on a weekend or a public holiday of the organisation's calendar asks on
the next business day instead. The one reminder goes the next business morning after the
question, at ``reminder_hour`` in the owner's time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.tracking_policy import WeeklySlot


def iso_week(day: date) -> str:
    """``2026-W49``: the key of a check-in, unique per project."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_start(monday: date, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of a week in ``zone``: an update given since then answers that week."""
    return _at(monday, 0, 0, zone)


def zone_named(name: str | None, default: str) -> ZoneInfo:
    """The owner's zone, or the organisation's when theirs is unknown or not a real zone."""
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def answered_unasked(given: datetime | None, *, week_start: datetime, last_answer: datetime | None) -> bool:
    """Whether the project's latest update (``given``) answers a week before it is asked: given since the
    week began, and not the answer to an earlier week's question (``last_answer``, the latest time a
    check-in was answered). One update answers one week: the answer to a question a holiday moved into
    this week (Christmas on a Friday: asked the Monday after) does not also answer this week's."""
    if given is None or given < week_start:
        return False
    return last_answer is None or given > last_answer


def asked_on(week_monday: date, slot: WeeklySlot, calendar: BusinessCalendar) -> date:
    """The day a week's check-in is asked: the policy's day, or the next business day after it."""
    return calendar.business_day_on_or_after(week_monday + timedelta(days=slot.weekday))


def due_at(week_monday: date, slot: WeeklySlot, zone: ZoneInfo, calendar: BusinessCalendar) -> datetime:
    """The instant (aware, in ``zone``) from which the week's check-in is asked."""
    return _at(asked_on(week_monday, slot, calendar), slot.hour, slot.minute, zone)


def reminder_at(due: datetime, reminder_hour: int, calendar: BusinessCalendar) -> datetime:
    """The next business morning after ``due``'s day, at ``reminder_hour`` in ``due``'s zone."""
    assert isinstance(due.tzinfo, ZoneInfo)  # built by ``due_at``
    return _at(calendar.business_day_on_or_after(due.date() + timedelta(days=1)), reminder_hour, 0, due.tzinfo)


def weeks_to_ask(now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The Mondays of the owner's current and previous week: a week whose day was moved by a holiday
    to the next Monday is still asked, under its own week."""
    this = monday_of(now.astimezone(zone).date())
    return this - timedelta(days=7), this
