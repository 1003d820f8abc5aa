"""Loading needs, who may see them, and moving them along the lifecycle."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain import lifecycle
from pmobot.domain.lifecycle import NeedStatus, TransitionRefused
from pmobot.domain.models import Estimate, KeyCounter, Need, Person
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.services import audit
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound, Phrase
from pmobot.services.people import Actor

_KEY = re.compile(r"^\s*(?:NEED|BESOIN)?[-#\s]*(\d{1,9})\s*$", re.IGNORECASE)


def parse_key(text: str) -> int:
    """``NEED-12``, ``need 12``, ``#12`` or ``12`` → 12."""
    m = _KEY.match(text or "")
    if not m:
        raise Invalid("need.error.key", value=text)
    return int(m.group(1))


def can_view(actor: Actor, need: Need) -> bool:
    return actor.sees_portfolio or need.requester_id == actor.id


async def get_visible(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    """The need named by ``key`` if this person may see it; otherwise 'not found',
    worded the same whether it does not exist or is someone else's."""
    number = parse_key(key)
    need = (await session.exec(select(Need).where(Need.number == number))).first()
    if need is None or not can_view(actor, need):
        raise NotFound("need.error.not_found", key=f"NEED-{number}")
    return need


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


def refusal(exc: TransitionRefused, need: Need) -> Forbidden:
    """Turn a refused step into a message that says why and what is possible."""
    action = Phrase(lambda loc: t(loc, f"action.{exc.action}"))
    if exc.reason == "actor":
        actors = sorted(lifecycle.actors_of(exc.action))
        who = Phrase(lambda loc: ", ".join(t(loc, f"actor.{a}") for a in actors))
        return Forbidden("need.error.not_allowed", action=action, key=need.key, who=who)
    steps = list(dict.fromkeys(tr.action for tr in lifecycle.TRANSITIONS if exc.status in tr.sources))
    allowed = Phrase(lambda loc: ", ".join(t(loc, f"action.{a}") for a in steps) or t(loc, "need.nothing_possible"))
    status = Phrase(lambda loc: status_label(exc.status, loc))
    return Forbidden("need.error.wrong_status", action=action, key=need.key, status=status, allowed=allowed)


def check_step(actor: Actor, need: Need, action: str) -> lifecycle.Transition:
    """The step ``action`` for this person on this need, or a refusal saying why."""
    tags = lifecycle.actor_tags(actor.roles, is_owner=need.requester_id == actor.id)
    try:
        return lifecycle.check(action, NeedStatus(need.status), tags)
    except TransitionRefused as exc:
        raise refusal(exc, need) from None


async def transition(
    session: AsyncSession, *, core: Core, actor: Actor, need: Need, action: str, reason: str = "",
    detail: dict[str, Any] | None = None,
) -> NeedStatus:
    """Take one lifecycle step for ``actor``, with its audit event; refuse with reasons."""
    current = NeedStatus(need.status)
    step = check_step(actor, need, action)
    need.status = step.target
    need.updated_at = core.now()
    session.add(need)
    await audit.record(
        session, core=core, actor_id=actor.id, subject=need.key, action=action,
        from_status=current, to_status=step.target, reason=reason, detail=detail,
    )
    return step.target


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


def waiting_role(need: Need) -> str | None:
    """Whose move it is, for queues and reminders."""
    status = NeedStatus(need.status)
    if status in lifecycle.WAITING_ON_IT:
        return Role.IT
    if status == NeedStatus.NEEDS_INFO:
        return lifecycle.OWNER
    return None
