"""The need lifecycle as data: which step leads where, and who may take it.

A step is refused with the reason and the steps that are possible instead,
so a user is never left guessing what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pmobot.domain.roles import Role


class NeedStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ESTIMATING = "estimating"
    NEEDS_INFO = "needs_info"
    ESTIMATED = "estimated"
    READY_FOR_DECISION = "ready_for_decision"
    APPROVED = "approved"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    # Folded into another need by the PMO; its requester follows that one.
    MERGED = "merged"


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


# The requester of the need in question, whatever their roles.
OWNER = "owner"

CLOSED = frozenset({NeedStatus.APPROVED, NeedStatus.REJECTED, NeedStatus.WITHDRAWN, NeedStatus.MERGED})
# Sent and not closed: the needs the PMO's portfolio is working on (scored, compared, their scope agreed).
OPEN = frozenset(set(NeedStatus) - CLOSED - {NeedStatus.DRAFT})

# Statuses in which the next move is IT's: the IT queue.
WAITING_ON_IT = (NeedStatus.SUBMITTED, NeedStatus.ESTIMATING)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[NeedStatus]
    target: NeedStatus
    actors: frozenset[str]


def _t(action: str, sources: set[NeedStatus], target: NeedStatus, *actors: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors))


S = NeedStatus
_OPEN = {S.DRAFT, S.SUBMITTED, S.ESTIMATING, S.NEEDS_INFO, S.ESTIMATED, S.READY_FOR_DECISION, S.DEFERRED}

TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", {S.DRAFT}, S.SUBMITTED, OWNER),
    _t("claim", {S.SUBMITTED}, S.ESTIMATING, Role.IT),
    # Asking a question pauses the need until the requester answers.
    _t("ask", {S.SUBMITTED, S.ESTIMATING, S.ESTIMATED}, S.NEEDS_INFO, Role.IT),
    _t("answer", {S.NEEDS_INFO}, S.ESTIMATING, OWNER),
    _t("estimate", {S.SUBMITTED, S.ESTIMATING, S.ESTIMATED}, S.ESTIMATED, Role.IT),
    _t("send_to_committee", {S.ESTIMATED}, S.READY_FOR_DECISION, Role.PMO),
    _t("request_info", {S.READY_FOR_DECISION}, S.NEEDS_INFO, Role.COMMITTEE),
    # The committee's question answered: back before the committee, not back to IT's estimate. Taken by
    # the requester answering, or, when IT answered, on behalf of the member who asked.
    _t("answer_committee", {S.NEEDS_INFO}, S.READY_FOR_DECISION, OWNER, Role.COMMITTEE),
    _t("approve", {S.READY_FOR_DECISION}, S.APPROVED, Role.COMMITTEE),
    _t("defer", {S.READY_FOR_DECISION}, S.DEFERRED, Role.COMMITTEE),
    _t("reject", {S.READY_FOR_DECISION}, S.REJECTED, Role.COMMITTEE),
    _t("reconsider", {S.DEFERRED}, S.READY_FOR_DECISION, Role.PMO),
    _t("withdraw", _OPEN, S.WITHDRAWN, OWNER, Role.PMO),
    _t("merge", _OPEN, S.MERGED, Role.PMO),
    # At intake, the requester follows an existing need instead of sending theirs (``services.duplicates``).
    _t("join", {S.DRAFT}, S.MERGED, OWNER),
)

ACTIONS = frozenset(t.action for t in TRANSITIONS)


class TransitionRefused(Exception):
    """A step that is not allowed; ``reason`` is ``status`` or ``actor``."""

    def __init__(self, action: str, status: NeedStatus, reason: str, transition: Transition | None) -> None:
        super().__init__(f"{action} refused from {status}: {reason}")
        self.action = action
        self.status = status
        self.reason = reason
        self.transition = transition


def transition_for(action: str, status: NeedStatus) -> Transition | None:
    return next((t for t in TRANSITIONS if t.action == action and status in t.sources), None)


def actor_tags(roles: frozenset[str] | set[str], *, is_owner: bool) -> frozenset[str]:
    """What a person counts as for one need: their roles, plus ``owner`` if it is theirs."""
    return frozenset(roles) | ({OWNER} if is_owner else frozenset())


def check(action: str, status: NeedStatus, tags: frozenset[str]) -> Transition:
    """The transition to take, or ``TransitionRefused`` saying why not."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not (actors_of(action) & tags):
        # Never this person's step, whatever the status: that is the reason to give, not the status.
        raise TransitionRefused(action, status, "actor", None)
    transition = transition_for(action, status)
    if transition is None:
        raise TransitionRefused(action, status, "status", None)
    if not (transition.actors & tags):
        raise TransitionRefused(action, status, "actor", transition)
    return transition


def possible(status: NeedStatus, tags: frozenset[str]) -> list[str]:
    """The actions this person may take now, in table order."""
    return [t.action for t in TRANSITIONS if status in t.sources and t.actors & tags]


def actors_of(action: str) -> frozenset[str]:
    """Everybody who may take ``action`` from some status, for 'who can' messages."""
    out: set[str] = set()
    for t in TRANSITIONS:
        if t.action == action:
            out |= t.actors
    return frozenset(out)
