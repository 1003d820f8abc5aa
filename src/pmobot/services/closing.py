"""Ending a project: marked done by its owner or the PMO, cancelled by the PMO with a reason.

Closing is one compare-and-set on the project (still active, at the version it was read at): of two
closings at once exactly one is written, and the other is told who closed it and when. The winner's
unit of work then does everything closing means, so none of it happens twice or half:

- the audit event (who, when, from, to, why) and the closing columns every later refusal reads
  ("PRJ-3 est terminé depuis le …", ``projects.check_active``);
- a roadmap event, for the day's roadmap update (``roadmap_events.closed``); the roadmap, the check-ins,
  their reminders and the drift scan read active projects only, so its capacity is freed and they stop;
- its open drift alerts closed through the alert store, with the short closing notice of
  ``alert_notices`` saying why; a snooze in force lifted; changes waiting for the committee withdrawn;
- its owner, its need's requester and co-requesters told through the outbox, each in their language.

Cancelling reverses a committee decision, so only the PMO, who runs the portfolio for the committee, may
do it, and only with a reason; marking done is the owner's word (or the PMO's), with an optional note.

No final status update is recorded: an update is the owner's word on percent, spend and health, and one
made up at closing (100 %, last week's spend) would put figures in their mouth that drift, the digest
and the export then read as said. The closing note is the last word; the reply says what the last real
update said when it is short of 100 %.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import ChangeRequest, Project
from pmobot.domain.roles import Role
from pmobot.i18n import format_day, format_number, t
from pmobot.messages import Message, Notice
from pmobot.services import (
    alert_notices,
    alert_store,
    alerts,
    audit,
    changes,
    links,
    outbox,
    projects,
    roadmap_events,
    snoozes,
    status_updates,
)
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, Overtaken, Phrase, PmoError
from pmobot.services.needs import person
from pmobot.services.people import Actor, locale_of

REASON_MAX = 1000
WITHDRAWN = "withdrawn"


async def finish(session: AsyncSession, *, core: Core, actor: Actor, key: str, note: str = "") -> list[Message]:
    """Mark the project ``key`` done: its owner or the PMO, with an optional closing note."""
    project, need = await projects.get(session, actor=actor, key=key)
    projects.check_manage(actor, project, "done")
    await refuse_closed(session, core=core, project=project)
    return await _close(session, core=core, actor=actor, project=project, need=need, to=ProjectStatus.DONE,
                        reason=note.strip()[:REASON_MAX])


async def cancel(session: AsyncSession, *, core: Core, actor: Actor, key: str, reason: str) -> list[Message]:
    """Cancel the project ``key``: the PMO only, with a reason."""
    project, need = await projects.get(session, actor=actor, key=key)
    if not actor.has(Role.PMO):
        raise Forbidden("closing.error.only_pmo", key=project.key)
    await refuse_closed(session, core=core, project=project)
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise Invalid("closing.error.reason", key=project.key)
    return await _close(session, core=core, actor=actor, project=project, need=need, to=ProjectStatus.CANCELLED,
                        reason=reason)


async def refuse_closed(session: AsyncSession, *, core: Core, project: Project) -> None:
    """A project closed already: who closed it and when, as a refusal (nothing is changed)."""
    if project.status != ProjectStatus.ACTIVE:
        raise await _closed_by(session, core=core, project=project, error=Invalid)


async def _closed_by(session: AsyncSession, *, core: Core, project: Project, error: type[PmoError]) -> PmoError:
    # Read now: the session rolls back before the refusal is rendered.
    who = await person(session, project.closed_by_id)
    name = who.display_name if who is not None else "pmobot"
    since = projects.closed_on(project, core=core)
    return error(f"closing.error.already_{project.status}", key=project.key, who=name,
                 since=Phrase(lambda loc: format_day(since, loc)))


async def _close(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need,
                 to: ProjectStatus, reason: str) -> list[Message]:
    assert project.id is not None
    now = core.now()
    values = {"status": str(to), "version": project.version + 1, "updated_at": now, "closed_at": now,
              "closed_by_id": actor.id, "closing_reason": reason}
    cas = (update(Project).where(col(Project.id) == project.id, col(Project.status) == ProjectStatus.ACTIVE,
                                 col(Project.version) == project.version)
           .values(**values).returning(col(Project.id)).execution_options(synchronize_session=False))
    if (await session.exec(cas)).scalar_one_or_none() is None:
        await session.refresh(project)
        if project.status != ProjectStatus.ACTIVE:
            raise await _closed_by(session, core=core, project=project, error=Overtaken)
        raise Overtaken("projects.error.overtaken", key=project.key)  # its owner changed meanwhile
    for name, value in values.items():
        set_committed_value(project, name, value)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action=f"project_{to}",
                       from_status=ProjectStatus.ACTIVE, to_status=to, reason=reason, detail={"need": need.key})
    await roadmap_events.closed(session, core=core, project=project, need=need, reason=reason)
    closed = await _close_alerts(session, core=core, project=project)
    if await snoozes.current(session, project_id=project.id, today=core.today()) is not None:
        await snoozes.lift(session, core=core, actor=actor, project=project)
    withdrawn = await _withdraw_changes(session, core=core, project=project)
    told = await _tell(session, core=core, actor=actor, project=project, need=need, reason=reason)
    return [await _reply(session, core=core, actor=actor, project=project, need=need, alerts_closed=closed,
                         withdrawn=withdrawn, told=told)]


async def _close_alerts(session: AsyncSession, *, core: Core, project: Project) -> list[str]:
    """The project's open alerts closed, each with the short notice of a closed alert saying why."""
    assert project.id is not None
    closed: list[alert_store.Change] = []
    for alert in await alerts.for_project(session, project_id=project.id):
        change = await alert_store.close(session, alert, at=core.now())
        if change is not None:  # a scan moved it meanwhile: the next daily scan closes it
            closed.append(replace(change, because=f"project_{project.status}"))
    owner = (project.owner_id,) if project.owner_id else ()
    await alert_notices.tell(session, core=core, changes=closed, concerned={c.alert.id or 0: owner for c in closed})
    return [c.alert.key for c in closed]


