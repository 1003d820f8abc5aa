"""Projects: what an approved need becomes (``PRJ-n``), who owns it, and who may act on it.

``open_project`` is called by the committee's approval; calling it twice for
one need gives back the same project (the need is unique on ``project``, and
the insert is a compare-and-set on it).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Estimate, Need, Person
from pmobot.domain.models_governance import Decision, Project
from pmobot.domain.roadmap import Slot
from pmobot.domain.roles import Role
from pmobot.i18n import format_day, format_number, t
from pmobot.messages import Message, Notice
from pmobot.services import audit, baselines, links, outbox, roadmap, scope
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound, Overtaken, Phrase
from pmobot.services.needs import latest_estimate, next_number
from pmobot.services.people import Actor, locale_of

PREFIX = "PRJ"
_KEY = re.compile(r"^\s*(?:PRJ|PROJ|PROJET|PROJECT)?[-#\s]*(\d{1,9})\s*$", re.IGNORECASE)


def parse_key(text: str) -> int:
    """``PRJ-3``, ``prj 3``, ``projet 3`` or ``3`` → 3."""
    m = _KEY.match(text or "")
    if not m:
        raise Invalid("projects.error.key", value=text)
    return int(m.group(1))


def is_project_key(text: str) -> bool:
    """Whether ``text`` names a project rather than a need (``/pmo status PRJ-3``)."""
    return bool(re.match(r"^\s*(?:PRJ|PROJ|PROJET|PROJECT)\b", text or "", re.IGNORECASE))


async def slot_for(session: AsyncSession, *, core: Core, need: Need, estimate: Estimate | None) -> Slot:
    """Where approving ``need`` places it: the roadmap's placement; with no estimate (nothing to place),
    the next business day, for no time at all."""
    if estimate is not None:
        return await roadmap.slot_for(session, core=core, need=need)
    start = core.calendar.add_business_days(core.today(), 1)
    return Slot(start, start)


async def for_need(session: AsyncSession, *, need_id: int) -> Project | None:
    return (await session.exec(select(Project).where(Project.need_id == need_id))).first()


async def open_project(session: AsyncSession, *, core: Core, actor: Actor, need: Need,
                       decision: Decision | None) -> Project:
    """Open the project of an approved need and freeze its baseline v1; the same project on a second call."""
    assert need.id is not None
    existing = await for_need(session, need_id=need.id)
    if existing is not None:
        return existing
    estimate = await latest_estimate(session, need_id=need.id)
    slot = await slot_for(session, core=core, need=need, estimate=estimate)
    now = core.now()
    try:
        # The number is taken inside the savepoint: a lost race gives it back.
        async with session.begin_nested():
            project = Project(
                number=await next_number(session, prefix=PREFIX), need_id=need.id, owner_id=need.claimed_by_id,
                status=ProjectStatus.ACTIVE, planned_start=slot.start, planned_end=slot.end,
                created_at=now, updated_at=now,
            )
            session.add(project)
            await session.flush()
    except IntegrityError:
        won = await for_need(session, need_id=need.id)
        if won is None:
            raise
        return won
    assert project.id is not None
    terms = baselines.first_terms(core=core, need=need, estimate=estimate, start=slot.start, end=slot.end)
    agreed = await scope.agreed(session, need_id=need.id)
    if agreed is not None:
        # What both sides signed off is what the baseline commits to, item by item.
        terms = replace(terms, scope={**terms.scope, **scope.baseline_part(agreed)})
    await baselines.freeze(session, core=core, project_id=project.id, version=1, terms=terms,
                           decision_id=decision.id if decision else None)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="project_opened",
                       to_status=ProjectStatus.ACTIVE,
                       detail={"need": need.key, "decision_id": decision.id if decision else None,
                               "baseline": 1, "start": slot.start.isoformat(), "end": slot.end.isoformat()})
    await _tell_owner(session, core=core, project=project, need=need)
    return project


async def _tell_owner(session: AsyncSession, *, core: Core, project: Project, need: Need) -> None:
    owner = await session.get(Person, project.owner_id) if project.owner_id else None
    if owner is None or owner.id is None:
        return
    loc = locale_of(owner, core)
    text = t(loc, "projects.owner_notice", key=project.key, need=need.key, title=need.title)
    key = keys.project_owner(project.key, owner.id, project.version)
    # No subject: a reply to it is about no need.
    await outbox.to_person(session, core=core, key=key, person=owner, message=Notice(text, "success"))


async def get(session: AsyncSession, *, actor: Actor, key: str) -> tuple[Project, Need]:
    """The project named by ``key`` and its need, if this person may see it: the portfolio roles,
    its owner and the need's requester or co-requesters; otherwise 'not found', worded the same either way."""
    number = parse_key(key)
    project = (await session.exec(select(Project).where(Project.number == number))).first()
    need = await session.get(Need, project.need_id) if project else None
    if project is None or need is None or not await visible(session, actor=actor, project=project, need=need):
        raise NotFound("projects.error.not_found", key=f"{PREFIX}-{number}")
    return project, need


