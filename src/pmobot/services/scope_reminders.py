"""Reminders to whoever a scope's sign-off waits on, past the service level that estimates follow too
(``tracking.service_levels.scope_agreement``, in business days): once a day each, the scope's card
again with its buttons. The outbox key holds the day, so a job run twice in a day reminds once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.models import Need, Person
from pmobot.i18n import t
from pmobot.services import outbox, scope
from pmobot.services.core import Core
from pmobot.services.people import locale_of


async def remind(session: AsyncSession, *, core: Core, now: datetime) -> int:
    """Remind each person a scope has waited on for longer than the service level; how many were queued."""
    level = core.policy.tracking.service_levels.scope_agreement
    day = core.calendar.local_day(now).isoformat()
    queued = 0
    for need_id, since, waiting_on in await scope.awaiting_agreement(session, core=core):
        waited = core.calendar.business_days_between(since, now)
        if waited < level:
            continue
        need = await session.get(Need, need_id)
        row = await scope.latest(session, need_id=need_id)
        if need is None or row is None:
            continue
        for person_id in waiting_on:
            who = await session.get(Person, person_id)
            if who is None:
                continue
            loc = locale_of(who, core)
            card = await scope.card(session, core=core, need=need, row=row, locale=loc, with_actions=True)
            card = replace(card, title=t(loc, "scope.reminder.title", key=need.key),
                           body=t(loc, "scope.reminder.body", count=waited, key=need.key, version=row.number,
                                  title=need.title))
            key = keys.scope_reminder(need.key, row.number, person_id, day)
            queued += await outbox.to_person(session, core=core, key=key, person=who, subject=need.key, message=card)
    return queued
