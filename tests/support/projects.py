"""A need taken through intake, claim and estimate, approved by a Decision row, and its project opened."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.app import App
from pmobot.domain import keys
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Decision, Project
from pmobot.services import estimation, intake, people, projects
from pmobot.services.people import Actor, Identity

NEED = {"title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets.",
        "benefits": "No missed renewals.", "department": "purchasing", "users_affected": 20,
        "budget": {"amount": "30000", "currency": "EUR"}, "personal_data": False, "external_vendor": False}
ESTIMATE = {"effort_low": 15, "effort_likely": 20, "effort_high": 30,
            "cost": {"amount": "45000", "currency": "EUR"}, "duration_days": 20, "confidence": "medium",
            "technical_risk": "low", "security_review": False, "notes": ""}


async def demo_actor(session: AsyncSession, app: App, login: str) -> Actor:
    """A demo person (alice requester, bob IT, carla committee, dan PMO) as an actor on the console;
    read only, so two sessions may hold one each without waiting on each other's lock."""
    found = await people.find_by_platform_id(session, platform="console", user_id=login)
    if found is None:
        return await people.resolve(session, core=app.core, identity=Identity("console", login, login.title()))
    return await people.actor_for(session, core=app.core, person=found)


async def estimated_need(app: App, estimate: dict[str, Any] | None = None) -> str:
    """NEED-n filed by alice, claimed and estimated by bob."""
    async with app.db.session() as session:
        alice = await demo_actor(session, app, "alice")
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        bob = await demo_actor(session, app, "bob")
        await estimation.claim(session, core=app.core, actor=bob, key=need.key)
        await estimation.record_estimate(session, core=app.core, actor=bob, key=need.key,
                                         answers=estimate or ESTIMATE)
        return need.key


async def approval(session: AsyncSession, app: App, need: Need) -> Decision:
    """The committee's approval, as G4 records it."""
    assert need.id is not None
    decision = Decision(subject=keys.decision_subject(need.key, 1), need_id=need.id, outcome="approved",
                        reason="Worth it", decided_at=app.core.now())
    session.add(decision)
    await session.flush()
    return decision


async def open_for(app: App, need_key: str) -> str:
    """Approve ``need_key`` and open its project; its key."""
    async with app.db.session() as session:
        need = await needs_get(session, need_key)
        carla = await demo_actor(session, app, "carla")
        project: Project = await projects.open_project(session, core=app.core, actor=carla, need=need,
                                                       decision=await approval(session, app, need))
        return project.key


async def needs_get(session: AsyncSession, need_key: str) -> Need:
    from sqlmodel import select

    number = int(need_key.split("-")[1])
    return (await session.exec(select(Need).where(Need.number == number))).one()


async def project_on(app: App, platform: str, *, requester: Identity, it: Identity,
                     committee: dict[str, tuple[Identity, str]] | None = None) -> str:
    """A project on ``platform``: ``requester``'s need claimed and estimated by ``it`` (made IT here),
    approved and opened; ``committee`` members (name -> identity, side) are given their seats."""
    from pmobot.domain.models import RoleGrant
    from pmobot.domain.roles import Role

    async with app.db.session() as session:
        asker = await people.resolve(session, core=app.core, identity=requester)
        estimator = await people.resolve(session, core=app.core, identity=it)
        session.add(RoleGrant(person_id=estimator.id, role=Role.IT, granted_at=app.core.now()))
        for member, side in (committee or {}).values():
            seat = await people.resolve(session, core=app.core, identity=member)
            session.add(RoleGrant(person_id=seat.id, role=Role.COMMITTEE, side=side, granted_at=app.core.now()))
        need, _ = await intake.submit_need(session, core=app.core, actor=asker, answers=NEED,
                                           source_platform=platform, source_conversation=f"{platform}:dm:x")
    async with app.db.session() as session:
        estimator = await people.resolve(session, core=app.core, identity=it)
        await estimation.claim(session, core=app.core, actor=estimator, key=need.key)
        await estimation.record_estimate(session, core=app.core, actor=estimator, key=need.key, answers=ESTIMATE)
    async with app.db.session() as session:
        opened = await needs_get(session, need.key)
        estimator = await people.resolve(session, core=app.core, identity=it)
        project = await projects.open_project(session, core=app.core, actor=estimator, need=opened,
                                              decision=await approval(session, app, opened))
        return project.key
