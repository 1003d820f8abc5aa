"""The joint committee: the PMO sends a need, members vote with a reason, the quorum decides once.

Votes on one need are serialised by a write on the need's row taken before
anything is read for the vote (``_hold``): a row lock on PostgreSQL, the
database's write lock on SQLite. Two members voting at the same instant, on two
replicas, are therefore counted one after the other, and the second sees the
first's vote: exactly one of them completes the quorum and writes the decision
(whose subject is unique besides, the last guard). The decision is a record
never edited; the need moves by its lifecycle step (a compare-and-set).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import fold
from pmobot.domain import committee as rule
from pmobot.domain import keys
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import Decision, NeedRequester, Vote
from pmobot.domain.roles import Role
from pmobot.i18n import format_moment, t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import audit, outbox, project_view, projects, roadmap_events, scope, scoring, sides
from pmobot.services.committee_cards import (
    agenda_card,
    asked_for_it,
    casts,
    decision_on,
    members,
    post_card,
    refresh_card,
    still_needed,
    subject_of,
    vote_lines,
    voter_names,
    votes_on,
)
from pmobot.services.committee_inputs import Inputs, gather
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, Overtaken, Phrase
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import check_step, get_visible, person, status_label, transition
from pmobot.services.people import Actor, locale_of

REASON_MAX = 2000


def choice_of(word: str) -> rule.Choice:
    """The vote a typed word (or a button's value) names, in English or French; refused with the words to use."""
    choice = rule.parse_choice(fold(word or ""))
    if choice is None:
        raise Invalid("committee.error.choice", value=word)
    return choice


def check_reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid("committee.error.reason_empty")
    if len(reason) > REASON_MAX:
        raise Invalid("estimation.error.too_long", length=len(reason), limit=REASON_MAX)
    return reason


# -- sending a need to the committee ---------------------------------------------------


async def send(session: AsyncSession, *, core: Core, actor: Actor, key: str, reason: str = "") -> list[Message]:
    """The PMO puts an estimated (or deferred) need on the committee's agenda, in a new round."""
    need = await get_visible(session, actor=actor, key=key)
    if need.status in (NeedStatus.READY_FOR_DECISION, NeedStatus.NEEDS_INFO) and need.committee_round:
        # Before the committee already (perhaps paused by its question): that, not the steps left, is the answer.
        raise Invalid("committee.error.already_on_agenda" if need.status == NeedStatus.READY_FOR_DECISION
                      else "committee.error.already_on_agenda_paused", key=need.key, round=need.committee_round)
    action = "reconsider" if need.status == NeedStatus.DEFERRED else "send_to_committee"
    await check_step(session, actor, need, action)
    signed = await scope.gate(session, core=core, need=need)
    if signed.blocks_decision:
        raise Invalid("scope.error.send_blocked", key=need.key, why=Phrase(lambda loc: scope.explain(signed, loc)))
    new_round = need.committee_round + 1
    await transition(session, core=core, actor=actor, need=need, action=action, reason=reason,
                     detail={"round": new_round},
                     changes={"committee_round": new_round, "waiting_since": core.now()})
    posted = await post_card(session, core=core, need=need)
    await refresh_it_card(session, core=core, need=need)
    out: list[Message] = [Notice(t(actor.locale, "committee.sent", key=need.key, round=new_round), "success")]
    if not posted:
        out.append(Notice(t(actor.locale, "committee.no_channel")))
    return out


# -- voting ------------------------------------------------------------------------------


async def _hold(session: AsyncSession, need: Need) -> None:
    """Take the need's write lock (a no-op write) and read it again: votes on it queue up here."""
    await session.exec(
        update(Need).where(col(Need.id) == need.id).values(committee_round=col(Need.committee_round))
        .execution_options(synchronize_session=False))
    await session.refresh(need)


async def _refuse_if_not_open(session: AsyncSession, *, need: Need) -> None:
    if need.status == NeedStatus.READY_FOR_DECISION:
        return
    decided = await decision_on(session, subject=subject_of(need)) if need.committee_round else None
    if decided is not None:
        # What may follow depends on the outcome: an approved need is a project now, a deferred one may come back.
        outcome = decided.outcome
        project = await projects.for_need(session, need_id=decided.need_id) if outcome == "approved" else None
        raise Invalid(f"committee.error.decided_{outcome}", key=need.key, project=project.key if project else "?",
                      outcome=Phrase(lambda loc: t(loc, f"committee.outcome.{outcome}")))
    status = need.status
    raise Invalid("committee.error.not_on_agenda", key=need.key, status=Phrase(lambda loc: status_label(status, loc)))


async def check_can_vote(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                         choice: rule.Choice) -> tuple[Need, str, Inputs]:
    """Refuse before the reason is typed: who may vote, on what, and an approval the review forbids.
    Returns the need, the member's side and what the decision rests on."""
    need = await get_visible(session, actor=actor, key=key)
    if not actor.has(Role.COMMITTEE):
        raise Forbidden("committee.error.not_member", key=need.key)
    side = await sides.side_of(session, person_id=actor.id)
    if side is None:
        raise Forbidden("committee.error.no_side")
    await _refuse_if_not_open(session, need=need)
    if actor.id in await asked_for_it(session, need=need):
        raise Forbidden("committee.error.asked_for_it", key=need.key,
                        side=Phrase(lambda loc: t(loc, f"committee.side.{side}")))
    mine = [v for v in await votes_on(session, subject=subject_of(need)) if v.member_id == actor.id]
    if mine:
        # Read now: the session rolls back before the message is rendered.
        chosen, cast_at, tz = mine[0].choice, mine[0].cast_at, core.settings.timezone
        raise Invalid("committee.error.already_voted", key=need.key,
                      choice=Phrase(lambda loc: t(loc, f"committee.choice.{chosen}")),
                      when=Phrase(lambda loc: format_moment(cast_at, loc, tz)))
    inputs = await gather(session, core=core, need=need, locale=actor.locale)
    if choice == rule.Choice.APPROVE and inputs.blocks_approval:
        raise Forbidden("committee.error.review_blocks", key=need.key, why=Phrase(inputs.why_blocked))
    return need, side, inputs


async def vote(session: AsyncSession, *, core: Core, actor: Actor, key: str, choice: rule.Choice,
               reason: str) -> list[Message]:
    """A member's vote with its reason; the vote that completes the quorum writes the decision."""
    reason = check_reason(reason)
    need = await get_visible(session, actor=actor, key=key)
    await _hold(session, need)
    need, side, inputs = await check_can_vote(session, core=core, actor=actor, key=key, choice=choice)
    subject = subject_of(need)
    assert need.id is not None
    row = Vote(subject=subject, need_id=need.id, member_id=actor.id, side=side, choice=choice, reason=reason,
               cast_at=core.now())
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same member from elsewhere, a moment ago
        raise Invalid("committee.error.already_voted_now", key=need.key) from None
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="vote", reason=reason,
                       detail={"subject": subject, "choice": str(choice), "side": side})
    votes = await votes_on(session, subject=subject)
    voters = len(await members(session)) - len(await asked_for_it(session, need=need))
    outcome = rule.tally(casts(votes), members=voters, quorum=core.policy.quorum)
    loc = actor.locale
    done = Notice(t(loc, "committee.voted", key=need.key, choice=t(loc, f"committee.choice.{choice}")), "success")
    if outcome is None:
        await refresh_card(session, core=core, need=need)
        gap = still_needed(core, votes, loc)
        return [done, Notice(t(loc, "committee.waiting_for", missing=gap) if gap else t(loc, "committee.open"))]
    decision = await _decide(session, core=core, actor=actor, need=need, outcome=outcome, votes=votes,
                             inputs=inputs)
    return [done, Notice(t(loc, "committee.decided", key=need.key,
                           outcome=t(loc, f"committee.outcome.{decision.outcome}").lower()), "success")]


