"""Snoozes: a project on hold asks for no check-in and raises no drift alert until a date.

A snooze is set by the project's owner or the PMO with a reason, until a date that is not in the
past; setting another replaces it (the earlier one is lifted), and ``lift`` ends it early.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import Snooze
from pmobot.i18n import format_day
from pmobot.services import audit, projects
from pmobot.services.core import Core
from pmobot.services.errors import Invalid, Phrase
from pmobot.services.people import Actor

# A snooze is for a pause, not for a project given up: cancel it instead.
MAX_DAYS = 366


async def current(session: AsyncSession, *, project_id: int, today: date) -> Snooze | None:
    rows = await session.exec(select(Snooze).where(Snooze.project_id == project_id, col(Snooze.lifted_at).is_(None),
                                                   col(Snooze.until) >= today).order_by(col(Snooze.id).desc()))
    return rows.first()


async def active(session: AsyncSession, *, core: Core, today: date) -> dict[int, Snooze]:
    """The snoozes in force on ``today``, by project id; one query."""
    rows = await session.exec(select(Snooze).where(col(Snooze.lifted_at).is_(None), col(Snooze.until) >= today)
                              .order_by(col(Snooze.id)))
    return {row.project_id: row for row in rows.all()}


async def snooze(session: AsyncSession, *, core: Core, actor: Actor, project: Project, until: date,
                 reason: str) -> Snooze:
    """Put ``project`` on hold until ``until`` (included): its owner or the PMO, with a reason."""
    projects.check_manage(actor, project, "snooze")
    projects.check_active(project, core=core, step="snooze")
    today = core.today()
    if until < today:
        raise Invalid("checkin.error.snooze_past", key=project.key, until=Phrase(lambda loc: format_day(until, loc)))
    if (until - today).days > MAX_DAYS:
        raise Invalid("checkin.error.snooze_too_long", key=project.key)
    reason = reason.strip()[:1000]
    if not reason:
        raise Invalid("checkin.error.snooze_reason", key=project.key)
    assert project.id is not None
    await _lift_all(session, core=core, project_id=project.id)
    row = Snooze(project_id=project.id, until=until, reason=reason, set_by_id=actor.id, set_at=core.now())
    session.add(row)
    await session.flush()
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="snoozed", reason=reason,
                       detail={"until": until.isoformat()})
    return row


async def lift(session: AsyncSession, *, core: Core, actor: Actor, project: Project) -> bool:
    """End the project's snooze now; False when there was none."""
    projects.check_manage(actor, project, "snooze")
    assert project.id is not None
    if not await _lift_all(session, core=core, project_id=project.id):
        return False
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="snooze_lifted")
    return True


async def _lift_all(session: AsyncSession, *, core: Core, project_id: int) -> int:
    result = await session.exec(update(Snooze).where(col(Snooze.project_id) == project_id,
                                                     col(Snooze.lifted_at).is_(None))
                                .values(lifted_at=core.now()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
