"""What the drift scan reads, in a fixed number of queries whatever the portfolio's size.

One scan reads the active projects with their needs' keys, their baselines,
the last few status updates of each (one windowed query), and the open
alerts; then measures every project in memory
(``domain.evm``, ``domain.drift``). Nothing here queries inside a loop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.drift import ProjectFacts
from pmobot.domain.evm import Figures, Plan, PlannedMilestone, measure
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Baseline, Project
from pmobot.domain.models_tracking import DriftAlert, StatusUpdate
from pmobot.services.projects import PREFIX

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Measured:
    """One project as the scan sees it: who owns it, and its facts."""

    project_id: int
    key: str
    owner_id: int | None
    facts: ProjectFacts


@dataclass(frozen=True)
class Committed:
    """What the scan reads of a baseline (columns, not rows: the scan reads thousands)."""

    project_id: int
    version: int
    start: date
    end: date
    budget: Decimal
    currency: str
    milestones: list[dict[str, Any]]


@dataclass(frozen=True)
class Reported:
    """What the scan reads of a status update."""

    project_id: int
    number: int
    percent_complete: float
    spend: Decimal
    created_at: datetime
    forecast_end: date | None
    forecasts: list[dict[str, Any]]


async def _connection(session: AsyncSession) -> AsyncConnection:
    """For plain rows, not ORM objects (the scan reads thousands); what this unit of work added is
    flushed first, since a bare connection does not flush the session by itself."""
    await session.flush()
    return await session.connection()


def _scoped(query: Any, project_id: int | None, column: Any) -> Any:
    return query.where(column == project_id) if project_id is not None else query


async def _projects(session: AsyncSession, project_id: int | None) -> list[tuple[int, int, int | None, int]]:
    """(id, number, owner, need number) of the active projects."""
    query = select(Project.id, Project.number, Project.owner_id, Need.number) \
        .join(Need, col(Need.id) == col(Project.need_id)).where(Project.status == ProjectStatus.ACTIVE)
    rows = await session.exec(_scoped(query, project_id, Project.id))
    return [(pid, number, owner, need) for pid, number, owner, need in rows.all() if pid is not None]


async def _baselines(session: AsyncSession, project_id: int | None) -> dict[int, Committed]:
    """The baseline in force (the highest version) of each active project."""
    query = sa.select(col(Baseline.project_id), col(Baseline.version), col(Baseline.start), col(Baseline.end),
                      col(Baseline.budget), col(Baseline.currency), col(Baseline.milestones)) \
        .join(Project, col(Project.id) == col(Baseline.project_id)).where(col(Project.status) == ProjectStatus.ACTIVE)
    if project_id is not None:
        query = query.where(col(Baseline.project_id) == project_id)
    out: dict[int, Committed] = {}
    rows = await (await _connection(session)).execute(query)
    for pid, version, start, end, budget, currency, marks in rows.all():
        b = Committed(pid, version, start, end, budget, currency, marks)
        if b.project_id not in out or b.version > out[b.project_id].version:
            out[b.project_id] = b
    return out


async def latest_updates(session: AsyncSession, *, per_project: int,
                         project_id: int | None = None) -> dict[int, list[Reported]]:
    """The last ``per_project`` status updates of each active project, oldest first (one query)."""
    rank = sa.func.row_number().over(partition_by=col(StatusUpdate.project_id),
                                     order_by=col(StatusUpdate.number).desc()).label("rank")
    inner = sa.select(col(StatusUpdate.id).label("id"), rank) \
        .join(Project, col(Project.id) == col(StatusUpdate.project_id)) \
        .where(col(Project.status) == ProjectStatus.ACTIVE)
    if project_id is not None:
        inner = inner.where(col(StatusUpdate.project_id) == project_id)
    ranked = inner.subquery()
    query = sa.select(col(StatusUpdate.project_id), col(StatusUpdate.number), col(StatusUpdate.percent_complete),
                      col(StatusUpdate.spend), col(StatusUpdate.created_at), col(StatusUpdate.forecast_end),
                      col(StatusUpdate.forecasts)) \
        .join(ranked, col(StatusUpdate.id) == ranked.c.id) \
        .where(ranked.c.rank <= per_project).order_by(col(StatusUpdate.project_id), col(StatusUpdate.number))
    out: dict[int, list[Reported]] = defaultdict(list)
    rows = await (await _connection(session)).execute(query)
    for pid, number, percent, spend, at, end, forecasts in rows.all():
        out[pid].append(Reported(pid, number, percent, spend, at, end, forecasts))
    return out


async def open_alerts_by_key(session: AsyncSession, *, project_id: int | None = None,
                             needs: bool = False) -> dict[str, DriftAlert]:
    """The open alerts by ``open_key``: of one project, of every project, or (``needs``) of needs."""
    query = select(DriftAlert).where(DriftAlert.status == "open")
    if needs:
        query = query.where(col(DriftAlert.need_id).is_not(None), col(DriftAlert.project_id).is_(None))
    elif project_id is not None:
        query = query.where(DriftAlert.project_id == project_id)
    else:
        query = query.where(col(DriftAlert.project_id).is_not(None))
    return {a.open_key: a for a in (await session.exec(query)).all() if a.open_key}


def plan_of(baseline: Committed) -> Plan:
    marks = tuple(PlannedMilestone(str(m.get("name", "")), date.fromisoformat(str(m["due"])),
                                   float(m["weight"]) if m.get("weight") is not None else None)
                  for m in baseline.milestones if m.get("due"))
    return Plan(start=baseline.start, end=baseline.end, budget=Decimal(baseline.budget), milestones=marks)


def _forecasts(update: Reported) -> tuple[tuple[str, date], ...]:
    out = []
    for item in update.forecasts or []:
        try:
            out.append((str(item.get("name", "")), date.fromisoformat(str(item["forecast"]))))
        except (KeyError, ValueError):
            continue  # a forecast without a readable date says nothing about a slip
    return tuple(out)


def facts_of(key: str, need_number: int, baseline: Committed, updates: list[Reported], *,
             calendar: BusinessCalendar, today: date) -> ProjectFacts:
    """One project's facts: each update measured on its own day against the baseline in force."""
    plan = plan_of(baseline)
    last = len(updates) - 1
    series: list[Figures] = [
        measure(plan, day=calendar.local_day(u.created_at), percent=float(u.percent_complete),
                spend=Decimal(u.spend), days=calendar, forecast=i == last) for i, u in enumerate(updates)]
    latest = updates[-1] if updates else None
    since = calendar.local_day(latest.created_at) if latest else baseline.start - _ONE_DAY
    return ProjectFacts(
        key=key, need_key=f"NEED-{need_number}", currency=baseline.currency, baseline_end=baseline.end,
        figures=series[-1] if series else None, series=tuple(series),
        owner_end=latest.forecast_end if latest else None, milestones=plan.milestones,
        forecasts=_forecasts(latest) if latest else (),
        silent_days=calendar.business_days_in(since + _ONE_DAY, today) if since < today else 0)


async def measured(session: AsyncSession, *, calendar: BusinessCalendar, today: date, per_project: int,
                   project_id: int | None = None) -> list[Measured]:
    """Every active project with a baseline (or the one asked), measured; three queries in all."""
    projects = await _projects(session, project_id)
    baselines = await _baselines(session, project_id)
    updates = await latest_updates(session, per_project=per_project, project_id=project_id)
    out = []
    for pid, number, owner, need in projects:
        baseline = baselines.get(pid)
        if baseline is None:
            continue  # no commitment, nothing to drift from
        key = f"{PREFIX}-{number}"
        out.append(Measured(pid, key, owner, facts_of(key, need, baseline, updates.get(pid, []),
                                                      calendar=calendar, today=today)))
    return out
