"""A project drifting: a status update far behind plan stored as a check-in would, and the scan it triggers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from pmobot.app import App
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.services import drift

# PRJ-1's baseline runs 26 November - 23 December 2026; by Thursday 10 December 55 % of it was planned.
DRIFT_DAY = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)


async def drifting(app: App, project_key: str, *, percent: float = 40, spend: int = 30000,
                   at: datetime = DRIFT_DAY, health: str = "red") -> None:
    """``project_key`` reports ``percent`` done for ``spend`` on ``at`` (overall and schedule ``health``); the
    scan runs as after any update."""
    number = int(project_key.split("-")[1])
    async with app.db.session() as session:
        project = (await session.exec(select(Project).where(Project.number == number))).one()
        assert project.id is not None and project.owner_id is not None
        count = len((await session.exec(select(StatusUpdate.id).where(StatusUpdate.project_id == project.id))).all())
        session.add(StatusUpdate(project_id=project.id, number=count + 1, author_id=project.owner_id,
                                 percent_complete=percent, spend=Decimal(spend), currency="EUR", health=health,
                                 schedule_health=health, cost_health="amber" if health == "red" else health,
                                 scope_health="green", created_at=at))
        await session.flush()
        await drift.scan_project(session, core=app.core, project_id=project.id, now=at)
