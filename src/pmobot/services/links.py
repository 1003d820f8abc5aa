"""Who else follows a need (co-requesters) and how needs are tied (possibly the same, different, merged).

Reads only, and the one place that writes a co-requester or a link: ``needs``
(who may see, who is told), ``cards`` (what a card shows), ``export`` and
``duplicates`` (joining, saying different, merging) all go through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import BindParameter, and_, bindparam, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import NeedLink, NeedRequester
from pmobot.services.core import Core

POSSIBLY_SAME = "possibly_same"
DIFFERENT = "different"
MERGED_INTO = "merged_into"
# How a co-requester came to follow a need.
JOINED = "joined"
MERGED = "merged"


@dataclass(frozen=True)
class Ties:
    """What a need's card, status and export say about the needs around it."""

    co_requesters: tuple[Person, ...] = ()
    # (need, similarity) found alike at intake and not said to be different, best first.
    possibly_same: tuple[tuple[Need, float | None], ...] = ()
    different: tuple[Need, ...] = ()
    merged_into: Need | None = None
    merged_here: tuple[Need, ...] = ()


async def co_requester_ids(session: AsyncSession, *, need_id: int) -> list[int]:
    rows = await session.exec(select(NeedRequester.person_id).where(NeedRequester.need_id == need_id)
                              .order_by(col(NeedRequester.id)))
    return list(rows.all())


async def follows(session: AsyncSession, *, need_id: int, person_id: int) -> bool:
    """Whether the person is a co-requester of the need."""
    row = await session.exec(select(NeedRequester.id).where(NeedRequester.need_id == need_id,
                                                            NeedRequester.person_id == person_id))
    return row.first() is not None


async def followed_by(session: AsyncSession, *, person_id: int) -> list[Need]:
    """The needs the person follows as a co-requester, newest first."""
    rows = await session.exec(select(Need).join(NeedRequester, col(NeedRequester.need_id) == col(Need.id))
                              .where(NeedRequester.person_id == person_id).order_by(col(Need.number).desc()))
    return list(rows.all())


async def add_co_requester(session: AsyncSession, *, core: Core, need: Need, person_id: int, via: str) -> bool:
    """Make the person a co-requester of the need; False when they are its requester or follow it already."""
    assert need.id is not None
    if person_id == need.requester_id or await follows(session, need_id=need.id, person_id=person_id):
        return False
    try:
        async with session.begin_nested():
            session.add(NeedRequester(need_id=need.id, person_id=person_id, via=via, joined_at=core.now()))
    except IntegrityError:  # the same person joined at the same instant elsewhere
        return False
    return True


async def link(session: AsyncSession, *, core: Core, need: Need, other: Need, kind: str,
               similarity: float | None = None, by: int | None = None) -> None:
    """Record a tie from ``need`` to ``other``; recording the same one again keeps the first."""
    assert need.id is not None and other.id is not None
    exists = await session.exec(select(NeedLink.id).where(NeedLink.need_id == need.id,
                                                          NeedLink.other_need_id == other.id, NeedLink.kind == kind))
    if exists.first() is not None:
        return
    try:
        async with session.begin_nested():
            session.add(NeedLink(need_id=need.id, other_need_id=other.id, kind=kind, similarity=similarity,
                                 created_by_id=by, created_at=core.now()))
    except IntegrityError:
        return


# The links from a need, and the "different" ones said from the other side: one statement, built once.
_NEED_ID: BindParameter[int] = bindparam("need_id")
_TOUCHING = (select(NeedLink).where(or_(col(NeedLink.need_id) == _NEED_ID,
                                        and_(col(NeedLink.kind) == DIFFERENT, col(NeedLink.other_need_id) == _NEED_ID)))
             .order_by(col(NeedLink.similarity).desc(), col(NeedLink.id)))
# The needs a need's links name, and the ones merged into it once submitted (drafts that joined it are
# not listed: their requester is among the co-requesters).
_AROUND = (select(Need).where(or_(col(Need.id).in_(bindparam("ids", expanding=True)),
                                  and_(col(Need.merged_into_id) == _NEED_ID, col(Need.submitted_at).is_not(None))))
           .order_by(col(Need.number)))
_CO_REQUESTERS = (select(Person).join(NeedRequester, col(NeedRequester.person_id) == col(Person.id))
                  .where(col(NeedRequester.need_id) == _NEED_ID).order_by(col(NeedRequester.id)))


async def touching(session: AsyncSession, *, need_id: int) -> list[NeedLink]:
    """The need's own links, most alike first, and the "different" ones said from the other side."""
    return list((await session.exec(_TOUCHING, params={"need_id": need_id})).all())


def _different(need_id: int, rows: Sequence[NeedLink]) -> set[int]:
    return {r.other_need_id if r.need_id == need_id else r.need_id for r in rows if r.kind == DIFFERENT}


async def around(session: AsyncSession, *, need: Need, rows: Sequence[NeedLink]) -> list[Need]:
    """The needs ``rows`` (from ``touching``) name, the one it was merged into, and the needs merged into
    it: one query, by number."""
    assert need.id is not None
    ids = {r.other_need_id for r in rows if r.need_id == need.id} | _different(need.id, rows)
    if need.merged_into_id:
        ids.add(need.merged_into_id)
    return list((await session.exec(_AROUND, params={"ids": sorted(ids), "need_id": need.id})).all())


def tied(need: Need, *, rows: Sequence[NeedLink], around: Sequence[Need],
         co_requesters: Sequence[Person]) -> Ties:
    """The ties of ``need`` from what ``touching`` and ``around`` read, and its co-requesters in the order
    they joined."""
    assert need.id is not None
    different = _different(need.id, rows)
    others = {n.id: n for n in around}
    own = [r for r in rows if r.need_id == need.id]
    possibly = tuple((others[r.other_need_id], r.similarity) for r in own
                     if r.kind == POSSIBLY_SAME and r.other_need_id not in different)
    return Ties(
        co_requesters=tuple(co_requesters), possibly_same=possibly,
        different=tuple(others[i] for i in sorted(different, key=lambda i: others[i].number) if i in others),
        merged_into=others.get(need.merged_into_id) if need.merged_into_id else None,
        merged_here=tuple(n for n in around if n.merged_into_id == need.id and n.submitted_at is not None),
    )


async def ties(session: AsyncSession, *, need: Need) -> Ties:
    assert need.id is not None
    people = (await session.exec(_CO_REQUESTERS, params={"need_id": need.id})).all()
    rows = await touching(session, need_id=need.id)
    return tied(need, rows=rows, around=await around(session, need=need, rows=rows), co_requesters=people)
