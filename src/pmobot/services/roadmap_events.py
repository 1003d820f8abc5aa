"""What moved the roadmap, recorded where it moves, for the daily roadmap update to gather.

``record`` is called by the committee's decision (``services.committee``), an
approved change request (``services.changes``), and the daily roadmap job for
a forecast that slipped past the policy's tolerance (``slips``). Each event has
a natural key (the decision's subject, the forecast end that slipped): the
same event recorded twice, by a retried request or a job run again, is one row.

An event belongs to the day it happened in the organisation's time zone; the
daily update gathers every event not posted yet up to its day, so an event
after the day's post, or during an outage, goes in the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import add_unless_taken
from pmobot.domain import keys
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Baseline, ChangeRequest, Decision, Project
from pmobot.domain.models_tracking import RoadmapEvent
from pmobot.services import status_updates
from pmobot.services.core import Core

DECISION, CHANGE, SLIP, DONE, CANCELLED = "decision", "change", "slip", "done", "cancelled"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def record(session: AsyncSession, *, core: Core, kind: str, key: str, project_id: int | None = None,
                 need_id: int | None = None, detail: dict[str, Any]) -> bool:
    """Keep one roadmap event; False when an event with ``key`` was kept before."""
    known = (await session.exec(select(RoadmapEvent.id).where(RoadmapEvent.key == key[:120]))).first()
    if known is not None:
        return False
    row = RoadmapEvent(day=core.today(), kind=kind, project_id=project_id, need_id=need_id, detail=dict(detail),
                       key=key[:120], created_at=core.now())
    # Losing a race on the key must not undo the caller's decision.
    return await add_unless_taken(session, row)


async def decided(session: AsyncSession, *, core: Core, need: Need, decision: Decision,
                  project: Project | None) -> None:
    """The committee decided on a need: approved, it enters the roadmap with its committed dates;
    deferred or rejected, it leaves the candidates."""
    detail: dict[str, Any] = {"subject": need.key, "title": need.title, "outcome": decision.outcome,
                              "reason": decision.reason}
    if project is not None:
        detail |= {"project": project.key, "end": [None, _iso(project.planned_end)],
                   "start": _iso(project.planned_start)}
    await record(session, core=core, kind=DECISION, key=keys.roadmap_event(DECISION, decision.subject),
                 need_id=need.id, project_id=project.id if project else None, detail=detail)


async def changed(session: AsyncSession, *, core: Core, project: Project, need: Need, change: ChangeRequest,
                  before: Baseline, after: Baseline) -> None:
    """An approved change request froze a new baseline: its end (and budget) moved."""
    subject = keys.change_subject(project.key, change.number)
    detail: dict[str, Any] = {"subject": project.key, "title": need.title, "change": f"CR-{change.number}",
                              "reason": change.reason, "end": [_iso(before.end), _iso(after.end)]}
    if after.budget != before.budget:
        detail["budget"] = [str(before.budget), str(after.budget), after.currency]
    await record(session, core=core, kind=CHANGE, key=keys.roadmap_event(CHANGE, subject), project_id=project.id,
                 need_id=need.id, detail=detail)


async def closed(session: AsyncSession, *, core: Core, project: Project, need: Need, reason: str = "") -> None:
    """A project done or cancelled leaves the roadmap and frees its capacity."""
    kind = DONE if project.status == ProjectStatus.DONE else CANCELLED
    await record(session, core=core, kind=kind, key=keys.roadmap_event(kind, project.key), project_id=project.id,
                 need_id=need.id, detail={"subject": project.key, "title": need.title, "reason": reason,
                                          "end": [_iso(project.planned_end), core.today().isoformat()]})


@dataclass(frozen=True)
class Slip:
    project: Project
    title: str
    baseline_end: date
    forecast_end: date
    business_days: int
    reason: str


async def slips(session: AsyncSession, *, core: Core) -> list[Slip]:
    """Active projects whose latest status forecasts an end more than the tolerance past their baseline's.

    Three queries whatever the portfolio: the projects with their need, their baselines in force, their
    latest status updates.
    """
    tolerance = core.policy.tracking.roadmap_tolerance_days
    rows = (await session.exec(select(Project, Need.title).join(Need, col(Need.id) == col(Project.need_id))
                               .where(Project.status == ProjectStatus.ACTIVE))).all()
    ids = [p.id for p, _ in rows if p.id is not None]
    if not ids:
        return []
    newest_baseline = (select(Baseline.project_id, func.max(Baseline.version).label("v"))
                       .where(col(Baseline.project_id).in_(ids)).group_by(col(Baseline.project_id)).subquery())
    ends = {b.project_id: b.end for b in (await session.exec(
        select(Baseline).join(newest_baseline, (col(Baseline.project_id) == newest_baseline.c.project_id)
                              & (col(Baseline.version) == newest_baseline.c.v)))).all()}
    latest = await status_updates.latest(session, project_ids=ids)
    out = []
    for project, title in rows:
        update_ = latest.get(project.id or 0)
        end = ends.get(project.id or 0)
        if update_ is None or update_.forecast_end is None or end is None or update_.forecast_end <= end:
            continue
        late = _business_days_after(core, end, update_.forecast_end)
        if late > tolerance:
            reason = str(update_.comments.get("schedule") or update_.blockers or update_.reason or "")
            out.append(Slip(project, title, end, update_.forecast_end, late, reason))
    return out


def _business_days_after(core: Core, start: date, end: date) -> int:
    """Business days from ``start`` (excluded) to ``end`` (included)."""
    count, day = 0, start
    while day < end:
        day = core.calendar.add_business_days(day, 1)
        if day <= end:
            count += 1
    return count


async def record_slips(session: AsyncSession, *, core: Core) -> int:
    """Each forecast slip beyond the tolerance, once per project and forecast end."""
    count = 0
    for slip in await slips(session, core=core):
        count += await record(
            session, core=core, kind=SLIP,
            key=keys.roadmap_event(SLIP, f"{slip.project.key}:{slip.forecast_end.isoformat()}"),
            project_id=slip.project.id, need_id=slip.project.need_id,
            detail={"subject": slip.project.key, "title": slip.title, "reason": slip.reason,
                    "end": [slip.baseline_end.isoformat(), slip.forecast_end.isoformat()],
                    "business_days": slip.business_days})
    return count


async def unposted(session: AsyncSession, *, up_to: date) -> list[RoadmapEvent]:
    """Events up to ``up_to`` that no roadmap update has carried yet, oldest first."""
    rows = await session.exec(select(RoadmapEvent).where(col(RoadmapEvent.posted_run_id).is_(None),
                                                         col(RoadmapEvent.day) <= up_to)
                              .order_by(col(RoadmapEvent.day), col(RoadmapEvent.id)))
    return list(rows.all())


async def mark_posted(session: AsyncSession, *, events: Sequence[RoadmapEvent], run_id: int) -> None:
    """The events an update carried: a compare-and-set, so an event is never carried by two updates."""
    ids = [e.id for e in events if e.id is not None]
    if ids:
        await session.exec(update(RoadmapEvent).where(col(RoadmapEvent.id).in_(ids),
                                                      col(RoadmapEvent.posted_run_id).is_(None))
                           .values(posted_run_id=run_id).execution_options(synchronize_session=False))