async def _withdraw_changes(session: AsyncSession, *, core: Core, project: Project) -> list[str]:
    """Changes still waiting for the committee have no baseline left to change: withdrawn."""
    rows = await session.exec(
        update(ChangeRequest).where(col(ChangeRequest.project_id) == project.id,
                                    col(ChangeRequest.status) == changes.PENDING)
        .values(status=WITHDRAWN, decided_at=core.now()).returning(col(ChangeRequest.number))
        .execution_options(synchronize_session=False))
    return [keys.change_subject(project.key, number) for number in sorted(rows.scalars().all())]


async def _tell(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need,
                reason: str) -> list[str]:
    """Its owner, its need's requester and co-requesters told, in their language, but the one who closed it."""
    assert need.id is not None
    wanted = [project.owner_id, need.requester_id, *await links.co_requester_ids(session, need_id=need.id)]
    told: list[str] = []
    for person_id in dict.fromkeys(p for p in wanted if p is not None and p != actor.id):
        reader = await session.get(Person, person_id)
        if reader is None:
            continue
        loc = locale_of(reader, core)
        text = t(loc, f"closing.told.{project.status}", key=project.key, title=need.title, need=need.key,
                 who=actor.person.display_name)
        if reason:
            text += "\n" + t(loc, f"closing.reason.{project.status}", reason=reason)
        level = "success" if project.status == ProjectStatus.DONE else "warning"
        await outbox.to_person(session, core=core, key=keys.project_closed(project.key, person_id), person=reader,
                               message=Notice(text, level))
        told.append(reader.display_name)
    return told


async def _reply(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need,
                 alerts_closed: list[str], withdrawn: list[str], told: list[str]) -> Notice:
    loc = actor.locale
    lines = [t(loc, f"closing.done.{project.status}", key=project.key, title=need.title,
               day=format_day(projects.closed_on(project, core=core), loc))]
    if project.closing_reason:
        lines.append(t(loc, f"closing.reason.{project.status}", reason=project.closing_reason))
    if alerts_closed:
        lines.append(t(loc, "closing.alerts_closed", alerts=", ".join(alerts_closed)))
    if withdrawn:
        lines.append(t(loc, "closing.changes_withdrawn", changes=", ".join(withdrawn)))
    if told:
        lines.append(t(loc, "closing.told_whom", people=", ".join(told)))
    assert project.id is not None
    last = (await status_updates.latest(session, project_ids=[project.id])).get(project.id)
    if project.status == ProjectStatus.DONE and (last is None or last.percent_complete < 100):
        lines.append(t(loc, "closing.last_update", percent=format_number(last.percent_complete, loc))
                     if last else t(loc, "closing.no_update"))
    return Notice("\n".join(lines), "success")
