"""A committee to test with: demo people given sides, and an estimated need ready to send."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import select

from pmobot.app import App
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Account, Estimate, Need, Person, RoleGrant
from pmobot.domain.models_scope import ScopeAgreement, ScopeVersion
from pmobot.domain.roles import Role, Side
from pmobot.services import needs, people
from pmobot.services.people import Actor

# login -> (display name, locale, side): Carla and Erin as the demo seats them (business, IT); Femi, business too.
MEMBERS: dict[str, tuple[str, str, Side | None]] = {
    "carla": ("Carla Rossi", "fr", Side.BUSINESS), "erin": ("Erin Walsh", "en", Side.IT),
    "femi": ("Femi Ade", "en", Side.BUSINESS)}


async def person(session: Any, login: str, platform: str = "console") -> Person:
    found = await people.find_by_platform_id(session, platform=platform, user_id=login)
    assert isinstance(found, Person), login
    return found


async def actor(session: Any, app: App, login: str, platform: str = "console") -> Actor:
    return await people.actor_for(session, core=app.core, person=await person(session, login, platform),
                                  platform=platform)


async def meet(app: App, platform: str, login: str, name: str, locale: str) -> None:
    """Someone pmobot knows on ``platform`` (as if they had written to it once)."""
    async with app.db.session() as session:
        if await people.find_by_platform_id(session, platform=platform, user_id=login) is not None:
            return
        found = Person(handle=login, display_name=name, locale=locale, last_platform=platform,
                       created_at=app.core.now())
        session.add(found)
        await session.flush()
        assert found.id is not None
        session.add(Account(person_id=found.id, platform=platform, external_id=login, created_at=app.core.now()))


async def seat(app: App, platform: str = "console",
               members: dict[str, tuple[str, str, Side | None]] | None = None) -> None:
    """Give each member a seat and a side (creating the people not in the demo)."""
    members = members or MEMBERS
    for login, (name, locale, _) in members.items():
        await meet(app, platform, login, name, locale)
    async with app.db.session() as session:
        for login, (_, _, side) in members.items():
            found = await person(session, login, platform)
            assert found.id is not None
            grant = (await session.exec(select(RoleGrant).where(
                RoleGrant.person_id == found.id, RoleGrant.role == Role.COMMITTEE))).first()
            if grant is None:
                grant = RoleGrant(person_id=found.id, role=Role.COMMITTEE, granted_at=app.core.now())
            grant.side = side
            session.add(grant)


async def estimated_need(app: App, *, requester: str = "alice", estimator: str = "bob", title: str = "Contract tracker",
                         cost: str = "30000", effort: float = 20.0, platform: str = "console",
                         personal_data: bool | None = None, users: int | None = None,
                         scope_agreed: bool = True) -> str:
    """A need of ``requester``'s, estimated by ``estimator`` (20 person-days, 30 000 EUR), with a scope
    the requester agreed to (``scope_agreed``), as the policy asks before the committee decides."""
    async with app.db.session() as session:
        who = await person(session, requester, platform)
        it = await person(session, estimator, platform)
        assert who.id is not None and it.id is not None
        now = app.core.now()
        need = Need(number=await needs.next_number(session, prefix="NEED"), title=title,
                    problem="Contracts live in spreadsheets.", status=NeedStatus.ESTIMATED, requester_id=who.id,
                    claimed_by_id=it.id, created_at=now, updated_at=now, submitted_at=now,
                    personal_data=personal_data, users_affected=users)
        session.add(need)
        await session.flush()
        assert need.id is not None
        session.add(Estimate(need_id=need.id, version=1, effort_low=effort * 0.75, effort_likely=effort,
                             effort_high=effort * 1.5, cost=Decimal(cost), currency="EUR", duration_days=30,
                             confidence="medium", technical_risk="low", security_review=False,
                             estimator_id=it.id, created_at=now))
        if scope_agreed:
            await agree_scope(session, need=need, author_id=it.id, now=now)
        return need.key


async def agree_scope(session: Any, *, need: Need, author_id: int, now: Any) -> None:
    """Scope v1 of ``need``, stated by ``author_id`` and agreed by its requester (the sign-off's own
    tests take the real way: tests/console/test_scope_console.py and the platforms' ones)."""
    assert need.id is not None
    version = ScopeVersion(need_id=need.id, number=1, in_scope=[need.title], acceptance=["Used by the team"],
                           status="agreed", author_id=author_id, created_at=now, agreed_at=now)
    session.add(version)
    await session.flush()
    assert version.id is not None
    session.add(ScopeAgreement(scope_version_id=version.id, need_id=need.id, person_id=need.requester_id,
                               capacity="requester", agreed_at=now))
