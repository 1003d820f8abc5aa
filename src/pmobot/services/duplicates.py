"""Needs like the one being filed: found before it is sent, joined instead, or said to be different.

When the intake is complete, the need is compared (title, problem,
department, French and English alike: ``domain.similarity``) with the open
needs and the needs of running projects. With nothing alike it goes to IT at
once. Otherwise it waits as a draft and the requester is shown the closest
ones, each with why: they may *join* one (they become its co-requester, are
told of its steps and may see it, and their draft is not sent), say theirs is
*different* (recorded, so that pair is never put to them or IT again), or
send it as it is, in which case IT's card says "possibly the same as NEED-4".

The comparison runs while the person waits, against thousands of needs: an
inverted index per process, built once from the database and brought up to
date at each check with the rows changed since (``_Cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.db import Database
from pmobot.domain import keys, lifecycle
from pmobot.domain.lifecycle import NeedStatus, ProjectStatus
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import NeedLink, Project
from pmobot.domain.similarity import TOP, Document, Index, Match, document
from pmobot.i18n import t
from pmobot.messages import Action, Card, CardField, Message, Notice
from pmobot.services import audit, intake, links, outbox
from pmobot.services.core import Core
from pmobot.services.errors import Invalid, NotFound, Phrase
from pmobot.services.needs import get_visible, parse_key, person, status_label, transition
from pmobot.services.people import Actor, locale_of

# Needs a new one may be the same as: sent and not closed (a running project's need is added).
OPEN = lifecycle.OPEN
# Rows changed up to this long before the last check are read again at each check: a transaction
# committed a little after its timestamps were taken, or on a replica whose clock is a little behind,
# is not missed.
MARGIN = timedelta(minutes=5)
# Needs whose words are read in one query, at most.
_CHUNK = 1000
# Candidates read from the database to keep TOP of them after checking they are still open.
_SPARE = 5


@dataclass
class _Cache:
    """One database's index in this process, and how far it has read."""

    index: Index = field(default_factory=Index)
    # When this process last read the changes (its clock): the next check reads from a MARGIN before.
    seen: datetime | None = None
    running: set[int] = field(default_factory=set)  # needs with an active project


_CACHES: WeakKeyDictionary[Database, _Cache] = WeakKeyDictionary()


@dataclass(frozen=True)
class Similar:
    """A need like the one being filed, how alike, and its project when it runs as one."""

    need: Need
    match: Match
    project: Project | None = None


def need_document(need: Need) -> Document:
    return document(need.title, need.problem, need.department)


async def index_of(*, core: Core) -> Index:
    """This process's index of open needs and running projects, brought up to date from the database.

    Read in a session of its own, so only what is committed enters the index: a need sent in a unit of
    work that then rolls back never does (its id might later be another need's).
    """
    cache = _CACHES.get(core.db)
    if cache is None:
        cache = _CACHES[core.db] = _Cache()
    async with core.db.session() as session:
        await _refresh(session, core=core, cache=cache)
    return cache.index


async def _refresh(session: AsyncSession, *, core: Core, cache: _Cache) -> None:
    since = cache.seen - MARGIN if cache.seen is not None else None
    cache.seen = core.now()
    projects = select(Project.need_id, Project.status)
    if since is not None:
        projects = projects.where(col(Project.updated_at) >= since)
    moved: set[int] = set()
    for need_id, status in (await session.exec(projects)).all():
        (cache.running.add if status == ProjectStatus.ACTIVE else cache.running.discard)(need_id)
        moved.add(need_id)
    rows = select(Need.id, Need.status)
    if since is not None:
        rows = rows.where(or_(col(Need.updated_at) >= since, col(Need.id).in_(sorted(moved))))
    coming: list[int] = []
    for row_id, status in (await session.exec(rows)).all():
        if row_id is None:
            continue
        if status in OPEN or row_id in cache.running:
            if row_id not in cache.index:  # a need's words do not change once it is sent
                coming.append(row_id)
        else:
            cache.index.remove(row_id)
    for start in range(0, len(coming), _CHUNK):
        texts = select(Need.id, Need.title, Need.problem, Need.department).where(
            col(Need.id).in_(coming[start:start + _CHUNK]))
        for text_id, title, problem, department in (await session.exec(texts)).all():
            if text_id is not None:
                cache.index.add(text_id, document(title, problem, department))


