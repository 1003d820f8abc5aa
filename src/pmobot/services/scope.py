"""A need's scope sign-off, read: the version in force, whose agreement it needs and has, whether it
lets the committee decide, and how it is shown. Writing a version, agreeing and asking for changes
are ``services.scope_record``.

``gate`` and ``explain`` are what other areas use (the committee refuses to send
or approve a need while ``blocks_decision``; the agenda, the status and the
export show it); ``awaiting_agreement`` is what service-level reminders read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import lifecycle
from pmobot.domain.models import Need, Person
from pmobot.domain.models_scope import ScopeAgreement, ScopeComment, ScopeVersion
from pmobot.domain.scope import PARTS, Capacity, Party, ScopeGate, ScopeStatus, Statement, awaited
from pmobot.i18n import format_moment, t
from pmobot.messages import Card, CardField
from pmobot.services import links, people
from pmobot.services.core import Core
from pmobot.services.needs import person

REQUESTER, CO_REQUESTER, SPONSOR = Capacity.REQUESTER, Capacity.CO_REQUESTER, Capacity.SPONSOR
# The statuses in which a need's scope may still be stated and agreed (after approval: change requests).
OPEN = lifecycle.OPEN


def statement(row: ScopeVersion) -> Statement:
    return Statement(in_scope=tuple(row.in_scope), out_of_scope=tuple(row.out_of_scope),
                     assumptions=tuple(row.assumptions), acceptance=tuple(row.acceptance))


async def latest(session: AsyncSession, *, need_id: int) -> ScopeVersion | None:
    """The version in force: the latest one."""
    rows = await session.exec(select(ScopeVersion).where(ScopeVersion.need_id == need_id)
                              .order_by(col(ScopeVersion.number).desc()).limit(1))
    return rows.first()


async def agreed(session: AsyncSession, *, need_id: int) -> ScopeVersion | None:
    """The version in force when it is agreed; None when there is none, or it is not agreed."""
    row = await latest(session, need_id=need_id)
    return row if row is not None and row.status == ScopeStatus.AGREED else None


async def versions(session: AsyncSession, *, need_id: int) -> list[ScopeVersion]:
    rows = await session.exec(select(ScopeVersion).where(ScopeVersion.need_id == need_id)
                              .order_by(col(ScopeVersion.number)))
    return list(rows.all())


async def agreements(session: AsyncSession, *, version_id: int) -> list[ScopeAgreement]:
    rows = await session.exec(select(ScopeAgreement).where(ScopeAgreement.scope_version_id == version_id)
                              .order_by(col(ScopeAgreement.id)))
    return list(rows.all())


async def comments(session: AsyncSession, *, version_id: int) -> list[ScopeComment]:
    rows = await session.exec(select(ScopeComment).where(ScopeComment.scope_version_id == version_id)
                              .order_by(col(ScopeComment.id)))
    return list(rows.all())


def _typed_sponsor(need: Need) -> tuple[str, str] | None:
    typed = (need.sponsor or "").strip()
    return (need.source_platform or "console", typed) if typed else None


async def sponsor_of(session: AsyncSession, *, core: Core, need: Need) -> Person | None:
    """The person the need's sponsor names (a handle, an @mention or a display name, as typed at
    intake), or None when it names nobody pmobot knows, or nobody at all."""
    typed = _typed_sponsor(need)
    return None if typed is None else (await people.find_known(session, references=[typed])).get(typed)


def parties_of(need: Need, requester: Person | None, sponsor: Person | None) -> tuple[list[Party], str | None]:
    out = [Party(need.requester_id, requester.display_name if requester else "?", REQUESTER)]
    unresolved = (need.sponsor or "").strip() or None
    if sponsor is not None:
        unresolved = None
        if sponsor.id is not None and sponsor.id != need.requester_id:
            out.append(Party(sponsor.id, sponsor.display_name, SPONSOR))
    return out, unresolved


async def parties(session: AsyncSession, *, core: Core, need: Need) -> tuple[list[Party], str | None]:
    """Whose agreement the scope needs (the requester, and the sponsor when the need names someone
    pmobot knows), and the sponsor as typed when it names nobody."""
    return parties_of(need, await person(session, need.requester_id), await sponsor_of(session, core=core, need=need))


async def capacity_of(session: AsyncSession, *, core: Core, need: Need, person_id: int) -> str | None:
    """Why this person may agree to the need's scope (requester, co-requester, sponsor), or None."""
    required, _ = await parties(session, core=core, need=need)
    found = next((p.capacity for p in required if p.person_id == person_id), None)
    if found is not None:
        return found
    assert need.id is not None
    return CO_REQUESTER if person_id in await links.co_requester_ids(session, need_id=need.id) else None


