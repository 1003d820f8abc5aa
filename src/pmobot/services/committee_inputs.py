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
from pmobot.i18n import t
from pmobot.services.cards import estimate_summary
from pmobot.services.core import Core
from pmobot.services.needs import latest_estimate


@dataclass(frozen=True)
class Inputs:
    estimate: Estimate | None

    def lines(self, locale: str) -> list[tuple[str, str]]:
        """(label, text) for each input, in ``locale``."""
        cost = estimate_summary(self.estimate, locale) if self.estimate else t(locale, "committee.no_estimate")
        return [(t(locale, "committee.cost"), cost)]

    @property
    def blocks_approval(self) -> bool:
        """Whether approving is refused now (a security review pending or blocked)."""
        return False

    def why_blocked(self, locale: str) -> str:
        return ""

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
        return None

    @property
    def conditions(self) -> str:
        return ""

    @property
    def rank_key(self) -> tuple[float, int]:
        """Higher score first; without a score, after the scored ones."""
        return (-(self.score if self.score is not None else float("-inf")), 0)


async def gather(session: AsyncSession, *, core: Core, need: Need, locale: str | None = None) -> Inputs:
    assert need.id is not None
    return Inputs(estimate=await latest_estimate(session, need_id=need.id))
