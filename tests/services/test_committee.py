"""The committee on both databases: sending, voting with reasons, the quorum, one decision, refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select
from support.committee import actor, estimated_need, seat

from pmobot.app import App
from pmobot.domain.committee import Choice
from pmobot.domain.lifecycle import NeedStatus
from pmobot.domain.models import AuditEvent, Need, OutboxMessage
from pmobot.domain.models_governance import Decision, NeedRequester, Project, Vote
from pmobot.messages import Card, Notice
from pmobot.services import addresses, committee, committee_questions, estimation, needs, questions
from pmobot.services.errors import Forbidden, Invalid, PmoError


async def _need(app: App, key: str) -> Need:
    async with app.db.session() as session:
        return (await session.exec(select(Need).where(Need.number == needs.parse_key(key)))).one()


async def _sent(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list((await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all())


async def send(app: App, key: str) -> list[Any]:
    async with app.db.session() as session:
        return await committee.send(session, core=app.core, actor=await actor(session, app, "dan"), key=key)


async def vote(app: App, login: str, key: str, choice: Choice, reason: str = "because") -> list[Any]:
    async with app.db.session() as session:
        return await committee.vote(session, core=app.core, actor=await actor(session, app, login), key=key,
                                    choice=choice, reason=reason)


async def refused(app: App, login: str, key: str, choice: Choice, reason: str = "because") -> PmoError:
    with pytest.raises(PmoError) as told:
        await vote(app, login, key, choice, reason)
    return told.value


@pytest.fixture
async def ready(app: App) -> str:
    """NEED-1, estimated, sent to the committee, whose channel is chosen on the console."""
    app.core.it_channels["console"] = "it-intake"
    await seat(app)
    async with app.db.session() as session:
        await addresses.set_channel(session, core=app.core, actor=await actor(session, app, "dan"),
                                    platform="console", purpose=addresses.COMMITTEE_CHANNEL, address="committee")
    key = await estimated_need(app)
    said = await send(app, key)
    assert isinstance(said[0], Notice) and "NEED-1" in said[0].text and len(said) == 1
    return key


async def test_sending_opens_a_round_and_posts_the_agenda_card(app: App, ready: str) -> None:
    need = await _need(app, ready)
    assert (need.status, need.committee_round) == (NeedStatus.READY_FOR_DECISION, 1)
    cards = [m for m in await _sent(app) if m.target == "committee"]
    assert [m.key for m in cards] == ["committee:NEED-1/r1@console"]
    card = cards[0].payload
    assert card["title"] == "NEED-1 · Contract tracker"
    assert [a["id"] for a in card["actions"]] == ["committee.approve", "committee.defer", "committee.reject",
                                                  "committee.request_info"]
    assert [a["value"] for a in card["actions"]][:3] == ["NEED-1 approve", "NEED-1 defer", "NEED-1 reject"]
    # The cost and effort the decision rests on, in the organisation's French: 20 person-days, 30 000 EUR.
    text = " ".join(f["value"] for f in card["fields"])
    assert "20" in text and "30" in text and "000" in text


async def test_one_business_and_one_it_approval_decide_once_and_the_requester_is_told(app: App, ready: str) -> None:
    async with app.db.session() as session:  # Bob has the same need: a co-requester, told too
        bob = await actor(session, app, "bob")
        need_id = (await _need(app, ready)).id
        assert need_id is not None
        session.add(NeedRequester(need_id=need_id, person_id=bob.id, via="joined", joined_at=app.core.now()))
    first = await vote(app, "carla", ready, Choice.APPROVE, "Saves two days a month in purchasing")
    assert "NEED-1" in first[0].text and "DSI" in first[1].text  # an IT approval is still missing (Carla reads French)
    assert (await _need(app, ready)).status == NeedStatus.READY_FOR_DECISION
    second = await vote(app, "erin", ready, Choice.APPROVE, "Fits the ERP, low risk")
    assert second[1].text == "Your vote completed the quorum: NEED-1 is approved."  # Erin reads English
    need = await _need(app, ready)
    assert need.status == NeedStatus.APPROVED
    async with app.db.session() as session:
        decisions = list((await session.exec(select(Decision))).all())
        events = list((await session.exec(select(AuditEvent).where(AuditEvent.subject == ready)
                                          .order_by(col(AuditEvent.id)))).all())
    assert len(decisions) == 1
    decision = decisions[0]
    assert (decision.subject, decision.outcome) == ("NEED-1/r1", "approved")
    assert [(v["member"], v["side"], v["choice"]) for v in decision.votes] == [
        ("Carla Rossi", "business", "approve"), ("Erin Walsh", "it", "approve")]
    assert decision.reason == "Carla Rossi: Saves two days a month in purchasing; Erin Walsh: Fits the ERP, low risk"
    assert [e.action for e in events][-3:] == ["vote", "vote", "approve"]
    async with app.db.session() as session:
        project = (await session.exec(select(Project))).one()  # approval opened the project, once
    assert (project.key, project.need_id) == ("PRJ-1", need.id)
    sent = await _sent(app)
    told = [m for m in sent if m.key == f"decision:NEED-1/r1:{need.requester_id}"]
    assert len(told) == 1 and told[0].target == "alice"
    to_bob = [m for m in sent if m.key.startswith("decision:NEED-1/r1:") and m.target == "bob"]
    assert len(to_bob) == 1 and "approved" in to_bob[0].payload["title"]  # in his English
    assert "approuvé" in told[0].payload["title"] and "Saves two days" in told[0].payload["body"]
    # The card was replaced at each vote, the last time without buttons and with the decision.
    updates = [m for m in sent if m.replaces_key == "committee:NEED-1/r1@console"]
    assert len(updates) == 2
    assert updates[-1].payload["actions"] == [] and "Approuvé" in str(updates[-1].payload["fields"])


async def test_refusals_say_why_and_nothing_is_written(app: App, ready: str) -> None:
    # Not on the committee: Alice, the requester; Bob, IT.
    for login in ("alice", "bob"):
        told = await refused(app, login, ready, Choice.APPROVE)
        assert isinstance(told, Forbidden) and "committee" in told.message("en")
    # No reason.
    told = await refused(app, "carla", ready, Choice.APPROVE, "  ")
    assert isinstance(told, Invalid) and "reason" in told.message("en")
    # A second vote by the same member.
    await vote(app, "carla", ready, Choice.DEFER, "Wait for the budget")
    told = await refused(app, "carla", ready, Choice.APPROVE)
    assert "already voted" in told.message("en") and "defer" in told.message("en")
    assert "déjà voté" in told.message("fr")
    # A decided need: rejected by Femi, then Erin tries.
    await vote(app, "femi", ready, Choice.REJECT, "Out of scope")
    assert (await _need(app, ready)).status == NeedStatus.REJECTED
    told = await refused(app, "erin", ready, Choice.APPROVE)
    assert "already decided: Rejected" in told.message("en")
    async with app.db.session() as session:
        stored = list((await session.exec(select(Vote).order_by(col(Vote.id)))).all())
    assert [(v.choice, v.reason) for v in stored] == [("defer", "Wait for the budget"), ("reject", "Out of scope")]


async def test_a_member_without_a_side_is_told_how_to_get_one(app: App) -> None:
    app.core.it_channels["console"] = "it-intake"
    await seat(app, members={"femi": ("Femi Ade", "en", None)})
    key = await estimated_need(app)
    await send(app, key)
    told = await refused(app, "femi", key, Choice.APPROVE)
    assert "side" in told.message("en") and "/pmo role" in told.message("en")


async def test_approval_waits_for_the_security_review_and_says_on_whom(app: App) -> None:
    await seat(app)
    key = await estimated_need(app, personal_data=True)
    await send(app, key)
    told = await refused(app, "carla", key, Choice.APPROVE)
    assert isinstance(told, Forbidden)
    said = told.message("en")
    assert said.startswith(f"{key} cannot be approved yet: A security and GDPR review is required (personal data)")
    assert "It waits on Sam Leroy." in said and "defer or reject" in said
    assert "Sam Leroy" in told.message("fr")
    # Deferring is still possible; the card says why approval waits.
    await vote(app, "carla", key, Choice.DEFER, "Wait for the review")
    async with app.db.session() as session:
        card = await committee.agenda(session, core=app.core, actor=await actor(session, app, "dan"))
    assert "Sam Leroy" in str(card[1])


async def test_a_vote_on_a_need_not_before_the_committee_is_refused(app: App) -> None:
    await seat(app)
    key = await estimated_need(app)
    told = await refused(app, "carla", key, Choice.APPROVE)
    assert "not before the committee" in told.message("en") and "/pmo send" in told.message("en")


async def test_the_agenda_and_the_status_show_the_votes(app: App, ready: str) -> None:
    await vote(app, "carla", ready, Choice.APPROVE, "Useful")
    async with app.db.session() as session:
        agenda = await committee.agenda(session, core=app.core, actor=await actor(session, app, "erin"))
        mine = await committee.agenda(session, core=app.core, actor=await actor(session, app, "carla"),
                                      mine_only=True)
        status = await committee.agenda(session, core=app.core, actor=await actor(session, app, "dan"))
        with pytest.raises(Forbidden):
            await committee.agenda(session, core=app.core, actor=await actor(session, app, "alice"))
    assert isinstance(agenda[1], Card) and agenda[1].title.startswith("NEED-1")
    assert "Carla Rossi (business): approve, Useful" in str(agenda[1].fields)  # Erin reads English
    assert len(mine) == 1 and isinstance(mine[0], Notice)  # Carla voted: nothing awaits her
    assert isinstance(status[1], Card) and status[1].actions == ()  # the PMO sees it, without voting buttons


async def test_request_info_returns_the_need_and_the_answer_brings_it_back_before_the_committee(
    app: App, ready: str
) -> None:
    await vote(app, "carla", ready, Choice.APPROVE, "Useful")
    async with app.db.session() as session:
        await committee_questions.request_info(session, core=app.core, actor=await actor(session, app, "erin"),
                                               key=ready, text="How many users exactly?")
    assert (await _need(app, ready)).status == NeedStatus.NEEDS_INFO
    told = await refused(app, "femi", ready, Choice.APPROVE)
    assert "not before the committee" in told.message("en")
    async with app.db.session() as session:
        await estimation.answer(session, core=app.core, actor=await actor(session, app, "alice"), key=ready,
                                text="Twenty people in purchasing")
    need = await _need(app, ready)
    assert (need.status, need.committee_round) == (NeedStatus.READY_FOR_DECISION, 1)  # not back to estimating
    sent = await _sent(app)
    to_erin = [m for m in sent if m.target == "erin" and m.key.startswith("answer:")]
    assert len(to_erin) == 1 and "Twenty people" in to_erin[0].payload["body"]
    # Carla's vote of the same round still counts: Erin's approval decides.
    await vote(app, "erin", ready, Choice.APPROVE, "Clear now")
    assert (await _need(app, ready)).status == NeedStatus.APPROVED


async def test_a_question_to_it_comes_back_when_it_answers(app: App, ready: str) -> None:
    async with app.db.session() as session:
        await committee_questions.request_info(session, core=app.core, actor=await actor(session, app, "carla"),
                                               key=ready, text="Is SSO included?", to="it")
    async with app.db.session() as session:
        said = await questions.answer(session, core=app.core, actor=await actor(session, app, "bob"), key=ready,
                                      text="Yes, through the company directory")
    assert "Carla Rossi" in said[0].text
    assert (await _need(app, ready)).status == NeedStatus.READY_FOR_DECISION
    to_carla = [m for m in await _sent(app) if m.target == "carla" and m.key.startswith("committee-answer:")]
    assert len(to_carla) == 1 and "company directory" in to_carla[0].payload["body"]


async def test_two_members_voting_at_the_same_instant_make_one_decision(
    app: App, ready: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each in its own session (two replicas): both read the need, meet, then vote at once."""
    barrier = asyncio.Barrier(2)
    read = committee.get_visible
    calls: dict[int, int] = {}

    async def read_then_wait(session: Any, *, actor: Any, key: str) -> Need:
        need = await read(session, actor=actor, key=key)
        calls[id(session)] = calls.get(id(session), 0) + 1
        if calls[id(session)] == 1:  # the vote's first read, before its hold
            await barrier.wait()
        return need

    monkeypatch.setattr(committee, "get_visible", read_then_wait)
    results = await asyncio.gather(vote(app, "carla", ready, Choice.APPROVE, "Business yes"),
                                   vote(app, "erin", ready, Choice.APPROVE, "IT yes"), return_exceptions=True)
    assert all(isinstance(r, list) for r in results), results
    async with app.db.session() as session:
        decisions = list((await session.exec(select(Decision))).all())
        votes = list((await session.exec(select(Vote))).all())
        steps = list((await session.exec(select(AuditEvent).where(AuditEvent.action == "approve"))).all())
    assert len(decisions) == 1 and len(votes) == 2 and len(steps) == 1
    assert {v["member"] for v in decisions[0].votes} == {"Carla Rossi", "Erin Walsh"}
    assert (await _need(app, ready)).status == NeedStatus.APPROVED


