"""The scores sheet of ``pmobot export``: every need's score under the policy in force, with its breakdown.

One row per need past its draft, in need order: the score (empty while it
waits, with what it waits for), the policy version and method, the breakdown
in plain words in the organisation's language, who assessed and estimated it,
and each factor's points and each rating's reason as lists (one cell in CSV,
entries separated by "; ").
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.conversation.spec import DialogSpec
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import Need
from pmobot.services import scoring
from pmobot.services.core import Core

SCORE_COLUMNS = ("key", "title", "status", "score", "policy_version", "method", "waiting_for", "breakdown",
                 "assessed_by", "assessment_version", "estimated_by", "estimate_version", "factors", "reasons")


async def scores(session: AsyncSession, *, core: Core) -> list[dict[str, object]]:
    needs = list((await session.exec(select(Need).where(Need.status != NeedStatus.DRAFT)
                                     .order_by(col(Need.number)))).all())
    views = {n.key: v for n, v in await scoring.ranking(session, core=core, needs=needs)}
    out: list[dict[str, object]] = []
    for need in needs:
        view = views[need.key]
        b = view.breakdown
        out.append({
            "key": need.key, "title": need.title, "status": need.status, "score": view.value,
            "policy_version": view.policy_version, "method": str(core.policy.method),
            "waiting_for": list(view.missing) or None,
            "breakdown": scoring.explain(view, core.org_locale) if b is not None else None,
            "assessed_by": (b.assessed_by or None) if b else None,
            "assessment_version": (b.assessment_version or None) if b else None,
            "estimated_by": b.estimate.by if b and b.estimate else None,
            "estimate_version": b.estimate.version if b and b.estimate else None,
            "factors": [f"{f.criterion}={f.points:g}" for f in b.factors] if b else None,
            "reasons": [f"{f.criterion}: {f.reason}" for f in b.factors if f.reason] or None if b else None,
        })
    return out


def score_columns(specs: Mapping[str, DialogSpec]) -> list[str]:
    return list(SCORE_COLUMNS)
