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
from pmobot.domain.scope import ScopeGate
from pmobot.i18n import t
from pmobot.services import reviews, roadmap, scope, scoring
from pmobot.services.cards import estimate_summary
from pmobot.services.core import Core
from pmobot.services.errors import PmoError
from pmobot.services.needs import latest_estimate
from pmobot.services.scoring import ScoreView


@dataclass(frozen=True)
class Inputs:
    estimate: Estimate | None
    # The score under the policy in force, with its breakdown (or what it waits for).
    score_view: ScoreView | None = None
    # The security and GDPR gate: whether it lets the committee approve, and its outcome.
    review: ReviewGate | None = None
    # Where approving would place it and what it would displace; or why that cannot be said.
    impact: Impact | None = None
    impact_refused: PmoError | None = None
    # The scope sign-off: which version the requester and the sponsor agreed to, or whose agreement is missing.
    scope: ScopeGate | None = None

    def lines(self, locale: str) -> list[tuple[str, str]]:
        """(label, text) for each input, in ``locale``."""
        cost = estimate_summary(self.estimate, locale) if self.estimate else t(locale, "committee.no_estimate")
        out = [(t(locale, "committee.cost"), cost)]
        if self.score_view is not None:
            out.insert(0, (t(locale, "committee.score"), scoring.explain(self.score_view, locale)))
        if self.review is not None and self.review.concerns:
            out.append((t(locale, "review.card.title"), reviews.explain(self.review, locale)))
        if self.scope is not None and (self.scope.required or self.scope.version is not None):
            out.append((t(locale, "scope.committee.label"), scope.explain(self.scope, locale)))
        if self.impact is not None:
            out.append((t(locale, "committee.impact"), roadmap.explain_impact(self.impact, locale)))
        elif self.impact_refused is not None:
            out.append((t(locale, "committee.impact"), self.impact_refused.message(locale)))
        return out

    @property
    def blocks_approval(self) -> bool:
        """Whether approving is refused now (a security review pending or blocked, a scope the policy
        asks for and nobody agreed to yet)."""
        return ((self.review is not None and self.review.blocks_decision)
                or (self.scope is not None and self.scope.blocks_decision))

    def why_blocked(self, locale: str) -> str:
        parts = []
        if self.review is not None and self.review.blocks_decision:
            parts.append(reviews.explain(self.review, locale))
        if self.scope is not None and self.scope.blocks_decision:
            parts.append(scope.explain(self.scope, locale))
        return " ".join(parts)

    # What the decision records of them, as they stood.
    @property
    def score(self) -> float | None:
        return self.score_view.value if self.score_view is not None else None

    @property
    def breakdown(self) -> dict[str, object]:
        view = self.score_view
        return view.breakdown.to_dict() if view is not None and view.breakdown is not None else {}

    @property
    def policy_version(self) -> int | None:
        return self.score_view.policy_version if self.score_view is not None else None

    @property
    def review_outcome(self) -> str | None:
        return str(self.review.outcome) if self.review is not None and self.review.outcome else None

    @property
    def conditions(self) -> str:
        return self.review.conditions if self.review is not None else ""



async def gather(session: AsyncSession, *, core: Core, need: Need, locale: str | None = None) -> Inputs:
    assert need.id is not None
    impact, refused = None, None
    try:
        impact = await roadmap.impact_of(session, core=core, need=need)
    except PmoError as exc:  # no estimate, no capacity set yet: said on the card rather than hidden
        refused = exc
    return Inputs(estimate=await latest_estimate(session, need_id=need.id),
                  score_view=await scoring.score_of(session, core=core, need=need),
                  review=await reviews.gate(session, core=core, need=need), impact=impact, impact_refused=refused,
                  scope=await scope.gate(session, core=core, need=need))
