"""Telling the people who asked a question about a need the answer it got: one home for IT's questions
and the committee's alike."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.keys import OutboxKey
from pmobot.domain.models import Need, Person, Question
from pmobot.i18n import t
from pmobot.messages import Card, CardField
from pmobot.services import outbox
from pmobot.services.core import Core
from pmobot.services.people import Actor, locale_of


async def tell_askers(
    session: AsyncSession, *, core: Core, actor: Actor, need: Need, answered: list[Question], text: str,
    key: Callable[[int], OutboxKey], title: str, footer: str | None = None,
) -> None:
    """Each person whose question ``text`` answers gets it once, in their language, beside their question
    (``title`` and ``footer`` are catalog keys; the one who answered is not told their own answer)."""
    told: set[int] = set()
    for q in answered:
        assert q.id is not None
        if q.asked_by_id in told or q.asked_by_id == actor.id:
            continue
        told.add(q.asked_by_id)
        asker = await session.get(Person, q.asked_by_id)
        if asker is None:
            continue
        loc = locale_of(asker, core)
        await outbox.to_person(
            session, core=core, key=key(q.id), person=asker, subject=need.key,
            message=Card(title=t(loc, title, key=need.key, who=actor.person.display_name),
                         subtitle=need.title, body=text,
                         fields=(CardField(t(loc, "estimation.your_question"), q.text, short=False),),
                         footer=t(loc, footer, key=need.key) if footer else ""))
