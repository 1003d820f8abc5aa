"""Loading needs, who may see them, and moving them along the lifecycle."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain import keys, lifecycle
from pmobot.domain.lifecycle import NeedStatus, TransitionRefused
from pmobot.domain.models import AuditEvent, Estimate, KeyCounter, Need, Person, Question
from pmobot.domain.models_governance import Project
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Notice
from pmobot.services import audit, links, outbox
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound, Overtaken, Phrase
from pmobot.services.people import Actor, by_ids, locale_of

_KEY = re.compile(r"^\s*(?:NEED|BESOIN)?[-#\s]*(\d{1,9})\s*$", re.IGNORECASE)


def parse_key(text: str) -> int:
    """``NEED-12``, ``need 12``, ``#12`` or ``12`` → 12."""
    m = _KEY.match(text or "")
    if not m:
        raise Invalid("need.error.key", value=text)
    return int(m.group(1))


def can_view(actor: Actor, need: Need, *, follows: bool = False) -> bool:
    """Who sees a need: the portfolio roles, its requester, and its co-requesters (``follows``:
    the person is one, from ``links.follows``)."""
    return actor.sees_portfolio or need.requester_id == actor.id or follows


async def get_visible(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    """The need named by ``key`` if this person may see it; otherwise 'not found',
    worded the same whether it does not exist or is someone else's."""
    number = parse_key(key)
    need = (await session.exec(_BY_NUMBER, params={"number": number})).first()
    return await visible(session, actor=actor, need=need, number=number)


# Read on every command naming a need: built once.
_BY_NUMBER = select(Need).where(col(Need.number) == bindparam("number"))


async def visible(session: AsyncSession, *, actor: Actor, need: Need | None, number: int) -> Need:
    """``need`` (read by its ``number``) if this person may see it; otherwise 'not found', as ``get_visible``."""
    if need is None or not (can_view(actor, need) or can_view(
            actor, need, follows=await links.follows(session, need_id=_id(need), person_id=actor.id))):
        raise NotFound("need.error.not_found", key=f"NEED-{number}")
    return need


def _id(need: Need) -> int:
    assert need.id is not None
    return need.id


async def next_number(session: AsyncSession, *, prefix: str) -> int:
    """The next human number for ``prefix``, atomically: one UPDATE ... RETURNING,
    so two submissions at once can never get the same NEED number."""
    bump = (
        update(KeyCounter).where(col(KeyCounter.prefix) == prefix)
        .values(last=col(KeyCounter.last) + 1).returning(col(KeyCounter.last))
    )
    value = (await session.exec(bump)).scalar_one_or_none()
    if value is not None:
        return int(value)
    try:
        async with session.begin_nested():
            session.add(KeyCounter(prefix=prefix, last=1))
        return 1
    except IntegrityError:  # another transaction created the counter first
        return int((await session.exec(bump)).scalar_one())


async def latest_estimate(session: AsyncSession, *, need_id: int) -> Estimate | None:
    rows = await session.exec(
        select(Estimate).where(Estimate.need_id == need_id).order_by(col(Estimate.version).desc()).limit(1)
    )
    return rows.first()


async def person(session: AsyncSession, person_id: int | None) -> Person | None:
    return None if person_id is None else await session.get(Person, person_id)


def status_label(status: str, locale: str) -> str:
    return t(locale, f"status.{status}")


def refusal(exc: TransitionRefused, need: Need, tags: frozenset[str], *, project: str | None = None) -> Forbidden:
    """Turn a refused step into a message that says why and what this person may do instead;
    ``project``: the project an approved need became, named as what it is now."""
    action = Phrase(lambda loc: t(loc, f"action.{exc.action}"))
    if exc.reason == "actor":
        actors = sorted(lifecycle.actors_of(exc.action))
        who = Phrase(lambda loc: ", ".join(t(loc, f"actor.{a}") for a in actors))
        return Forbidden("need.error.not_allowed", action=action, key=need.key, who=who)
    # Only the steps open to this person: listing someone else's would be a second refusal.
    steps = lifecycle.possible(exc.status, tags)
    allowed = Phrase(lambda loc: ", ".join(t(loc, f"action.{a}") for a in steps) or (
        t(loc, "need.now_project", project=project) if project else _nothing(exc.status, loc)))
    status = Phrase(lambda loc: status_label(exc.status, loc))
    return Forbidden("need.error.wrong_status", action=action, key=need.key, status=status, allowed=allowed)


def _nothing(status: NeedStatus, locale: str) -> str:
    return t(locale, "need.nothing_possible" if status in lifecycle.CLOSED else "need.nothing_for_you")


async def check_step(session: AsyncSession, actor: Actor, need: Need, action: str) -> lifecycle.Transition:
    """The step ``action`` for this person on this need, or a refusal saying why (an approved need
    refused as the project it became)."""
    tags = lifecycle.actor_tags(actor.roles, is_owner=need.requester_id == actor.id)
    try:
        return lifecycle.check(action, NeedStatus(need.status), tags)
    except TransitionRefused as exc:
        project = None
        if exc.status == NeedStatus.APPROVED:
            found = (await session.exec(select(Project).where(Project.need_id == need.id))).first()
            project = found.key if found is not None else None
        raise refusal(exc, need, tags, project=project) from None


async def transition(
    session: AsyncSession, *, core: Core, actor: Actor, need: Need, action: str, reason: str = "",
    detail: dict[str, Any] | None = None, changes: dict[str, Any] | None = None, requester_told: bool = False,
    followers_told: bool = False,
) -> NeedStatus:
    """Take one lifecycle step for ``actor``, with its audit event; refuse with reasons.

    The step is a compare-and-set on the status and version it was checked
    against: of two people stepping at once exactly one is written, and the
    other gets ``Overtaken`` (their unit of work then rolls back, so nothing of
    theirs is half-written). ``changes`` are other columns written in the same
    statement (who claimed it, since when it waits). Unless the caller sends
    the requester its own message (``requester_told``), a step someone else
    takes on a need is told to its requester, with the reason; and, unless
    the caller tells them itself (``followers_told``), to its co-requesters.
    """
    current = NeedStatus(need.status)
    step = await check_step(session, actor, need, action)
    now = core.now()
    values: dict[str, Any] = {"status": str(step.target), "version": need.version + 1, "updated_at": now,
                              **(changes or {})}
    cas = (
        update(Need)
        .where(col(Need.id) == need.id, col(Need.status) == str(current), col(Need.version) == need.version)
        .values(**values).returning(col(Need.id))
        .execution_options(synchronize_session=False)
    )
    if (await session.exec(cas)).scalar_one_or_none() is None:
        raise await overtaken(session, actor=actor, need=need, action=action)
    for name, value in values.items():
        set_committed_value(need, name, value)
    await audit.record(
        session, core=core, actor_id=actor.id, subject=need.key, action=action,
        from_status=current, to_status=step.target, reason=reason, detail=detail,
    )
    if step.target in lifecycle.CLOSED:
        await _close_questions(session, need=need, now=now)
    if not requester_told and actor.id != need.requester_id:
        await tell_requester(session, core=core, actor=actor, need=need, action=action, reason=reason)
    if not followers_told:
        await tell_co_requesters(session, core=core, actor=actor, need=need, action=action, reason=reason)
    return step.target


async def overtaken(session: AsyncSession, *, actor: Actor, need: Need, action: str) -> Overtaken:
    """What to tell someone whose step lost the race: who moved the need first, and how."""
    await session.refresh(need)
    # Read now: the session rolls back before the message is rendered.
    key, now_at = need.key, need.status
    last = (
        await session.exec(
            select(AuditEvent).where(AuditEvent.subject == key, col(AuditEvent.to_status).is_not(None))
            .order_by(col(AuditEvent.id).desc()).limit(1)
        )
    ).first()
    status = Phrase(lambda loc: status_label(now_at, loc))
    mine = Phrase(lambda loc: t(loc, f"action.{action}"))
    if last is None or last.actor_id == actor.id:
        return Overtaken("need.error.overtaken_self", key=key, status=status, action=mine)
    who = await person(session, last.actor_id)
    done = _done_phrase(last.action, who.display_name if who else "?", key)
    return Overtaken("need.error.overtaken", done=done, key=key, status=status, action=mine)


def _done_phrase(action: str, who: str, key: str) -> Phrase:
    return Phrase(lambda loc: t(loc, f"need.done.{action}", who=who, key=key))


async def tell_requester(
    session: AsyncSession, *, core: Core, actor: Actor, need: Need, action: str, reason: str = ""
) -> None:
    """Tell the requester, in their language, a step someone else took on their need, and why."""
    requester = await person(session, need.requester_id)
    if requester is None:
        return
    await outbox.to_person(session, core=core, key=keys.step_told(need.key, need.version), person=requester,
                           message=_step_notice(core, actor=actor, need=need, action=action, reason=reason,
                                                reader=requester))


async def tell_co_requesters(
    session: AsyncSession, *, core: Core, actor: Actor, need: Need, action: str, reason: str = ""
) -> None:
    """Tell everyone who follows the need as a co-requester (``links``) each step taken on it, but
    the one who took it: they asked for the same thing, so they hear what its requester hears."""
    ids = await links.co_requester_ids(session, need_id=_id(need))
    followers = await by_ids(session, ids=(i for i in ids if i != actor.id))  # one query, however many follow
    for person_id in ids:
        follower = followers.get(person_id)
        if follower is None:
            continue
        await outbox.to_person(session, core=core, key=keys.co_requester_told(need.key, need.version, person_id),
                               person=follower, message=_step_notice(core, actor=actor, need=need, action=action,
                                                                     reason=reason, reader=follower))


def _step_notice(core: Core, *, actor: Actor, need: Need, action: str, reason: str, reader: Person) -> Notice:
    loc = locale_of(reader, core)
    text = t(loc, "need.step_notice", done=_done_phrase(action, actor.person.display_name, need.key).render(loc),
             title=need.title, status=status_label(need.status, loc))
    if reason:
        text += "\n" + t(loc, "need.reason", reason=reason)
    return Notice(text, "warning" if need.status in lifecycle.CLOSED else "info")


async def _close_questions(session: AsyncSession, *, need: Need, now: datetime) -> None:
    """Questions still open when a need closes will never be answered: close them with it."""
    await session.exec(
        update(Question)
        .where(col(Question.need_id) == need.id, col(Question.answered_at).is_(None),
               col(Question.closed_at).is_(None))
        .values(closed_at=now).execution_options(synchronize_session=False)
    )


async def open_questions(session: AsyncSession, *, need: Need, addressee: str | None = "requester") -> list[Question]:
    """The questions about this need still waiting for an answer, oldest first: by default IT's to
    the requester; ``addressee="it"`` the requester's to IT; None both."""
    query = select(Question).where(
        Question.need_id == need.id, col(Question.answered_at).is_(None), col(Question.closed_at).is_(None))
    if addressee is not None:
        query = query.where(Question.addressee == addressee)
    rows = await session.exec(query.order_by(col(Question.id)))
    return list(rows.all())


# Columns an intake field may fill; other answers go to ``need.extra``.
_COLUMNS = {
    "title", "problem", "benefits", "department", "sponsor", "users_affected", "desired_date",
    "budget", "systems", "personal_data", "external_vendor",
}


def apply_answers(spec: DialogSpec, need: Need, answers: dict[str, Any]) -> None:
    """Copy dialog answers onto the need, by each field's ``target`` (or id)."""
    extra = dict(need.extra or {})
    for field in spec.fields:
        if field.id not in answers:
            continue
        value = answers[field.id]
        column = field.target or field.id
        if column not in _COLUMNS:
            extra[field.id] = value
            continue
        if field.type == "money":
            if value is None:
                need.budget, need.currency = None, None
            else:
                need.budget = Decimal(value["amount"])
                need.currency = value["currency"]
        elif field.type == "date":
            setattr(need, column, date.fromisoformat(value) if value else None)
        elif column == "systems":
            need.systems = list(value or [])
        elif column in ("title", "problem", "benefits"):
            setattr(need, column, value or "")
        else:
            setattr(need, column, value)
    need.extra = extra


def answers_of(spec: DialogSpec, need: Need) -> dict[str, Any]:
    """The need's values keyed by intake field id, as the dialog would hold them."""
    out: dict[str, Any] = {}
    for field in spec.fields:
        column = field.target or field.id
        if column not in _COLUMNS:
            out[field.id] = (need.extra or {}).get(field.id)
        elif field.type == "money":
            out[field.id] = (
                None if need.budget is None
                else {"amount": _plain(need.budget), "currency": need.currency or "EUR"}
            )
        elif field.type == "date":
            value = getattr(need, column)
            out[field.id] = value.isoformat() if value else None
        else:
            value = getattr(need, column)
            out[field.id] = value if value not in ("", []) else None
    return out


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text


async def paused_by(session: AsyncSession, *, need: Need) -> AuditEvent | None:
    """The step that last put the need in ``needs_info`` (IT's ``ask``, or the committee's ``request_info``)."""
    rows = await session.exec(
        select(AuditEvent).where(AuditEvent.subject == need.key, AuditEvent.to_status == NeedStatus.NEEDS_INFO)
        .order_by(col(AuditEvent.id).desc()).limit(1))
    return rows.first()


async def answer_step(session: AsyncSession, *, need: Need) -> str:
    """The step an answer takes: back to the committee when its question paused the need
    (``request_info``), else back to IT's estimate (``answer``)."""
    last = await paused_by(session, need=need)
    return "answer_committee" if last is not None and last.action == "request_info" else "answer"


async def waiting_on_requester(session: AsyncSession, *, need: Need, asked: list[Question]) -> tuple[str, str]:
    """Who waits for the requester's answer to ``asked``: ("committee", its members who asked) when the
    committee's question paused the need, else ("it", who asked in IT); names joined for a sentence."""
    side = "committee" if await answer_step(session, need=need) == "answer_committee" else "it"
    names: list[str] = []
    for q in asked:
        who = await person(session, q.asked_by_id)
        if who is not None and who.display_name not in names:
            names.append(who.display_name)
    return side, ", ".join(names)


def waiting_role(need: Need) -> str | None:
    """Whose move it is, for queues and reminders."""
    status = NeedStatus(need.status)
    if status in lifecycle.WAITING_ON_IT:
        return Role.IT
    if status == NeedStatus.NEEDS_INFO:
        return lifecycle.OWNER
    return None
