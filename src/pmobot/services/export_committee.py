"""The committee's decisions for spreadsheets: one row per decision, with its votes and reasons.

Same conventions as ``services.export`` (which lists this table): times in ISO 8601 UTC, an
empty value is null in JSON and an empty cell in CSV; the votes are a list of lines
("Carla Rossi (business): approve: reason"), joined with "; " in a CSV cell.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.models import Need
from pmobot.domain.models_governance import Decision
from pmobot.services.core import Core

DECISION_FIELDS = ("need", "title", "subject", "outcome", "decided_at", "reason", "votes", "score",
                   "policy_version", "review_outcome", "conditions")


def _vote_line(vote: Mapping[str, object]) -> str:
    return f"{vote.get('member') or '?'} ({vote.get('side')}): {vote.get('choice')}: {vote.get('reason') or ''}"


async def decisions(session: AsyncSession, *, core: Core) -> list[dict[str, object]]:
    need_of = {n.id: n for n in (await session.exec(select(Need))).all()}
    out: list[dict[str, object]] = []
    for decision in (await session.exec(select(Decision).order_by(col(Decision.id)))).all():
        need = need_of[decision.need_id]
        out.append({
            "need": need.key, "title": need.title, "subject": decision.subject, "outcome": decision.outcome,
            "decided_at": decision.decided_at.isoformat(timespec="seconds"), "reason": decision.reason or None,
            "votes": [_vote_line(v) for v in decision.votes], "score": decision.score,
            "policy_version": decision.policy_version, "review_outcome": decision.review_outcome,
            "conditions": decision.conditions or None,
        })
    return out


def decision_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(DECISION_FIELDS)