async def test_decisions_are_exported_with_their_votes(app: App, ready: str) -> None:
    from pmobot.services import export

    await vote(app, "carla", ready, Choice.APPROVE, "=SUM(A1) is a formula")
    await vote(app, "erin", ready, Choice.APPROVE, "Fits the ERP")
    async with app.db.session() as session:
        rows = await export.TABLES["decisions"].rows(session, core=app.core)
        csv_text = (await export.document(session, core=app.core, what="decisions", format="csv")).text
    assert rows == [{
        "need": "NEED-1", "title": "Contract tracker", "subject": "NEED-1/r1", "outcome": "approved",
        "decided_at": "2026-11-26T09:00:00+00:00",
        "reason": "Carla Rossi: =SUM(A1) is a formula; Erin Walsh: Fits the ERP",
        "votes": ["Carla Rossi (business): approve: =SUM(A1) is a formula", "Erin Walsh (it): approve: Fits the ERP"],
        "score": None, "policy_version": 1, "review_outcome": None, "conditions": None,
    }]
    header, line = csv_text.strip().splitlines()
    assert header.split(",")[:4] == ["need", "title", "subject", "outcome"]
    assert "Carla Rossi (business): approve: =SUM(A1) is a formula; Erin Walsh (it)" in line


async def _assess(app: App, key: str, value: float, risk: float) -> None:
    from pmobot.domain.models_governance import Assessment

    async with app.db.session() as session:
        need = (await session.exec(select(Need).where(Need.number == needs.parse_key(key)))).one()
        dan = await actor(session, app, "dan")
        assert need.id is not None
        session.add(Assessment(need_id=need.id, version=1, assessor_id=dan.id, created_at=app.core.now(),
                               ratings={"business_value": {"value": value, "reason": "r"},
                                        "risk_reduction": {"value": risk, "reason": "r"}}))


