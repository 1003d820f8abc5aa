"""Dialogs put aside: a second dialog started in a conversation keeps the first.

A person in the middle of an intake who types ``/pmo new …``, or an estimator
who stops to ``/pmo ask`` the requester, must not lose what they typed. The
dialog in front is put aside (``ConversationState.parked_at``) and comes back
when the one in front ends, or when the person types ``/pmo resume``. All of it
lives in the database, so another replica, or a restart, sees the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation import forms
from pmobot.conversation.fieldtypes import format_value
from pmobot.conversation.spec import DialogSpec
from pmobot.conversation.state import DialogState
from pmobot.domain.models import ConversationState
from pmobot.i18n import t
from pmobot.messages import Message, Notice

if TYPE_CHECKING:
    # For annotations only: the engine creates its Aside, and imports this module.
    from pmobot.conversation.engine import DialogEngine
    from pmobot.conversation.hooks import HookContext

# Context keys that hold what the person typed to open the dialog: losing them loses their words.
TYPED_CONTEXT = ("opening_text", "text")


# Built once, bound at each call: every message and command asks it.
_IN_FRONT = select(ConversationState).where(
    col(ConversationState.person_id) == bindparam("person_id"),
    col(ConversationState.conversation_key) == bindparam("conversation_key"),
    col(ConversationState.parked_at).is_(None))


async def in_front(session: AsyncSession, *, person_id: int, conversation_key: str) -> ConversationState | None:
    """The dialog the person's next message in this conversation answers."""
    rows = await session.exec(_IN_FRONT, params={"person_id": person_id, "conversation_key": conversation_key})
    return rows.first()


async def put_aside(session: AsyncSession, *, person_id: int, conversation_key: str) -> list[ConversationState]:
    """The dialogs put aside in this conversation, the latest first."""
    rows = await session.exec(select(ConversationState).where(
        ConversationState.person_id == person_id, ConversationState.conversation_key == conversation_key,
        col(ConversationState.parked_at).is_not(None),
    ).order_by(col(ConversationState.parked_at).desc(), col(ConversationState.id).desc()))
    return list(rows.all())


def worth_keeping(state: DialogState) -> bool:
    """Whether the person typed anything into it: answers, refused answers, the opening sentence,
    or the command that opened it about a need (``/pmo info NEED-3``): what they asked for by name."""
    return bool(state.answers or state.rejected or any(state.context.get(k) for k in (*TYPED_CONTEXT, "need")))


def typed_answers(state: DialogState) -> int:
    """How many answers the person gave themselves (not those read from their first sentence)."""
    return sum(1 for fid, value in state.answers.items() if value is not None and fid not in state.prefilled)


def same_dialog(spec_id: str, state_context: Mapping[str, Any], spec_wanted: str,
                context: Mapping[str, Any]) -> bool:
    """The same spec about the same need: starting it again means picking it up, not a second copy."""
    need = context.get("need")
    return spec_id == spec_wanted and need is not None and state_context.get("need") == need


def progress(spec: DialogSpec, state: DialogState) -> tuple[int, int]:
    """Questions answered (or skipped) out of those that apply now."""
    fields = [f for f in spec.fields if forms.visible(f, state.answers)]
    done = sum(1 for f in fields if f.id in state.answers or f.id in state.skipped)
    return done, len(fields)


def label(spec: DialogSpec, state: DialogState, locale: str) -> str:
    """How the person recognises the dialog: its title, its need, its first answer when it is a text."""
    parts = [spec.title.get(locale)]
    if state.context.get("need"):
        parts.append(str(state.context["need"]))
    first = spec.fields[0] if spec.fields else None
    if first is not None and first.type == "text" and state.answers.get(first.id):
        parts.append(f"« {format_value(first, state.answers[first.id], locale)} »" if locale == "fr"
                     else f"“{format_value(first, state.answers[first.id], locale)}”")
    return " · ".join(parts)


def park(session: AsyncSession, row: ConversationState, *, now: datetime) -> None:
    row.parked_at = now
    session.add(row)


def bring_to_front(session: AsyncSession, row: ConversationState, *, now: datetime) -> None:
    row.parked_at = None
    row.updated_at = now
    session.add(row)


