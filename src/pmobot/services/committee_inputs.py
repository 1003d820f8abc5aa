"""What a committee decision rests on, gathered in one place: cost and effort, score, review, roadmap impact.

Each comes from the service that owns it (the estimate from ``needs``; the
score from ``scoring``, the security review's gate from ``reviews``, the
roadmap impact from ``roadmap``, as each is available); the agenda, the card
and the decision record all read them from here, so they show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from pmobot.domain.models import Estimate, Need
from pmobot.domain.reviews import ReviewGate
from pmobot.domain.roadmap import Impact
from pmobot.i18n import t
from pmobot.services import reviews, roadmap
from pmobot.services.cards import estimate_summary
from pmobot.services.core import Core
from pmobot.services.errors import PmoError
from pmobot.services.needs import latest_estimate


@dataclass(frozen=True)
class Inputs:
    estimate: Estimate | None
    # The security and GDPR gate: whether it lets the committee approve, and its outcome.
    review: ReviewGate | None = None
    # Where approving would place it and what it would displace; or why that cannot be said.
    impact: Impact | None = None
    impact_refused: PmoError | None = None

    def lines(self, locale: str) -> list[tuple[str, str]]:
        """(label, text) for each input, in ``locale``."""
        cost = estimate_summary(self.estimate, locale) if self.estimate else t(locale, "committee.no_estimate")
        out = [(t(locale, "committee.cost"), cost)]
        if self.review is not None and self.review.concerns:
            out.append((t(locale, "review.card.title"), reviews.explain(self.review, locale)))
        if self.impact is not None:
            out.append((t(locale, "committee.impact"), roadmap.explain_impact(self.impact, locale)))
        elif self.impact_refused is not None:
            out.append((t(locale, "committee.impact"), self.impact_refused.message(locale)))
        return out

    @property
    def blocks_approval(self) -> bool:
        """Whether approving is refused now (a security review pending or blocked)."""
        return self.review is not None and self.review.blocks_decision

    def why_blocked(self, locale: str) -> str:
        return reviews.explain(self.review, locale) if self.review is not None else ""

    # What the decision records of them, as they stood.
    @property
    def score(self) -> float | None:
        return None

    @property
    def breakdown(self) -> dict[str, object]:
        return {}

    @property
    def policy_version(self) -> int | None:
        return None

    @property
    def review_outcome(self) -> str | None:
        return str(self.review.outcome) if self.review is not None and self.review.outcome else None

    @property
    def conditions(self) -> str:
        return self.review.conditions if self.review is not None else ""

    @property
    def rank_key(self) -> tuple[float, int]:
        """Higher score first; without a score, after the scored ones."""
        return (-(self.score if self.score is not None else float("-inf")), 0)


async def gather(session: AsyncSession, *, core: Core, need: Need, locale: str | None = None) -> Inputs:
    assert need.id is not None
    impact, refused = None, None
    try:
        impact = await roadmap.impact_of(session, core=core, need=need)
    except PmoError as exc:  # no estimate, no capacity set yet: said on the card rather than hidden
        refused = exc
    return Inputs(estimate=await latest_estimate(session, need_id=need.id),
                  review=await reviews.gate(session, core=core, need=need), impact=impact, impact_refused=refused)
