"""What the committee sees of a need: its agenda card, posted to the committee channel and updated in place.

The card shows what a decision rests on (cost and effort from the estimate, the
score with its breakdown, the security review, the roadmap impact: gathered in
``committee_inputs``), the votes cast so far with their reasons and what is
still missing, and, once decided, the decision. It is posted once per round to
the committee channel of every platform that has one, and replaced at each vote.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import committee as rule
from pmobot.domain import keys
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Decision, Vote
from pmobot.i18n import format_moment, t
from pmobot.messages import Action, Card, CardField
from pmobot.services import addresses, links, outbox, people, sides
from pmobot.services.committee_inputs import Inputs, gather
from pmobot.services.core import Core
from pmobot.services.needs import person, status_label

# The card's votes field lists at most this many votes (a committee is small; a long list is cut, said so).
VOTES_SHOWN = 12


async def members(session: AsyncSession) -> list[tuple[int, str]]:
    """Committee members who sit for a side (``services.sides``): (person id, side)."""
    return [(pid, str(side)) for pid, side in sorted((await sides.committee_sides(session)).items()) if side]


async def asked_for_it(session: AsyncSession, *, need: Need) -> list[int]:
    """The members who asked for the need (its requester, a co-requester): they do not vote on it,
    another member of their side does, and the quorum counts without them."""
    assert need.id is not None
    askers = {need.requester_id, *await links.co_requester_ids(session, need_id=need.id)}
    return [pid for pid, _ in await members(session) if pid in askers]


def subject_of(need: Need) -> keys.SubjectKey:
    return keys.decision_subject(need.key, need.committee_round)


async def votes_on(session: AsyncSession, *, subject: str) -> list[Vote]:
    rows = await session.exec(select(Vote).where(Vote.subject == subject).order_by(col(Vote.id)))
    return list(rows.all())


async def decision_on(session: AsyncSession, *, subject: str) -> Decision | None:
    return (await session.exec(select(Decision).where(Decision.subject == subject))).first()


async def latest_decision(session: AsyncSession, *, need: Need) -> Decision | None:
    """The committee's latest decision on the need itself (not on a change to its project)."""
    rows = await session.exec(select(Decision).where(Decision.need_id == need.id,
                                                     col(Decision.change_request_id).is_(None))
                              .order_by(col(Decision.id).desc()).limit(1))
    return rows.first()


def casts(votes: list[Vote]) -> list[rule.Cast]:
    return [rule.Cast(v.side, v.choice) for v in votes]


async def vote_lines(session: AsyncSession, *, votes: list[Vote], locale: str) -> str:
    lines = []
    for v in votes[:VOTES_SHOWN]:
        who = await person(session, v.member_id)
        lines.append(t(locale, "committee.vote_line", who=who.display_name if who else "?",
                       side=t(locale, f"committee.side.{v.side}"), choice=t(locale, f"committee.choice.{v.choice}"),
                       reason=v.reason))
    if len(votes) > VOTES_SHOWN:
        lines.append(t(locale, "committee.more_votes", count=len(votes) - VOTES_SHOWN))
    return "\n".join(lines)


def still_needed(core: Core, votes: list[Vote], locale: str) -> str:
    """What an approval still needs under the policy's quorum, in words: "1 business approval, 1 IT approval"."""
    gaps = rule.missing(casts(votes), quorum=core.policy.quorum)
    parts = [t(locale, f"committee.missing.{side}", count=count) for side, count in gaps.items() if count]
    return ", ".join(parts)


def vote_actions(need: Need, locale: str) -> tuple[Action, ...]:
    """The committee's buttons on a need before it: approve, defer, reject (each opens a reason form), ask."""
    value = need.key
    return (
        buttons.APPROVE.action(locale, f"{value} {rule.Choice.APPROVE}", primary=True),
        buttons.DEFER.action(locale, f"{value} {rule.Choice.DEFER}"),
        buttons.REJECT.action(locale, f"{value} {rule.Choice.REJECT}"),
        buttons.REQUEST_INFO.action(locale, value),
    )


