"""Status updates: what a project's owner says of it, week after week.

An update is a record that is never edited: a correction is a new update (``corrects_id``).
``record`` checks who may give one and what it says, then takes the project's next number
under the unique (project, number) key: two updates at once get two numbers, the loser
re-reading what the winner said. The read side (``latest``, ``series``) answers for many
projects in one query each, for the drift scan, the digest and the portfolio views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import add_unless_taken
from pmobot.domain.models import Person
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.domain.roles import Role
from pmobot.services import audit, baselines, checkins, drift, people, projects, status_values
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound, Overtaken

# How many times a lost race on the number is retried (each retry re-reads the last update).
_ATTEMPTS = 3
# Project ids per query: far below any database's limit on bound parameters.
_CHUNK = 5000

VIA = ("check-in", "command", "demo")


async def record(session: AsyncSession, *, core: Core, project_id: int, author_id: int, values: Mapping[str, Any],
                 via: str, check_in_id: int | None = None, now: datetime | None = None) -> StatusUpdate:
    """Record ``author_id``'s status of an active project they own (or as the PMO): the next number,
    the week's check-in marked answered, the audit log."""
    project = await session.get(Project, project_id)
    author = await session.get(Person, author_id)
    if project is None or author is None:
        raise NotFound("checkin.error.no_project", key=f"PRJ-{project_id}")
    if author_id != project.owner_id and Role.PMO not in await people.roles_of(session, person_id=author_id):
        raise Forbidden("checkin.error.not_yours", key=project.key)
    projects.check_active(project, core=core, step="status")
    baseline = await baselines.in_force(session, project_id=project_id)
    if baseline is None:
        raise Invalid("checkin.error.no_baseline", key=project.key)
    marks = [(m.id, m.name) for m in await baselines.milestones(session, project_id=project_id) if m.id is not None]
    now = now or core.now()
    corrects = values.get("corrects_id")
    update: StatusUpdate | None = None
    for _ in range(_ATTEMPTS):
        last = (await latest(session, project_ids=[project_id])).get(project_id)
        reading = status_values.read(values, last_percent=last.percent_complete if last else None,
                                     currency=baseline.currency, today=core.calendar.local_day(now),
                                     milestones=marks)
        update = StatusUpdate(
            project_id=project_id, number=(last.number if last else 0) + 1, author_id=author_id,
            percent_complete=reading.percent, spend=reading.spend, currency=reading.currency,
            health=reading.health["overall"], schedule_health=reading.health["schedule"],
            cost_health=reading.health["cost"], scope_health=reading.health["scope"], comments=reading.comments,
            forecasts=reading.forecasts, forecast_end=reading.forecast_end, risks=reading.risks,
            blockers=reading.blockers, decisions_needed=reading.decisions_needed, reason=reading.reason,
            corrects_id=int(corrects) if corrects else None, via=via if via in VIA else "command",
            check_in_id=check_in_id, created_at=now,
        )
        if await add_unless_taken(session, update):
            break
        update = None  # someone else's update took this number: read theirs, and try the next one
    if update is None:
        raise Overtaken("checkin.error.overtaken", key=project.key)
    await checkins.answered(session, core=core, project=project, check_in_id=check_in_id, now=now)
    await audit.record(session, core=core, actor_id=author_id, subject=project.key, action="status_updated",
                       reason=update.reason, detail=audit_detail(update))
    # Measured against the baseline at once, in the same unit of work: an alert is never lost or told twice.
    await drift.scan_project(session, core=core, project_id=project_id, now=now)
    return update


def audit_detail(update: StatusUpdate) -> dict[str, Any]:
    """What the audit log keeps of an update: enough to read the project's story without the table."""
    return {"number": update.number, "percent": update.percent_complete, "spend": str(update.spend),
            "currency": update.currency, "health": update.health, "schedule": update.schedule_health,
            "cost": update.cost_health, "scope": update.scope_health, "via": update.via,
            "forecast_end": update.forecast_end.isoformat() if update.forecast_end else None}


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i:i + _CHUNK] for i in range(0, len(unique), _CHUNK)]


async def latest(session: AsyncSession, *, project_ids: Sequence[int]) -> dict[int, StatusUpdate]:
    """Each project's last update, by project id (projects without one are absent); one query."""
    out: dict[int, StatusUpdate] = {}
    for chunk in _chunks(project_ids):
        last = (select(col(StatusUpdate.project_id).label("pid"), func.max(StatusUpdate.number).label("n"))
                .where(col(StatusUpdate.project_id).in_(chunk)).group_by(col(StatusUpdate.project_id)).subquery())
        rows = await session.exec(select(StatusUpdate).join(
            last, and_(col(StatusUpdate.project_id) == last.c.pid, col(StatusUpdate.number) == last.c.n)))
        out.update({u.project_id: u for u in rows.all()})
    return out


async def history(session: AsyncSession, *, project_id: int, limit: int | None = None) -> list[StatusUpdate]:
    """A project's updates, oldest first; with ``limit``, the last ``limit`` of them."""
    query = (select(StatusUpdate).where(StatusUpdate.project_id == project_id)
             .order_by(col(StatusUpdate.number).desc()))
    if limit is not None:
        query = query.limit(limit)
    return list(reversed((await session.exec(query)).all()))


async def series(session: AsyncSession, *, project_ids: Sequence[int],
                 limit_per_project: int) -> dict[int, list[StatusUpdate]]:
    """Each project's last ``limit_per_project`` updates, oldest first (the drift trend, the digest's
    colours); one query per few thousand projects, whatever their number of updates."""
    out: dict[int, list[StatusUpdate]] = {}
    for chunk in _chunks(project_ids):
        rank = func.row_number().over(partition_by=col(StatusUpdate.project_id),
                                      order_by=col(StatusUpdate.number).desc()).label("rank")
        ranked = (select(col(StatusUpdate.id).label("uid"), rank)
                  .where(col(StatusUpdate.project_id).in_(chunk)).subquery())
        rows = await session.exec(
            select(StatusUpdate).join(ranked, col(StatusUpdate.id) == ranked.c.uid)
            .where(ranked.c.rank <= limit_per_project)
            .order_by(col(StatusUpdate.project_id), col(StatusUpdate.number)))
        for update in rows.all():
            out.setdefault(update.project_id, []).append(update)
    return out
