"""The roadmap from the database: what is placed, where a need would go, what approving it would move.

What is placed, in this order (``domain.roadmap`` does the placing):

1. Projects under way (active, their baseline, or planned, start on or before
   today): they keep their dates and use the capacity first.
2. What is committed and not started: active projects not started yet (never
   before their committed start), and approved needs that are not a project
   yet, in ranking order. Approving a
   need puts it among these by its rank, so it may push a project that has
   not started ("PRJ-3 would then end in May instead of March").
3. On the roadmap only, the candidates (estimated, or ready for decision), in
   ranking order after everything committed, marked "if approved".

Ranking order is the published score (``services.scoring.ranking``),
highest first; needs without a score yet come after, by decision date then
need number (a need not decided yet after everything decided).

A project's effort and dates come from its baseline in force (the latest
version), else from its need's latest estimate: likely effort (person-days)
and duration (business days).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import roadmap
from pmobot.domain.lifecycle import NeedStatus, ProjectStatus
from pmobot.domain.models import Estimate, Need
from pmobot.domain.models_governance import Baseline, Capacity, Decision, Project
from pmobot.domain.roadmap import CapacityChange, Impact, Plan, Slot, Work
from pmobot.i18n import format_month, format_short_day, format_span, sentences, t
from pmobot.services import scoring
from pmobot.services.core import Core
from pmobot.services.errors import Invalid

__all__ = ["Impact", "Slot", "explain_impact", "impact_of", "load", "plan", "slot_for"]

# Estimated needs the committee may be asked about: the candidates shown "if approved".
CANDIDATE_STATUSES = (NeedStatus.ESTIMATED, NeedStatus.READY_FOR_DECISION)
# Moves listed one by one in an explanation; the rest are counted.
_MOVES_SHOWN = 5


@dataclass(frozen=True)
class Entry:
    """One line of the roadmap: the work placed, and the need (and project) behind it."""

    work: Work
    need: Need
    project: Project | None = None

    @property
    def committed(self) -> bool:
        return not self.work.tentative


@dataclass(frozen=True)
class Portfolio:
    """Everything the roadmap places, read once: under way, committed, candidates (each in rank order)."""

    pinned: tuple[Entry, ...]
    committed: tuple[Entry, ...]
    candidates: tuple[Entry, ...]
    capacity: tuple[CapacityChange, ...]
    estimates: dict[int, Estimate]
    decided: dict[int, datetime]

    def entries(self) -> tuple[Entry, ...]:
        return self.pinned + self.committed + self.candidates

    def find(self, need: Need) -> Entry | None:
        return next((e for e in self.entries() if e.need.id == need.id), None)


async def capacity_changes(session: AsyncSession) -> tuple[CapacityChange, ...]:
    """IT's capacity over time: for each month it was set from, the latest value set."""
    rows = await session.exec(select(Capacity).order_by(col(Capacity.effective_from), col(Capacity.id)))
    latest = {row.effective_from: row.person_days_per_month for row in rows.all()}
    return tuple(CapacityChange(day, value) for day, value in sorted(latest.items()))


async def _latest_by_need(session: AsyncSession, need_ids: Sequence[int]) -> dict[int, Estimate]:
    out: dict[int, Estimate] = {}
    if need_ids:
        rows = await session.exec(select(Estimate).where(col(Estimate.need_id).in_(need_ids))
                                  .order_by(col(Estimate.version)))
        out = {row.need_id: row for row in rows.all()}
    return out


async def _baselines(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, Baseline]:
    out: dict[int, Baseline] = {}
    if project_ids:
        rows = await session.exec(select(Baseline).where(col(Baseline.project_id).in_(project_ids))
                                  .order_by(col(Baseline.version)))
        out = {row.project_id: row for row in rows.all()}
    return out


