"""Change requests: the owner (or the PMO) asks to move a project's committed end, budget or scope;
the committee decides; an approved change makes the next baseline version, the old ones kept.

Votes on a change are ``Vote`` rows on the subject ``keys.change_subject`` and the outcome a
``Decision`` row, counted by the committee's rule (``domain.committee.tally``) under the policy's
quorum, with the members' sides from ``services.sides``: the same as for a need's approval.
Votes on one change are serialised by a write on the change's row taken first (``_hold``), so
exactly one vote completes the quorum and the decision (unique per subject) is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.text import fold
from pmobot.domain import committee as rule
from pmobot.domain import keys
from pmobot.domain.calendar import BusinessCalendar
from pmobot.domain.models import Need, Person
from pmobot.domain.models_governance import Baseline, ChangeRequest, Decision, Milestone, Project, Vote
from pmobot.i18n import format_day, format_money, t
from pmobot.messages import Message, Notice
from pmobot.services import (
    addresses,
    audit,
    baselines,
    committee_cards,
    links,
    outbox,
    people,
    projects,
    roadmap_events,
    sides,
)
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, NotFound, Overtaken, Refusal
from pmobot.services.people import Actor, locale_of
from pmobot.services.scope_changes import applied as scope_applied
from pmobot.services.scope_changes import describe as scope_described
from pmobot.services.scope_changes import proposal as scope_proposal

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
REASON_MAX = 2000


def choice_of(word: str) -> str:
    """A vote on a change, typed in English or French (the committee's words): approve or reject;
    deferring a change is not a choice (the baseline in force simply stays)."""
    choice = rule.parse_choice(fold(word or ""))
    if choice not in (rule.Choice.APPROVE, rule.Choice.REJECT):
        raise Invalid("projects.error.choice", value=word)
    return str(choice)


def parse_number(text: str) -> int:
    """``CR-2``, ``cr 2``, ``DC-2`` (demande de changement) or ``2`` → 2."""
    digits = fold(text or "").removeprefix("cr").removeprefix("dc").lstrip("-# ")
    if not digits.isdigit():
        raise Invalid("projects.error.change_key", value=text)
    return int(digits)


def end_refusal(day: date, *, start: date, today: date, marks: Sequence[tuple[str, date]],
                calendar: BusinessCalendar) -> Refusal | None:
    """A new end date the committee could not approve: in the past, before the start, on a day
    nobody works, or before a milestone in force (which the baseline would then no longer hold)."""
    if day < today:
        return Refusal("projects.error.end_past", {"end": day, "today": today})
    if day < start:
        return Refusal("projects.error.end_before_start", {"end": day, "start": start})
    if not calendar.is_business_day(day):
        return Refusal("projects.error.end_not_business_day",
                       {"end": day, "before": calendar.business_day_on_or_before(day)})
    late = [(name, due) for name, due in marks if due > day]
    if late:
        last = max(due for _, due in late)
        return Refusal("projects.error.end_before_milestones",
                       {"end": day, "names": ", ".join(f"\"{name}\"" for name, _ in late), "last": last})
    return None


def budget_refusal(currency: str | None, *, project_currency: str) -> Refusal | None:
    """A budget is kept in the project's currency: another one would change it silently."""
    if currency and currency != project_currency:
        return Refusal("projects.error.budget_currency", {"currency": currency, "project": project_currency})
    return None


def proposal(answers: dict[str, Any], baseline: Baseline, *, marks: Sequence[Milestone], core: Core) -> dict[str, Any]:
    """What the change would move, from the dialog's answers; refused when nothing would change,
    or when the baseline would contradict itself (see ``end_refusal``, ``budget_refusal``)."""
    proposed: dict[str, Any] = {}
    end = answers.get("new_end")
    if end:
        day = date.fromisoformat(str(end))
        if day != baseline.end:
            refusal = end_refusal(day, start=baseline.start, today=core.today(),
                                  marks=[(m.name, m.due) for m in marks], calendar=core.calendar)
            if refusal is not None:
                raise refusal.invalid()
            proposed["end"] = day.isoformat()
    budget = answers.get("new_budget")
    if budget:
        try:
            amount = Decimal(str(budget["amount"]))
        except (InvalidOperation, KeyError, TypeError):
            raise Invalid("projects.error.budget", value=str(budget)) from None
        if amount < 0:
            raise Invalid("projects.error.budget", value=str(amount))
        refused = budget_refusal(budget.get("currency"), project_currency=baseline.currency)
        if refused is not None:
            raise refused.invalid()
        if amount != baseline.budget:
            proposed["budget"] = format(amount, "f")
            proposed["currency"] = str(budget.get("currency") or baseline.currency)
    proposed.update(scope_proposal(answers, baseline.scope))
    scope = str(answers.get("scope_note") or "").strip()
    if scope:
        proposed["scope"] = scope
    if not proposed:
        raise Invalid("projects.error.no_change")
    return proposed


async def form_context(session: AsyncSession, *, project: Project) -> dict[str, Any]:
    """What the change form checks its answers against: the baseline in force and its milestones."""
    assert project.id is not None
    baseline = await baselines.in_force(session, project_id=project.id)
    assert baseline is not None  # frozen when the project opened
    marks = await baselines.milestones(session, project_id=project.id)
    return {"project": project.key, "start": baseline.start.isoformat(), "end": baseline.end.isoformat(),
            "currency": baseline.currency, "marks": [[m.name, m.due.isoformat()] for m in marks]}


async def request_change(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                         answers: dict[str, Any]) -> list[Message]:
    """The owner or the PMO asks for a change; it waits for the committee, announced in its channel."""
    project, need = await projects.get(session, actor=actor, key=key)
    projects.check_manage(actor, project, "change")
    projects.check_active(project, core=core)
    assert project.id is not None
    baseline = await baselines.in_force(session, project_id=project.id)
    assert baseline is not None  # frozen when the project opened
    reason = str(answers.get("reason") or "").strip()[:REASON_MAX]
    if not reason:
        raise Invalid("projects.error.change_reason")
    proposed = proposal(answers, baseline, marks=await baselines.milestones(session, project_id=project.id),
                        core=core)
    count = (await session.exec(select(func.count()).select_from(ChangeRequest)
                                .where(ChangeRequest.project_id == project.id))).one()
    row = ChangeRequest(project_id=project.id, number=int(count) + 1, proposed=proposed, reason=reason,
                        status=PENDING, requested_by_id=actor.id, requested_at=core.now())
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # someone else's change took that number a moment ago
        raise Overtaken("projects.error.overtaken", key=project.key) from None
    subject = keys.change_subject(project.key, row.number)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="change_requested",
                       reason=reason, detail={"subject": subject, "proposed": proposed})
    await _announce(session, core=core, actor=actor, project=project, need=need, change=row, baseline=baseline)
    return [Notice(t(actor.locale, "projects.change_requested", subject=subject,
                     changes=describe(proposed, baseline, actor.locale)), "success")]


