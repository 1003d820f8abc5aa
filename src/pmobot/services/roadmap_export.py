"""The roadmap and IT's capacity for spreadsheets (``pmobot export roadmap|capacity``).

Rows in the schema of ``services.export``: dates ISO 8601, times in UTC, an
empty value null (JSON) or an empty cell (CSV).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Person
from pmobot.domain.models_governance import Capacity
from pmobot.services import roadmap
from pmobot.services.core import Core

Row = dict[str, object]

ROADMAP_FIELDS = ("key", "need", "title", "kind", "start", "end", "business_days", "effort_person_days",
                  "desired_date", "late_days", "stretched")
CAPACITY_FIELDS = ("effective_from", "person_days_per_month", "set_by", "set_at")


def _kind(entry: roadmap.Entry) -> str:
    if entry.work.tentative:
        return "candidate"
    return "under_way" if entry.work.pinned else "committed"


async def roadmap_rows(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every piece of work as the roadmap places it today, in the order it is served."""
    portfolio, plan = await roadmap.plan(session, core=core)
    placed = {p.key: p for p in plan.placements}
    rows: list[Row] = []
    for entry in portfolio.entries():
        p = placed[entry.work.key]
        rows.append({
            "key": entry.work.key, "need": entry.need.key, "title": entry.need.title, "kind": _kind(entry),
            "start": p.slot.start.isoformat(), "end": p.slot.end.isoformat(), "business_days": p.days,
            "effort_person_days": round(entry.work.effort, 2),
            "desired_date": entry.work.desired.isoformat() if entry.work.desired else None,
            "late_days": p.late_by, "stretched": p.stretched,
        })
    return rows


def roadmap_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(ROADMAP_FIELDS)


async def capacity_rows(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every capacity the PMO set, oldest first: the history of what IT could deliver."""
    rows = (await session.exec(select(Capacity, Person).join(Person, col(Person.id) == col(Capacity.set_by_id))
                               .order_by(col(Capacity.id)))).all()
    return [{"effective_from": c.effective_from.isoformat(), "person_days_per_month": c.person_days_per_month,
             "set_by": p.display_name, "set_at": c.set_at.isoformat(timespec="seconds")} for c, p in rows]


def capacity_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(CAPACITY_FIELDS)