async def _approvals(session: AsyncSession, need_ids: Sequence[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    if need_ids:
        rows = await session.exec(
            select(Decision).where(col(Decision.need_id).in_(need_ids), Decision.outcome == "approved",
                                   col(Decision.change_request_id).is_(None)).order_by(col(Decision.decided_at)))
        out = {row.need_id: row.decided_at for row in rows.all()}
    return out


def rank(needs: Iterable[Need], decided: dict[int, datetime]) -> list[Need]:
    """Needs without a score in the order they are served: decision date (undecided last), then need number."""
    far = datetime.max.replace(tzinfo=None)

    def key(need: Need) -> tuple[datetime, int]:
        when = decided.get(need.id or 0)
        return (when.replace(tzinfo=None) if when else far, need.number)

    return sorted(needs, key=key)


async def ranked(session: AsyncSession, *, core: Core, needs: Sequence[Need],
                 decided: dict[int, datetime]) -> list[Need]:
    """Needs in the order they are served: by the published score (``scoring.ranking``), highest first;
    those without a score yet after them, by decision date then need number."""
    views = await scoring.ranking(session, core=core, needs=needs)
    scored = [need for need, view in views if view.value is not None]
    return scored + rank([need for need, view in views if view.value is None], decided)


def _estimate_work(key: str, need: Need, estimate: Estimate, *, tentative: bool = False) -> Work:
    return Work(key, effort=estimate.effort_likely, duration=estimate.duration_days, desired=need.desired_date,
                tentative=tentative)


def _project_work(core: Core, project: Project, need: Need, baseline: Baseline | None,
                  estimate: Estimate | None) -> Work | None:
    today = core.today()
    if baseline is not None:
        days = core.calendar.business_days_in(baseline.start, baseline.end)
        pinned = (baseline.start, baseline.end) if baseline.start <= today else None
        return Work(project.key, effort=baseline.effort, duration=days, desired=need.desired_date, pinned=pinned,
                    not_before=baseline.start)
    if estimate is None:
        return None
    start, end = project.planned_start, project.planned_end
    pinned = (start, end) if start is not None and end is not None and start <= today else None
    return Work(project.key, effort=estimate.effort_likely, duration=estimate.duration_days,
                desired=need.desired_date, pinned=pinned, not_before=start)


async def load(session: AsyncSession, *, core: Core) -> Portfolio:
    """Read what the roadmap places: active projects, approved needs without one, candidates."""
    projects = list((await session.exec(select(Project).where(Project.status == ProjectStatus.ACTIVE))).all())
    project_need_ids = {p.need_id for p in projects}
    statuses = (NeedStatus.APPROVED, *CANDIDATE_STATUSES)
    needs = {n.id: n for n in (await session.exec(
        select(Need).where(col(Need.status).in_(statuses) | col(Need.id).in_(project_need_ids)))).all()}
    need_ids = [i for i in needs if i is not None]
    estimates = await _latest_by_need(session, need_ids)
    baselines = await _baselines(session, [p.id for p in projects if p.id is not None])
    decided = await _approvals(session, need_ids)
    by_need = {p.need_id: p for p in projects}
    pinned: list[Entry] = []
    committed: list[Entry] = []
    candidates: list[Entry] = []
    for need in await ranked(session, core=core, needs=list(needs.values()), decided=decided):
        assert need.id is not None
        estimate = estimates.get(need.id)
        project = by_need.get(need.id)
        if project is not None:
            work = _project_work(core, project, need, baselines.get(project.id or 0), estimate)
            if work is not None:
                (pinned if work.pinned else committed).append(Entry(work, need, project))
        elif estimate is None:
            continue
        elif need.status == NeedStatus.APPROVED:
            committed.append(Entry(_estimate_work(need.key, need, estimate), need))
        elif need.status in CANDIDATE_STATUSES:
            candidates.append(Entry(_estimate_work(need.key, need, estimate, tentative=True), need))
    return Portfolio(tuple(pinned), tuple(committed), tuple(candidates), await capacity_changes(session),
                     estimates, decided)


def place(core: Core, entries: Iterable[Entry], capacity: Sequence[CapacityChange]) -> Plan:
    return roadmap.place((e.work for e in entries), today=core.today(), capacity=capacity,
                         is_business_day=core.calendar.is_business_day)


async def plan(session: AsyncSession, *, core: Core) -> tuple[Portfolio, Plan]:
    """The roadmap as it stands: what is committed, then the candidates if they were approved in rank order."""
    portfolio = await load(session, core=core)
    return portfolio, place(core, portfolio.entries(), portfolio.capacity)


async def _with_need(session: AsyncSession, core: Core, need: Need) -> tuple[Portfolio, list[Entry], Entry]:
    """What is committed, and the same with ``need`` approved (at its rank among the work not started)."""
    portfolio = await load(session, core=core)
    own = portfolio.find(need)
    if own is not None and own.committed:
        return portfolio, list(portfolio.pinned + portfolio.committed), own
    assert need.id is not None
    estimate = portfolio.estimates.get(need.id) or (await _latest_by_need(session, [need.id])).get(need.id)
    if estimate is None:
        raise Invalid("roadmap.error.no_estimate", key=need.key)
    entry = Entry(_estimate_work(need.key, need, estimate), need)
    order = await ranked(session, core=core, needs=[e.need for e in portfolio.committed] + [need],
                         decided=portfolio.decided)
    by_need = {e.need.id: e for e in portfolio.committed} | {need.id: entry}
    return portfolio, list(portfolio.pinned) + [by_need[n.id] for n in order], entry


async def slot_for(session: AsyncSession, *, core: Core, need: Need) -> Slot:
    """Where approving ``need`` would place it, after what is under way and what outranks it.

    A need already committed (approved, or a project) gets its current slot.
    A need without an estimate is refused: its effort is not known.
    """
    portfolio, entries, own = await _with_need(session, core, need)
    placed = place(core, entries, portfolio.capacity).get(own.work.key)
    assert placed is not None
    return placed.slot


async def impact_of(session: AsyncSession, *, core: Core, need: Need) -> Impact:
    """What approving ``need`` would do to what is committed: its slot, what moves, desired dates missed."""
    portfolio, entries, own = await _with_need(session, core, need)
    others = [e for e in entries if e.work.key != own.work.key]
    before = place(core, others, portfolio.capacity)
    after = place(core, entries, portfolio.capacity)
    return roadmap.impact(before, after, own.work.key)


def _when(day: date, other: date, locale: str, *, before: bool = False) -> str:
    """ "in May" when the two dates fall in different months, else "on 9 April" (or bare, ``before``)."""
    if (day.year, day.month) == (other.year, other.month):
        key = "roadmap.when.before_day" if before else "roadmap.when.day"
        return t(locale, key, day=format_short_day(day, locale))
    key = "roadmap.when.before_month" if before else "roadmap.when.month"
    return t(locale, key, month=format_month(day, locale, year=day.year != other.year))


def explain_impact(impact: Impact, locale: str) -> str:
    """In plain words: where it would go, what would end later, which desired dates would be missed."""
    lines = [t(locale, "roadmap.impact.slot", key=impact.key, start=format_short_day(impact.slot.start, locale),
               end=format_short_day(impact.slot.end, locale), year=impact.slot.end.year)]
    moves = [m for m in impact.moves if m.days]
    for move in moves[:_MOVES_SHOWN]:
        when = _when(move.after.end, move.before.end, locale)
        before = _when(move.before.end, move.after.end, locale, before=True)
        name = "roadmap.impact.later" if move.days > 0 else "roadmap.impact.earlier"
        lines.append(t(locale, name, key=move.key, when=when, before=before))
    if len(moves) > _MOVES_SHOWN:
        lines.append(t(locale, "roadmap.impact.more_moves", count=len(moves) - _MOVES_SHOWN))
    for miss in impact.misses:
        lines.append(t(locale, "roadmap.impact.missed", key=miss.key, desired=format_short_day(miss.desired, locale),
                       late=format_span(miss.days, locale)))
    if not moves and not impact.misses:
        lines.append(t(locale, "roadmap.impact.nothing_moves"))
    return sentences(lines[0], t(locale, "roadmap.separator").join(lines[1:]))
