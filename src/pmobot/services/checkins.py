"""The weekly check-in: each active project's owner asked for its status, reminded once, and the PMO
told when weeks are missed in a row.

``run`` is the whole of one pass of the check-in job: it can run every few minutes, on any
replica, any number of times. A week's check-in is one ``CheckIn`` row (unique per project and
ISO week) inserted when the owner's local time passes the policy's day and hour; only the
insert that wins sends the question, under an outbox key made of the project and the week.
The reminder and the PMO's notice are compare-and-sets on the row's ``version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands.buttons import CHECK_IN
from pmobot.db import add_unless_taken
from pmobot.domain import checkins as rules
from pmobot.domain import keys
from pmobot.domain.lifecycle import ProjectStatus
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import CheckIn, StatusUpdate
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, Notice
from pmobot.services import addresses, audit, outbox, people, snoozes
from pmobot.services.core import Core
from pmobot.services.people import locale_of

# The most weeks read back to find where a run of missed check-ins began (two years of weeks).
_STREAK_READ = 104


@dataclass
class Tally:
    """What one pass did, for the job's summary."""

    asked: int = 0
    reminded: int = 0
    escalated: int = 0
    snoozed: int = 0

    def summary(self) -> dict[str, int]:
        return {"asked": self.asked, "reminded": self.reminded, "escalated": self.escalated, "snoozed": self.snoozed}


def zone_of(person: Person, core: Core) -> ZoneInfo:
    return rules.zone_named(person.timezone, core.settings.timezone)


async def run(session: AsyncSession, *, core: Core, now: datetime) -> dict[str, int]:
    """One pass: ask who is due, remind who did not answer, tell the PMO of missed weeks."""
    tally = Tally()
    held = await snoozes.active(session, core=core, today=core.calendar.local_day(now))
    rows = (await session.exec(
        select(Project, Person, Need).join(Person, col(Person.id) == col(Project.owner_id))
        .join(Need, col(Need.id) == col(Project.need_id))
        .where(Project.status == ProjectStatus.ACTIVE).order_by(col(Project.number)))).all()
    # What is known already, in two queries whatever the number of projects: the weeks asked, and each
    # project's last update (an owner who gave one this week unasked is not asked again).
    asked = set((await session.exec(select(CheckIn.project_id, CheckIn.week)
                                    .where(col(CheckIn.due_at) >= now - timedelta(days=21)))).all())
    given = dict((await session.exec(select(StatusUpdate.project_id, func.max(StatusUpdate.created_at))
                                     .group_by(col(StatusUpdate.project_id)))).all())
    # And when each project's last question was answered: the update that answered it answers no other week.
    last_answer = dict((await session.exec(select(CheckIn.project_id, func.max(CheckIn.answered_at))
                                           .group_by(col(CheckIn.project_id)))).all())
    for project, owner, need in rows:
        assert project.id is not None
        if project.id in held:
            tally.snoozed += 1
            continue
        await _ask(session, core=core, project=project, owner=owner, title=need.title, now=now, tally=tally,
                   asked=asked, given=given.get(project.id), last_answer=last_answer.get(project.id))
    await _remind(session, core=core, now=now, tally=tally, held=set(held))
    return tally.summary()


async def _ask(session: AsyncSession, *, core: Core, project: Project, owner: Person, title: str, now: datetime,
               tally: Tally, asked: set[tuple[int, str]], given: datetime | None,
               last_answer: datetime | None) -> None:
    zone = zone_of(owner, core)
    policy = core.policy.tracking
    slot = policy.check_in
    for monday in rules.weeks_to_ask(now, zone):
        due = rules.due_at(monday, slot, zone, core.calendar)
        # Not before the project existed, nor before its owner's hour; and a week not asked by the time
        # its reminder would have gone (snoozed then, or pmobot down) is let go rather than asked late.
        if due > now or due < project.created_at or rules.reminder_at(due, policy.reminder_hour, core.calendar) <= now:
            continue
        week = rules.iso_week(monday)
        assert project.id is not None and owner.id is not None
        if (project.id, week) in asked:
            continue
        # Given this week already (/pmo update): the week is answered, nobody is asked.
        unasked = rules.answered_unasked(given, week_start=rules.week_start(monday, zone), last_answer=last_answer)
        answered_at = given if unasked else None
        row = CheckIn(project_id=project.id, week=week, owner_id=owner.id, due_at=due,
                      asked_at=None if answered_at else now, answered_at=answered_at)
        if not await add_unless_taken(session, row):
            continue  # asked a moment ago by another replica
        if answered_at is not None:
            continue
        loc = locale_of(owner, core)
        card = Card(title=t(loc, "checkin.ask_title", key=project.key, title=title),
                    body=t(loc, "checkin.ask_body", key=project.key),
                    actions=(CHECK_IN.action(loc, project.key, primary=True),),
                    footer=t(loc, "checkin.ask_footer", key=project.key))
        await outbox.to_person(session, core=core, key=keys.check_in(project.key, week), person=owner, message=card)
        tally.asked += 1


