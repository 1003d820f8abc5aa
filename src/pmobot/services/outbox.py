"""Queue messages for delivery; the worker in ``pmobot.scheduler`` sends them.

Each message has an idempotency key: queuing the same key twice keeps the
first, so a retried request never posts twice.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.db import add_unless_taken
from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage, Person
from pmobot.messages import Message, to_dict
from pmobot.services.core import Core


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
    existing = (await session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key))).first()
    if existing is not None:
        return False
    row = OutboxMessage(
        key=key[:255], platform=platform, target_kind=target_kind, target=target, payload=to_dict(message),
        thread_key=thread_key, replaces_key=replaces_key, next_attempt_at=core.now(), created_at=core.now(),
        subject=subject,
    )
    # Losing a race on the key does not undo the caller's work.
    return await add_unless_taken(session, row)


async def to_person(session: AsyncSession, *, core: Core, key: str, person: Person, message: Message,
                    thread_key: str | None = None, subject: str | None = None) -> bool:
    """A direct message, on the platform the person is told things on (``people.notified_account``);
    ``subject`` (a need's key) is what a reply to it is about."""
    # Imported here: people imports nothing of the outbox, and most callers of the outbox need no people.
    from pmobot.services.people import notified_account

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


async def to_channels(session: AsyncSession, *, core: Core, purpose: str, key: str, message: Message,
                      thread_key: str | None = None, replaces_key: str | None = None) -> int:
    """Post to the ``purpose`` channel (``addresses.CHANNEL_PURPOSES``) of every platform switched on;
    the key gets the platform appended. A platform with no such channel chosen yet is skipped."""
    from pmobot.services.addresses import channel

    count = 0
    for platform in sorted(core.it_channels):
        address = await channel(session, core=core, platform=platform, purpose=purpose)
        if not address:
            continue  # switched on, but no such channel chosen yet: what it says is in the commands' answers
        count += await enqueue(
            session, core=core, key=keys.on_platform(key, platform), platform=platform, target_kind="channel",
            target=address, message=message,
            thread_key=keys.on_platform(thread_key, platform) if thread_key else None,
            replaces_key=keys.on_platform(replaces_key, platform) if replaces_key else None,
        )
    return count
