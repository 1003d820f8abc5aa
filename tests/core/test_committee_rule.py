"""The committee's rule, on votes worked out by hand."""

from __future__ import annotations

from pmobot.domain.committee import DEFAULT_QUORUM, Cast, Choice, Outcome, missing, parse_choice, tally
from pmobot.domain.roles import Side
from pmobot.domain.scoring import Quorum

B, IT = Side.BUSINESS, Side.IT


def votes(*pairs: tuple[str, str]) -> list[Cast]:
    return [Cast(side, choice) for side, choice in pairs]


def test_one_approval_from_each_side_approves_by_default() -> None:
    # 4 members: business approves, nothing yet from IT -> no decision; then IT approves -> approved.
    assert tally(votes((B, "approve")), members=4) is None
    assert tally(votes((B, "approve"), (B, "approve")), members=4) is None
    assert tally(votes((B, "approve"), (IT, "approve")), members=4) == Outcome.APPROVED


def test_one_rejection_rejects_whatever_the_approvals() -> None:
    assert tally(votes((B, "approve"), (IT, "approve"), (IT, "reject")), members=5) == Outcome.REJECTED
    assert tally(votes((B, "reject")), members=5) == Outcome.REJECTED


def test_a_majority_of_the_members_deferring_defers() -> None:
    # 5 members: 2 defers are not a majority (4 <= 5), 3 are (6 > 5).
    assert tally(votes((B, "defer"), (IT, "defer")), members=5) is None
    assert tally(votes((B, "defer"), (IT, "defer"), (B, "defer")), members=5) == Outcome.DEFERRED


def test_everybody_voted_without_the_approvals_defers() -> None:
    # 3 members, all voted: two business approvals and an IT deferral: no IT approval, so deferred.
    assert tally(votes((B, "approve"), (B, "approve"), (IT, "defer")), members=3) == Outcome.DEFERRED


def test_a_policy_quorum_is_applied_and_a_rejection_may_need_a_majority() -> None:
    two_it = Quorum(business_approvals=1, it_approvals=2, rejection_blocks=False)
    assert tally(votes((B, "approve"), (IT, "approve")), members=6, quorum=two_it) is None
    assert tally(votes((B, "approve"), (IT, "approve"), (IT, "approve")), members=6, quorum=two_it) == Outcome.APPROVED
    # Without rejection_blocks, one rejection of six members does not reject (2 <= 6); four do (8 > 6).
    assert tally(votes((B, "reject")), members=6, quorum=two_it) is None
    assert tally(votes(*[(B, "reject")] * 4), members=6, quorum=two_it) == Outcome.REJECTED


def test_missing_says_what_an_approval_still_needs() -> None:
    assert missing(votes((B, "approve")), quorum=DEFAULT_QUORUM) == {B: 0, IT: 1}
    assert missing(votes((IT, "reject")), quorum=DEFAULT_QUORUM) == {B: 1, IT: 1}


def test_votes_are_read_in_english_and_french() -> None:
    assert parse_choice("approuver") == parse_choice("approve") == Choice.APPROVE
    assert parse_choice("reporter") == parse_choice("defer") == Choice.DEFER
    assert parse_choice("refuser") == parse_choice("reject") == Choice.REJECT
    assert parse_choice("maybe") is None