async def agenda_card(session: AsyncSession, *, core: Core, need: Need, locale: str,
                      inputs: Inputs | None = None, with_actions: bool = True) -> Card:
    """The need as the committee sees it, in ``locale``."""
    inputs = inputs or await gather(session, core=core, need=need, locale=locale)
    requester = await person(session, need.requester_id)
    fields = [CardField(t(locale, "card.requester"), requester.display_name if requester else "?"),
              CardField(t(locale, "committee.round"), str(need.committee_round))]
    fields += [CardField(label, value, short=False) for label, value in inputs.lines(locale)]
    subject = subject_of(need)
    votes = await votes_on(session, subject=subject)
    decision = await decision_on(session, subject=subject)
    if votes:
        fields.append(CardField(t(locale, "committee.votes", count=len(votes)),
                                await vote_lines(session, votes=votes, locale=locale), short=False))
    abstaining = [who for pid in await asked_for_it(session, need=need) if (who := await person(session, pid))]
    if abstaining:
        fields.append(CardField(t(locale, "committee.not_voting"), ", ".join(
            t(locale, "committee.not_voting_line", who=who.display_name) for who in abstaining), short=False))
    footer = ""
    if decision is not None:
        fields.append(CardField(t(locale, "committee.decision"), decision_line(decision, core, locale), short=False))
    elif need.status == NeedStatus.READY_FOR_DECISION:
        gap = still_needed(core, votes, locale)
        footer = t(locale, "committee.footer_waiting", missing=gap) if gap else t(locale, "committee.footer_open")
    else:
        footer = t(locale, "committee.footer_paused", status=status_label(need.status, locale))
    actions = vote_actions(need, locale) if with_actions and need.status == NeedStatus.READY_FOR_DECISION else ()
    return Card(title=f"{need.key} · {need.title}", subtitle=status_label(need.status, locale), body=need.problem,
                fields=tuple(fields), actions=actions, footer=footer)


def decision_line(decision: Decision, core: Core, locale: str) -> str:
    line = t(locale, "committee.decision_line", outcome=t(locale, f"committee.outcome.{decision.outcome}"),
             when=format_moment(decision.decided_at, locale, core.settings.timezone))
    if decision.reason:
        line += "\n" + t(locale, "need.reason", reason=decision.reason)
    if decision.conditions:
        line += "\n" + t(locale, "committee.conditions", conditions=decision.conditions)
    return line


async def _post(session: AsyncSession, *, core: Core, need: Need, key: str, replaces: str | None) -> int:
    count = 0
    for platform in sorted(core.it_channels):
        address = await addresses.channel(session, core=core, platform=platform, purpose=addresses.COMMITTEE_CHANNEL)
        if not address:
            continue  # no committee channel chosen there yet: members see the need in /pmo agenda
        card = await agenda_card(session, core=core, need=need, locale=core.org_locale)
        count += await outbox.enqueue(
            session, core=core, key=keys.on_platform(key, platform), platform=platform, target_kind="channel",
            target=address, message=card,
            replaces_key=keys.on_platform(replaces, platform) if replaces else None)
    return count


async def post_card(session: AsyncSession, *, core: Core, need: Need) -> int:
    """The need's agenda card for its current round, to every committee channel; how many were queued."""
    return await _post(session, core=core, need=need, key=keys.committee_card(need.key, need.committee_round),
                       replaces=None)


async def refresh_card(session: AsyncSession, *, core: Core, need: Need) -> None:
    """The agenda card updated in place: after a vote, a question, an answer, the decision."""
    if need.committee_round < 1:
        return  # never before the committee: no card to update
    votes = await votes_on(session, subject=subject_of(need))
    await _post(session, core=core, need=need,
                key=keys.committee_card_version(need.key, need.committee_round, need.version, len(votes)),
                replaces=keys.committee_card(need.key, need.committee_round))


async def status_fields(session: AsyncSession, *, core: Core, need: Need, locale: str) -> list[CardField]:
    """The committee's part of ``/pmo status``: the votes of the current round, and the latest decision."""
    if need.committee_round < 1:
        return []
    out: list[CardField] = []
    votes = await votes_on(session, subject=subject_of(need))
    if votes:
        out.append(CardField(t(locale, "committee.votes", count=len(votes)),
                             await vote_lines(session, votes=votes, locale=locale), short=False))
    decision = await latest_decision(session, need=need)
    if decision is not None:
        out.append(CardField(t(locale, "committee.decision"), decision_line(decision, core, locale), short=False))
    return out


async def voter_names(session: AsyncSession, votes: list[Vote]) -> dict[int, str]:
    return await people.names(session, ids=(v.member_id for v in votes))
