"""The committee's rule, pure: the choices a member has, and when the votes cast make a decision.

The quorum itself belongs to the published policy (``core.policy.quorum``, a
``domain.scoring.Quorum``; by default at least one business and one IT approval,
and any rejection rejects); a majority of the committee deferring defers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pmobot.domain.roles import Side
from pmobot.domain.scoring import Quorum


class Choice(StrEnum):
    APPROVE = "approve"
    DEFER = "defer"
    REJECT = "reject"


class Outcome(StrEnum):
    APPROVED = "approved"
    DEFERRED = "deferred"
    REJECTED = "rejected"


# The words a vote may be typed with, folded (no accents, lower case), English and French.
CHOICE_WORDS: dict[str, Choice] = {
    "approve": Choice.APPROVE, "approved": Choice.APPROVE, "yes": Choice.APPROVE, "for": Choice.APPROVE,
    "approuver": Choice.APPROVE, "approuve": Choice.APPROVE, "pour": Choice.APPROVE, "oui": Choice.APPROVE,
    "defer": Choice.DEFER, "later": Choice.DEFER, "postpone": Choice.DEFER,
    "reporter": Choice.DEFER, "reporte": Choice.DEFER, "report": Choice.DEFER, "differer": Choice.DEFER,
    "reject": Choice.REJECT, "no": Choice.REJECT, "against": Choice.REJECT,
    "refuser": Choice.REJECT, "refuse": Choice.REJECT, "rejeter": Choice.REJECT, "contre": Choice.REJECT,
    "non": Choice.REJECT,
}


def parse_choice(folded_word: str) -> Choice | None:
    """The vote a (folded) word names, or None."""
    return CHOICE_WORDS.get(folded_word)


# The lifecycle step each outcome takes (``domain.lifecycle``).
STEP = {Outcome.APPROVED: "approve", Outcome.DEFERRED: "defer", Outcome.REJECTED: "reject"}


DEFAULT_QUORUM = Quorum()


@dataclass(frozen=True)
class Cast:
    """One vote as the rule reads it."""

    side: str
    choice: str


def tally(votes: Sequence[Cast], *, members: int, quorum: Quorum = DEFAULT_QUORUM) -> Outcome | None:
    """The outcome the votes cast so far make, or None while the committee has not decided.

    Rejection first (one is enough when the rule says so), then approval (each side's
    approvals reached), then deferral (more than half of the ``members`` deferred, or all of
    them voted without reaching the approvals).
    Without ``rejection_blocks``, rejections need a majority of the members, like deferrals.
    """
    rejects = sum(1 for v in votes if v.choice == Choice.REJECT)
    if rejects and (quorum.rejection_blocks or rejects * 2 > members):
        return Outcome.REJECTED
    approvals = {side: sum(1 for v in votes if v.choice == Choice.APPROVE and v.side == side) for side in Side}
    if approvals[Side.BUSINESS] >= quorum.business_approvals and approvals[Side.IT] >= quorum.it_approvals:
        return Outcome.APPROVED
    defers = sum(1 for v in votes if v.choice == Choice.DEFER)
    if defers * 2 > members or len(votes) >= members > 0:
        # A majority deferred, or everybody voted and the approvals are still not there.
        return Outcome.DEFERRED
    return None


def missing(votes: Sequence[Cast], *, quorum: Quorum = DEFAULT_QUORUM) -> dict[Side, int]:
    """The approvals each side still has to give for an approval (0: none)."""
    need = {Side.BUSINESS: quorum.business_approvals, Side.IT: quorum.it_approvals}
    return {side: max(0, need[side] - sum(1 for v in votes if v.choice == Choice.APPROVE and v.side == side))
            for side in Side}