async def _decide(session: AsyncSession, *, core: Core, actor: Actor, need: Need, outcome: rule.Outcome,
                  votes: list[Vote], inputs: Inputs) -> Decision:
    """Write the decision (once per subject), move the need, tell the requester, update the cards."""
    assert need.id is not None
    deciding = {rule.Outcome.APPROVED: rule.Choice.APPROVE, rule.Outcome.DEFERRED: rule.Choice.DEFER,
                rule.Outcome.REJECTED: rule.Choice.REJECT}[outcome]
    names = await voter_names(session, votes)
    reason = "; ".join(f"{names.get(v.member_id, '?')}: {v.reason}" for v in votes if v.choice == deciding)
    decision = Decision(
        subject=subject_of(need), need_id=need.id, outcome=outcome, reason=reason,
        votes=[{"member": names.get(v.member_id), "side": v.side, "choice": v.choice, "reason": v.reason,
                "cast_at": v.cast_at.isoformat()} for v in votes],
        score=inputs.score, breakdown=dict(inputs.breakdown), policy_version=inputs.policy_version,
        review_outcome=inputs.review_outcome, conditions=inputs.conditions, decided_at=core.now(),
    )
    try:
        async with session.begin_nested():
            session.add(decision)
    except IntegrityError:  # never with the hold above; the unique subject is the last guard
        raise Overtaken("committee.error.decided_now", key=need.key) from None
    await transition(session, core=core, actor=actor, need=need, action=rule.STEP[outcome], reason=reason,
                     detail={"subject": decision.subject, "decision": decision.id}, requester_told=True,
                     followers_told=True, changes={"waiting_since": None})
    project = None
    if outcome == rule.Outcome.APPROVED:
        project = await projects.open_project(session, core=core, actor=actor, need=need, decision=decision)
    await roadmap_events.decided(session, core=core, need=need, decision=decision, project=project)
    await _tell_requesters(session, core=core, need=need, decision=decision)
    await refresh_card(session, core=core, need=need)
    await refresh_it_card(session, core=core, need=need)
    return decision


