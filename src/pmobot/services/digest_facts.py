"""What a weekly digest says, read from the database in a fixed number of queries.

Each section counts in the database and brings back only the few items it
shows (``SHOWN``), so the cost of a digest does not grow with the portfolio
beyond what the database does to count: 10,000 needs or 100, the same queries.
Project health is the exception that stays bounded: one query returns one row
per active project (the counts and the colour changes are made from it).

A department's digest reads the same facts, cut to the needs of that
department and the projects they became.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, true
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from pmobot.conversation.text import fold
from pmobot.domain import lifecycle
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Decision, Milestone, Project
from pmobot.domain.models_tracking import DriftAlert, StatusUpdate
from pmobot.services.core import Core

# Items listed per section; the rest are counted ("and 12 more").
SHOWN = 5
# Milestones due within this many days are announced.
MILESTONE_DAYS = 14
HEALTHS = ("green", "amber", "red")
NO_STATUS = "none"

T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """The first items of a section and how many there are in all."""

    items: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass(frozen=True)
class Waiting:
    need: Need
    business_days: int
    service_level: int

    @property
    def over(self) -> bool:
        return self.business_days > self.service_level


@dataclass(frozen=True)
class Decided:
    decision: Decision
    need: Need


@dataclass(frozen=True)
class ColourChange:
    project: str
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class Due:
    project: str
    title: str
    milestone: str
    due: date


@dataclass(frozen=True)
class Closed:
    """A project ended during the week: delivered (done) or stopped (cancelled), with its closing words."""

    project: str
    title: str
    status: str
    reason: str


@dataclass(frozen=True)
class Facts:
    week: str
    start: datetime
    end: datetime
    today: date
    new_needs: Listed[Need] = field(default_factory=Listed)
    waiting: Listed[Waiting] = field(default_factory=Listed)
    waiting_over: int = 0
    decisions: Listed[Decided] = field(default_factory=Listed)
    # Active projects by the health of their latest status update ("none": no update yet).
    health: dict[str, int] = field(default_factory=dict)
    changed: Listed[ColourChange] = field(default_factory=Listed)
    alerts: Listed[DriftAlert] = field(default_factory=Listed)
    milestones: Listed[Due] = field(default_factory=Listed)
    closed: Listed[Closed] = field(default_factory=Listed)


@dataclass(frozen=True)
class Scope:
    """Whose needs a digest is about: all, or one department's (the stored spellings of its name)."""

    departments: tuple[str, ...] | None = None

    def needs(self) -> ColumnElement[bool]:
        return true() if self.departments is None else col(Need.department).in_(self.departments)


async def scope_of(session: AsyncSession, *, department: str | None) -> Scope:
    """All needs, or those of ``department`` however it was typed ("Achats", "achats", "ACHATS")."""
    if department is None:
        return Scope()
    wanted = " ".join(fold(department).split())
    spelled = (await session.exec(select(Need.department).where(col(Need.department).is_not(None)).distinct())).all()
    return Scope(tuple(sorted(s for s in spelled if s and " ".join(fold(s).split()) == wanted)))


async def _count(session: AsyncSession, count: SelectOfScalar[int]) -> int:
    return int((await session.exec(count)).one() or 0)


async def new_needs(session: AsyncSession, *, scope: Scope, start: datetime, end: datetime) -> Listed[Need]:
    where = (col(Need.submitted_at) >= start, col(Need.submitted_at) < end, scope.needs())
    total = await _count(session, select(func.count()).select_from(Need).where(*where))
    rows = (await session.exec(select(Need).where(*where).order_by(col(Need.number).desc()).limit(SHOWN))).all()
    return Listed(tuple(rows), total)


def _cutoff(core: Core, *, today: date, business_days: int) -> datetime:
    """The instant before which a need has waited more than ``business_days`` business days by ``today``."""
    day, counted = today, 0
    while True:
        if core.calendar.is_business_day(day):
            counted += 1
            if counted > business_days:
                return datetime.combine(day, time(), tzinfo=core.calendar.zone)
        day -= timedelta(days=1)


