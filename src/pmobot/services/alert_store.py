"""Writing drift alerts: opened once per subject and rule, every later change a compare-and-set.

An alert opens under its ``open_key`` (unique while open), so two scans at once
open it once: the second one's insert is left out and it moves on. Every later
change (raised, lowered, closed, acknowledged, new figures) is written only
if the alert is still at the ``version`` it was read at; each step is an
``AlertEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import insert_unless_taken
from pmobot.domain import keys
from pmobot.domain.drift import Figure, rank
from pmobot.domain.models_tracking import AlertEvent, DriftAlert

OPEN, CLOSED = "open", "closed"
# A new alert's number is taken again this many times when another scan took it first.
_NUMBER_TRIES = 5
# Open keys looked up at once after a lost race (well under every driver's limit of bound values).
_KEYS_PER_QUERY = 1000
# What an opening alert is inserted with (its id comes back).
_OPENED_COLUMNS = ("number", "subject", "project_id", "need_id", "rule", "level", "open_key", "status", "figures",
                   "opened_at", "raised_at", "closed_at", "acknowledged_by_id", "acknowledged_at", "version")


@dataclass(frozen=True)
class Change:
    """One step of one alert, as written: what the notices tell."""

    alert: DriftAlert
    event: str  # opened | raised | lowered | closed
    # Why it closed when not because its condition cleared (``drift.notice.closed_because.*``): its project ended.
    because: str = ""


@dataclass(frozen=True)
class Opening:
    """An alert the scan found should open: on ``subject`` for ``rule``, at ``level``, with its figures."""

    subject: str
    rule: str
    level: str
    figures: dict[str, Figure]
    project_id: int | None = None
    need_id: int | None = None

    @property
    def open_key(self) -> str:
        return keys.alert_subject(self.subject, self.rule)


def _event_row(alert: DriftAlert, kind: str, at: datetime, actor_id: int | None = None) -> dict[str, Any]:
    assert alert.id is not None
    return {"alert_id": alert.id, "kind": kind, "level": alert.level, "figures": dict(alert.figures),
            "actor_id": actor_id, "at": at}


def _event(alert: DriftAlert, kind: str, at: datetime, actor_id: int | None = None) -> AlertEvent:
    return AlertEvent(**_event_row(alert, kind, at, actor_id))


async def _open_already(session: AsyncSession, open_keys: list[str]) -> set[str]:
    """Which of ``open_keys`` an open alert holds (another scan's: ours came back from the insert)."""
    found: set[str] = set()
    for chunk in range(0, len(open_keys), _KEYS_PER_QUERY):
        rows = await session.exec(select(DriftAlert.open_key).where(
            col(DriftAlert.open_key).in_(open_keys[chunk:chunk + _KEYS_PER_QUERY])))
        found.update(key for key in rows.all() if key)
    return found


async def open_alerts(session: AsyncSession, openings: list[Opening], *, at: datetime) -> list[DriftAlert]:
    """Open these alerts, numbered in this order, each with its "opened" event, in a few statements
    whatever their number; those another scan opened first are left out (one alert, told once).

    Each opens under its ``open_key`` (unique while open) and its number (unique): an insert that meets
    either is left out, not failed. One whose key is still free lost only its number to another scan:
    it is numbered again after the highest.
    """
    wanted = list({o.open_key: o for o in openings}.values())
    opened: dict[str, DriftAlert] = {}
    for _ in range(_NUMBER_TRIES):
        if not wanted:
            break
        top = int((await session.exec(select(sa.func.max(DriftAlert.number)))).one() or 0)
        alerts = [DriftAlert(number=top + 1 + i, subject=o.subject, project_id=o.project_id, need_id=o.need_id,
                             rule=o.rule, level=o.level, open_key=o.open_key, status=OPEN, figures=dict(o.figures),
                             opened_at=at, version=0) for i, o in enumerate(wanted)]
        rows = [{column: getattr(a, column) for column in _OPENED_COLUMNS} for a in alerts]
        inserted: dict[str, int] = {row.open_key: row.id for row in await insert_unless_taken(
            session, DriftAlert, rows, returning=(col(DriftAlert.id), col(DriftAlert.open_key)))}
        for alert, o in zip(alerts, wanted, strict=True):
            if o.open_key in inserted:
                alert.id = inserted[o.open_key]
                opened[o.open_key] = alert
        missed = [o.open_key for o in wanted if o.open_key not in inserted]
        taken = await _open_already(session, missed) if missed else set()
        wanted = [o for o in wanted if o.open_key not in inserted and o.open_key not in taken]
    out = [opened[o.open_key] for o in openings if o.open_key in opened]
    for alert in out:
        # Persistent in this session, as if added and flushed: a later step of this scan may change them.
        make_transient_to_detached(alert)
    session.add_all(out)
    if out:
        await session.exec(sa.insert(AlertEvent), params=[_event_row(a, "opened", at) for a in out])
    return out


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