async def gate(session: AsyncSession, *, core: Core, need: Need) -> ScopeGate:
    """Where ``need`` stands at the scope sign-off."""
    assert need.id is not None
    row = await latest(session, need_id=need.id)
    needed, unresolved = await parties(session, core=core, need=need)
    if row is None:
        return gate_of(core, need, row=None, needed=needed, unresolved=unresolved)
    assert row.id is not None
    agreed = await agreements(session, version_id=row.id)
    names = await people.names(session, ids=(a.person_id for a in agreed))
    return gate_of(core, need, row=row, needed=needed, unresolved=unresolved, agreed=agreed, names=names,
                   changes_asked=len(await comments(session, version_id=row.id)))


def gate_of(core: Core, need: Need, *, row: ScopeVersion | None, needed: list[Party], unresolved: str | None,
            agreed: Sequence[ScopeAgreement] = (), names: Mapping[int, str] | None = None,
            changes_asked: int = 0) -> ScopeGate:
    """The sign-off from what was read: the version in force (``row``), whose agreement it needs
    (``parties``), the agreements given to it and their names, and how many changes were asked."""
    required = core.policy.require_agreed_scope
    if row is None:
        return ScopeGate(need_key=need.key, required=required, awaited=tuple(needed), sponsor_unresolved=unresolved)
    names = names or {}
    by = tuple((Party(a.person_id, names.get(a.person_id, "?"), a.capacity), a.agreed_at) for a in agreed)
    return ScopeGate(need_key=need.key, required=required, version=row.number, status=ScopeStatus(row.status),
                     agreed_by=by, awaited=awaited(needed, {a.person_id for a in agreed}),
                     sponsor_unresolved=unresolved, changes_asked=changes_asked)


def _names(parties: tuple[Party, ...], locale: str) -> str:
    return ", ".join(t(locale, f"scope.capacity.{p.capacity}", who=p.name) for p in parties)


def explain(gate: ScopeGate, locale: str, *, timezone: str | None = None) -> str:
    """The sign-off in plain words: which version, who agreed, whose agreement is missing, and
    whether that keeps the committee from deciding."""
    if gate.version is None:
        text = t(locale, "scope.explain.none", key=gate.need_key)
    elif gate.agreed:
        text = t(locale, "scope.explain.agreed", version=gate.version,
                 who=_names(tuple(p for p, _ in gate.agreed_by), locale))
    else:
        state = "scope.explain.changes" if gate.status == ScopeStatus.CHANGES_REQUESTED else "scope.explain.awaiting"
        text = t(locale, state, version=gate.version, who=_names(gate.awaited, locale))
        if gate.agreed_by:
            text += " " + t(locale, "scope.explain.agreed_so_far", who=_names(tuple(p for p, _ in gate.agreed_by),
                                                                                locale))
    if gate.sponsor_unresolved:
        text += " " + t(locale, "scope.explain.sponsor_unknown", sponsor=gate.sponsor_unresolved)
    if gate.blocks_decision:
        text += " " + t(locale, "scope.explain.blocks")
    return text


def lines(row: ScopeVersion, locale: str) -> list[CardField]:
    """The version's items, numbered across its parts, one field a part (an empty part is left out)."""
    numbered = statement(row).numbered()
    out: list[CardField] = []
    for part in PARTS:
        items = [f"{n}. {text}" for n, p, text in numbered if p == part]
        if items:
            out.append(CardField(t(locale, f"scope.part.{part}"), "\n".join(items), short=False))
    return out


