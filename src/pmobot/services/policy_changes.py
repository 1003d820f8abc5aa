"""A new version of the scoring policy: recorded, its scores kept, and what moved shown to the PMO.

At start (``publish``), a policy whose content is new becomes the next
``PolicyVersion``; every open need is scored again under it (each Score row
records its version), and the PMO admins are told what moved in the ranking,
once per version whatever the number of replicas. ``/pmo policy`` shows the
rule in force and what moved since the version before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain import keys
from pmobot.domain.models_governance import PolicyVersion
from pmobot.domain.roles import PORTFOLIO_ROLES, Role
from pmobot.domain.scoring import Move, Part, Policy, moves
from pmobot.i18n import format_moment, format_number, t
from pmobot.messages import Card, CardField, Message
from pmobot.services import audit, outbox, people, scoring
from pmobot.services import policy as policies
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden
from pmobot.services.people import Actor, locale_of

# How many moves a notice or /pmo policy lists.
MOVES_SHOWN = 15


@dataclass(frozen=True)
class Change:
    """What a policy version changed in the ranking of the open needs."""

    version: PolicyVersion
    previous: PolicyVersion | None
    moves: tuple[Move, ...]
    titles: dict[str, str]


async def _previous(session: AsyncSession, version: int) -> PolicyVersion | None:
    rows = await session.exec(select(PolicyVersion).where(col(PolicyVersion.version) < version)
                              .order_by(col(PolicyVersion.version).desc()).limit(1))
    return rows.first()


async def what_moved(session: AsyncSession, *, core: Core) -> Change:
    """The open needs' ranking under the policy in force against the version before it."""
    current, _ = await policies.ensure_version(session, core=core)
    previous = await _previous(session, current.version)
    needs = await scoring.open_needs(session)
    if previous is None:
        return Change(current, None, (), {})
    after = await scoring.ranking(session, core=core, needs=needs, version=current.version)
    try:
        old_policy = policies.from_document(previous.document, f"policy v{previous.version}")
    except policies.PolicyError:
        # A version this pmobot can no longer read (written by an older one): every need counts as new.
        before: dict[str, float | None] = {}
    else:
        ranked = await scoring.ranking(session, core=core, needs=needs, policy=old_policy, version=previous.version)
        before = {n.key: v.value for n, v in ranked}
    found = moves(before, {n.key: v.value for n, v in after})
    return Change(current, previous, tuple(found), {n.key: n.title for n in needs})


async def publish(session: AsyncSession, *, core: Core) -> Change | None:
    """At start: record the policy in force; when it is a new version, rescore and tell the PMO what moved."""
    row, created = await policies.ensure_version(session, core=core)
    if not created:
        return None
    change = await what_moved(session, core=core)
    for need, view in await scoring.ranking(session, core=core, needs=await scoring.open_needs(session),
                                            version=row.version):
        await scoring.keep(session, core=core, need=need, view=view)
    await audit.record(session, core=core, actor_id=None, subject=f"policy:v{row.version}", action="policy",
                       reason=core.policy.source[:500],
                       detail={"digest": row.digest, "method": row.method,
                               "previous": change.previous.version if change.previous else None,
                               "moved": [m.key for m in change.moves]})
    if change.previous is not None:
        await _tell_admins(session, core=core, change=change)
    return change


async def _tell_admins(session: AsyncSession, *, core: Core, change: Change) -> None:
    admins = await people.holding(session, role=Role.PMO)
    for admin in admins:
        assert admin.id is not None
        loc = locale_of(admin, core)
        await outbox.to_person(
            session, core=core, key=keys.policy_changed(change.version.version, admin.id), person=admin,
            message=Card(title=t(loc, "scoring.changed_title", version=change.version.version,
                                 method=change.version.method),
                         body=moves_text(change, loc), footer=t(loc, "scoring.changed_footer")),
        )


def _move_line(m: Move, title: str, locale: str) -> str:
    def score(value: float | None) -> str:
        return "–" if value is None else scoring.number(value, locale)

    if m.before is None:
        return t(locale, "scoring.move_in", key=m.key, title=title, after=m.after, new=score(m.score_after))
    if m.after is None:
        return t(locale, "scoring.move_out", key=m.key, title=title, before=m.before)
    return t(locale, "scoring.move_up", key=m.key, title=title, before=m.before, after=m.after,
             old=score(m.score_before), new=score(m.score_after))


def moves_text(change: Change, locale: str) -> str:
    """What moved, in plain words, the biggest moves first."""
    if change.previous is None:
        return t(locale, "scoring.policy_first")
    if not change.moves:
        return t(locale, "scoring.policy_no_moves", previous=change.previous.version)
    lines = [t(locale, "scoring.policy_moves", previous=change.previous.version)]
    lines += ["· " + _move_line(m, change.titles.get(m.key, ""), locale) for m in change.moves[:MOVES_SHOWN]]
    if len(change.moves) > MOVES_SHOWN:
        lines.append(t(locale, "scoring.ranking_more", count=len(change.moves) - MOVES_SHOWN))
    return "\n".join(lines)


def describe(policy: Policy, locale: str) -> list[CardField]:
    """The rule in plain words: the formula, each criterion and where it comes from, the quorum."""
    fields = [CardField(t(locale, "scoring.score_field"), t(locale, f"scoring.policy_{policy.method}"), short=False)]
    for c in policy.criteria:
        source = t(locale, f"scoring.from.{c.source}")
        key = "scoring.policy_size" if c.part == Part.SIZE else "scoring.policy_criterion"
        fields.append(CardField(c.label_in(locale), t(locale, key, label=c.label_in(locale), id=c.id, source=source,
                                                      weight=format_number(c.weight, locale))))
    q = policy.quorum
    blocks = t(locale, "scoring.policy_rejection_blocks") if q.rejection_blocks else ""
    business = t(locale, "committee.missing.business", count=q.business_approvals)
    it = t(locale, "committee.missing.it", count=q.it_approvals)
    quorum = t(locale, "scoring.policy_quorum", business=business, it=it, blocks=blocks)
    fields.append(CardField(t(locale, "scoring.quorum_field"), quorum, short=False))
    return fields


async def show(session: AsyncSession, *, core: Core, actor: Actor) -> list[Message]:
    """``/pmo policy``: the rule in force and what moved since the version before it."""
    if not actor.roles & PORTFOLIO_ROLES:
        raise Forbidden("scoring.policy_role")
    change = await what_moved(session, core=core)
    loc = actor.locale
    row = change.version
    source = t(loc, "scoring.default_source") if core.policy.source == policies.DEFAULT_SOURCE else core.policy.source
    footer = t(loc, "scoring.policy_source", source=source,
               when=format_moment(row.loaded_at, loc, core.settings.timezone))
    return [Card(title=t(loc, "scoring.policy_title", version=row.version, method=row.method),
                 body=moves_text(change, loc), fields=tuple(describe(core.policy, loc)), footer=footer)]

