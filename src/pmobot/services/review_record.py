"""The security and GDPR review, done: a security reviewer records the checklist and an outcome,
the requester and IT are told; and security reviewers are told when a need waits on them.

Each review is a new version (``SecurityReview``, unique per need and version):
two reviewers recording at the same instant write one version, and the other
is told nothing of theirs was kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.commands import buttons
from pmobot.domain import keys, lifecycle
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need
from pmobot.domain.models_governance import SecurityReview
from pmobot.domain.reviews import Outcome
from pmobot.domain.roles import Role
from pmobot.i18n import t
from pmobot.messages import Card, CardField, Message, Notice
from pmobot.services import audit, outbox, reviews
from pmobot.services.core import Core
from pmobot.services.errors import Forbidden, Invalid, Overtaken
from pmobot.services.intake import refresh_it_card
from pmobot.services.needs import get_visible, person, status_label
from pmobot.services.people import Actor, locale_of

# The review spec's fields that are not part of the checklist.
_VERDICT = ("outcome", "conditions", "reasons")
TEXT_MAX = 4000


async def check_can_review(session: AsyncSession, *, actor: Actor, key: str) -> Need:
    """Refuse before the checklist starts, not after it: only security reviewers, on a submitted, open need."""
    need = await get_visible(session, actor=actor, key=key)
    if not actor.has(Role.SECURITY):
        raise Forbidden("review.error.not_security")
    status = NeedStatus(need.status)
    if status == NeedStatus.DRAFT:
        raise Invalid("review.error.not_submitted", key=need.key)
    if status in lifecycle.CLOSED:
        raise Invalid("review.error.closed", key=need.key, status=status_label(status, actor.locale))
    return need


def _text(value: object) -> str:
    return str(value or "").strip()[:TEXT_MAX]


def verdict(answers: dict[str, Any]) -> tuple[Outcome, str, str]:
    """The outcome, its conditions and its reasons, refused when they do not hold together."""
    try:
        outcome = Outcome(str(answers.get("outcome") or ""))
    except ValueError:
        raise Invalid("review.error.outcome", value=answers.get("outcome")) from None
    conditions, reasons = _text(answers.get("conditions")), _text(answers.get("reasons"))
    if outcome == Outcome.CLEARED_WITH_CONDITIONS and not conditions:
        raise Invalid("review.error.no_conditions")
    if outcome != Outcome.CLEARED_WITH_CONDITIONS:
        conditions = ""
    if not reasons:
        raise Invalid("review.error.no_reasons")
    return outcome, conditions, reasons


async def record(session: AsyncSession, *, core: Core, actor: Actor, key: str,
                 answers: dict[str, Any]) -> list[Message]:
    """A new version of the need's review; the requester is told, the IT card shows it."""
    need = await check_can_review(session, actor=actor, key=key)
    outcome, conditions, reasons = verdict(answers)
    assert need.id is not None
    previous = await reviews.latest(session, need_id=need.id)
    version = previous.version + 1 if previous else 1
    row = SecurityReview(need_id=need.id, version=version, outcome=outcome, conditions=conditions, reasons=reasons,
                         checklist={k: v for k, v in answers.items() if k not in _VERDICT},
                         reviewer_id=actor.id, created_at=core.now())
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Overtaken("review.error.overtaken", key=need.key, version=version) from None
    await audit.record(session, core=core, actor_id=actor.id, subject=need.key, action="security_review",
                       reason=reasons, detail={"version": version, "outcome": str(outcome),
                                               **({"conditions": conditions} if conditions else {})})
    gate = await reviews.gate(session, core=core, need=need)
    requester = await person(session, need.requester_id)
    if requester is not None:
        loc = locale_of(requester, core)
        await outbox.to_person(
            session, core=core, key=keys.review_told(need.key, version), person=requester, subject=need.key,
            message=Card(title=t(loc, "review.told_title", key=need.key, outcome=reviews.outcome_label(outcome, loc)),
                         subtitle=need.title, body=reviews.explain(gate, loc),
                         footer=t(loc, "review.told_footer", key=need.key)))
    await outbox.to_it_channels(
        session, core=core, key=keys.review_thread(need.key, version), thread_key=keys.need_card(need.key),
        message=Notice(t(core.org_locale, "review.thread", key=need.key, who=actor.person.display_name,
                         outcome=reviews.outcome_label(outcome, core.org_locale))
                       + "\n" + reviews.explain(gate, core.org_locale)))
    await refresh_it_card(session, core=core, need=need)
    return [Notice(t(actor.locale, "review.recorded", key=need.key, version=version,
                     outcome=reviews.outcome_label(outcome, actor.locale)), "success")]


async def announce(session: AsyncSession, *, core: Core, need: Need) -> None:
    """Tell every security reviewer, and the IT channel under the need's card, that the need waits on a
    review: when it becomes estimated and one is required and not done. Each is told once."""
    gate = await reviews.gate(session, core=core, need=need)
    if not gate.pending:
        return
    for reviewer in await reviews.reviewers(session):
        assert reviewer.id is not None
        loc = locale_of(reviewer, core)
        await outbox.to_person(
            session, core=core, key=keys.review_needed(need.key, reviewer.id), person=reviewer, subject=need.key,
            message=Card(title=t(loc, "review.needed_title", key=need.key),
                         body=t(loc, "review.needed_body", key=need.key, title=need.title,
                                why=reviews.why(gate, loc)),
                         fields=(CardField(t(loc, "card.requester"), await _requester_name(session, need)),),
                         actions=(buttons.REVIEW.action(loc, need.key, primary=True),)))
    loc = core.org_locale
    who = ", ".join(gate.reviewers) or t(loc, "review.explain.no_reviewer")
    await outbox.to_it_channels(
        session, core=core, key=keys.review_needed_thread(need.key), thread_key=keys.need_card(need.key),
        message=Notice(t(loc, "review.needed_thread", key=need.key, why=reviews.why(gate, loc), who=who)))


async def _requester_name(session: AsyncSession, need: Need) -> str:
    requester = await person(session, need.requester_id)
    return requester.display_name if requester else "?"
