"""The demo organisation's past: a few projects with baselines, owners and weeks of status updates, so the
console shows drift at once (``pmobot console --demo --history``, what ``make run`` starts). One project
spends far ahead of its progress and forecasts an end past its baseline; one is on track; one has just
started.

The rows are written as they would stand after weeks of use, dated from the clock, without sending
anything (nothing is delivered for the past). The needs and projects are numbered from 901, so the
first need typed in the tour is still NEED-1; seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.lifecycle import NeedStatus, ProjectStatus
from pmobot.domain.models import Account, Need
from pmobot.domain.models_governance import Baseline, Milestone, Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.services import drift
from pmobot.services.core import Core

FIRST_NUMBER = 901


@dataclass(frozen=True)
class Story:
    """One demo project: who, its baseline, and its weekly updates (percent done, spend), oldest first."""

    title: str
    department: str
    requester: str
    owner: str
    budget: int
    weeks_ago: int
    weeks_long: int
    updates: tuple[tuple[float, int], ...]
    # Days past the baseline end the owner now forecasts, and what worries them (overall, schedule, cost).
    slip_days: int = 0
    worry: tuple[str, str, str] | None = None


STORIES = (
    Story("Portail fournisseurs", "purchasing", "alice", "bob", 60000, 8, 16,
          ((5, 8000), (10, 16000), (14, 24000), (18, 31000), (22, 38000), (25, 45000)), slip_days=35,
          worry=("L'intégration ERP prend deux fois plus de temps que prévu", "Pilote repoussé de cinq semaines",
                 "Heures du prestataire au-delà du devis")),
    Story("Tableau de bord des ventes", "sales", "carla", "erin", 30000, 6, 12,
          ((8, 2500), (17, 5000), (25, 7500), (34, 10000), (42, 12500), (50, 15000))),
    Story("Signature électronique des contrats", "legal", "alice", "bob", 20000, 2, 10, ((20, 3500),)),
)


def _health(story: Story, index: int) -> str:
    """Amber then red as the worry grows, for the drifting one; green otherwise."""
    if not story.worry:
        return "green"
    return "red" if index >= len(story.updates) - 2 else "amber" if index >= 1 else "green"


async def seed_history(session: AsyncSession, *, core: Core) -> int:
    """Write the demo projects and their updates if they are not there; how many projects were added."""
    if (await session.exec(select(Project).where(Project.number == FIRST_NUMBER))).first() is not None:
        return 0
    logins = {a.external_id: a.person_id for a in (await session.exec(select(Account))).all()}
    today, zone = core.today(), core.calendar.zone
    for offset, story in enumerate(STORIES):
        number = FIRST_NUMBER + offset
        start = core.calendar.business_day_on_or_before(today - timedelta(weeks=story.weeks_ago))
        end = core.calendar.business_day_on_or_before(start + timedelta(weeks=story.weeks_long))
        began = datetime.combine(start, time(9), tzinfo=zone)
        need = Need(number=number, title=story.title, problem=story.title, department=story.department,
                    budget=Decimal(story.budget), currency="EUR", status=NeedStatus.APPROVED,
                    requester_id=logins[story.requester], claimed_by_id=logins[story.owner],
                    source_platform="console", created_at=began, updated_at=began, submitted_at=began)
        session.add(need)
        await session.flush()
        assert need.id is not None
        project = Project(number=number, need_id=need.id, owner_id=logins[story.owner], status=ProjectStatus.ACTIVE,
                          planned_start=start, planned_end=end, created_at=began, updated_at=began)
        session.add(project)
        await session.flush()
        assert project.id is not None
        middle = core.calendar.business_day_on_or_before(start + (end - start) / 2)
        session.add(Baseline(project_id=project.id, version=1, start=start, end=end, budget=Decimal(story.budget),
                             currency="EUR", effort=float(story.budget // 600), scope={"title": story.title},
                             milestones=[{"name": "Pilote", "due": middle.isoformat()}], created_at=began))
        pilot = Milestone(project_id=project.id, name="Pilote", due=middle, baseline_version=1,
                          created_by_id=logins[story.owner], created_at=began)
        session.add(pilot)
        await session.flush()
        _updates(session, story=story, project_id=project.id, author_id=logins[story.owner], today=today,
                 end=end, pilot=pilot, core=core)
    await session.flush()
    # Measured against the baselines now, as the daily scan would: the console shows the drift at once.
    await drift.scan_all(session, core=core, now=core.now())
    return len(STORIES)


def _updates(session: AsyncSession, *, story: Story, project_id: int, author_id: int, today: date, end: date,
             pilot: Milestone, core: Core) -> None:
    """The weekly updates, the last one on the latest Friday; the drifting one slips a little more each week."""
    last_friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)
    count = len(story.updates)
    for index, (percent, spend) in enumerate(story.updates):
        day = last_friday - timedelta(weeks=count - 1 - index)
        slip = timedelta(days=round(story.slip_days * (index + 1) / count))
        health = _health(story, index)
        worry = story.worry if health != "green" else None
        comments = dict(zip(("overall", "schedule", "cost"), worry, strict=True)) if worry else {}
        session.add(StatusUpdate(
            project_id=project_id, number=index + 1, author_id=author_id, percent_complete=percent,
            spend=Decimal(spend), currency="EUR", health=health, schedule_health=health, cost_health=health,
            scope_health="green", comments=comments,
            forecasts=[{"milestone_id": pilot.id, "name": pilot.name, "forecast": (pilot.due + slip).isoformat()}],
            forecast_end=end + slip, risks=story.worry[0] if story.worry else "", via="demo",
            created_at=datetime.combine(day, time(10), tzinfo=core.calendar.zone)))
