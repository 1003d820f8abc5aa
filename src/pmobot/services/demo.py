"""A demo organisation to play with in the console."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Account, Person, RoleGrant
from pmobot.domain.roles import Role, Side
from pmobot.services import audit
from pmobot.services.core import Core
from pmobot.services.people import find_by_platform_id

# login, display name, locale, department, roles, committee side
DEMO_PEOPLE: tuple[tuple[str, str, str, str | None, tuple[Role, ...], Side | None], ...] = (
    ("alice", "Alice Martin", "fr", "sales", (), None),
    ("bob", "Bob Smith", "en", None, (Role.IT,), None),
    ("carla", "Carla Rossi", "fr", "finance", (Role.COMMITTEE,), Side.BUSINESS),
    ("dan", "Dan Dupont", "fr", None, (Role.PMO,), None),
    # The committee's IT side, and the security and GDPR reviewer.
    ("erin", "Erin Walsh", "en", None, (Role.IT, Role.COMMITTEE), Side.IT),
    ("sam", "Sam Leroy", "fr", None, (Role.SECURITY,), None),
)


async def seed(session: AsyncSession, *, core: Core, platform: str = "console") -> dict[str, str]:
    """Create the demo people if they are missing; returns login -> display name."""
    for login, name, locale, department, roles, side in DEMO_PEOPLE:
        if await find_by_platform_id(session, platform=platform, user_id=login) is not None:
            continue
        person = Person(handle=login, display_name=name, locale=locale, department=department,
                        last_platform=platform, created_at=core.now())
        session.add(person)
        await session.flush()
        assert person.id is not None  # given by the flush
        session.add(Account(person_id=person.id, platform=platform, external_id=login, created_at=core.now()))
        for role in roles:
            seat = side if role == Role.COMMITTEE else None
            session.add(RoleGrant(person_id=person.id, role=role, side=seat, granted_at=core.now()))
            await audit.record(session, core=core, actor_id=None, subject=f"person:{person.id}",
                               action="role_granted", reason="demo",
                               detail={"role": str(role), **({"side": str(seat)} if seat else {})})
    await session.flush()
    return {login: name for login, name, *_ in DEMO_PEOPLE}


async def console_people(session: AsyncSession, *, platform: str = "console") -> dict[str, str]:
    rows = await session.exec(select(Account, Person).join(Person, col(Person.id) == col(Account.person_id))
                              .where(Account.platform == platform))
    return {account.external_id: person.display_name for account, person in rows.all()}
