"""Messages the platforms would not take: seen by PMO admins, never dropped.

When the outbox gives up on a message (the last attempt failed, or the
platform said it never will accept it), the failure is kept on the outbox
row, PMO admins are told, and a person the platform refuses to reach is
marked unreachable until they write to the bot again. ``/pmo deliveries``
lists the failures; ``/pmo deliveries retry 12`` queues one again.
"""

from __future__ import annotations

import logging

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.models import OutboxMessage
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import audit, outbox, people
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, NotFound
from pmobot.services.people import Actor, find_by_platform_id, locale_of

log = logging.getLogger(__name__)

LISTED = 20


def _require_pmo(actor: Actor) -> None:
    if not actor.has(Role.PMO):
        raise Forbidden("deliveries.only_pmo")


async def record_failure(session: AsyncSession, *, core: Core, row: OutboxMessage, reason: str,
                         unreachable: bool = False) -> None:
    """After the worker marked ``row`` failed: mark the person, tell the PMO admins."""
    # Notices about failures are themselves never reported, so a platform that is
    # down cannot start a loop of failure notices about failure notices.
    if keys.is_delivery_failed(row.key):
        return
    person = None
    if row.target_kind == "person":
        person = await find_by_platform_id(session, platform=row.platform, user_id=row.target)
        if person is not None and unreachable and person.unreachable_since is None:
            person.unreachable_since = core.now()
            person.unreachable_reason = reason[:255]
            session.add(person)
            await audit.record(session, core=core, actor_id=None, subject=f"person:{person.id}",
                               action="unreachable", reason=reason[:500], detail={"platform": row.platform})
    admins = await people.holding(session, role=Role.PMO)
    assert row.id is not None
    for admin in admins:
        assert admin.id is not None
        if admin.unreachable_since is not None or (person is not None and admin.id == person.id):
            continue
        locale = locale_of(admin, core)
        who = person.display_name if person is not None else row.target
        key = "deliveries.failed_unreachable" if unreachable and person is not None else "deliveries.failed_notice"
        text = t(locale, key, who=who, platform=row.platform, id=row.id, reason=reason[:300])
        await outbox.to_person(session, core=core, key=keys.delivery_failed(row.id, admin.id), person=admin,
                               message=Notice(text, "warning"))


async def failed(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    _require_pmo(actor)
    rows = list((await session.exec(
        select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(col(OutboxMessage.id).desc())
        .limit(LISTED + 1)
    )).all())
    loc = actor.locale
    if not rows:
        return [Notice(t(loc, "deliveries.none"), "success")]
    shown = rows[:LISTED]
    fields = tuple(
        CardField(
            t(loc, "deliveries.row_label", id=r.id, platform=r.platform, target=r.target),
            t(loc, "deliveries.row_value", count=r.attempts, error=(r.last_error or "?")[:200]),
            short=False,
        )
        for r in shown
    )
    footer = t(loc, "deliveries.footer")
    if len(rows) > LISTED:
        footer = t(loc, "deliveries.more", count=LISTED) + " " + footer
    return [Card(title=t(loc, "deliveries.title"), fields=fields, footer=footer)]


async def retry(session: AsyncSession, *, core: Core, actor: Actor, row_id: int) -> list[Message]:
    _require_pmo(actor)
    row = await session.get(OutboxMessage, row_id)
    if row is None or row.status != "failed":
        raise NotFound("deliveries.not_failed", id=row_id)
    row.status, row.attempts, row.next_attempt_at, row.locked_until = "pending", 0, core.now(), None
    # Its time budget starts again: counted from when the message was (re)queued.
    row.created_at = core.now()
    session.add(row)
    await audit.record(session, core=core, actor_id=actor.id, subject=f"outbox:{row.id}", action="delivery_retried",
                       detail={"key": row.key})
    return [Notice(t(actor.locale, "deliveries.requeued", id=row.id), "success")]