async def similar(session: AsyncSession, *, core: Core, doc: Document, exclude: set[int]) -> list[Similar]:
    """The TOP open needs or running projects most like ``doc`` above the threshold, checked in the database."""
    index = await index_of(core=core)
    matches = index.search(doc, limit=TOP + _SPARE, exclude=exclude)
    ids = [m.need_id for m in matches]
    needs = {n.id: n for n in (await session.exec(select(Need).where(col(Need.id).in_(ids)))).all()}
    running = {p.need_id: p for p in (await session.exec(select(Project).where(
        col(Project.need_id).in_(ids), Project.status == ProjectStatus.ACTIVE))).all()}
    out = []
    for match in matches:
        need = needs.get(match.need_id)
        if need is None or not (need.status in OPEN or need.id in running):
            continue  # closed since the index last read it
        out.append(Similar(need, match, running.get(match.need_id)))
    return out[:TOP]


# -- at intake ----------------------------------------------------------------------------


async def file_need(
    session: AsyncSession, *, core: Core, actor: Actor, answers: dict[str, Any], source_platform: str,
    source_conversation: str, opening_message: str = "",
) -> list[Message]:
    """The intake's completion: send the need, or first show the needs like it and ask."""
    need = await intake.create_draft(session, core=core, actor=actor, answers=answers,
                                     source_platform=source_platform, source_conversation=source_conversation,
                                     opening_message=opening_message)
    assert need.id is not None
    found = await similar(session, core=core, doc=need_document(need), exclude={need.id})
    if not found:
        return await intake.send(session, core=core, actor=actor, need=need)
    for s in found:
        await links.link(session, core=core, need=need, other=s.need, kind=links.POSSIBLY_SAME,
                         similarity=s.match.score)
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="similar_found",
                       detail={"similar": [{"key": s.need.key, "score": s.match.score} for s in found]})
    return [await ask_card(session, actor=actor, need=need, found=found)]


async def ask_card(session: AsyncSession, *, actor: Actor, need: Need, found: list[Similar]) -> Card:
    """The needs like this draft, each with why, and what the requester may do."""
    loc = actor.locale
    fields: list[CardField] = []
    actions: list[Action] = []
    for s in found:
        requester = await person(session, s.need.requester_id)
        mine = s.need.requester_id == actor.id or await links.follows(
            session, need_id=s.need.id or 0, person_id=actor.id)
        fields.append(CardField(f"{s.need.key} · {s.need.title}", _why(s, requester, loc, mine=mine), short=False))
        if not mine:
            actions.append(Action(buttons.JOIN.action_id, t(loc, "duplicates.button.join", key=s.need.key),
                                  f"{need.key} {s.need.key}", "primary" if not actions else "default"))
    actions.append(buttons.DIFFERENT.action(loc, need.key))
    actions.append(buttons.SUBMIT.action(loc, need.key))
    return Card(title=t(loc, "duplicates.ask.title", key=need.key), subtitle=need.title,
                body=t(loc, "duplicates.ask.body"), fields=tuple(fields), actions=tuple(actions),
                footer=t(loc, "duplicates.ask.footer", key=need.key, other=found[0].need.key))


def _why(s: Similar, requester: Person | None, loc: str, *, mine: bool) -> str:
    status = status_label(s.need.status, loc) if s.project is None else t(loc, "duplicates.ask.project",
                                                                            key=s.project.key)
    who = t(loc, "duplicates.ask.yours") if mine else (requester.display_name if requester else "?")
    words = ", ".join(a if a == b else f"{a} ↔ {b}" for a, b in s.match.shared[:5])
    why = t(loc, "duplicates.ask.why", percent=round(s.match.score * 100), words=words or "—")
    if s.match.same_department:
        why += " · " + t(loc, "duplicates.ask.same_department")
    return f"{status} · {who}\n{why}"


