"""The audit trail: who did what, when, from which status to which, and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import AuditEvent
from pmobot.services.core import Core


async def record(
    session: AsyncSession,
    *,
    core: Core,
    actor_id: int | None,
    subject: str,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=core.now(), actor_id=actor_id, subject=subject, action=action,
        from_status=from_status, to_status=to_status, reason=reason, detail=detail or {},
    )
    session.add(event)
    return event


# Read by every status: built once.
_HISTORY = select(AuditEvent).where(col(AuditEvent.subject) == bindparam("subject")).order_by(col(AuditEvent.id))


async def history(session: AsyncSession, *, subject: str) -> list[AuditEvent]:
    rows = await session.exec(_HISTORY, params={"subject": subject})
    return list(rows.all())
