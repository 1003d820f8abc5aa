"""Business side: file a need, follow it, withdraw it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.lifecycle import CLOSED, WAITING_ON_IT, NeedStatus
from pmobot.domain.models import AuditEvent, Need, Person
from pmobot.domain.roles import Role
from pmobot.i18n import format_moment, t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import audit, links, need_file, outbox, project_view, roadmap_view, scope
from pmobot.services.cards import actions_for, file_card, it_actions, load_need_card, score_field
from pmobot.services.committee_cards import status_fields as committee_status_fields
from pmobot.services.core import Core
from pmobot.services.needs import (
    apply_answers,
    get_visible,
    next_number,
    open_questions,
    status_label,
    transition,
    waiting_on_requester,
)
from pmobot.services.people import Actor, locale_of

TITLE_MAX = 200


async def submit_need(
    session: AsyncSession,
    *,
    core: Core,
    actor: Actor,
    answers: dict[str, Any],
    source_platform: str,
    source_conversation: str,
    opening_message: str = "",
) -> tuple[Need, list[Message]]:
    """Store a need from the intake answers, submit it and tell IT (no look for similar needs:
    ``duplicates.file_need`` is the intake's way in)."""
    need = await create_draft(session, core=core, actor=actor, answers=answers, source_platform=source_platform,
                              source_conversation=source_conversation, opening_message=opening_message)
    return need, await send(session, core=core, actor=actor, need=need)


async def create_draft(
    session: AsyncSession,
    *,
    core: Core,
    actor: Actor,
    answers: dict[str, Any],
    source_platform: str,
    source_conversation: str,
    opening_message: str = "",
) -> Need:
    """Store a need from the intake answers, as a draft nobody else sees yet."""
    now = core.now()
    need = Need(
        number=await next_number(session, prefix="NEED"), title="", status=NeedStatus.DRAFT,
        requester_id=actor.id, source_platform=source_platform, source_conversation=source_conversation[:255],
        opening_message=opening_message, created_at=now, updated_at=now,
    )
    apply_answers(core.specs["intake"], need, answers)
    need.title = (need.title or "")[:TITLE_MAX]
    if actor.person.department is None and need.department:
        actor.person.department = need.department
        session.add(actor.person)
    session.add(need)
    await session.flush()
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="created",
                       to_status=NeedStatus.DRAFT)
    return need


async def send(session: AsyncSession, *, core: Core, actor: Actor, need: Need) -> list[Message]:
    """Submit a draft and tell IT: the card in the IT channels, and the requester's confirmation."""
    now = core.now()
    await transition(session, core=core, actor=actor, need=need, action="submit",
                     changes={"submitted_at": now, "waiting_since": now})
    await post_it_card(session, core=core, need=need)
    card = await load_need_card(session, core=core, need=need, locale=actor.locale)
    return [Notice(t(actor.locale, "intake.submitted", key=need.key), "success"), card]


async def post_it_card(session: AsyncSession, *, core: Core, need: Need) -> None:
    card = await load_need_card(session, core=core, need=need, locale=core.org_locale,
                                actions=it_actions(need, core.org_locale))
    await outbox.to_it_channels(session, core=core, key=keys.need_card(need.key), message=card)


async def refresh_it_card(session: AsyncSession, *, core: Core, need: Need) -> None:
    """Update the IT channel's card in place after a change (one update per audit event)."""
    count = select(func.count()).select_from(AuditEvent).where(AuditEvent.subject == need.key)
    events = (await session.exec(count)).one()
    card = await load_need_card(session, core=core, need=need, locale=core.org_locale,
                                actions=it_actions(need, core.org_locale))
    await outbox.to_it_channels(session, core=core, key=keys.need_card_version(need.key, events), message=card,
                                replaces_key=keys.need_card(need.key))


async def withdraw(session: AsyncSession, *, core: Core, actor: Actor, key: str, reason: str = "") -> list[Message]:
    need = await get_visible(session, actor=actor, key=key)
    # The requester is told by the step itself when someone else (the PMO) withdraws it.
    await transition(session, core=core, actor=actor, need=need, action="withdraw", reason=reason,
                     changes={"waiting_since": None})
    if need.submitted_at is not None:  # a draft was never posted to IT
        await refresh_it_card(session, core=core, need=need)
    if need.claimed_by_id and need.claimed_by_id not in (actor.id, need.requester_id):
        claimer = await session.get(Person, need.claimed_by_id)
        if claimer:
            assert claimer.id is not None
            loc = locale_of(claimer, core)
            text = t(loc, "intake.withdrawn_notice", key=need.key, title=need.title, who=actor.person.display_name)
            if reason:
                text += "\n" + t(loc, "need.reason", reason=reason)
            await outbox.to_person(session, core=core, key=keys.withdrawn(need.key, claimer.id), person=claimer,
                                   message=Notice(text, "warning"))
    return [Notice(t(actor.locale, "intake.withdrawn", key=need.key), "success")]


