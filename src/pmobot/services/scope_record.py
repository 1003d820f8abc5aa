"""The scope sign-off, done: IT states (or revises) the scope of a need, the requester and the sponsor
agree to a version or ask for changes on an item; everyone concerned is told.

A version is a row never edited (``ScopeVersion``, unique per need and
number): two IT people sending at the same instant write one version, the
other is told. Every write on a version first takes its row (``_hold``, a
compare-and-set on its ``lock``), so an agreement and a revision, or two
agreements, are counted one after the other: an agreement to a version
revised a moment ago is refused and the new one shown; the last agreement
needed marks the version agreed exactly once. Each agreement is its own row,
unique per version and person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.db import add_unless_taken
from pmobot.domain import keys
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need, Person
from pmobot.domain.models_scope import ScopeAgreement, ScopeComment, ScopeVersion
from pmobot.domain.roles import Role
from pmobot.domain.scope import ITEMS_MAX, Part, ScopeStatus, Statement, clean_items
from pmobot.i18n import format_money, format_number, t
from pmobot.messages import Card, Message, Notice
from pmobot.services import audit, links, outbox, projects, scope
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, Overtaken
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import get_visible, latest_estimate, person, status_label
from pmobot.services.people import Actor, locale_of

COMMENT_MAX = 2000


async def _refuse_closed(session: AsyncSession, *, need: Need, locale: str) -> None:
    """After approval the scope is the baseline's, changed by a change request; a closed need has none."""
    if need.status in scope.OPEN:
        return
    if need.status == NeedStatus.APPROVED:
        project = await projects.for_need(session, need_id=need.id or 0)
        raise Invalid("scope.error.approved", key=need.key, project=project.key if project else "?")
    if need.status == NeedStatus.DRAFT:
        raise Invalid("scope.error.not_submitted", key=need.key)
    raise Invalid("scope.error.closed", key=need.key, status=status_label(need.status, locale))


async def check_can_write(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    """Refuse before the form opens: only IT states a scope, on a need still open to one."""
    need = await get_visible(session, actor=actor, key=key)
    if not actor.has(Role.IT):
        raise Forbidden("scope.error.not_it")
    await _refuse_closed(session, need=need, locale=actor.locale)
    return need


async def draft(session: AsyncSession, *, core: Core, need: Need, locale: str) -> dict[str, list[str]]:
    """What the form starts from: the version in force when there is one (IT revises it), else a draft
    from the need (its title in scope, its expected benefits as acceptance) and its latest estimate
    (effort, cost and duration as assumptions)."""
    assert need.id is not None
    row = await scope.latest(session, need_id=need.id)
    if row is not None:
        return {k: v for k, v in scope.statement(row).to_dict().items() if v}
    out: dict[str, list[str]] = {str(Part.IN): [need.title]}
    estimate = await latest_estimate(session, need_id=need.id)
    if estimate is not None:
        out[str(Part.ASSUMPTIONS)] = [t(locale, "scope.draft.estimate", version=estimate.version,
                                        effort=format_number(estimate.effort_likely, locale),
                                        cost=format_money(estimate.cost, estimate.currency, locale),
                                        days=estimate.duration_days)]
    benefits = clean_items((need.benefits or "").splitlines())
    if benefits:
        out[str(Part.ACCEPTANCE)] = list(benefits)
    return out


def statement_of(answers: dict[str, Any]) -> Statement:
    """The dialog's answers as a statement, each part cleaned and cut to ``ITEMS_MAX`` items."""
    def part(name: Part) -> tuple[str, ...]:
        value = answers.get(str(name)) or []
        return clean_items(value if isinstance(value, list) else str(value).splitlines())[:ITEMS_MAX]

    return Statement(in_scope=part(Part.IN), out_of_scope=part(Part.OUT), assumptions=part(Part.ASSUMPTIONS),
                     acceptance=part(Part.ACCEPTANCE))


async def _hold(session: AsyncSession, row: ScopeVersion) -> ScopeVersion:
    """Take the version's row first: writes on one version queue up here and see each other."""
    await session.exec(update(ScopeVersion).where(col(ScopeVersion.id) == row.id)
                       .values(lock=col(ScopeVersion.lock) + 1).execution_options(synchronize_session=False))
    await session.refresh(row)
    return row


async def record(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                 answers: dict[str, Any]) -> list[Message]:
    """IT's statement of scope, as the next version, sent to the requester and the sponsor to agree."""
    need = await check_can_write(session, actor=actor, key=key)
    found = statement_of(answers)
    if found.empty:
        raise Invalid("scope.error.empty", key=need.key)
    assert need.id is not None
    previous = await scope.latest(session, need_id=need.id)
    if previous is not None:
        await _hold(session, previous)
    number = previous.number + 1 if previous else 1
    row = ScopeVersion(need_id=need.id, number=number, in_scope=list(found.in_scope),
                       out_of_scope=list(found.out_of_scope), assumptions=list(found.assumptions),
                       acceptance=list(found.acceptance), status=ScopeStatus.AWAITING, author_id=actor.id,
                       created_at=core.now())
    if not await add_unless_taken(session, row):
        raise Overtaken("scope.error.overtaken", key=need.key, version=number)
    if previous is not None and previous.status != ScopeStatus.SUPERSEDED:
        previous.status = ScopeStatus.SUPERSEDED
        session.add(previous)
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="scope_version",
                       detail={"version": number, **found.to_dict()})
    await _send_for_agreement(session, core=core, actor=actor, need=need, row=row)
    await refresh_it_card(session, core=core, need=need)
    the_gate = await scope.gate(session, core=core, need=need)
    return [Notice(t(actor.locale, "scope.recorded", key=need.key, version=number,
                     who=", ".join(p.name for p in the_gate.awaited) or "—"), "success")]