async def _remind(session: AsyncSession, *, core: Core, now: datetime, tally: Tally, held: set[int]) -> None:
    """The one reminder, the next business morning (owner's time); then the PMO, after missed weeks."""
    policy = core.policy.tracking
    since = now - timedelta(days=21)
    waiting = (await session.exec(
        select(CheckIn, Project, Person).join(Project, col(Project.id) == col(CheckIn.project_id))
        .join(Person, col(Person.id) == col(CheckIn.owner_id))
        .where(col(CheckIn.answered_at).is_(None), col(CheckIn.reminded_at).is_(None),
               col(CheckIn.due_at) >= since, Project.status == ProjectStatus.ACTIVE)
        .order_by(col(CheckIn.id)))).all()
    for check_in, project, owner in waiting:
        if check_in.project_id in held:
            continue
        due = check_in.due_at.astimezone(zone_of(owner, core))
        if rules.reminder_at(due, policy.reminder_hour, core.calendar) > now:
            continue
        if not await _cas(session, check_in, reminded_at=now):
            continue
        loc = locale_of(owner, core)
        card = Card(title=t(loc, "checkin.remind_title", key=project.key),
                    body=t(loc, "checkin.remind_body", key=project.key),
                    actions=(CHECK_IN.action(loc, project.key, primary=True),))
        await outbox.to_person(session, core=core, key=keys.check_in_reminder(project.key, check_in.week),
                               person=owner, message=card)
        tally.reminded += 1
        await _escalate(session, core=core, project=project, owner=owner, check_in=check_in, now=now, tally=tally)


async def _escalate(session: AsyncSession, *, core: Core, project: Project, owner: Person, check_in: CheckIn,
                    now: datetime, tally: Tally) -> None:
    """After ``escalate_after_missed`` weeks in a row asked, reminded and unanswered, the PMO is told
    once for that run of missed weeks."""
    missed = core.policy.tracking.escalate_after_missed
    recent = (await session.exec(
        select(CheckIn).where(CheckIn.project_id == check_in.project_id, col(CheckIn.id) <= check_in.id)
        .order_by(col(CheckIn.id).desc()).limit(_STREAK_READ))).all()
    streak = []
    for row in recent:
        if row.answered_at is not None or row.reminded_at is None:
            break
        streak.append(row)
    if len(streak) < missed or any(row.escalated_at is not None for row in streak[1:]):
        return
    if not await _cas(session, check_in, escalated_at=now):
        return
    # The PMO's channel where one is chosen; else each PMO admin by direct message.
    loc = core.org_locale
    told = await outbox.to_channels(
        session, core=core, purpose=addresses.PMO_CHANNEL, key=keys.check_in_missed(project.key, check_in.week),
        message=Notice(t(loc, "checkin.missed_notice", key=project.key, who=owner.display_name, count=len(streak)),
                       "warning"))
    admins = [] if told else await people.holding(session, role=Role.PMO)
    for admin in admins:
        assert admin.id is not None
        loc = locale_of(admin, core)
        text = t(loc, "checkin.missed_notice", key=project.key, who=owner.display_name, count=len(streak))
        await outbox.to_person(session, core=core,
                               key=keys.check_in_missed_admin(project.key, check_in.week, admin.id),
                               person=admin, message=Notice(text, "warning"))
    await audit.record(session, core=core, actor_id=None, subject=project.key, action="check_ins_missed",
                       detail={"weeks": [row.week for row in streak]})
    tally.escalated += 1


async def _cas(session: AsyncSession, row: CheckIn, **values: datetime) -> bool:
    """Set ``values`` on the check-in if nobody moved it since it was read."""
    result = await session.exec(
        update(CheckIn).where(col(CheckIn.id) == row.id, col(CheckIn.version) == row.version)
        .values(version=row.version + 1, **values).returning(col(CheckIn.id))
        .execution_options(synchronize_session=False))
    if result.scalar_one_or_none() is None:
        return False
    row.version += 1
    for name, value in values.items():
        setattr(row, name, value)
    return True


async def waiting(session: AsyncSession, *, project_id: int, now: datetime) -> CheckIn | None:
    """The project's check-in asked and not answered yet (of the last two weeks), if any."""
    rows = await session.exec(select(CheckIn).where(CheckIn.project_id == project_id,
                                                    col(CheckIn.answered_at).is_(None),
                                                    col(CheckIn.due_at) >= now - timedelta(days=14))
                              .order_by(col(CheckIn.id).desc()))
    return rows.first()


async def answered(session: AsyncSession, *, core: Core, project: Project, check_in_id: int | None,
                   now: datetime) -> None:
    """An update answers its check-in: the one named, else the open one of the last two weeks (an
    owner who answers with ``/pmo update`` is not reminded); nothing when none is open."""
    query = select(CheckIn).where(CheckIn.project_id == project.id, col(CheckIn.answered_at).is_(None))
    if check_in_id is not None:
        query = query.where(CheckIn.id == check_in_id)
    else:
        query = query.where(col(CheckIn.due_at) >= now - timedelta(days=14))
    for row in (await session.exec(query)).all():
        await _cas(session, row, answered_at=now)
