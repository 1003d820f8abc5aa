"""The security and GDPR gate, as pure rules: when a need must be reviewed, and whether the review
lets a decision be taken.

A need that handles personal data, relies on an external vendor or SaaS, or
whose latest estimate asks for a security review, is reviewed by a ``security``
reviewer before any committee decision. A review is a version that is never
edited: a later review adds a version, and the latest one is in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    CLEARED = "cleared"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions"
    BLOCKED = "blocked"


class Trigger(StrEnum):
    """Why a need must be reviewed, in the order they are shown."""

    PERSONAL_DATA = "personal_data"
    EXTERNAL_VENDOR = "external_vendor"
    ESTIMATE = "estimate"


def triggers(*, personal_data: bool | None, external_vendor: bool | None,
             estimate_asks: bool | None) -> tuple[Trigger, ...]:
    """What makes a review required; empty when none is (an unanswered question is not a yes)."""
    found = (
        (Trigger.PERSONAL_DATA, personal_data),
        (Trigger.EXTERNAL_VENDOR, external_vendor),
        (Trigger.ESTIMATE, estimate_asks),
    )
    return tuple(trigger for trigger, yes in found if yes)


@dataclass(frozen=True)
class ReviewGate:
    """Where a need stands at the security gate.

    ``outcome`` None: no review yet (pending when ``required``). A review made
    when none was required still counts: a blocked need is blocked.
    """

    need_key: str
    triggers: tuple[Trigger, ...] = ()
    outcome: Outcome | None = None
    conditions: str = ""
    reasons: str = ""
    reviewer: str | None = None
    version: int | None = None
    reviewed_at: datetime | None = None
    # Who may review it (the people with the ``security`` role), to say by whom it waits.
    reviewers: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return bool(self.triggers)

    @property
    def pending(self) -> bool:
        return self.required and self.outcome is None

    @property
    def blocks_decision(self) -> bool:
        """The committee may not approve: the review is required and not done, or it blocked the need."""
        return self.pending or self.outcome == Outcome.BLOCKED

    @property
    def concerns(self) -> bool:
        """Whether there is anything to show about the gate at all."""
        return self.required or self.outcome is not None