async def _send_for_agreement(session: AsyncSession, *, core: Core, actor: Actor, need: Need,
                              row: ScopeVersion) -> None:
    """The version's card to each person who may agree (the requester, the sponsor, the co-requesters),
    in their language; and a line under the need's card in the IT channel."""
    assert need.id is not None
    required, unresolved = await scope.parties(session, core=core, need=need)
    ids = [p.person_id for p in required] + await links.co_requester_ids(session, need_id=need.id)
    for person_id in dict.fromkeys(ids):
        who = await person(session, person_id)
        if who is None or who.id is None:
            continue
        loc = locale_of(who, core)
        await outbox.to_person(session, core=core, key=keys.scope_sent(need.key, row.number, who.id), person=who,
                               subject=need.key,
                               message=await scope.card(session, core=core, need=need, row=row, locale=loc,
                                                        with_actions=True))
    loc = core.org_locale
    text = t(loc, "scope.thread.sent", key=need.key, version=row.number, who=actor.person.display_name,
             waits=", ".join(p.name for p in required))
    if unresolved:
        text += " " + t(loc, "scope.explain.sponsor_unknown", sponsor=unresolved)
    await outbox.to_it_channels(session, core=core, key=keys.scope_thread(need.key, row.number, "sent"),
                                thread_key=keys.need_card(need.key), message=Notice(text))


def parse_version(text: str) -> int | None:
    """``v2``, ``V2`` or ``2`` → 2; nothing → None (the version in force)."""
    word = (text or "").strip().split(maxsplit=1)[0] if (text or "").strip() else ""
    digits = word.lower().removeprefix("v")
    if not word:
        return None
    if not digits.isdigit():
        raise Invalid("scope.error.version", value=word)
    return int(digits)


async def _signing(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                   version: int | None) -> tuple[Need, ScopeVersion, str, list[Message]]:
    """The need, its version in force (held), and why the actor may sign; or, when the actor names a
    version that is no longer in force, the refusal with the version in force to read."""
    need = await get_visible(session, actor=actor, key=key)
    await _refuse_closed(session, need=need, locale=actor.locale)
    capacity = await scope.capacity_of(session, core=core, need=need, person_id=actor.id)
    if capacity is None:
        raise Forbidden("scope.error.not_party", key=need.key)
    assert need.id is not None
    row = await scope.latest(session, need_id=need.id)
    if row is None:
        raise Invalid("scope.error.none_yet", key=need.key)
    row = await _hold(session, row)
    latest = await scope.latest(session, need_id=need.id)
    assert latest is not None
    if (version is not None and version != latest.number) or latest.id != row.id:
        shown = await scope.card(session, core=core, need=need, row=latest, locale=actor.locale, with_actions=True)
        return need, latest, capacity, [
            Notice(t(actor.locale, "scope.error.outdated", key=need.key, version=version or row.number,
                     current=latest.number), "warning"), shown]
    return need, row, capacity, []