async def card(session: AsyncSession, *, core: Core, need: Need, row: ScopeVersion, locale: str,
               with_actions: bool) -> Card:
    """The version as the requester and the sponsor read it, with agree / ask for changes buttons."""
    assert row.id is not None
    tz = core.settings.timezone
    fields = lines(row, locale)
    the_gate = await gate(session, core=core, need=need)
    if the_gate.version == row.number:
        fields.append(CardField(t(locale, "scope.card.sign_off"), explain(the_gate, locale), short=False))
    asked = await comments(session, version_id=row.id)
    if asked:
        shown = []
        for c in asked[-6:]:
            who = await person(session, c.person_id)
            shown.append(t(locale, "scope.card.comment_line", who=who.display_name if who else "?",
                           item=c.item or t(locale, "scope.card.whole"), comment=c.comment))
        fields.append(CardField(t(locale, "scope.card.comments", count=len(asked)), "\n".join(shown), short=False))
    author = await person(session, row.author_id)
    value = f"{need.key} {row.number}"
    actions = (buttons.SCOPE_AGREE.action(locale, value, primary=True),
               buttons.SCOPE_CHANGES.action(locale, value)) if with_actions else ()
    return Card(title=t(locale, "scope.card.title", key=need.key, version=row.number), subtitle=need.title,
                body=t(locale, "scope.card.body", who=author.display_name if author else "?",
                       when=format_moment(row.created_at, locale, tz)),
                fields=tuple(fields), actions=actions,
                footer=t(locale, "scope.card.footer", key=need.key, version=row.number))


def status_fields_of(need: Need, the_gate: ScopeGate, row: ScopeVersion | None, locale: str) -> list[CardField]:
    """The scope's part of ``/pmo status``: the sign-off, once IT has stated a scope or the policy asks for one
    (``the_gate`` and the version in force, ``row``, read already)."""
    if the_gate.version is None and (not the_gate.required or need.status not in OPEN):
        return []
    out = [CardField(t(locale, "scope.card.sign_off"), explain(the_gate, locale), short=False)]
    if row is not None:
        out += lines(row, locale)
    return out


async def awaiting_agreement(session: AsyncSession, *, core: Core) -> list[tuple[int, datetime, tuple[int, ...]]]:
    """Every open need whose scope waits on someone's agreement: (need id, waiting since, the person
    ids it waits on), by need. It waits since its version was sent; the service level of
    ``tracking.service_levels.scope_agreement`` counts from then. A version whose changes were asked
    waits on IT, not on anyone's agreement. Five queries, however many needs wait."""
    newest = (select(col(ScopeVersion.need_id).label("need_id"), func.max(ScopeVersion.number).label("number"))
              .group_by(col(ScopeVersion.need_id)).subquery())
    rows = (await session.exec(
        select(ScopeVersion, Need).join(Need, col(Need.id) == col(ScopeVersion.need_id))
        .join(newest, and_(newest.c.need_id == col(ScopeVersion.need_id), newest.c.number == col(ScopeVersion.number)))
        .where(col(ScopeVersion.status) == ScopeStatus.AWAITING)
        .where(col(Need.status).in_([str(s) for s in OPEN]))
        .order_by(col(Need.number)))).all()
    if not rows:
        return []
    given: dict[int, set[int]] = {}
    for agreement in (await session.exec(select(ScopeAgreement).where(
            col(ScopeAgreement.scope_version_id).in_([row.id for row, _ in rows])))).all():
        given.setdefault(agreement.scope_version_id, set()).add(agreement.person_id)
    needs = [need for _, need in rows]
    requesters = await people.by_ids(session, ids={n.requester_id for n in needs})
    sponsors = await people.find_known(session, references=[t for n in needs if (t := _typed_sponsor(n))])
    out: list[tuple[int, datetime, tuple[int, ...]]] = []
    for row, need in rows:
        typed = _typed_sponsor(need)
        needed, _ = parties_of(need, requesters.get(need.requester_id),
                             sponsors.get(typed) if typed is not None else None)
        waiting = awaited(needed, given.get(row.id or 0, set()))
        if waiting:
            assert need.id is not None
            out.append((need.id, row.created_at, tuple(p.person_id for p in waiting)))
    return out


def baseline_part(row: ScopeVersion) -> dict[str, object]:
    """What a baseline keeps of the agreed scope: its version and its items."""
    return {"version": row.number, **statement(row).to_dict()}


async def attention(session: AsyncSession, *, core: Core, actor_id: int, locale: str) -> list[str]:
    """For someone's greeting: the scopes waiting on their agreement."""
    waiting = [need_id for need_id, _, ids in await awaiting_agreement(session, core=core) if actor_id in ids]
    if not waiting:
        return []
    found = (await session.exec(select(Need).where(col(Need.id).in_(waiting)).order_by(col(Need.number)))).all()
    return [t(locale, "scope.attention", count=len(found), keys=", ".join(n.key for n in found), key=found[0].key)]
