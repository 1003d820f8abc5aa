"""A portfolio of any size for the weekly digest, inserted in bulk (10,000 needs in a second or two).

Shaped like the real thing and fixed by its size alone, so a test can count
what the digest must say: four departments in turn; the first ``projects``
needs approved and become active projects, the rest spread over the
statuses (a third waiting on IT); one need in seven submitted during the
digest's week; one project in ten decided during the week; each project with
a status update before the week and one during it (one in six changes
colour); a milestone every project, due 0 to 29 days ahead; an open drift
alert on one project in ten (one in three of them critical).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import select

from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import Decision, Milestone, Project
from pmobot.domain.models_tracking import DriftAlert, StatusUpdate

DEPARTMENTS = ("Achats", "Finance", "RH", "Ventes")
# Needs that are not projects, in turn.
OTHER_STATUSES = ("submitted", "estimating", "estimated", "ready_for_decision", "deferred", "needs_info")
HEALTH = ("green", "green", "amber", "green", "red", "green")
# Far from what tests create by hand, so both can live in one database.
OFFSET = 100_000


@dataclass(frozen=True)
class Sizes:
    needs: int
    projects: int


async def seed(app: Any, *, needs: int, projects: int, week_end: datetime) -> Sizes:
    """The portfolio, for a digest of the week that ends at ``week_end``."""
    start = week_end - timedelta(days=7)
    before = start - timedelta(days=3)
    today = app.core.calendar.local_day(week_end)
    async with app.db.session() as session:
        person = (await session.exec(select(Person).order_by(Person.id))).first()  # type: ignore[arg-type]
        assert person is not None and person.id is not None
        requester = person.id
        need_rows, decisions, projects_rows, updates, milestones, alerts = [], [], [], [], [], []
        for i in range(1, needs + 1):
            nid = OFFSET + i
            is_project = i <= projects
            status = "approved" if is_project else OTHER_STATUSES[i % len(OTHER_STATUSES)]
            submitted = start + timedelta(hours=i % 150) if i % 7 == 0 else before - timedelta(days=i % 90)
            need_rows.append(dict(
                id=nid, number=OFFSET + i, title=f"Besoin {i}", department=DEPARTMENTS[i % len(DEPARTMENTS)],
                status=status, requester_id=requester, created_at=submitted, updated_at=submitted,
                submitted_at=submitted, waiting_since=submitted, version=0, committee_round=0,
                problem="", benefits="", systems=[], extra={}, opening_message="", source_platform="",
                source_conversation=""))
            if not is_project:
                continue
            decided = start + timedelta(hours=1 + i % 100) if i % 10 == 0 else before
            decisions.append(dict(id=nid, subject=f"NEED-{OFFSET + i}/r1", need_id=nid, outcome="approved",
                                  reason="", votes=[], breakdown={}, conditions="", decided_at=decided))
            projects_rows.append(dict(id=nid, number=OFFSET + i, need_id=nid, status="active", version=0,
                                      planned_start=today - timedelta(days=30),
                                      planned_end=today + timedelta(days=60), created_at=decided,
                                      updated_at=decided))
            old, new = HEALTH[i % len(HEALTH)], HEALTH[(i + (2 if i % 6 == 0 else 0)) % len(HEALTH)]
            for number, health, at in ((1, old, before), (2, new, start + timedelta(hours=2))):
                updates.append(dict(project_id=nid, number=number, author_id=requester, percent_complete=10 * number,
                                    spend=Decimal(1000 * number), currency="EUR", health=health,
                                    schedule_health=health, cost_health="green", scope_health="green",
                                    comments={}, forecasts=[], risks="", blockers="", decisions_needed="",
                                    reason="", via="command", created_at=at))
            milestones.append(dict(project_id=nid, name=f"Jalon {i}", due=today + timedelta(days=i % 30),
                                   baseline_version=1, created_by_id=requester, created_at=before))
            if i % 10 == 0:
                level = "critical" if i % 30 == 0 else "warning"
                alerts.append(dict(number=OFFSET + i, subject=f"PRJ-{OFFSET + i}", project_id=nid, rule="spi",
                                   level=level, open_key=f"PRJ-{OFFSET + i}:spi", status="open",
                                   figures={"spi": 0.7, "percent": 35, "planned_percent": 50},
                                   opened_at=before, version=0))
        for model, rows in ((Need, need_rows), (Decision, decisions), (Project, projects_rows),
                            (StatusUpdate, updates), (Milestone, milestones), (DriftAlert, alerts)):
            for n in range(0, len(rows), 2000):
                await session.exec(insert(model).values(rows[n:n + 2000]))
    return Sizes(needs, projects)