def can_view(actor: Actor, project: Project, need: Need, *, follows: bool = False) -> bool:
    """The portfolio roles, its owner, its need's requester and co-requesters (``follows``, from
    ``links.follows``): who sees a need sees the project it became."""
    return actor.sees_portfolio or actor.id in (project.owner_id, need.requester_id) or follows


async def visible(session: AsyncSession, *, actor: Actor, project: Project, need: Need) -> bool:
    """``can_view``, asking the database whether the person follows the need only when it matters."""
    if can_view(actor, project, need):
        return True
    assert need.id is not None
    return await links.follows(session, need_id=need.id, person_id=actor.id)


def can_manage(actor: Actor, project: Project) -> bool:
    """Milestones and change requests: the project's owner, or the PMO."""
    return actor.has(Role.PMO) or actor.id == project.owner_id


# What only the owner or the PMO may do, by name, for the refusal's wording.
_MANAGED = {"milestone": "projects.action.milestone", "change": "projects.action.change",
            "snooze": "checkin.action.snooze", "update": "checkin.action.update", "done": "projects.action.done"}


def check_manage(actor: Actor, project: Project, action: str) -> None:
    if not can_manage(actor, project):
        raise Forbidden("projects.error.not_owner", key=project.key,
                        action=Phrase(lambda loc: t(loc, _MANAGED[action])))


def closed_on(project: Project, *, core: Core) -> date:
    """The day, in the organisation's time zone, a done or cancelled project was closed."""
    return core.calendar.local_day(project.closed_at or project.updated_at)


# What a project done or cancelled no longer takes, by the step refused (``projects.no_more.*``).
STEPS_REFUSED = frozenset({"baseline", "status", "snooze", "owner"})


def check_active(project: Project, *, core: Core, step: str = "baseline") -> None:
    """The one refusal of a step on a project done or cancelled: since when, and what it no longer takes
    ("PRJ-3 est terminé depuis le 12 décembre 2026 : il ne reçoit plus de point d'avancement")."""
    if project.status == ProjectStatus.ACTIVE:
        return
    assert step in STEPS_REFUSED
    since = closed_on(project, core=core)
    raise Invalid(f"projects.error.{project.status}", key=project.key,
                  since=Phrase(lambda loc: format_day(since, loc)),
                  what=Phrase(lambda loc: t(loc, f"projects.no_more.{step}")))


async def set_owner(session: AsyncSession, *, core: Core, actor: Actor, project: Project, owner: Person) -> None:
    """The PMO hands the project to someone else; a compare-and-set on the project's version."""
    if not actor.has(Role.PMO):
        raise Forbidden("projects.error.only_pmo_owner", key=project.key)
    check_active(project, core=core, step="owner")
    assert owner.id is not None
    if owner.id == project.owner_id:
        return
    before = project.owner_id
    values = {"owner_id": owner.id, "version": project.version + 1, "updated_at": core.now()}
    cas = (update(Project).where(col(Project.id) == project.id, col(Project.version) == project.version)
           .values(**values).returning(col(Project.id)).execution_options(synchronize_session=False))
    if (await session.exec(cas)).scalar_one_or_none() is None:
        raise Overtaken("projects.error.overtaken", key=project.key)
    for name, value in values.items():
        set_committed_value(project, name, value)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="owner_changed",
                       detail={"from": before, "to": owner.id})
    need = await session.get(Need, project.need_id)
    if need is not None:
        await _tell_owner(session, core=core, project=project, need=need)


async def active(session: AsyncSession) -> list[Project]:
    rows = await session.exec(select(Project).where(Project.status == ProjectStatus.ACTIVE)
                              .order_by(col(Project.number)))
    return list(rows.all())


async def add_milestone(session: AsyncSession, *, core: Core, actor: Actor, key: str, name: str, due: date,
                        weight: float | None) -> list[Message]:
    """The owner or the PMO adds a milestone; it joins the baseline in force (refused after its end)."""
    project, _ = await get(session, actor=actor, key=key)
    check_manage(actor, project, "milestone")
    check_active(project, core=core)
    name = name.strip()[:200]
    if not name:
        raise Invalid("projects.error.milestone_usage")
    if weight is not None and not 0 < weight <= 100:
        typed = weight  # as the reader writes numbers: -3, not -3.0
        raise Invalid("projects.error.milestone_weight", weight=Phrase(lambda loc: format_number(typed, loc)))
    if not core.calendar.is_business_day(due):
        before = core.calendar.business_day_on_or_before(due)
        raise Invalid("projects.error.milestone_not_business_day", name=name,
                      due=Phrase(lambda loc: format_day(due, loc)), before=Phrase(lambda loc: format_day(before, loc)))
    assert project.id is not None
    row, baseline = await baselines.add_milestone(session, core=core, project_id=project.id, name=name, due=due,
                                                  weight=weight, actor_id=actor.id)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="milestone_added",
                       detail={"name": name, "due": due.isoformat(), "weight": weight, "baseline": baseline.version})
    return [Notice(t(actor.locale, "projects.milestone_added", key=project.key, name=row.name,
                     due=format_day(due, actor.locale), version=baseline.version), "success")]
