"""Which side a committee member sits for, business or IT: a committee decision needs both.

The side is kept on the member's committee grant (``RoleGrant.side``); it goes
with the role when the role is removed. Granting it is a PMO admin's, audited.
"""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import fold
from pmobot.domain.models import Person, RoleGrant
from pmobot.domain.roles import Role, Side
from pmobot.i18n import t
from pmobot.services import audit
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.people import Actor

# The words that name a side, folded, in English and French.
SIDE_WORDS = {
    "business": Side.BUSINESS, "metier": Side.BUSINESS, "metiers": Side.BUSINESS,
    "it": Side.IT, "dsi": Side.IT, "informatique": Side.IT,
}


def parse_side(word: str) -> Side:
    side = SIDE_WORDS.get(fold(word))
    if side is None:
        raise Invalid("sides.error.side", value=word)
    return side


async def _grant(session: AsyncSession, person_id: int) -> RoleGrant | None:
    return (await session.exec(select(RoleGrant).where(
        RoleGrant.person_id == person_id, RoleGrant.role == Role.COMMITTEE))).first()


async def side_of(session: AsyncSession, *, person_id: int) -> Side | None:
    """The side a committee member sits for; None for someone off the committee or without a side yet."""
    grant = await _grant(session, person_id)
    return Side(grant.side) if grant is not None and grant.side else None


async def committee_sides(session: AsyncSession) -> dict[int, Side | None]:
    """Every committee member (person id) and their side, None where none is given yet."""
    rows = await session.exec(select(RoleGrant).where(RoleGrant.role == Role.COMMITTEE))
    return {g.person_id: Side(g.side) if g.side else None for g in rows.all()}


def attention(actor: Actor, side: Side | None) -> list[str]:
    """For a committee member's greeting: that they sit without a side, and their votes need one."""
    return [t(actor.locale, "sides.missing_you")] if actor.has(Role.COMMITTEE) and side is None else []


async def set_side(session: AsyncSession, *, core: Core, admin: Actor, target: Person, side: Side) -> Side:
    """Seat a committee member on ``side``; only PMO admins may, and only for a committee member."""
    if not admin.has(Role.PMO):
        raise Forbidden("people.error.not_admin")
    assert target.id is not None
    grant = await _grant(session, target.id)
    if grant is None:
        raise Invalid("sides.error.not_committee", who=target.display_name)
    if grant.side != side:
        grant.side = str(side)
        session.add(grant)
        await audit.record(session, core=core, actor_id=admin.id, subject=f"person:{target.id}",
                           action="committee_side_set", detail={"side": str(side)})
        await session.flush()
    return side