async def _tell_requesters(session: AsyncSession, *, core: Core, need: Need, decision: Decision) -> None:
    """The requester and the co-requesters told the decision, its reason and the votes, each in their language."""
    told: list[Person] = []
    co = await session.exec(select(NeedRequester.person_id).where(NeedRequester.need_id == need.id)
                            .order_by(col(NeedRequester.id)))
    for person_id in [need.requester_id, *co.all()]:
        who = await person(session, person_id)
        if who is not None and who not in told:
            told.append(who)
    votes = await votes_on(session, subject=decision.subject)
    for who in told:
        assert who.id is not None
        loc = locale_of(who, core)
        fields = [CardField(t(loc, "committee.votes", count=len(votes)),
                            await vote_lines(session, votes=votes, locale=loc), short=False)]
        if decision.conditions:
            fields.append(CardField(t(loc, "committee.conditions_label"), decision.conditions, short=False))
        await outbox.to_person(
            session, core=core, key=keys.decision_told(need.key, need.committee_round, who.id), person=who,
            subject=need.key,
            message=Card(title=t(loc, f"committee.told.{decision.outcome}", key=need.key), subtitle=need.title,
                         body=t(loc, "need.reason", reason=decision.reason) if decision.reason else "",
                         fields=tuple(fields), footer=t(loc, f"committee.told_footer.{decision.outcome}",
                                                        key=need.key)))


# -- the agenda --------------------------------------------------------------------------


async def agenda(session: AsyncSession, *, core: Core, actor: Actor, mine_only: bool = False) -> list[Message]:
    """What awaits a decision, best score first, each as its agenda card; ``mine_only``: what
    awaits this member's vote (the App Home's committee section)."""
    if not (actor.has(Role.COMMITTEE) or actor.has(Role.PMO)):
        raise Forbidden("committee.error.agenda_role")
    rows = await session.exec(select(Need).where(Need.status == NeedStatus.READY_FOR_DECISION)
                              .order_by(col(Need.number)))
    waiting = list(rows.all())
    loc = actor.locale
    ranked: list[tuple[Need, Inputs]] = []
    for need, _ in await scoring.ranking(session, core=core, needs=waiting):
        if mine_only and (actor.id in await asked_for_it(session, need=need) or any(
                v.member_id == actor.id for v in await votes_on(session, subject=subject_of(need)))):
            continue
        ranked.append((need, await gather(session, core=core, need=need, locale=loc)))
    # Changes to projects' baselines wait for the same committee: listed after the needs.
    changes = await project_view.changes_waiting(session, actor=actor, mine_only=mine_only)
    if not ranked:
        if changes is not None:
            return [changes]
        return [Notice(t(loc, "committee.agenda_mine_empty" if mine_only else "committee.agenda_empty"))]
    voter = actor.has(Role.COMMITTEE)
    title = "committee.agenda_mine_title" if mine_only else "committee.agenda_title"
    out: list[Message] = [Notice(t(loc, title, count=len(ranked)))]
    for need, inputs in ranked:
        out.append(await agenda_card(session, core=core, need=need, locale=loc, inputs=inputs, with_actions=voter))
    return out + ([changes] if changes is not None else [])
