"""Drift alerts for spreadsheets: one row per alert with its figures as last measured, and one row per
step of its history.

Same conventions as ``services.export`` (which lists these tables): amounts are decimal strings with
two places beside a currency column, dates ISO 8601, times ISO 8601 in UTC, an empty value null in
JSON and an empty cell in CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Person
from pmobot.domain.models_tracking import AlertEvent, DriftAlert
from pmobot.services.core import Core

Row = dict[str, object]

# The figures an alert keeps that a spreadsheet shows, in this order (``domain.drift.common_figures``).
FIGURES = ("percent", "spent_percent", "planned_percent", "spi", "cpi", "tcpi", "budget", "eac", "vac", "currency",
           "forecast_end", "baseline_end", "days", "milestone", "early")
_MONEY = frozenset({"budget", "eac", "vac"})
ALERT_FIELDS = ("key", "subject", "need", "rule", "level", "status", "opened_at", "raised_at", "closed_at",
                "acknowledged_by", "acknowledged_at", *FIGURES)
EVENT_FIELDS = ("alert", "subject", "rule", "event", "level", "at", "by")


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _figure(name: str, value: object) -> object:
    if value is None:
        return None
    return f"{Decimal(str(value)):.2f}" if name in _MONEY else value


async def _names(session: AsyncSession) -> dict[int, str]:
    return {p.id or 0: p.display_name for p in (await session.exec(select(Person))).all()}


async def alerts(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every alert, open or closed, by number."""
    names = await _names(session)
    rows = await session.exec(select(DriftAlert).order_by(col(DriftAlert.number)))
    out: list[Row] = []
    for a in rows.all():
        row: Row = {"key": a.key, "subject": a.subject, "need": a.figures.get("need"), "rule": a.rule,
                    "level": a.level, "status": a.status, "opened_at": _when(a.opened_at),
                    "raised_at": _when(a.raised_at), "closed_at": _when(a.closed_at),
                    "acknowledged_by": names.get(a.acknowledged_by_id) if a.acknowledged_by_id else None,
                    "acknowledged_at": _when(a.acknowledged_at)}
        row.update({name: _figure(name, a.figures.get(name)) for name in FIGURES})
        out.append(row)
    return out


async def history(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every step of every alert (opened, raised, lowered, closed, acknowledged, update asked), in order."""
    names = await _names(session)
    rows = await session.exec(select(AlertEvent, DriftAlert).join(DriftAlert, col(DriftAlert.id) ==
                                                                  col(AlertEvent.alert_id))
                              .order_by(col(AlertEvent.at), col(AlertEvent.id)))
    return [{"alert": a.key, "subject": a.subject, "rule": a.rule, "event": e.kind, "level": e.level,
             "at": _when(e.at), "by": names.get(e.actor_id) if e.actor_id else None} for e, a in rows.all()]


def alert_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(ALERT_FIELDS)


def event_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(EVENT_FIELDS)
