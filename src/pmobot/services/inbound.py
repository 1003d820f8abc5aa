"""Recognise a platform request that was already handled.

Slack retries an event whose acknowledgement was late; a user double-clicks;
Teams may deliver an invoke twice. Each request has a natural key (the event
id, the action's trigger, the activity id); the first delivery stores it and
the later ones are told they are repeats, on every replica alike.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import InboundDelivery
from pmobot.services.core import Core

# Platforms retry within minutes; a day is ample and keeps the table small.
KEEP_FOR = timedelta(days=1)


async def first_time(session: AsyncSession, *, core: Core, platform: str, key: str) -> bool:
    """True the first time ``key`` is seen; False for a repeat delivery."""
    full = f"{platform}:{key}"[:255]
    if await session.get(InboundDelivery, full) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(InboundDelivery(key=full, platform=platform, received_at=core.now()))
    except IntegrityError:
        return False  # another replica took it a moment ago
    return True


async def forget(session: AsyncSession, *, platform: str, key: str) -> None:
    """Let ``key`` be handled again (its first delivery changed nothing)."""
    await session.exec(
        delete(InboundDelivery).where(col(InboundDelivery.key) == f"{platform}:{key}"[:255])
    )


async def forget_old(session: AsyncSession, *, core: Core) -> int:
    result = await session.exec(
        delete(InboundDelivery).where(col(InboundDelivery.received_at) < core.now() - KEEP_FOR)
    )
    return int(result.rowcount or 0)
