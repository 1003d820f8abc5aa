"""The need lifecycle as data: allowed steps, who may take them, and refusals."""

from __future__ import annotations

import pytest

from pmobot.domain import lifecycle
from pmobot.domain.lifecycle import OWNER, NeedStatus, TransitionRefused
from pmobot.domain.roles import Role

S = NeedStatus


def tags(*roles: str, owner: bool = False) -> frozenset[str]:
    return lifecycle.actor_tags({Role.REQUESTER, *roles}, is_owner=owner)


@pytest.mark.parametrize(
    ("action", "source", "target", "who"),
    [
        ("submit", S.DRAFT, S.SUBMITTED, tags(owner=True)),
        ("claim", S.SUBMITTED, S.ESTIMATING, tags(Role.IT)),
        ("ask", S.ESTIMATING, S.NEEDS_INFO, tags(Role.IT)),
        ("ask", S.SUBMITTED, S.NEEDS_INFO, tags(Role.IT)),
        ("answer", S.NEEDS_INFO, S.ESTIMATING, tags(owner=True)),
        ("answer_committee", S.NEEDS_INFO, S.READY_FOR_DECISION, tags(owner=True)),
        ("request_info", S.READY_FOR_DECISION, S.NEEDS_INFO, tags(Role.COMMITTEE)),
        ("estimate", S.ESTIMATING, S.ESTIMATED, tags(Role.IT)),
        ("estimate", S.ESTIMATED, S.ESTIMATED, tags(Role.IT)),
        ("send_to_committee", S.ESTIMATED, S.READY_FOR_DECISION, tags(Role.PMO)),
        ("approve", S.READY_FOR_DECISION, S.APPROVED, tags(Role.COMMITTEE)),
        ("defer", S.READY_FOR_DECISION, S.DEFERRED, tags(Role.COMMITTEE)),
        ("reject", S.READY_FOR_DECISION, S.REJECTED, tags(Role.COMMITTEE)),
        ("withdraw", S.ESTIMATING, S.WITHDRAWN, tags(owner=True)),
        ("withdraw", S.SUBMITTED, S.WITHDRAWN, tags(Role.PMO)),
    ],
)
def test_allowed_steps_lead_where_the_design_says(action, source, target, who) -> None:
    assert lifecycle.check(action, source, who).target == target


def test_a_requester_cannot_claim_and_is_told_who_can() -> None:
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.check("claim", S.SUBMITTED, tags(owner=True))
    assert refused.value.reason == "actor"
    assert lifecycle.actors_of("claim") == {Role.IT}


def test_it_cannot_answer_for_the_requester() -> None:
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.check("answer", S.NEEDS_INFO, tags(Role.IT))
    assert refused.value.reason == "actor"


def test_someone_elses_need_cannot_be_withdrawn_by_a_plain_requester() -> None:
    with pytest.raises(TransitionRefused):
        lifecycle.check("withdraw", S.SUBMITTED, tags(owner=False))


@pytest.mark.parametrize("closed", [S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_closed_needs_accept_no_step_from_anyone(closed: NeedStatus) -> None:
    everybody = tags(Role.IT, Role.COMMITTEE, Role.PMO, owner=True)
    assert lifecycle.possible(closed, everybody) == []
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.check("withdraw", closed, everybody)
    assert refused.value.reason == "status"


def test_wrong_status_is_refused_for_the_status_not_the_person() -> None:
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.check("claim", S.ESTIMATED, tags(Role.IT))
    assert refused.value.reason == "status"
    assert refused.value.transition is None


def test_possible_lists_only_what_this_person_may_do_now() -> None:
    assert lifecycle.possible(S.SUBMITTED, tags(Role.IT)) == ["claim", "ask", "estimate"]
    assert lifecycle.possible(S.SUBMITTED, tags(owner=True)) == ["withdraw"]
    assert lifecycle.possible(S.NEEDS_INFO, tags(owner=True)) == ["answer", "answer_committee", "withdraw"]
    assert lifecycle.possible(S.NEEDS_INFO, tags(Role.IT)) == []


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        lifecycle.check("teleport", S.SUBMITTED, tags(Role.PMO))


def test_every_status_but_the_closed_ones_can_be_left() -> None:
    for status in NeedStatus:
        outgoing = [t for t in lifecycle.TRANSITIONS if status in t.sources]
        assert bool(outgoing) == (status not in lifecycle.CLOSED), status


def test_every_status_is_reachable_from_draft() -> None:
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        current = frontier.pop()
        for t in lifecycle.TRANSITIONS:
            if current in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(NeedStatus)


def test_owner_is_a_tag_not_a_role() -> None:
    assert OWNER not in {r.value for r in Role}
    assert OWNER in tags(owner=True) and OWNER not in tags(Role.PMO)
