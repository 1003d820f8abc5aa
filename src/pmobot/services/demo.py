"""A demo organisation to play with in the console."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Person, RoleGrant
from pmobot.domain.roles import Role
from pmobot.services import audit
from pmobot.services.core import Core

# login, display name, locale, department, roles
DEMO_PEOPLE: tuple[tuple[str, str, str, str | None, tuple[Role, ...]], ...] = (
    ("alice", "Alice Martin", "fr", "sales", ()),
    ("bob", "Bob Smith", "en", None, (Role.IT,)),
    ("carla", "Carla Rossi", "fr", "finance", (Role.COMMITTEE,)),
    ("dan", "Dan Dupont", "fr", None, (Role.PMO,)),
)


async def seed(session: AsyncSession, *, core: Core, platform: str = "console") -> dict[str, str]:
    """Create the demo people if they are missing; returns login -> display name."""
    for login, name, locale, department, roles in DEMO_PEOPLE:
        person = (
            await session.exec(select(Person).where(Person.platform == platform, Person.external_id == login))
        ).first()
        if person is not None:
            continue
        person = Person(platform=platform, external_id=login, handle=login, display_name=name, locale=locale,
                        department=department, created_at=core.now())
        session.add(person)
        await session.flush()
        assert person.id is not None  # given by the flush
        for role in roles:
            session.add(RoleGrant(person_id=person.id, role=role, granted_at=core.now()))
            await audit.record(session, core=core, actor_id=None, subject=f"person:{person.id}",
                               action="role_granted", reason="demo", detail={"role": str(role)})
    await session.flush()
    return {login: name for login, name, *_ in DEMO_PEOPLE}


async def console_people(session: AsyncSession, *, platform: str = "console") -> dict[str, str]:
    rows = await session.exec(select(Person).where(Person.platform == platform))
    return {p.external_id: p.display_name for p in rows.all()}