async def waiting_on_it(session: AsyncSession, *, core: Core, scope: Scope,
                        now: datetime) -> tuple[Listed[Waiting], int]:
    """Needs waiting on IT, oldest first, with their age; and how many are past the service level."""
    level = core.policy.tracking.service_levels.estimate
    where = (col(Need.status).in_([str(s) for s in lifecycle.WAITING_ON_IT]), scope.needs())
    since = func.coalesce(col(Need.waiting_since), col(Need.created_at))
    total = await _count(session, select(func.count()).select_from(Need).where(*where))
    rows = (await session.exec(select(Need).where(*where).order_by(since, col(Need.number)).limit(SHOWN))).all()
    over = 0
    if total:
        cutoff = _cutoff(core, today=core.calendar.local_day(now), business_days=level)
        over = await _count(session, select(func.count()).select_from(Need).where(*where, since < cutoff))
    items = tuple(Waiting(need, core.calendar.business_days_between(need.waiting_since or need.created_at, now),
                          level) for need in rows)
    return Listed(items, total), over


async def decisions(session: AsyncSession, *, scope: Scope, start: datetime, end: datetime) -> Listed[Decided]:
    where = (col(Decision.decided_at) >= start, col(Decision.decided_at) < end, scope.needs())
    joined = select(Decision, Need).join(Need, col(Need.id) == col(Decision.need_id))
    count = select(func.count()).select_from(Decision).join(Need, col(Need.id) == col(Decision.need_id))
    total = await _count(session, count.where(*where))
    rows = (await session.exec(joined.where(*where).order_by(col(Decision.decided_at).desc()).limit(SHOWN))).all()
    return Listed(tuple(Decided(d, n) for d, n in rows), total)


def _latest_before(moment: datetime) -> Any:
    return (select(StatusUpdate.project_id, func.max(StatusUpdate.number).label("n"))
            .where(col(StatusUpdate.created_at) < moment).group_by(col(StatusUpdate.project_id)).subquery())


async def health(session: AsyncSession, *, scope: Scope, start: datetime,
                 end: datetime) -> tuple[dict[str, int], Listed[ColourChange]]:
    """Active projects by their latest health, and those whose colour changed during the week (one query)."""
    now_n, before_n = _latest_before(end), _latest_before(start)
    now_su, before_su = StatusUpdate.__table__.alias("now_su"), StatusUpdate.__table__.alias("before_su")  # type: ignore[attr-defined]
    query = (
        select(Project.number, Need.title, now_su.c.health, before_su.c.health)
        .join(Need, col(Need.id) == col(Project.need_id))
        .outerjoin(now_n, now_n.c.project_id == col(Project.id))
        .outerjoin(now_su, (now_su.c.project_id == now_n.c.project_id) & (now_su.c.number == now_n.c.n))
        .outerjoin(before_n, before_n.c.project_id == col(Project.id))
        .outerjoin(before_su, (before_su.c.project_id == before_n.c.project_id)
                   & (before_su.c.number == before_n.c.n))
        .where(Project.status == ProjectStatus.ACTIVE, scope.needs())
        .order_by(col(Project.number))
    )
    counts = dict.fromkeys((*HEALTHS, NO_STATUS), 0)
    changed: list[ColourChange] = []
    for number, title, now, before in (await session.exec(query)).all():
        counts[now if now in HEALTHS else NO_STATUS] += 1
        if now in HEALTHS and before in HEALTHS and now != before:
            changed.append(ColourChange(f"PRJ-{number}", title, before, now))
    # Worse first: what turned red before what recovered.
    changed.sort(key=lambda c: (-HEALTHS.index(c.after), c.project))
    return counts, Listed(tuple(changed[:SHOWN]), len(changed))


_LEVEL_ORDER = {"critical": 0, "warning": 1}