async def _own_draft(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    need = await get_visible(session, actor=actor, key=key)
    if need.requester_id != actor.id:
        raise NotFound("need.error.not_found", key=need.key)
    if need.status != NeedStatus.DRAFT:
        raise Invalid("duplicates.error.not_a_draft", key=need.key, status=status_phrase(need.status))
    return need


def status_phrase(status: str) -> Phrase:
    """A status named in the reader's language when the message is rendered."""
    return Phrase(lambda loc: status_label(status, loc))


async def _offered(session: AsyncSession, *, draft: Need) -> dict[int, float | None]:
    rows = await session.exec(select(NeedLink).where(NeedLink.need_id == draft.id,
                                                     NeedLink.kind == links.POSSIBLY_SAME))
    return {r.other_need_id: r.similarity for r in rows.all()}


async def join(session: AsyncSession, *, core: Core, actor: Actor, key: str, other: str) -> list[Message]:
    """Follow one of the needs shown instead of sending one's own draft."""
    draft = await _own_draft(session, actor=actor, key=key)
    number = parse_key(other)
    target = (await session.exec(select(Need).where(Need.number == number))).first()
    if target is None or target.id not in await _offered(session, draft=draft):
        raise NotFound("duplicates.error.not_offered", other=f"NEED-{number}", key=draft.key)
    assert target.id is not None
    running = (await session.exec(select(Project).where(Project.need_id == target.id,
                                                        Project.status == ProjectStatus.ACTIVE))).first()
    if target.status not in OPEN and running is None:
        raise Invalid("duplicates.error.closed", other=target.key, status=status_phrase(target.status), key=draft.key)
    await transition(session, core=core, actor=actor, need=draft, action="join", detail={"into": target.key},
                     changes={"merged_into_id": target.id})
    await links.link(session, core=core, need=draft, other=target, kind=links.MERGED_INTO, by=actor.id)
    if not await links.add_co_requester(session, core=core, need=target, person_id=actor.id, via=links.JOINED):
        return [Notice(t(actor.locale, "duplicates.joined_own", key=target.key, draft=draft.key), "success")]
    await audit.record(session, core=core, actor_id=actor.id, subject=target.key, action="co_requester_joined",
                       detail={"from": draft.key})
    requester = await person(session, target.requester_id)
    if requester is not None:
        loc = locale_of(requester, core)
        await outbox.to_person(session, core=core, key=keys.co_requester_joined(target.key, actor.id),
                               person=requester, message=Notice(t(
                                   loc, "duplicates.joined_notice", who=actor.person.display_name, key=target.key,
                                   title=target.title)))
    await intake.refresh_it_card(session, core=core, need=target)
    return [Notice(t(actor.locale, "duplicates.joined", key=target.key, title=target.title, draft=draft.key),
                   "success")]


async def different(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> list[Message]:
    """The requester says theirs is none of the needs shown: recorded for each pair, then sent."""
    draft = await _own_draft(session, actor=actor, key=key)
    offered = await _offered(session, draft=draft)
    others = (await session.exec(select(Need).where(col(Need.id).in_(sorted(offered))))).all()
    for other in others:
        await links.link(session, core=core, need=draft, other=other, kind=links.DIFFERENT,
                         similarity=offered[other.id or 0], by=actor.id)
    await audit.record(session, core=core, actor_id=actor.id, subject=draft.key, action="said_different",
                       detail={"from": sorted(n.key for n in others)})
    noted = Notice(t(actor.locale, "duplicates.different_noted", keys=", ".join(n.key for n in others)))
    return [noted, *await intake.send(session, core=core, actor=actor, need=draft)]


async def submit(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> list[Message]:
    """Send the draft as it is: IT's card says which needs it is possibly the same as."""
    draft = await _own_draft(session, actor=actor, key=key)
    return await intake.send(session, core=core, actor=actor, need=draft)
