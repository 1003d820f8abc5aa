"""Projects for spreadsheets: the projects, every baseline version, the milestones, the change requests.

Same conventions as ``services.export`` (which lists these tables): amounts are decimal strings
with two places beside a currency column, dates ISO 8601, times ISO 8601 in UTC, an empty value
null in JSON and an empty cell in CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain import keys
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import Baseline, ChangeRequest, Milestone, Project
from pmobot.services.core import Core

Row = dict[str, object]

PROJECT_FIELDS = ("key", "need", "title", "status", "owner", "baseline_version", "start", "end", "budget",
                  "budget_currency", "effort", "created_at", "closed_at", "closed_by", "closing_reason")
BASELINE_FIELDS = ("project", "version", "start", "end", "budget", "budget_currency", "effort", "scope_title",
                   "scope_version", "in_scope", "milestones", "decision_id", "change_request", "created_at")
MILESTONE_FIELDS = ("project", "name", "due", "weight", "baseline_version", "created_by", "created_at")
CHANGE_FIELDS = ("project", "change_request", "status", "new_end", "new_budget", "new_budget_currency", "scope_note",
                 "scope_added", "scope_removed", "reason", "requested_by", "requested_at", "decided_at")


def _money(value: Decimal | str | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _day(value: date | str | None) -> str | None:
    return None if value is None else str(value) if isinstance(value, str) else value.isoformat()


async def _context(session: AsyncSession) -> tuple[dict[int, Project], dict[int, Need], dict[int, str]]:
    projects = {p.id or 0: p for p in (await session.exec(select(Project).order_by(col(Project.number)))).all()}
    needs = {n.id or 0: n for n in (await session.exec(select(Need))).all()}
    names = {p.id or 0: p.display_name for p in (await session.exec(select(Person))).all()}
    return projects, needs, names


async def _baselines(session: AsyncSession) -> list[Baseline]:
    rows = await session.exec(select(Baseline).order_by(col(Baseline.project_id), col(Baseline.version)))
    return list(rows.all())


async def projects(session: AsyncSession, *, core: Core) -> list[Row]:
    """One row per project, with the baseline in force."""
    by_id, needs, names = await _context(session)
    in_force = {b.project_id: b for b in await _baselines(session)}
    out: list[Row] = []
    for project in by_id.values():
        need, baseline = needs[project.need_id], in_force.get(project.id or 0)
        out.append({
            "key": project.key, "need": need.key, "title": need.title, "status": project.status,
            "owner": names.get(project.owner_id or 0), "baseline_version": baseline.version if baseline else None,
            "start": _day(baseline.start) if baseline else None, "end": _day(baseline.end) if baseline else None,
            "budget": _money(baseline.budget) if baseline else None,
            "budget_currency": baseline.currency if baseline else None,
            "effort": baseline.effort if baseline else None,
            "created_at": project.created_at.isoformat(timespec="seconds"),
            # Done or cancelled: when, by whom, and the closing note or the reason.
            "closed_at": project.closed_at.isoformat(timespec="seconds") if project.closed_at else None,
            "closed_by": names.get(project.closed_by_id or 0),
            "closing_reason": project.closing_reason or None,
        })
    return out


async def baselines(session: AsyncSession, *, core: Core) -> list[Row]:
    """Every baseline version of every project, the old ones kept."""
    by_id, _, _ = await _context(session)
    changes = {c.id: c for c in (await session.exec(select(ChangeRequest))).all()}
    out: list[Row] = []
    for baseline in await _baselines(session):
        project = by_id[baseline.project_id]
        change = changes.get(baseline.change_request_id) if baseline.change_request_id else None
        out.append({
            "project": project.key, "version": baseline.version, "start": _day(baseline.start),
            "end": _day(baseline.end), "budget": _money(baseline.budget), "budget_currency": baseline.currency,
            "effort": baseline.effort, "scope_title": baseline.scope.get("title"),
            "scope_version": baseline.scope.get("version"), "in_scope": baseline.scope.get("in_scope"),
            "milestones": [f"{m.get('name')} ({m.get('due')})" for m in baseline.milestones],
            "decision_id": baseline.decision_id,
            "change_request": keys.change_subject(project.key, change.number) if change else None,
            "created_at": baseline.created_at.isoformat(timespec="seconds"),
        })
    return out


async def milestones(session: AsyncSession, *, core: Core) -> list[Row]:
    by_id, _, names = await _context(session)
    rows = await session.exec(select(Milestone).order_by(col(Milestone.project_id), col(Milestone.due)))
    return [{"project": by_id[m.project_id].key, "name": m.name, "due": _day(m.due), "weight": m.weight,
             "baseline_version": m.baseline_version, "created_by": names.get(m.created_by_id),
             "created_at": m.created_at.isoformat(timespec="seconds")} for m in rows.all()]


async def change_requests(session: AsyncSession, *, core: Core) -> list[Row]:
    by_id, _, names = await _context(session)
    rows = await session.exec(select(ChangeRequest).order_by(col(ChangeRequest.project_id),
                                                             col(ChangeRequest.number)))
    out: list[Row] = []
    for change in rows.all():
        project = by_id[change.project_id]
        proposed = change.proposed
        out.append({
            "project": project.key, "change_request": keys.change_subject(project.key, change.number),
            "status": change.status, "new_end": _day(proposed.get("end")), "new_budget": _money(proposed.get("budget")),
            "new_budget_currency": proposed.get("currency"), "scope_note": proposed.get("scope"),
            "scope_added": proposed.get("scope_add"), "scope_removed": proposed.get("scope_remove"),
            "reason": change.reason or None, "requested_by": names.get(change.requested_by_id),
            "requested_at": change.requested_at.isoformat(timespec="seconds"),
            "decided_at": change.decided_at.isoformat(timespec="seconds") if change.decided_at else None,
        })
    return out


def project_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(PROJECT_FIELDS)


def baseline_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(BASELINE_FIELDS)


def milestone_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(MILESTONE_FIELDS)


def change_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(CHANGE_FIELDS)
