"""Status updates for spreadsheets: one row per update of every project, never edited, corrections
included as their own rows. Same conventions as ``services.export`` (which lists this table)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Person
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.services.core import Core

Row = dict[str, object]

STATUS_FIELDS = ("project", "number", "percent_complete", "spend", "spend_currency", "health", "schedule_health",
                 "cost_health", "scope_health", "comments", "forecast_end", "milestone_forecasts", "risks",
                 "blockers", "decisions_needed", "reason", "corrects", "via", "author", "created_at")


async def status_updates(session: AsyncSession, *, core: Core) -> list[Row]:
    keys = {p.id: p.key for p in (await session.exec(select(Project))).all()}
    names = {p.id: p.display_name for p in (await session.exec(select(Person))).all()}
    rows = (await session.exec(select(StatusUpdate).order_by(col(StatusUpdate.project_id),
                                                             col(StatusUpdate.number)))).all()
    numbers = {u.id: u.number for u in rows}
    return [{
        "project": keys.get(u.project_id), "number": u.number, "percent_complete": u.percent_complete,
        "spend": f"{Decimal(u.spend):.2f}", "spend_currency": u.currency, "health": u.health,
        "schedule_health": u.schedule_health, "cost_health": u.cost_health, "scope_health": u.scope_health,
        "comments": [f"{dimension}: {text}" for dimension, text in u.comments.items()],
        "forecast_end": u.forecast_end.isoformat() if u.forecast_end else None,
        "milestone_forecasts": [f"{f.get('name')} ({f.get('forecast')})" for f in u.forecasts],
        "risks": u.risks or None, "blockers": u.blockers or None, "decisions_needed": u.decisions_needed or None,
        "reason": u.reason or None, "corrects": numbers.get(u.corrects_id) if u.corrects_id else None,
        "via": u.via, "author": names.get(u.author_id), "created_at": u.created_at.isoformat(timespec="seconds"),
    } for u in rows]


def status_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(STATUS_FIELDS)
