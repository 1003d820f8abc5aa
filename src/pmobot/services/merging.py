"""The PMO merges one need into another: both requesters kept, the history of both kept.

``/pmo merge NEED-a into NEED-b``: NEED-a takes the ``merge`` step (status
``merged``, ``merged_into`` NEED-b, audited), its requester and its
co-requesters become co-requesters of NEED-b (they are told of its steps and
may see it), and each need's card and status say where the other went.
Refused, with what is possible instead, for someone who is not PMO, for a
need merged into itself, and into a closed need.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.lifecycle import CLOSED
from pmobot.domain.models import Need
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Message, Notice
from pmobot.services import audit, intake, links, outbox
from pmobot.services.core import Core
from pmobot.services.duplicates import status_phrase
from pmobot.services.errors import Forbidden, Invalid
from pmobot.services.needs import get_visible, person, transition
from pmobot.services.people import Actor, locale_of

# Words that may stand between the two keys: "merge NEED-4 into NEED-2", "fusionner NEED-4 dans NEED-2".
CONNECTORS = frozenset({"into", "in", "to", "with", "dans", "avec", "vers", "en", "sur", "a", "à", "->", "→", ">"})


def target_of(text: str) -> str | None:
    """The second key of a merge command's arguments ("into NEED-2" → "NEED-2"), None when missing."""
    words = [w for w in text.split() if w.lower() not in CONNECTORS]
    return words[0] if len(words) == 1 else None


async def merge(session: AsyncSession, *, core: Core, actor: Actor, key: str, into: str,
                reason: str = "") -> list[Message]:
    if not actor.has(Role.PMO):
        raise Forbidden("duplicates.error.merge_pmo_only")
    source = await get_visible(session, actor=actor, key=key)
    target = await get_visible(session, actor=actor, key=into)
    if source.id == target.id:
        raise Invalid("duplicates.error.merge_self", key=source.key)
    if target.status in CLOSED:
        raise Invalid("duplicates.error.merge_into_closed", into=target.key, status=status_phrase(target.status))
    assert source.id is not None and target.id is not None
    # Everyone who followed the merged need is told below, where it went: not twice.
    await transition(session, core=core, actor=actor, need=source, action="merge", reason=reason,
                     detail={"into": target.key}, changes={"merged_into_id": target.id, "waiting_since": None},
                     requester_told=True, followers_told=True)
    moved = [source.requester_id, *await links.co_requester_ids(session, need_id=source.id)]
    added = [pid for pid in moved
             if await links.add_co_requester(session, core=core, need=target, person_id=pid, via=links.MERGED)]
    await links.link(session, core=core, need=source, other=target, kind=links.MERGED_INTO, by=actor.id)
    await audit.record(session, core=core, actor_id=actor.id, subject=target.key, action="merged_in", reason=reason,
                       detail={"from": source.key, "co_requesters": added})
    for person_id in moved:
        if person_id != actor.id:
            await _tell(session, core=core, actor=actor, source=source, target=target, person_id=person_id)
    if target.requester_id not in (actor.id, *moved):
        await _tell_target(session, core=core, actor=actor, source=source, target=target)
    if source.submitted_at is not None:
        await intake.refresh_it_card(session, core=core, need=source)
    await intake.refresh_it_card(session, core=core, need=target)
    return [Notice(t(actor.locale, "duplicates.merged", key=source.key, into=target.key, count=len(added)),
                   "success")]


async def _tell(session: AsyncSession, *, core: Core, actor: Actor, source: Need, target: Need,
                person_id: int) -> None:
    reader = await person(session, person_id)
    if reader is None:
        return
    loc = locale_of(reader, core)
    await outbox.to_person(session, core=core, key=keys.merged(source.key, target.key, person_id), person=reader,
                           message=Notice(t(loc, "duplicates.merged_notice", key=source.key, title=source.title,
                                            into=target.key, into_title=target.title,
                                            who=actor.person.display_name)))


async def _tell_target(session: AsyncSession, *, core: Core, actor: Actor, source: Need, target: Need) -> None:
    """The target's requester learns who now follows their need with them, and why."""
    reader = await person(session, target.requester_id)
    if reader is None:
        return
    loc = locale_of(reader, core)
    await outbox.to_person(session, core=core, key=keys.merged(source.key, target.key, target.requester_id),
                           person=reader,
                           message=Notice(t(loc, "duplicates.merged_in_notice", key=source.key, title=source.title,
                                            into=target.key, who=actor.person.display_name)))