async def _announce(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need,
                    change: ChangeRequest, baseline: Baseline) -> None:
    """The change to the committee channel; where none is chosen, to each member by direct message,
    in their language, so that the committee is told either way."""
    subject = keys.change_subject(project.key, change.number)

    def text(loc: str) -> str:
        return t(loc, "projects.change_announced", who=actor.person.display_name, subject=subject, title=need.title,
                 changes=describe(change.proposed, baseline, loc), reason=change.reason, key=project.key,
                 number=change.number)

    posted = await outbox.to_channels(session, core=core, purpose=addresses.COMMITTEE_CHANNEL,
                                      key=keys.change_request(subject), message=Notice(text(core.org_locale)))
    if posted:
        return
    for member_id, _ in await committee_cards.members(session):
        member = await session.get(Person, member_id)
        if member is None or member.id is None:
            continue
        await outbox.to_person(session, core=core, key=keys.change_request_member(subject, member.id),
                               person=member, message=Notice(text(locale_of(member, core))))


def describe(proposed: dict[str, Any], baseline: Baseline, locale: str) -> str:
    """What a change moves, from the baseline in force, in plain words."""
    parts: list[str] = []
    if "end" in proposed:
        parts.append(t(locale, "projects.change_end", before=format_day(baseline.end, locale),
                       after=format_day(date.fromisoformat(proposed["end"]), locale)))
    if "budget" in proposed:
        parts.append(t(locale, "projects.change_budget",
                       before=format_money(baseline.budget, baseline.currency, locale),
                       after=format_money(Decimal(proposed["budget"]), proposed["currency"], locale)))
    parts += scope_described(proposed, locale)
    if "scope" in proposed:
        parts.append(t(locale, "projects.change_scope", note=proposed["scope"]))
    return "; ".join(parts)


