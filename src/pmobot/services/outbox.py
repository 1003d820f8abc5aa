"""Queue messages for delivery; the worker in ``pmobot.scheduler`` sends them.

Each message has an idempotency key: queuing the same key twice keeps the
first, so a retried request never posts twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import insert_unless_taken
from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage, Person
from pmobot.messages import Message, to_dict
from pmobot.services.core import Core
from pmobot.services.reach import notified_account


@dataclass(frozen=True)
class Queued:
    """One message to queue (``enqueue``'s arguments, for many at once)."""

    key: str
    platform: str
    target_kind: str
    target: str
    message: Message
    thread_key: str | None = None
    replaces_key: str | None = None
    subject: str | None = None


async def enqueue_many(session: AsyncSession, *, core: Core, messages: Sequence[Queued]) -> int:
    """Queue every message in a few statements; returns how many were new (a key queued before, or twice
    here, counts for nothing and keeps the first)."""
    now = core.now()
    rows: dict[str, dict[str, Any]] = {}
    for m in messages:
        key = m.key[:255]
        rows.setdefault(key, {
            "key": key, "platform": m.platform, "target_kind": m.target_kind, "target": m.target,
            "payload": to_dict(m.message), "thread_key": m.thread_key, "replaces_key": m.replaces_key,
            "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now, "subject": m.subject})
    # Losing a race on a key does not undo the caller's work: that row is left out, the rest are queued.
    return len(await insert_unless_taken(session, OutboxMessage, list(rows.values()),
                                         returning=(col(OutboxMessage.id),), key="key"))


async def enqueue(
    session: AsyncSession,
    *,
    core: Core,
    key: str,
    platform: str,
    target_kind: str,
    target: str,
    message: Message,
    thread_key: str | None = None,
    replaces_key: str | None = None,
    subject: str | None = None,
) -> bool:
    """Queue one message; False when that key was queued before."""
    queued = Queued(key=key, platform=platform, target_kind=target_kind, target=target, message=message,
                    thread_key=thread_key, replaces_key=replaces_key, subject=subject)
    return await enqueue_many(session, core=core, messages=[queued]) == 1


async def to_person(session: AsyncSession, *, core: Core, key: str, person: Person, message: Message,
                    thread_key: str | None = None, subject: str | None = None) -> bool:
    """A direct message, on the platform the person is told things on (``reach.notified_account``);
    ``subject`` (a need's key) is what a reply to it is about."""
    account = await notified_account(session, person=person)
    if account is None:
        return False  # nobody to reach: a person always has an account, so never in practice
    return await enqueue(session, core=core, key=key, platform=account.platform, target_kind="person",
                         target=account.external_id, message=message, thread_key=thread_key, subject=subject)


async def subject_of_reply(session: AsyncSession, *, platform: str, target: str,
                           message_id: str | None) -> str | None:
    """What a person's reply is about: the need of the notification they replied to (by its platform
    id: a Slack thread, a Teams card), or, with no id (the console), of the last one sent to them."""
    query = select(OutboxMessage.subject).where(
        OutboxMessage.platform == platform, OutboxMessage.target_kind == "person", OutboxMessage.target == target)
    if message_id is not None:
        query = query.where(OutboxMessage.platform_message_id == message_id)
    else:
        # The last one queued and not given up: what the person has seen, or is about to.
        query = query.where(OutboxMessage.status != "failed")
    rows = await session.exec(query.order_by(col(OutboxMessage.id).desc()).limit(1))
    return rows.first()


async def to_it_channels(session: AsyncSession, *, core: Core, key: str, message: Message,
                         thread_key: str | None = None, replaces_key: str | None = None) -> int:
    """Post to the IT intake channel of every platform; the key gets the platform appended."""
    # Imported here: addresses imports people, which the outbox does not otherwise need.
    from pmobot.services.addresses import IT_CHANNEL

    return await to_channels(session, core=core, purpose=IT_CHANNEL, key=key, message=message,
                             thread_key=thread_key, replaces_key=replaces_key)


async def channel_addresses(session: AsyncSession, *, core: Core, purpose: str) -> list[tuple[str, str]]:
    """(platform, address) of the ``purpose`` channel (``addresses.CHANNEL_PURPOSES``) on every platform
    switched on that has one chosen."""
    from pmobot.services.addresses import channel

    out = []
    for platform in sorted(core.it_channels):
        address = await channel(session, core=core, platform=platform, purpose=purpose)
        if address:  # switched on, but no such channel chosen yet: what it says is in the commands' answers
            out.append((platform, address))
    return out


def to_addresses(addresses: Sequence[tuple[str, str]], *, key: str, message: Message, thread_key: str | None = None,
                 replaces_key: str | None = None) -> list[Queued]:
    """The message for each channel of ``addresses``; the keys get the platform appended."""
    return [Queued(key=keys.on_platform(key, platform), platform=platform, target_kind="channel", target=address,
                   message=message, thread_key=keys.on_platform(thread_key, platform) if thread_key else None,
                   replaces_key=keys.on_platform(replaces_key, platform) if replaces_key else None)
            for platform, address in addresses]


async def to_channels(session: AsyncSession, *, core: Core, purpose: str, key: str, message: Message,
                      thread_key: str | None = None, replaces_key: str | None = None) -> int:
    """Post to the ``purpose`` channel (``addresses.CHANNEL_PURPOSES``) of every platform switched on;
    the key gets the platform appended. A platform with no such channel chosen yet is skipped."""
    addresses = await channel_addresses(session, core=core, purpose=purpose)
    return await enqueue_many(session, core=core, messages=to_addresses(
        addresses, key=key, message=message, thread_key=thread_key, replaces_key=replaces_key))
