"""Writing drift alerts: opened once per subject and rule, every later change a compare-and-set.

An alert opens under its ``open_key`` (unique while open), so two scans at once
open it once: the second one's insert is refused and it moves on. Every later
change (raised, lowered, closed, acknowledged, new figures) is written only
if the alert is still at the ``version`` it was read at; each step is an
``AlertEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import add_unless_taken
from pmobot.domain import keys
from pmobot.domain.drift import Figure, rank
from pmobot.domain.models_tracking import AlertEvent, DriftAlert

OPEN, CLOSED = "open", "closed"
# A new alert's number is taken again this many times when another scan took it first.
_NUMBER_TRIES = 5


@dataclass(frozen=True)
class Change:
    """One step of one alert, as written: what the notices tell."""

    alert: DriftAlert
    event: str  # opened | raised | lowered | closed
    # Why it closed when not because its condition cleared (``drift.notice.closed_because.*``): its project ended.
    because: str = ""


class Numbers:
    """The next ``ALERT-n`` numbers of one scan: read once, then counted in memory."""

    def __init__(self) -> None:
        self._next: int | None = None

    async def take(self, session: AsyncSession, *, fresh: bool = False) -> int:
        if self._next is None or fresh:
            top = (await session.exec(select(sa.func.max(DriftAlert.number)))).one()
            self._next = max(int(top or 0) + 1, self._next or 0)
        number, self._next = self._next, self._next + 1
        return number


def _event(alert: DriftAlert, kind: str, at: datetime, actor_id: int | None = None) -> AlertEvent:
    assert alert.id is not None
    return AlertEvent(alert_id=alert.id, kind=kind, level=alert.level, figures=dict(alert.figures),
                      actor_id=actor_id, at=at)


async def open_alert(session: AsyncSession, *, numbers: Numbers, subject: str, rule: str, level: str,
                     figures: dict[str, Figure], at: datetime, project_id: int | None = None,
                     need_id: int | None = None) -> DriftAlert | None:
    """Open the alert of ``subject`` and ``rule``; None when it is open already (another scan opened it)."""
    open_key = keys.alert_subject(subject, rule)
    for attempt in range(_NUMBER_TRIES):
        alert = DriftAlert(number=await numbers.take(session, fresh=attempt > 0), subject=subject,
                           project_id=project_id, need_id=need_id, rule=rule, level=level, open_key=open_key,
                           status=OPEN, figures=dict(figures), opened_at=at)
        if not await add_unless_taken(session, alert):
            taken = (await session.exec(select(DriftAlert.id).where(DriftAlert.open_key == open_key))).first()
            if taken is not None:
                return None  # the other scan opened it: one alert, told once
            continue  # only its number was taken: the next one
        session.add(_event(alert, "opened", at))
        return alert
    return None


async def compare_and_set(session: AsyncSession, alert: DriftAlert, **values: Any) -> bool:
    """Write ``values`` if the alert is still at the version it was read at; the row follows."""
    assert alert.id is not None
    result = await session.exec(
        sa.update(DriftAlert).where(col(DriftAlert.id) == alert.id, col(DriftAlert.version) == alert.version)
        .values(**values, version=alert.version + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    for name, value in values.items():
        setattr(alert, name, value)
    alert.version += 1
    return True


async def move(session: AsyncSession, alert: DriftAlert, *, level: str, figures: dict[str, Figure],
               at: datetime) -> Change | None:
    """Raise or lower the alert to ``level`` with the figures that made it; None when overtaken."""
    event = "raised" if rank(level) > rank(alert.level) else "lowered"
    values: dict[str, Any] = {"level": level, "figures": dict(figures)}
    if event == "raised":
        values["raised_at"] = at
    if not await compare_and_set(session, alert, **values):
        return None
    session.add(_event(alert, event, at))
    return Change(alert, event)


async def refresh(session: AsyncSession, alert: DriftAlert, *, figures: dict[str, Figure]) -> bool:
    """The same level, newer figures: kept so the alert reads as last measured (no event, no message)."""
    if alert.figures == figures:
        return False
    return await compare_and_set(session, alert, figures=dict(figures))


async def close(session: AsyncSession, alert: DriftAlert, *, at: datetime,
                figures: dict[str, Figure] | None = None) -> Change | None:
    """Close the alert (its ``open_key`` is freed for a later one); None when overtaken."""
    values: dict[str, Any] = {"status": CLOSED, "open_key": None, "closed_at": at}
    if figures:
        values["figures"] = dict(figures)
    if not await compare_and_set(session, alert, **values):
        return None
    session.add(_event(alert, "closed", at))
    return Change(alert, "closed")


async def acknowledge(session: AsyncSession, alert: DriftAlert, *, actor_id: int, at: datetime) -> bool:
    if not await compare_and_set(session, alert, acknowledged_by_id=actor_id, acknowledged_at=at):
        return False
    session.add(_event(alert, "acknowledged", at, actor_id))
    return True


def record(session: AsyncSession, alert: DriftAlert, *, kind: str, at: datetime, actor_id: int | None) -> None:
    """A step that changes nothing of the alert itself (an update asked of the owner)."""
    session.add(_event(alert, kind, at, actor_id))