async def pending(session: AsyncSession, *, project_id: int) -> list[ChangeRequest]:
    rows = await session.exec(select(ChangeRequest).where(ChangeRequest.project_id == project_id,
                                                          ChangeRequest.status == PENDING)
                              .order_by(col(ChangeRequest.number)))
    return list(rows.all())


async def of_project(session: AsyncSession, *, project_id: int) -> list[ChangeRequest]:
    rows = await session.exec(select(ChangeRequest).where(ChangeRequest.project_id == project_id)
                              .order_by(col(ChangeRequest.number)))
    return list(rows.all())


async def has_voted(session: AsyncSession, *, subject: str, member_id: int) -> bool:
    rows = await session.exec(select(Vote.id).where(Vote.subject == subject, Vote.member_id == member_id))
    return rows.first() is not None


async def _hold(session: AsyncSession, change: ChangeRequest) -> ChangeRequest:
    """Take the change's row first: two votes at once are counted one after the other."""
    bump = (update(ChangeRequest).where(col(ChangeRequest.id) == change.id)
            .values(version=col(ChangeRequest.version) + 1).execution_options(synchronize_session=False))
    await session.exec(bump)
    await session.refresh(change)
    return change


def outcome_of(votes: list[Vote], *, core: Core, members: int) -> str | None:
    """The committee's outcome under the policy's quorum (the committee's own rule), or None while
    it is still open; a change the committee would defer (everybody voted, no quorum) is rejected."""
    outcome = rule.tally(committee_cards.casts(votes), members=members, quorum=core.policy.quorum)
    if outcome is None:
        return None
    return APPROVED if outcome == rule.Outcome.APPROVED else REJECTED


async def decide(session: AsyncSession, *, core: Core, actor: Actor, key: str, number: str, choice: str,
                 reason: str) -> list[Message]:
    """A committee member's vote on a change, with its reason; the vote that settles it decides."""
    reason = reason.strip()[:REASON_MAX]
    if not reason:
        raise Invalid("projects.error.vote_reason")
    project, need = await projects.get(session, actor=actor, key=key)
    projects.check_active(project, core=core)
    assert project.id is not None and need.id is not None
    cr_number = parse_number(number)
    change = (await session.exec(select(ChangeRequest).where(ChangeRequest.project_id == project.id,
                                                             ChangeRequest.number == cr_number))).first()
    subject = keys.change_subject(project.key, cr_number)
    if change is None:
        raise NotFound("projects.error.change_not_found", subject=subject)
    side = await sides.side_of(session, person_id=actor.id)
    if side is None:
        raise Forbidden("projects.error.not_member", subject=subject)
    change = await _hold(session, change)
    if change.status != PENDING:
        raise Invalid("projects.error.change_decided", subject=subject, outcome=change.status)
    vote = Vote(subject=subject, need_id=need.id, change_request_id=change.id, member_id=actor.id, side=side,
                choice=choice_of(choice), reason=reason, cast_at=core.now())
    try:
        async with session.begin_nested():
            session.add(vote)
    except IntegrityError:
        raise Invalid("projects.error.already_voted", subject=subject) from None
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="change_vote",
                       reason=reason, detail={"subject": subject, "choice": vote.choice, "side": side})
    votes = list((await session.exec(select(Vote).where(Vote.subject == subject).order_by(col(Vote.id)))).all())
    outcome = outcome_of(votes, core=core, members=len(await committee_cards.members(session)))
    said = Notice(t(actor.locale, "projects.voted", subject=subject,
                    choice=t(actor.locale, "projects.choice." + vote.choice)), "success")
    if outcome is None:
        return [said]
    await _settle(session, core=core, actor=actor, project=project, need=need, change=change, outcome=outcome,
                  votes=votes)
    return [said, Notice(t(actor.locale, "projects.change_settled." + outcome, subject=subject), "success")]


