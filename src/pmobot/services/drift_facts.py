"""What the drift scan reads, in a fixed number of queries whatever the portfolio's size.

One scan reads the active projects with their needs' keys, their baselines,
the last few status updates of each (one windowed query), the snoozes in
force and the open alerts; then measures every project in memory
(``domain.evm``, ``domain.drift``). Nothing here queries inside a loop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.drift import ProjectFacts
from pmobot.domain.evm import Figures, Plan, PlannedMilestone, measure
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Baseline, Project
from pmobot.domain.models_tracking import DriftAlert, Snooze, StatusUpdate

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Measured:
    """One project as the scan sees it: the row, its owner, and its facts."""

    project: Project
    facts: ProjectFacts


def _scoped(query: Any, project_id: int | None, column: Any) -> Any:
    return query.where(column == project_id) if project_id is not None else query


async def _projects(session: AsyncSession, project_id: int | None) -> list[tuple[Project, int]]:
    query = select(Project, Need.number).join(Need, col(Need.id) == col(Project.need_id)) \
        .where(Project.status == ProjectStatus.ACTIVE)
    rows = await session.exec(_scoped(query, project_id, Project.id))
    return list(rows.all())


async def _baselines(session: AsyncSession, project_id: int | None) -> dict[int, Baseline]:
    """The baseline in force (the highest version) of each active project."""
    query = select(Baseline).join(Project, col(Project.id) == col(Baseline.project_id)) \
        .where(Project.status == ProjectStatus.ACTIVE)
    out: dict[int, Baseline] = {}
    for row in (await session.exec(_scoped(query, project_id, Baseline.project_id))).all():
        if row.project_id not in out or row.version > out[row.project_id].version:
            out[row.project_id] = row
    return out


async def latest_updates(session: AsyncSession, *, per_project: int,
                         project_id: int | None = None) -> dict[int, list[StatusUpdate]]:
    """The last ``per_project`` status updates of each active project, oldest first (one query)."""
    rank = sa.func.row_number().over(partition_by=col(StatusUpdate.project_id),
                                     order_by=col(StatusUpdate.number).desc()).label("rank")
    inner = sa.select(col(StatusUpdate.id).label("id"), rank) \
        .join(Project, col(Project.id) == col(StatusUpdate.project_id)) \
        .where(col(Project.status) == ProjectStatus.ACTIVE)
    if project_id is not None:
        inner = inner.where(col(StatusUpdate.project_id) == project_id)
    ranked = inner.subquery()
    query = select(StatusUpdate).join(ranked, col(StatusUpdate.id) == ranked.c.id) \
        .where(ranked.c.rank <= per_project).order_by(col(StatusUpdate.project_id), col(StatusUpdate.number))
    out: dict[int, list[StatusUpdate]] = defaultdict(list)
    for row in (await session.exec(query)).all():
        out[row.project_id].append(row)
    return out


async def snoozed(session: AsyncSession, *, today: date) -> set[int]:
    """Projects on hold today: no alert for them."""
    rows = await session.exec(select(Snooze.project_id).where(Snooze.until >= today,
                                                              col(Snooze.lifted_at).is_(None)))
    return set(rows.all())


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


def plan_of(baseline: Baseline) -> Plan:
    marks = tuple(PlannedMilestone(str(m.get("name", "")), date.fromisoformat(str(m["due"])),
                                   float(m["weight"]) if m.get("weight") is not None else None)
                  for m in baseline.milestones if m.get("due"))
    return Plan(start=baseline.start, end=baseline.end, budget=Decimal(baseline.budget), milestones=marks)


def _forecasts(update: StatusUpdate) -> tuple[tuple[str, date], ...]:
    out = []
    for item in update.forecasts or []:
        try:
            out.append((str(item.get("name", "")), date.fromisoformat(str(item["forecast"]))))
        except (KeyError, ValueError):
            continue  # a forecast without a readable date says nothing about a slip
    return tuple(out)


def facts_of(project: Project, need_number: int, baseline: Baseline, updates: list[StatusUpdate], *,
             calendar: BusinessCalendar, today: date) -> ProjectFacts:
    """One project's facts: each update measured on its own day against the baseline in force."""
    plan = plan_of(baseline)
    series: list[Figures] = [
        measure(plan, day=calendar.local_day(u.created_at), percent=float(u.percent_complete),
                spend=Decimal(u.spend), days=calendar) for u in updates]
    latest = updates[-1] if updates else None
    since = calendar.local_day(latest.created_at) if latest else baseline.start - _ONE_DAY
    return ProjectFacts(
        key=project.key, need_key=f"NEED-{need_number}", currency=baseline.currency, baseline_end=baseline.end,
        figures=series[-1] if series else None, series=tuple(series),
        owner_end=latest.forecast_end if latest else None, milestones=plan.milestones,
        forecasts=_forecasts(latest) if latest else (),
        silent_days=calendar.business_days_in(since + _ONE_DAY, today) if since < today else 0)


async def measured(session: AsyncSession, *, calendar: BusinessCalendar, today: date, per_project: int,
                   project_id: int | None = None) -> list[Measured]:
    """Every active project with a baseline (or the one asked), measured; five queries in all."""
    projects = await _projects(session, project_id)
    baselines = await _baselines(session, project_id)
    updates = await latest_updates(session, per_project=per_project, project_id=project_id)
    out = []
    for project, number in projects:
        assert project.id is not None
        baseline = baselines.get(project.id)
        if baseline is None:
            continue  # no commitment, nothing to drift from
        out.append(Measured(project, facts_of(project, number, baseline, updates.get(project.id, []),
                                              calendar=calendar, today=today)))
    return out

