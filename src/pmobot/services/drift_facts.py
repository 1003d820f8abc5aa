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
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
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


_REPORTED = (col(StatusUpdate.project_id), col(StatusUpdate.number), col(StatusUpdate.percent_complete),
             col(StatusUpdate.spend), col(StatusUpdate.created_at), col(StatusUpdate.forecast_end),
             col(StatusUpdate.forecasts))


def _latest(per_project: int, project_id: int | None, dialect: str) -> Any:
    """The last ``per_project`` updates of each active project (``_REPORTED``), in project and number order.

    SQLite reads them project by project through the (project, number) index, a few rows each: ranking
    all 200,000 updates of 10,000 projects was most of the scan's reading. PostgreSQL ranks them: it
    plans that correlated subquery once per row, and SQLite has no LATERAL join to write it otherwise.
    """
    active = [col(Project.status) == ProjectStatus.ACTIVE]
    if project_id is not None:
        active.append(col(Project.id) == project_id)
    if dialect == "sqlite":
        last = sa.select(col(StatusUpdate.id)).where(col(StatusUpdate.project_id) == col(Project.id)) \
            .order_by(col(StatusUpdate.number).desc()).limit(per_project).correlate(Project)
        query = sa.select(*_REPORTED).select_from(Project) \
            .join(StatusUpdate, col(StatusUpdate.id).in_(last.scalar_subquery())).where(*active)
    else:
        rank = sa.func.row_number().over(partition_by=col(StatusUpdate.project_id),
                                         order_by=col(StatusUpdate.number).desc()).label("rank")
        ranked = sa.select(col(StatusUpdate.id).label("id"), rank) \
            .join(Project, col(Project.id) == col(StatusUpdate.project_id)).where(*active).subquery()
        query = sa.select(*_REPORTED).join(ranked, col(StatusUpdate.id) == ranked.c.id) \
            .where(ranked.c.rank <= per_project)
    return query.order_by(col(StatusUpdate.project_id), col(StatusUpdate.number))


async def latest_updates(session: AsyncSession, *, per_project: int,
                         project_id: int | None = None) -> dict[int, list[Reported]]:
    """The last ``per_project`` status updates of each active project, oldest first (one query)."""
    connection = await _connection(session)
    out: dict[int, list[Reported]] = defaultdict(list)
    rows = await connection.execute(_latest(per_project, project_id, connection.dialect.name))
    for pid, number, percent, spend, at, end, forecasts in rows.all():
        out[pid].append(Reported(pid, number, percent, spend, at, end, forecasts))
    return out


# An open alert as the scan reads it: its columns, not an ORM object (the scan reads thousands and
# writes few); ``loaded`` makes one of it when the scan changes it.
OpenAlert = sa.Row[Any]


async def open_alerts_by_key(session: AsyncSession, *, project_id: int | None = None,
                             needs: bool = False) -> dict[str, OpenAlert]:
    """The open alerts by ``open_key``: of one project, of every project, or (``needs``) of needs."""
    table = DriftAlert.__table__  # type: ignore[attr-defined]
    query = sa.select(table).where(col(DriftAlert.status) == "open")
    if needs:
        query = query.where(col(DriftAlert.need_id).is_not(None), col(DriftAlert.project_id).is_(None))
    elif project_id is not None:
        query = query.where(col(DriftAlert.project_id) == project_id)
    else:
        query = query.where(col(DriftAlert.project_id).is_not(None))
    rows = await (await _connection(session)).execute(query)
    return {row.open_key: row for row in rows.all() if row.open_key}


async def loaded(session: AsyncSession, alert: OpenAlert) -> DriftAlert:
    """The open alert as an object of this session, to change it (the session's own if it has it)."""
    found = session.identity_map.get(identity_key(DriftAlert, alert.id))
    if isinstance(found, DriftAlert):
        return found
    made = DriftAlert(**alert._mapping)
    make_transient_to_detached(made)
    session.add(made)
    return made


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
