"""Status updates: recorded only by the owner or the PMO on an active project, numbered, never edited,
with every bad value refused in plain words; and read back for many projects in one query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pmobot.app import App
from pmobot.domain.models import AuditEvent
from pmobot.domain.models_governance import Project
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.services import baselines, status_updates
from pmobot.services.errors import Forbidden, Invalid, PmoError
from tests.support.projects import demo_actor
from tests.support.tracking import answers, project, record


async def _count(app: App) -> int:
    async with app.db.session() as session:
        return len((await session.exec(select(StatusUpdate))).all())


async def test_an_owners_updates_are_numbered_and_audited(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None
    first = await record(app, prj.id, answers(10, "4000"))
    second = await record(app, prj.id, answers(25, "9000", schedule_health="amber",
                                               schedule_comment="Vendor late by a week", forecast_end="2027-01-08"))
    assert (first.number, second.number) == (1, 2)
    assert second.spend == Decimal("9000") and second.currency == "EUR"
    assert second.schedule_health == "amber" and second.comments == {"schedule": "Vendor late by a week"}
    assert second.forecast_end == date(2027, 1, 8)
    async with app.db.session() as session:
        events = (await session.exec(select(AuditEvent).where(AuditEvent.subject == prj.key,
                                                              AuditEvent.action == "status_updated"))).all()
    assert [(e.detail["number"], e.detail["percent"]) for e in events] == [(1, 10.0), (2, 25.0)]


@pytest.mark.parametrize(("values", "key"), [
    (answers(120), "checkin.error.percent_range"),
    (answers(-1), "checkin.error.percent_range"),
    (answers(20, "-5"), "checkin.error.spend_negative"),
    ({**answers(20), "spend": {"amount": "500", "currency": "USD"}}, "checkin.error.spend_currency"),
    (answers(20, cost_health="red"), "checkin.error.comment_missing_cost"),
    (answers(20, health="purple"), "checkin.error.health"),
    (answers(20, milestones="Nothing: 12/01/2027"), "checkin.error.forecast_unknown"),
])
async def test_bad_values_are_refused_and_nothing_is_recorded(app: App, values: dict[str, object], key: str) -> None:
    prj = await project(app)
    assert prj.id is not None
    with pytest.raises(Invalid) as refused:
        await record(app, prj.id, values)
    assert refused.value.message_key == key
    assert "{" not in refused.value.message("fr") and "{" not in refused.value.message("en")
    assert await _count(app) == 0


async def test_a_percent_going_down_needs_a_reason(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None
    await record(app, prj.id, answers(40))
    with pytest.raises(Invalid) as refused:
        await record(app, prj.id, answers(30))
    assert refused.value.message_key == "checkin.error.percent_down"
    assert "40" in refused.value.message("en") and "30" in refused.value.message("fr")
    update = await record(app, prj.id, answers(30, percent_reason="Tests found rework"))
    assert (update.number, update.reason) == (2, "Tests found rework")


async def test_only_the_owner_or_the_pmo_and_only_on_an_active_project(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None
    with pytest.raises(Forbidden):
        await record(app, prj.id, answers(10), login="alice")
    assert (await record(app, prj.id, answers(10), login="dan")).number == 1  # the PMO
    async with app.db.session() as session:
        await session.exec(sa.update(Project).where(Project.id == prj.id).values(status="done"))  # type: ignore[call-overload]
    with pytest.raises(PmoError) as refused:
        await record(app, prj.id, answers(20))
    assert refused.value.message_key == "projects.error.done"


async def test_milestone_forecasts_are_read_against_the_projects_milestones(app: App) -> None:
    prj = await project(app)
    assert prj.id is not None
    async with app.db.session() as session:
        bob = await demo_actor(session, app, "bob")
        await baselines.add_milestone(session, core=app.core, project_id=prj.id, name="Pilot live",
                                      due=date(2026, 12, 15), weight=None, actor_id=bob.id)
    update = await record(app, prj.id, answers(10, milestones="pilot live: 18/12/2026"))
    assert [(f["name"], f["forecast"]) for f in update.forecasts] == [("Pilot live", "2026-12-18")]


async def test_latest_and_series_for_many_projects(app: App) -> None:
    one, two, three = [await project(app) for _ in range(3)]
    assert one.id and two.id and three.id
    for percent in (10, 20, 30, 40):
        await record(app, one.id, answers(percent))
    await record(app, two.id, answers(5))
    async with app.db.session() as session:
        last = await status_updates.latest(session, project_ids=[one.id, two.id, three.id])
        runs = await status_updates.series(session, project_ids=[one.id, two.id, three.id], limit_per_project=3)
        everything = await status_updates.history(session, project_id=one.id)
        tail = await status_updates.history(session, project_id=one.id, limit=2)
    assert {pid: u.percent_complete for pid, u in last.items()} == {one.id: 40, two.id: 5}
    assert {pid: [u.percent_complete for u in us] for pid, us in runs.items()} == {one.id: [20, 30, 40],
                                                                                    two.id: [5]}
    assert [u.number for u in everything] == [1, 2, 3, 4] and [u.number for u in tail] == [3, 4]