async def test_the_agenda_ranks_by_score_and_the_decision_keeps_the_score_and_policy_version(app: App) -> None:
    await seat(app)
    # Default policy (wsjf): (value + urgency + risk + users) / size. No desired date: urgency 1; 20 users: 2;
    # size = 20 person-days / 20 x 1.1 (medium confidence) x 1.0 (low technical risk) = 1.1.
    low = await estimated_need(app, title="Travel booking", users=20)   # (2 + 1 + 1 + 2) / 1.1 = 5.45
    high = await estimated_need(app, title="Contract tracker", users=20)  # (8 + 1 + 3 + 2) / 1.1 = 12.73
    await _assess(app, low, 2, 1)
    await _assess(app, high, 8, 3)
    await send(app, low)
    await send(app, high)
    async with app.db.session() as session:
        agenda = await committee.agenda(session, core=app.core, actor=await actor(session, app, "erin"))
    cards = [m for m in agenda if isinstance(m, Card)]
    assert [c.title for c in cards] == ["NEED-2 · Contract tracker", "NEED-1 · Travel booking"]
    score = dict((f.label, f.value) for f in cards[0].fields)["Score"]
    assert "12.7" in score and "value 8" in score  # Erin reads English: the breakdown in plain words
    await vote(app, "carla", high, Choice.APPROVE, "Worth it")
    await vote(app, "erin", high, Choice.APPROVE, "Doable")
    async with app.db.session() as session:
        decision = (await session.exec(select(Decision))).one()
    assert decision.score == 12.73 and decision.policy_version == 1  # 14 / 1.1, to two places
    assert decision.breakdown["method"] == "wsjf"