async def agree(session: AsyncSession, *, core: Core, actor: Actor, key: str, version: int | None) -> list[Message]:
    """The actor agrees to the version in force; the last agreement needed makes the scope agreed."""
    need, row, capacity, refused = await _signing(session, core=core, actor=actor, key=key, version=version)
    if refused:
        return refused
    assert need.id is not None and row.id is not None
    if any(a.person_id == actor.id for a in await scope.agreements(session, version_id=row.id)):
        raise Invalid("scope.error.already_agreed", key=need.key, version=row.number)
    agreement = ScopeAgreement(scope_version_id=row.id, need_id=need.id, person_id=actor.id, capacity=capacity,
                               agreed_at=core.now())
    if not await add_unless_taken(session, agreement):  # the same person from elsewhere, a moment ago
        raise Invalid("scope.error.already_agreed", key=need.key, version=row.number)
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="scope_agreed",
                       detail={"version": row.number, "capacity": capacity})
    the_gate = await scope.gate(session, core=core, need=need)
    complete = not the_gate.awaited and row.status != ScopeStatus.AGREED
    if complete:
        row.status, row.agreed_at = ScopeStatus.AGREED, core.now()
        session.add(row)
        await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="scope_signed_off",
                           detail={"version": row.number})
    await _tell_author(session, core=core, need=need, row=row, key=keys.scope_agreed_told(
        need.key, row.number, actor.id), text=lambda loc: t(loc, "scope.told.agreed", key=need.key,
                                                            version=row.number, who=actor.person.display_name))
    if complete:
        await outbox.to_it_channels(
            session, core=core, key=keys.scope_thread(need.key, row.number, "agreed"),
            thread_key=keys.need_card(need.key),
            message=Notice(t(core.org_locale, "scope.thread.agreed", key=need.key, version=row.number)))
        await refresh_it_card(session, core=core, need=need)
    loc = actor.locale
    done = "scope.agreed_all" if complete else "scope.agreed_yours"
    return [Notice(t(loc, done, key=need.key, version=row.number,
                     who=", ".join(p.name for p in the_gate.awaited)), "success")]


async def check_can_ask(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                        version: int | None) -> tuple[Need, ScopeVersion, list[Message]]:
    """Refuse before the form opens: who may ask for changes, on which version."""
    need, row, _, refused = await _signing(session, core=core, actor=actor, key=key, version=version)
    if not refused and row.status == ScopeStatus.AGREED:
        raise Invalid("scope.error.agreed_already", key=need.key, version=row.number)
    return need, row, refused


async def ask_changes(session: AsyncSession, *, core: Core, actor: Actor, key: str, version: int | None,
                      item: int, comment: str) -> list[Message]:
    """A request for changes on one item (0: the scope as a whole): kept with the version, IT told."""
    need, row, refused = await check_can_ask(session, core=core, actor=actor, key=key, version=version)
    if refused:
        return refused
    comment = (comment or "").strip()[:COMMENT_MAX]
    if not comment:
        raise Invalid("scope.error.no_comment")
    found = scope.statement(row).item(item) if item else None
    if item and found is None:
        raise Invalid("scope.error.no_item", item=item, count=len(scope.statement(row).numbered()))
    assert need.id is not None and row.id is not None
    session.add(ScopeComment(scope_version_id=row.id, need_id=need.id, person_id=actor.id, item=item,
                             item_text=found[1] if found else "", comment=comment, created_at=core.now()))
    row.status = ScopeStatus.CHANGES_REQUESTED
    session.add(row)
    await session.flush()
    count = len(await scope.comments(session, version_id=row.id))
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="scope_changes_asked",
                       reason=comment, detail={"version": row.number, "item": item})
    item_text = found[1] if found else ""

    def told(loc: str) -> str:
        where = t(loc, "scope.told.item", item=item, text=item_text) if item else t(loc, "scope.card.whole")
        return t(loc, "scope.told.changes", key=need.key, version=row.number, who=actor.person.display_name,
                 where=where, comment=comment)

    await _tell_author(session, core=core, need=need, row=row,
                       key=keys.scope_changes_told(need.key, row.number, count), text=told, revise=True)
    await outbox.to_it_channels(session, core=core, key=keys.scope_thread(need.key, row.number, f"changes{count}"),
                                thread_key=keys.need_card(need.key), message=Notice(told(core.org_locale)))
    await refresh_it_card(session, core=core, need=need)
    return [Notice(t(actor.locale, "scope.changes_sent", key=need.key, version=row.number), "success")]


async def _tell_author(session: AsyncSession, *, core: Core, need: Need, row: ScopeVersion, key: str,
                       text: Callable[[str], str], revise: bool = False) -> None:
    """The IT person who wrote the version, told in their language (with the button to revise it)."""
    author = await session.get(Person, row.author_id)
    if author is None:
        return
    loc = locale_of(author, core)
    actions = (buttons.SCOPE_WRITE.action(loc, need.key, primary=True),) if revise else ()
    await outbox.to_person(session, core=core, key=key, person=author, subject=need.key,
                           message=Card(title=t(loc, "scope.card.title", key=need.key, version=row.number),
                                        subtitle=need.title, body=text(loc), actions=actions))