class Aside:
    """The moves between the dialog in front and those put aside, for one engine."""

    def __init__(self, engine: DialogEngine) -> None:
        self.engine = engine

    async def make_room(self, session: AsyncSession, hc: HookContext, row: ConversationState) -> list[Message]:
        """Take ``row`` from the front: kept aside if the person typed anything in it, else dropped."""
        spec = self.engine.specs.get(row.spec_id)
        state = DialogState.from_json(row.state)
        if spec is None or not worth_keeping(state):
            await session.delete(row)
            await session.flush()
            return []
        park(session, row, now=hc.core.now())
        # Before the next dialog comes to the front: one dialog in front per person and conversation.
        await session.flush()
        done, total = progress(spec, state)
        return [Notice(t(hc.locale, "dialog.aside_put", title=label(spec, state, hc.locale), answered=done,
                         total=total))]

    async def same_put_aside(self, session: AsyncSession, hc: HookContext, spec_id: str) -> ConversationState | None:
        """The dialog put aside that starting ``spec_id`` on the same need would copy."""
        for row in await put_aside(session, person_id=hc.actor.id, conversation_key=hc.conversation_key):
            if same_dialog(row.spec_id, row.state.get("context") or {}, spec_id, hc.context):
                return row
        return None

    async def bring_back(self, session: AsyncSession, *, hc: HookContext, position: int = 1,
                         row: ConversationState | None = None) -> list[Message]:
        """``/pmo resume``: the dialog put aside at ``position`` (1, the latest), or ``row``, comes to the
        front; the one in front, if any, is put aside in its place."""
        if row is None:
            waiting = await put_aside(session, person_id=hc.actor.id, conversation_key=hc.conversation_key)
            if not waiting:
                return [Notice(t(hc.locale, "dialog.aside_none"))]
            if not 1 <= position <= len(waiting):
                return [Notice(t(hc.locale, "dialog.aside_no_such", position=position, count=len(waiting)),
                               "warning")]
            row = waiting[position - 1]
        out: list[Message] = []
        front = await in_front(session, person_id=hc.actor.id, conversation_key=hc.conversation_key)
        if front is not None:
            out += await self.make_room(session, hc, front)
        bring_to_front(session, row, now=hc.core.now())
        return out + await self.engine.show_again(session, hc, row, "dialog.aside_back")

    async def after_end(self, session: AsyncSession, hc: HookContext) -> list[Message]:
        """The dialog in front ended: the latest one put aside comes back, unless another took its place."""
        if await in_front(session, person_id=hc.actor.id, conversation_key=hc.conversation_key) is not None:
            return []
        waiting = await put_aside(session, person_id=hc.actor.id, conversation_key=hc.conversation_key)
        return await self.bring_back(session, hc=hc, row=waiting[0]) if waiting else []

    async def done_another_way(self, session: AsyncSession, *, hc: HookContext, spec_id: str,
                               need: str) -> list[Message]:
        """The person just did what the dialog ``spec_id`` about ``need`` was for, by a command typed
        whole (``/pmo vote NEED-3 approve <reason>`` with the vote's reason form open): that dialog,
        in front or put aside, ends, said so; one put aside comes back in its place."""
        rows = await session.exec(select(ConversationState).where(
            ConversationState.person_id == hc.actor.id, ConversationState.spec_id == spec_id))
        out: list[Message] = []
        for row in rows.all():
            spec, state = self.engine.specs.get(row.spec_id), DialogState.from_json(row.state)
            if spec is None or state.context.get("need") != need:
                continue
            await session.delete(row)
            await session.flush()
            out.append(Notice(t(hc.locale, "dialog.done_another_way", title=label(spec, state, hc.locale))))
        return out + (await self.after_end(session, hc) if out else [])

    async def waiting(self, session: AsyncSession, *, hc: HookContext) -> list[Message]:
        """What waits, put aside, in this conversation: said when nothing is in front."""
        lines = []
        for i, row in enumerate(await put_aside(session, person_id=hc.actor.id,
                                                conversation_key=hc.conversation_key), 1):
            spec = self.engine.specs.get(row.spec_id)
            if spec is not None:
                state = DialogState.from_json(row.state)
                done, total = progress(spec, state)
                lines.append(t(hc.locale, "dialog.aside_line", position=i, title=label(spec, state, hc.locale),
                               answered=done, total=total))
        if not lines:
            return []
        return [Notice("\n".join([t(hc.locale, "dialog.aside_waiting"), *lines]))]
