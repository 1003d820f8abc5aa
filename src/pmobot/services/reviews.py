"""The security and GDPR gate of a need, read: is a review required, why, its outcome, and whether
it keeps the committee from deciding. Recording a review is ``services.review_record``.

``gate`` and ``explain`` are what other areas use (the committee refuses an
approval while ``blocks_decision``; cards, status and the export show it).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Estimate, Need, Person
from pmobot.domain.models_governance import SecurityReview
from pmobot.domain.reviews import Outcome, ReviewGate, triggers
from pmobot.domain.roles import Role
from pmobot.i18n import format_moment, t
from pmobot.messages import CardField
from pmobot.services import people
from pmobot.services.core import Core
from pmobot.services.needs import latest_estimate, person
from pmobot.services.people import Actor


async def latest(session: AsyncSession, *, need_id: int) -> SecurityReview | None:
    """The review in force: the latest version."""
    rows = await session.exec(select(SecurityReview).where(SecurityReview.need_id == need_id)
                              .order_by(col(SecurityReview.version).desc()).limit(1))
    return rows.first()


async def history(session: AsyncSession, *, need_id: int) -> list[SecurityReview]:
    rows = await session.exec(select(SecurityReview).where(SecurityReview.need_id == need_id)
                              .order_by(col(SecurityReview.version)))
    return list(rows.all())


async def reviewers(session: AsyncSession) -> list[Person]:
    """Everybody who may review: the people with the ``security`` role, in the order they were met."""
    return await people.holding(session, role=Role.SECURITY)


async def gate(session: AsyncSession, *, core: Core, need: Need) -> ReviewGate:
    """Where ``need`` stands at the security gate."""
    assert need.id is not None  # a stored need
    review = await latest(session, need_id=need.id)
    return gate_of(need, estimate=await latest_estimate(session, need_id=need.id), review=review,
                   reviewer=await person(session, review.reviewer_id if review else None),
                   reviewers=await reviewers(session))


def gate_of(need: Need, *, estimate: Estimate | None, review: SecurityReview | None, reviewer: Person | None,
            reviewers: Sequence[Person]) -> ReviewGate:
    """The gate from what was read: the need's latest estimate and review, its reviewer, and everybody who
    may review (``reviewers``)."""
    found = triggers(personal_data=need.personal_data, external_vendor=need.external_vendor,
                     estimate_asks=estimate.security_review if estimate else None)
    names = tuple(p.display_name for p in reviewers)
    if review is None:
        return ReviewGate(need_key=need.key, triggers=found, reviewers=names)
    return ReviewGate(
        need_key=need.key, triggers=found, outcome=Outcome(review.outcome), conditions=review.conditions,
        reasons=review.reasons, reviewer=reviewer.display_name if reviewer else None, version=review.version,
        reviewed_at=review.created_at, reviewers=names,
    )


# Where a pending review holds a decision up: estimated, before the committee, deferred.
_AWAITING_DECISION = (NeedStatus.ESTIMATED, NeedStatus.READY_FOR_DECISION, NeedStatus.DEFERRED)


async def waiting(session: AsyncSession, *, core: Core) -> list[Need]:
    """The needs whose decision waits on a security review not done yet, by number."""
    rows = await session.exec(select(Need).where(col(Need.status).in_([str(s) for s in _AWAITING_DECISION]))
                              .order_by(col(Need.number)))
    return [need for need in rows.all() if (await gate(session, core=core, need=need)).pending]


async def attention(session: AsyncSession, *, core: Core, actor: Actor) -> list[str]:
    """For a security reviewer's greeting: the reviews waiting on them."""
    if not actor.has(Role.SECURITY):
        return []
    needs = await waiting(session, core=core)
    if not needs:
        return []
    return [t(actor.locale, "review.attention", count=len(needs), keys=", ".join(n.key for n in needs),
              key=needs[0].key)]


def why(gate: ReviewGate, locale: str) -> str:
    """Why a review is required, in words: "personal data, external vendor"."""
    return ", ".join(t(locale, f"review.trigger.{trigger}") for trigger in gate.triggers)


def outcome_label(outcome: Outcome | str, locale: str) -> str:
    return t(locale, f"review.outcome.{outcome}")


def explain(gate: ReviewGate, locale: str) -> str:
    """The gate in plain words: required or not and why, the outcome, its conditions or reasons,
    by whom, and whether (and on whom) a decision waits."""
    if gate.outcome is None:
        if not gate.required:
            return t(locale, "review.explain.not_required")
        waits = (t(locale, "review.explain.waits_on", who=", ".join(gate.reviewers)) if gate.reviewers
                 else t(locale, "review.explain.no_reviewer"))
        return t(locale, "review.explain.pending", why=why(gate, locale), waits=waits)
    parts = [t(locale, "review.explain.done", version=gate.version, who=gate.reviewer or "?",
               outcome=outcome_label(gate.outcome, locale))]
    if gate.conditions:
        parts.append(t(locale, "review.explain.conditions", conditions=gate.conditions))
    if gate.reasons:
        parts.append(t(locale, "review.explain.reasons", reasons=gate.reasons))
    if gate.outcome == Outcome.BLOCKED:
        parts.append(t(locale, "review.explain.blocked"))
    return " ".join(parts)


def card_fields(gate: ReviewGate, locale: str, *, timezone: str) -> list[CardField]:
    """The gate on a need's card (the IT card, the status, the requester's notices); none when it does not
    concern the need."""
    if not gate.concerns:
        return []
    if gate.outcome is None:
        return [CardField(t(locale, "review.card.title"), explain(gate, locale), short=False)]
    value = outcome_label(gate.outcome, locale)
    if gate.reviewer:
        when = format_moment(gate.reviewed_at, locale, timezone) if gate.reviewed_at else ""
        value += " · " + t(locale, "review.card.by", who=gate.reviewer, when=when, version=gate.version)
    out = [CardField(t(locale, "review.card.title"), value, short=False)]
    if gate.conditions:
        out.append(CardField(t(locale, "review.card.conditions"), gate.conditions, short=False))
    if gate.reasons:
        out.append(CardField(t(locale, "review.card.reasons"), gate.reasons, short=False))
    return out
