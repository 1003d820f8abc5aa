"""People's time zones: what a platform says (Slack ``users.info`` ``tz``, the Teams activity's
``localTimezone``), kept on the person when it names a real zone; the organisation's otherwise."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmobot.domain.models import Person


def known(name: str | None) -> str | None:
    """``name`` if it is an IANA zone this machine knows ("Europe/Paris"), else None."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def remember(person: Person, name: str | None) -> bool:
    """Keep the zone the platform gives on ``person``; True when it changed (the caller saves it)."""
    zone = known(name)
    if zone is None or zone == person.timezone:
        return False
    person.timezone = zone
    return True
