"""Where to reach people and channels later: stored conversation references.

A platform that cannot message someone out of the blue (Teams) needs the
reference of a conversation it already had with them; it is kept here, in
the database, so a restart or another replica can still send.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import fold
from pmobot.domain.models import ConversationRef
from pmobot.domain.roles import Role
from pmobot.services import audit
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden
from pmobot.services.people import Actor

# The IT intake channel chosen in chat is stored as a reference of this kind.
IT_CHANNEL = "it-channel"


async def remember(session: AsyncSession, *, core: Core, platform: str, kind: str, address: str,
                   reference: dict[str, Any]) -> None:
    row = await find(session, platform=platform, kind=kind, address=address)
    if row is None:
        try:
            # A savepoint: two first requests from one conversation may race (Teams sends them at once).
            async with session.begin_nested():
                session.add(ConversationRef(platform=platform, kind=kind, address=address[:255],
                                            reference=dict(reference), updated_at=core.now()))
        except IntegrityError:
            pass  # the other request kept this address a moment ago, from the same conversation
        return
    if row.reference == reference:
        return
    row.reference = dict(reference)
    row.updated_at = core.now()
    session.add(row)


async def find(session: AsyncSession, *, platform: str, kind: str, address: str) -> ConversationRef | None:
    rows = await session.exec(select(ConversationRef).where(
        ConversationRef.platform == platform, ConversationRef.kind == kind, ConversationRef.address == address[:255]))
    return rows.first()


async def reference(session: AsyncSession, *, platform: str, kind: str, address: str) -> dict[str, Any] | None:
    row = await find(session, platform=platform, kind=kind, address=address)
    return dict(row.reference) if row else None


async def latest_reference(session: AsyncSession, *, platform: str, kinds: Sequence[str]) -> dict[str, Any] | None:
    """The most recently refreshed reference of the first of ``kinds`` that has one."""
    for kind in kinds:
        row = (await session.exec(
            select(ConversationRef).where(ConversationRef.platform == platform, ConversationRef.kind == kind)
            .order_by(col(ConversationRef.updated_at).desc()).limit(1)
        )).first()
        if row is not None:
            return dict(row.reference)
    return None


# Where governance posts, chosen in chat per platform by a PMO admin typing a command in the
# channel itself; each is stored as a reference of its own kind. ``IT_CHANNEL`` may also be configured.
COMMITTEE_CHANNEL = "committee-channel"
ROADMAP_CHANNEL = "roadmap-channel"
# The PMO's own channel (the weekly digest with every section).
PMO_CHANNEL = "pmo-channel"
CHANNEL_PURPOSES = (IT_CHANNEL, COMMITTEE_CHANNEL, ROADMAP_CHANNEL, PMO_CHANNEL)
# A department's channel (its weekly digest): one per department, stored under this kind with the
# department's folded name as address, so that "Achats" and "achats" are one department.
DEPARTMENT_CHANNEL = "department-channel"


async def set_channel(session: AsyncSession, *, core: Core, actor: Actor, platform: str, purpose: str, address: str,
                      reference: dict[str, Any] | None = None) -> None:
    """A PMO admin makes the channel they are in the ``purpose`` channel of their platform; what is posted
    there for everyone (the digest) is in the admin's language.

    Stored in the database, so every replica posts there from now on.
    """
    if purpose not in CHANNEL_PURPOSES:
        raise ValueError(f"unknown channel purpose {purpose!r}")
    await _choose(session, core=core, actor=actor, platform=platform, kind=purpose, key=purpose,
                  reference={**(reference or {}), "address": address},
                  refused="people.error.only_pmo_it_channel" if purpose == IT_CHANNEL else "channel.error.only_pmo",
                  action=f"{purpose.replace('-', '_')}_set", detail={"address": address})


async def _choose(session: AsyncSession, *, core: Core, actor: Actor, platform: str, kind: str, key: str,
                  reference: dict[str, Any], refused: str, action: str, detail: dict[str, Any]) -> None:
    """One home for choosing a channel: PMO admins only, kept with the chooser's language, audited."""
    if not actor.has(Role.PMO):
        raise Forbidden(refused)
    await remember(session, core=core, platform=platform, kind=kind, address=key,
                   reference={**reference, "locale": actor.locale})
    await audit.record(session, core=core, actor_id=actor.id, subject=f"{kind}:{platform}", action=action,
                       detail=detail)


def department_address(department: str) -> str:
    """How a department is known among the channels: folded (case and accents), spaces single."""
    return " ".join(fold(department).split())[:255]


async def set_department_channel(session: AsyncSession, *, core: Core, actor: Actor, platform: str,
                                 department: str, address: str, reference: dict[str, Any] | None = None) -> None:
    """A PMO admin makes the channel they are in ``department``'s channel of their platform; its posts are
    in the admin's language."""
    await _choose(session, core=core, actor=actor, platform=platform, kind=DEPARTMENT_CHANNEL,
                  key=department_address(department),
                  reference={**(reference or {}), "address": address, "department": department.strip()},
                  refused="channel.error.only_pmo", action="department_channel_set",
                  detail={"address": address, "department": department})


async def department_channels(session: AsyncSession, *, platform: str | None) -> list[tuple[str, dict[str, Any]]]:
    """Each department's channel on ``platform`` (None: on any): (folded department, its reference, with its
    ``platform``), by department."""
    query = select(ConversationRef).where(ConversationRef.kind == DEPARTMENT_CHANNEL)
    if platform is not None:
        query = query.where(ConversationRef.platform == platform)
    rows = await session.exec(query.order_by(col(ConversationRef.address), col(ConversationRef.platform)))
    return [(row.address, {**row.reference, "platform": row.platform}) for row in rows.all()]


async def set_it_channel(session: AsyncSession, *, core: Core, actor: Actor, platform: str, address: str,
                         reference: dict[str, Any] | None = None) -> None:
    await set_channel(session, core=core, actor=actor, platform=platform, purpose=IT_CHANNEL, address=address,
                      reference=reference)


async def channel(session: AsyncSession, *, core: Core, platform: str, purpose: str) -> str | None:
    """The ``purpose`` channel of ``platform``: chosen in chat, else (IT channel only) configured."""
    chosen = await reference(session, platform=platform, kind=purpose, address=purpose)
    if chosen and chosen.get("address"):
        return str(chosen["address"])
    return core.it_channels.get(platform) or None if purpose == IT_CHANNEL else None


async def it_channel(session: AsyncSession, *, core: Core, platform: str) -> str | None:
    """The IT intake channel of ``platform``: chosen in chat, else configured."""
    return await channel(session, core=core, platform=platform, purpose=IT_CHANNEL)