async def status(session: AsyncSession, *, core: Core, actor: Actor, key: str) -> list[Message]:
    file = await need_file.for_status(session, core=core, actor=actor, key=key)
    need, view = file.need, file.score
    assert file.scope is not None  # read for the status
    actions = actions_for(need, roles=actor.roles, is_owner=need.requester_id == actor.id, locale=actor.locale)
    card = file_card(core, file, locale=actor.locale, actions=actions)
    if not view.scored and (view.assessment_id or view.estimate_id) and need.status not in CLOSED:
        card = replace(card, fields=card.fields + (score_field(view, actor.locale),))
    project = await project_view.project_field(session, core=core, project=file.project,
                                                locale=actor.locale)
    if project is not None:
        card = replace(card, fields=card.fields + (project,))
    signed = scope.status_fields_of(need, file.scope, file.scope_row, actor.locale)
    committee = await committee_status_fields(session, core=core, need=need, locale=actor.locale)
    card = replace(card, fields=card.fields + tuple(signed) + tuple(committee))
    steps = [_history_line(core, event=e, who=file.person(e.actor_id), locale=actor.locale) for e in file.history
             if e.to_status or e.action == "merged_in"]
    placed = await roadmap_view.status_field(session, core=core, need=need, locale=actor.locale)
    if placed is not None:
        card = replace(card, fields=card.fields + (placed,))
    if steps:
        history_field = CardField(t(actor.locale, "intake.history"), "\n".join(steps[-6:]), short=False)
        card = replace(card, fields=card.fields + (history_field,))
    return [card]


def _history_line(core: Core, *, event: AuditEvent, who: Person | None, locale: str) -> str:
    """One step of the history: when, the status it led to, who took it (``who``), and the estimate version or
    the reason when there is one (a re-estimate keeps the status, yet is a step of its own)."""
    # A need merged into this one keeps its status, yet is a step of its history.
    status = (t(locale, "intake.history_merged_in", key=event.detail.get("from", "?")) if not event.to_status
              else status_label(event.to_status, locale))
    line = t(locale, "intake.history_line", when=format_moment(event.at, locale, core.settings.timezone),
             status=status, who=who.display_name if who else "pmobot")
    if event.action == "estimate" and event.detail.get("version"):
        line += " · " + t(locale, "intake.history_estimate", version=event.detail["version"])
    if event.reason:
        line += " · " + t(locale, "need.reason", reason=event.reason)
    return line


async def mine(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    needs = (
        await session.exec(select(Need).where(Need.requester_id == actor.id).order_by(col(Need.number).desc()))
    ).all()
    # The needs they follow as a co-requester (joined at intake, or theirs merged into it).
    followed = await links.followed_by(session, person_id=actor.id)
    if not needs and not followed:
        return [Notice(t(actor.locale, "intake.mine_empty"))]
    def lines(rows: Sequence[Need]) -> tuple[CardField, ...]:
        return tuple(CardField(f"{n.key} · {n.title}", t(actor.locale, "intake.mine_line",
                                                          status=status_label(n.status, actor.locale),
                                                          when=format_moment(n.updated_at, actor.locale,
                                                                             core.settings.timezone)), short=False)
                     for n in rows)

    # Each section counts what it lists: their own needs, then the ones they follow.
    out: list[Card] = []
    if needs:
        out.append(Card(title=t(actor.locale, "intake.mine_title", count=len(needs)), fields=lines(needs)))
    if followed:
        out.append(Card(title=t(actor.locale, "intake.mine_followed_title", count=len(followed)),
                        fields=lines(followed)))
    return [*out[:-1], replace(out[-1], footer=t(actor.locale, "intake.mine_footer"))]


async def attention(session: AsyncSession, *, core: Core, actor: Actor) -> list[str]:
    """What waits on this person right now, one line each, for a greeting."""
    lines: list[str] = []
    asked = (
        await session.exec(
            select(Need).where(Need.requester_id == actor.id, Need.status == NeedStatus.NEEDS_INFO)
            .order_by(col(Need.number))
        )
    ).all()
    by_it = []
    for need in asked:  # the committee's questions named as such, with who asked; IT's in one line
        side, names = await waiting_on_requester(session, need=need, asked=await open_questions(session, need=need))
        if side == "committee":
            lines.append(t(actor.locale, "intake.attention_committee", key=need.key, who=names))
        else:
            by_it.append(need)
    if by_it:
        lines.append(t(actor.locale, "intake.attention_questions", keys=", ".join(n.key for n in by_it),
                       key=by_it[0].key))
    # Drafts wait on their requester's choice: join a need like it, or send it (``services.duplicates``).
    drafts = (
        await session.exec(
            select(Need).where(Need.requester_id == actor.id, Need.status == NeedStatus.DRAFT)
            .order_by(col(Need.number))
        )
    ).all()
    if drafts:
        lines.append(t(actor.locale, "duplicates.attention", keys=", ".join(n.key for n in drafts),
                       key=drafts[0].key))
    # Scopes IT stated that wait on this person's agreement (as requester or sponsor).
    lines += await scope.attention(session, core=core, actor_id=actor.id, locale=actor.locale)
    if Role.IT in actor.roles:
        waiting = (
            await session.exec(select(func.count()).select_from(Need).where(
                col(Need.status).in_([str(s) for s in WAITING_ON_IT])))
        ).one()
        if waiting:
            lines.append(t(actor.locale, "intake.attention_it", count=waiting))
    return lines