async def _settle(session: AsyncSession, *, core: Core, actor: Actor, project: Project, need: Need,
                  change: ChangeRequest, outcome: str, votes: list[Vote]) -> None:
    """Write the decision once, close the change (a compare-and-set), and on approval freeze the next baseline."""
    assert project.id is not None and need.id is not None
    subject = keys.change_subject(project.key, change.number)
    names = await people.names(session, ids=(v.member_id for v in votes))
    deciding = "approve" if outcome == APPROVED else "reject"
    decision = Decision(
        subject=subject, need_id=need.id, change_request_id=change.id, outcome=outcome,
        reason="; ".join(f"{names.get(v.member_id, '?')}: {v.reason}" for v in votes if v.choice == deciding),
        votes=[{"member": names.get(v.member_id), "side": v.side, "choice": v.choice, "reason": v.reason,
                "cast_at": v.cast_at.isoformat()} for v in votes],
        decided_at=core.now(),
    )
    try:
        async with session.begin_nested():
            session.add(decision)
    except IntegrityError:
        raise Overtaken("projects.error.change_decided_now", subject=subject) from None
    cas = (update(ChangeRequest)
           .where(col(ChangeRequest.id) == change.id, col(ChangeRequest.status) == PENDING)
           .values(status=outcome, decided_at=core.now()).returning(col(ChangeRequest.id))
           .execution_options(synchronize_session=False))
    if (await session.exec(cas)).scalar_one_or_none() is None:
        raise Overtaken("projects.error.change_decided_now", subject=subject)
    before = await baselines.in_force(session, project_id=project.id)
    assert before is not None  # frozen when the project opened
    version = None
    if outcome == APPROVED:
        after = await _next_baseline(session, core=core, current=before, change=change, decision=decision)
        version = after.version
        await roadmap_events.changed(session, core=core, project=project, need=need, change=change, before=before,
                                     after=after)
    await audit.record(session, core=core, actor_id=actor.id, subject=project.key, action="change_" + outcome,
                       from_status=PENDING, to_status=outcome, reason=decision.reason,
                       detail={"subject": subject, "decision": decision.id, "baseline": version})
    await _tell(session, core=core, project=project, change=change, outcome=outcome, version=version,
                reason=decision.reason)
    if outcome == APPROVED:
        await _tell_requesters(session, core=core, project=project, need=need, change=change, before=before,
                               version=version or 0)


async def _next_baseline(session: AsyncSession, *, core: Core, current: Baseline, change: ChangeRequest,
                         decision: Decision) -> Baseline:
    """The baseline after ``current`` with the approved change's terms."""
    proposed = change.proposed
    scope = scope_applied(dict(current.scope), proposed, change=change.number)
    terms = replace(
        baselines.terms_of(current),
        end=date.fromisoformat(proposed["end"]) if "end" in proposed else current.end,
        budget=Decimal(proposed["budget"]) if "budget" in proposed else current.budget,
        currency=str(proposed.get("currency") or current.currency), scope=scope,
    )
    return await baselines.freeze(session, core=core, project_id=current.project_id, version=current.version + 1,
                                  terms=terms, decision_id=decision.id, change_request_id=change.id)


async def _tell_requesters(session: AsyncSession, *, core: Core, project: Project, need: Need,
                           change: ChangeRequest, before: Baseline, version: int) -> None:
    """The need's requester and co-requesters told what the approved change moves (old → new) and why,
    each in their language; the owner and who asked for it are told by ``_tell``."""
    assert need.id is not None
    subject = keys.change_subject(project.key, change.number)
    told = {change.requested_by_id, project.owner_id}
    for person_id in dict.fromkeys([need.requester_id, *await links.co_requester_ids(session, need_id=need.id)]):
        person = await session.get(Person, person_id) if person_id not in told else None
        if person is None or person.id is None:
            continue
        loc = locale_of(person, core)
        text = t(loc, "projects.change_told_requester", subject=subject, key=project.key, need=need.key,
                 title=need.title, changes=describe(change.proposed, before, loc), why=change.reason,
                 version=version)
        await outbox.to_person(session, core=core, key=keys.change_decided(subject, person.id), person=person,
                               message=Notice(text))


async def _tell(session: AsyncSession, *, core: Core, project: Project, change: ChangeRequest, outcome: str,
                version: int | None, reason: str) -> None:
    """Who asked for the change, and the owner, told how it was decided; the committee channel too."""
    subject = keys.change_subject(project.key, change.number)
    for person_id in dict.fromkeys(p for p in (change.requested_by_id, project.owner_id) if p is not None):
        person = await session.get(Person, person_id)
        if person is None:
            continue
        loc = locale_of(person, core)
        text = t(loc, "projects.change_told." + outcome, subject=subject, version=version or 0, reason=reason)
        await outbox.to_person(session, core=core, key=keys.change_decided(subject, person_id), person=person,
                               message=Notice(text, "success" if outcome == APPROVED else "warning"))
    loc = core.org_locale
    await outbox.to_channels(
        session, core=core, purpose=addresses.COMMITTEE_CHANNEL, key=keys.change_decided(subject, 0),
        message=Notice(t(loc, "projects.change_told." + outcome, subject=subject, version=version or 0,
                         reason=reason)))

