"""Recognise a platform request that was already handled.

Slack retries an event whose acknowledgement was late; a user double-clicks;
Teams may deliver an invoke twice. Each request has a natural key (the event
id, the action's trigger, the activity id); the first delivery stores it and
the later ones are told they are repeats, on every replica alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import insert_new
from pmobot.domain import keys
from pmobot.domain.models import InboundDelivery
from pmobot.services.core import Core

# Platforms retry within minutes; a day is ample and keeps the table small.
KEEP_FOR = timedelta(days=1)


async def first_time(session: AsyncSession, *, core: Core, platform: str, key: keys.DeliveryKey) -> bool:
    """True the first time ``key`` is seen; False for a repeat delivery.

    The key is written in the caller's transaction, so it is kept only if the
    work done beside it is: a request whose handling failed is handled again
    when it is delivered again. One ``INSERT ... ON CONFLICT DO NOTHING`` and no
    savepoint: on SQLite a savepoint opened before any other write would be
    committed on its own when released. On PostgreSQL a second replica taking
    the same key waits for the first one's transaction, then finds it there.
    """
    values = {"key": keys.received(platform, key), "platform": platform, "received_at": core.now()}
    return await insert_new(session, InboundDelivery, values, key="key")


async def forget(session: AsyncSession, *, platform: str, key: keys.DeliveryKey) -> None:
    """Let ``key`` be handled again (its first delivery changed nothing)."""
    await session.exec(
        delete(InboundDelivery).where(col(InboundDelivery.key) == keys.received(platform, key))
    )


async def forget_old(session: AsyncSession, *, core: Core, now: datetime | None = None) -> int:
    """Forget deliveries received ``KEEP_FOR`` before ``now`` (a job's time; the clock's by default)."""
    result = await session.exec(
        delete(InboundDelivery).where(col(InboundDelivery.received_at) < (now or core.now()) - KEEP_FOR)
    )
    return int(result.rowcount or 0)