async def alerts(session: AsyncSession, *, scope: Scope) -> Listed[DriftAlert]:
    """Open drift alerts, worst first (critical, then the oldest)."""
    where: list[ColumnElement[bool]] = [col(DriftAlert.status) == "open"]
    if scope.departments is not None:
        projects = select(Project.id).join(Need, col(Need.id) == col(Project.need_id)).where(scope.needs())
        needs = select(Need.id).where(scope.needs())
        where.append(col(DriftAlert.project_id).in_(projects) | col(DriftAlert.need_id).in_(needs))
    worst = func.coalesce(col(DriftAlert.raised_at), col(DriftAlert.opened_at))
    rank = (col(DriftAlert.level) != "critical")
    total = await _count(session, select(func.count()).select_from(DriftAlert).where(*where))
    rows = (await session.exec(select(DriftAlert).where(*where).order_by(rank, worst, col(DriftAlert.number))
                               .limit(SHOWN))).all()
    return Listed(tuple(rows), total)


async def milestones(session: AsyncSession, *, scope: Scope, today: date) -> Listed[Due]:
    """Milestones of active projects due from today to two weeks ahead, soonest first."""
    where = (col(Milestone.due) >= today, col(Milestone.due) < today + timedelta(days=MILESTONE_DAYS),
             Project.status == ProjectStatus.ACTIVE, scope.needs())
    joined = (select(Milestone, Project.number, Need.title).join(Project, col(Project.id) == col(Milestone.project_id))
              .join(Need, col(Need.id) == col(Project.need_id)))
    count = (select(func.count()).select_from(Milestone).join(Project, col(Project.id) == col(Milestone.project_id))
             .join(Need, col(Need.id) == col(Project.need_id)))
    total = await _count(session, count.where(*where))
    rows = (await session.exec(joined.where(*where).order_by(col(Milestone.due), col(Milestone.id))
                               .limit(SHOWN))).all()
    return Listed(tuple(Due(f"PRJ-{number}", title, m.name, m.due) for m, number, title in rows), total)


async def closed(session: AsyncSession, *, scope: Scope, start: datetime, end: datetime) -> Listed[Closed]:
    """Projects closed during the week (done or cancelled), the latest first."""
    # ``closed_at`` is set only by the step that ends a project (``services.closing``).
    where = (col(Project.closed_at) >= start, col(Project.closed_at) < end, scope.needs())
    joined = select(Project, Need.title).join(Need, col(Need.id) == col(Project.need_id))
    count = select(func.count()).select_from(Project).join(Need, col(Need.id) == col(Project.need_id))
    total = await _count(session, count.where(*where))
    rows = (await session.exec(joined.where(*where).order_by(col(Project.closed_at).desc(), col(Project.number))
                               .limit(SHOWN))).all()
    return Listed(tuple(Closed(p.key, title, p.status, p.closing_reason) for p, title in rows), total)


SECTIONS = ("new_needs", "waiting", "decisions", "health", "alerts", "milestones", "closed")


async def gather(session: AsyncSession, *, core: Core, sections: Sequence[str], department: str | None,
                 week: str, start: datetime, end: datetime) -> Facts:
    """The facts of the sections asked for, over the week from ``start`` to ``end``."""
    scope = await scope_of(session, department=department)
    today = core.calendar.local_day(end)
    values: dict[str, Any] = {}
    if "new_needs" in sections:
        values["new_needs"] = await new_needs(session, scope=scope, start=start, end=end)
    if "waiting" in sections:
        values["waiting"], values["waiting_over"] = await waiting_on_it(session, core=core, scope=scope, now=end)
    if "decisions" in sections:
        values["decisions"] = await decisions(session, scope=scope, start=start, end=end)
    if "health" in sections:
        values["health"], values["changed"] = await health(session, scope=scope, start=start, end=end)
    if "alerts" in sections:
        values["alerts"] = await alerts(session, scope=scope)
    if "milestones" in sections:
        values["milestones"] = await milestones(session, scope=scope, today=today)
    if "closed" in sections:
        values["closed"] = await closed(session, scope=scope, start=start, end=end)
    return Facts(week=week, start=start, end=end, today=today, **values)
