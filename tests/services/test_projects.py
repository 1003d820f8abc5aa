"""Opening a project: PRJ-n, its owner, baseline v1 frozen from the estimate; idempotent, even in a race."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain.models import AuditEvent, OutboxMessage, Person
from pmobot.domain.models_governance import Baseline, Project
from pmobot.services import projects
from pmobot.services.errors import Invalid
from tests.support.projects import approval, demo_actor, estimated_need, needs_get, open_for


async def test_an_approved_need_becomes_prj_1_owned_by_its_it_claimer_with_baseline_v1(app: App) -> None:
    need_key = await estimated_need(app)
    assert await open_for(app, need_key) == "PRJ-1"
    async with app.db.session() as session:
        project = (await session.exec(select(Project))).one()
        baseline = (await session.exec(select(Baseline))).one()
        bob = await demo_actor(session, app, "bob")
        events = (await session.exec(select(AuditEvent).where(AuditEvent.subject == "PRJ-1"))).all()
        told = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("project-")))).all()
    assert project.owner_id == bob.id and project.status == "active"
    # Placed by the roadmap, which is empty and has no capacity set: from today, Thursday 26 November
    # 2026 in Paris, for the estimate's 20 business days, both ends counted: 26-27 Nov (2), 30 Nov-4 Dec
    # (7), 7-11 (12), 14-18 (17), then 21, 22, 23 December (20).
    assert (baseline.start, baseline.end) == (date(2026, 11, 26), date(2026, 12, 23))
    assert (project.planned_start, project.planned_end) == (baseline.start, baseline.end)
    assert (baseline.version, baseline.budget, baseline.currency, baseline.effort) == (1, Decimal("45000"), "EUR", 20)
    assert baseline.scope == {"title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets.",
                              "estimate_version": 1}
    assert baseline.decision_id is not None and baseline.milestones == []
    assert [(e.action, e.to_status, e.detail["need"]) for e in events] == [("project_opened", "active", need_key)]
    assert [m.target for m in told] == ["bob"] and "PRJ-1" in told[0].payload["text"]


async def test_opening_twice_gives_the_same_project(app: App) -> None:
    need_key = await estimated_need(app)
    first = await open_for(app, need_key)
    async with app.db.session() as session:
        need = await needs_get(session, need_key)
        carla = await demo_actor(session, app, "carla")
        again = await projects.open_project(session, core=app.core, actor=carla, need=need, decision=None)
    assert again.key == first
    async with app.db.session() as session:
        assert len((await session.exec(select(Project))).all()) == 1
        assert len((await session.exec(select(Baseline))).all()) == 1
    # The next need's project is PRJ-2: no number was used up by the second call.
    assert await open_for(app, await estimated_need(app)) == "PRJ-2"


async def test_two_openings_at_once_make_one_project(app: App) -> None:
    need_key = await estimated_need(app)
    barrier = asyncio.Barrier(2)

    async def racer() -> str:
        async with app.db.session() as session:
            need = await needs_get(session, need_key)
            carla = await demo_actor(session, app, "carla")
            await barrier.wait()
            return (await projects.open_project(session, core=app.core, actor=carla, need=need,
                                                decision=None)).key

    keys_seen = await asyncio.gather(racer(), racer(), return_exceptions=True)
    async with app.db.session() as session:
        rows = (await session.exec(select(Project))).all()
        baselines = (await session.exec(select(Baseline))).all()
    assert len(rows) == 1 and len(baselines) == 1
    assert "PRJ-1" in keys_seen


async def test_without_an_estimate_the_requesters_budget_and_no_effort(app: App) -> None:
    from pmobot.services import intake
    from tests.support.projects import NEED

    async with app.db.session() as session:
        alice = await demo_actor(session, app, "alice")
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        project = await projects.open_project(session, core=app.core, actor=alice, need=need,
                                              decision=await approval(session, app, need))
        assert project.owner_id is None
    async with app.db.session() as session:
        baseline = (await session.exec(select(Baseline))).one()
        owners = (await session.exec(select(Person).where(Person.id == project.owner_id))).all()
    assert (baseline.start, baseline.end, baseline.budget, baseline.effort) == (
        date(2026, 11, 27), date(2026, 11, 27), Decimal("30000"), 0)
    assert owners == []


@pytest.mark.parametrize("text,number", [("PRJ-3", 3), ("prj 3", 3), ("projet 12", 12), ("#4", 4), ("7", 7)])
def test_project_keys_are_read_loosely(text: str, number: int) -> None:
    assert projects.parse_key(text) == number


def test_a_need_key_is_not_a_project_key() -> None:
    with pytest.raises(Invalid) as refused:
        projects.parse_key("NEED-3")
    assert "PRJ-3" in refused.value.message("en") and "PRJ-3" in refused.value.message("fr")
    assert projects.is_project_key("PRJ-3") and projects.is_project_key("projet 3")
    assert not projects.is_project_key("NEED-3")


async def test_a_co_requester_sees_the_project_of_the_need_they_follow(app: App) -> None:
    from pmobot.services import links, people
    from pmobot.services.errors import NotFound

    def console_identity(login: str) -> people.Identity:
        return people.Identity(platform="console", external_id=login, display_name=login.title(), handle=login)

    need_key = await estimated_need(app)
    project_key = await open_for(app, need_key)
    async with app.db.session() as session:
        zoe = await people.resolve(session, core=app.core, identity=console_identity("zoe"))
        yann = await people.resolve(session, core=app.core, identity=console_identity("yann"))
        need = await needs_get(session, need_key)
        assert await links.add_co_requester(session, core=app.core, need=need, person_id=zoe.id, via="joined")
    async with app.db.session() as session:
        project, _ = await projects.get(session, actor=zoe, key=project_key)
        assert project.key == project_key
        with pytest.raises(NotFound):  # someone who neither asked for it nor follows it
            await projects.get(session, actor=yann, key=project_key)
