"""A project's baselines: what both sides committed to, one version per approved change.

A baseline row is never edited: v1 is frozen when the project opens, and an
approved change request makes the next version from the one in force. The
milestones in force are copied into every new version, so each version reads
on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Estimate, Need
from pmobot.domain.models_governance import Baseline, Milestone
from pmobot.services.core import Core
from pmobot.services.errors import Invalid, Overtaken


@dataclass(frozen=True)
class Terms:
    """What a baseline commits to, before it is stored."""

    start: date
    end: date
    budget: Decimal
    currency: str
    effort: float
    scope: dict[str, Any]


def first_terms(*, core: Core, need: Need, estimate: Estimate | None, start: date, end: date) -> Terms:
    """Baseline v1 from the need and its latest estimate (cost, likely effort); with no estimate,
    the requester's budget if any, and no effort."""
    scope: dict[str, Any] = {"title": need.title, "problem": need.problem}
    if estimate is not None:
        scope["estimate_version"] = estimate.version
        return Terms(start=start, end=end, budget=Decimal(estimate.cost), currency=estimate.currency,
                     effort=float(estimate.effort_likely), scope=scope)
    return Terms(start=start, end=end, budget=Decimal(need.budget or 0), currency=need.currency or "EUR",
                 effort=0.0, scope=scope)


def terms_of(baseline: Baseline) -> Terms:
    """The terms a stored baseline commits to, for the next version to start from."""
    return Terms(start=baseline.start, end=baseline.end, budget=Decimal(baseline.budget), currency=baseline.currency,
                 effort=baseline.effort, scope=dict(baseline.scope))


async def versions(session: AsyncSession, *, project_id: int) -> list[Baseline]:
    """Every baseline of the project, v1 first."""
    rows = await session.exec(select(Baseline).where(Baseline.project_id == project_id)
                              .order_by(col(Baseline.version)))
    return list(rows.all())


async def in_force(session: AsyncSession, *, project_id: int) -> Baseline | None:
    rows = await session.exec(select(Baseline).where(Baseline.project_id == project_id)
                              .order_by(col(Baseline.version).desc()).limit(1))
    return rows.first()


async def milestones(session: AsyncSession, *, project_id: int) -> list[Milestone]:
    rows = await session.exec(select(Milestone).where(Milestone.project_id == project_id)
                              .order_by(col(Milestone.due), col(Milestone.id)))
    return list(rows.all())


def milestone_entry(milestone: Milestone) -> dict[str, Any]:
    """How a milestone is kept inside a baseline."""
    return {"name": milestone.name, "due": milestone.due.isoformat(), "weight": milestone.weight}


async def freeze(session: AsyncSession, *, core: Core, project_id: int, version: int, terms: Terms,
                 decision_id: int | None = None, change_request_id: int | None = None) -> Baseline:
    """Store baseline ``version`` with the project's milestones; two writers of one version: one wins,
    the other is told it was overtaken."""
    entries = [milestone_entry(m) for m in await milestones(session, project_id=project_id)]
    row = Baseline(
        project_id=project_id, version=version, start=terms.start, end=terms.end, budget=terms.budget,
        currency=terms.currency, effort=terms.effort, scope=dict(terms.scope), milestones=entries,
        decision_id=decision_id, change_request_id=change_request_id, created_at=core.now(),
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Overtaken("projects.error.baseline_overtaken", version=version) from None
    return row


async def add_milestone(session: AsyncSession, *, core: Core, project_id: int, name: str, due: date,
                        weight: float | None, actor_id: int) -> tuple[Milestone, Baseline]:
    """A milestone under the baseline in force, which lists it from now on; refused after its end.

    The baseline's committed terms (dates, budget, scope) are untouched: its milestone list is the
    owner's plan inside them, and every later version starts from it.
    """
    baseline = await in_force(session, project_id=project_id)
    assert baseline is not None  # frozen when the project opened
    if due > baseline.end:
        raise Invalid("projects.error.milestone_after_end", name=name, end=baseline.end.isoformat(),
                      version=baseline.version)
    if due < baseline.start:
        raise Invalid("projects.error.milestone_before_start", name=name, start=baseline.start.isoformat())
    row = Milestone(project_id=project_id, name=name, due=due, weight=weight, baseline_version=baseline.version,
                    created_by_id=actor_id, created_at=core.now())
    session.add(row)
    await session.flush()
    baseline.milestones = [milestone_entry(m) for m in await milestones(session, project_id=project_id)]
    session.add(baseline)
    return row, baseline
