"""Recording a security review: versions never edited, who may, what is refused, who is told."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import pytest
from sqlmodel import col, select

from pmobot.app import App
from pmobot.domain import keys
from pmobot.domain.models import AuditEvent, Need, OutboxMessage
from pmobot.domain.models_governance import SecurityReview
from pmobot.domain.reviews import Outcome
from pmobot.services import estimation, export, export_reviews, intake, people, review_record, reviews
from pmobot.services.errors import Forbidden, Invalid, Overtaken
from pmobot.services.people import Actor

NEED: dict[str, Any] = {
    "title": "Candidate tracking SaaS", "problem": "CVs are e-mailed around.", "benefits": "Faster hiring.",
    "department": "hr", "users_affected": 12, "budget": {"amount": "20000", "currency": "EUR"},
    "personal_data": True, "personal_data_details": "candidates' CVs", "external_vendor": True,
    "vendor_name": "HireFast"}
ESTIMATE: dict[str, Any] = {
    "effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
    "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": False}
CHECKLIST: dict[str, Any] = {"dpa": "in_progress", "hosting": "eu", "sso": "yes", "integration": "standard",
                             "questionnaire": "satisfactory", "retention": "2 years"}


@pytest.fixture(autouse=True)
def it_channel(app: App) -> None:
    """The console is switched on, its IT channel configured: what is posted there is queued."""
    app.core.it_channels["console"] = "it-intake"


async def _actor(session: Any, app: App, login: str) -> Actor:
    """A demo person, as they are (their name and roles)."""
    person = await people.find_by_platform_id(session, platform="console", user_id=login)
    assert person is not None
    return await people.actor_for(session, core=app.core, person=person, platform="console")


async def _estimated_need(app: App) -> Need:
    async with app.db.session() as session:
        alice = await _actor(session, app, "alice")
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers=NEED,
                                           source_platform="console", source_conversation="console:dm:alice")
        await estimation.record_estimate(session, core=app.core, actor=await _actor(session, app, "bob"),
                                         key=need.key, answers=ESTIMATE)
        return need


async def _sent(app: App) -> dict[str, OutboxMessage]:
    async with app.db.session() as session:
        return {row.key: row for row in (await session.exec(select(OutboxMessage))).all()}


async def test_an_estimated_need_that_needs_a_review_is_announced_to_each_reviewer_once(app: App) -> None:
    need = await _estimated_need(app)
    async with app.db.session() as session:
        sam = await _actor(session, app, "sam")
        # A re-estimate does not announce it again.
        await estimation.record_estimate(session, core=app.core, actor=await _actor(session, app, "bob"),
                                         key=need.key, answers=ESTIMATE)
    sent = await _sent(app)
    told = sent[keys.review_needed(need.key, sam.id)]
    assert (told.platform, told.target_kind, told.target) == ("console", "person", "sam")
    # Sam reads French; the card names why, and carries the button that opens the review.
    assert told.payload["title"] == f"Revue de sécurité à faire : {need.key}"
    assert "Pourquoi : données personnelles, prestataire ou SaaS externe." in told.payload["body"]
    assert told.payload["actions"][0]["id"] == "need.review"
    thread = sent[keys.on_platform(keys.review_needed_thread(need.key), "console")]
    assert thread.target == "it-intake" and "Sam Leroy" in thread.payload["text"]
    assert sum(1 for k in sent if k.startswith("review-needed:")) == 2
    # Sam's greeting says what waits on him; Bob, no reviewer, is told nothing of it.
    async with app.db.session() as session:
        assert await reviews.attention(session, core=app.core, actor=await _actor(session, app, "sam")) == [
            f"1 besoin attend une revue de sécurité avant toute décision : {need.key}. "
            f"Commencez par /pmo revue {need.key}."]
        assert await reviews.attention(session, core=app.core, actor=await _actor(session, app, "bob")) == []


async def test_a_review_is_recorded_as_versions_and_told(app: App) -> None:
    need = await _estimated_need(app)
    async with app.db.session() as session:
        sam = await _actor(session, app, "sam")
        out = await review_record.record(session, core=app.core, actor=sam, key=need.key,
                                         answers={**CHECKLIST, "outcome": "blocked", "reasons": "US hosting only",
                                                  "conditions": "ignored when blocked"})
        assert out[0].text == (f"La revue v1 de {need.key} est enregistrée : bloquée. "  # type: ignore[union-attr]
                               "Le demandeur et la DSI ont été prévenus.")
    async with app.db.session() as session:
        sam = await _actor(session, app, "sam")
        await review_record.record(session, core=app.core, actor=sam, key=need.key,
                                   answers={**CHECKLIST, "outcome": "cleared_with_conditions",
                                            "conditions": "DPA signed before go-live", "reasons": "EU region"})
    async with app.db.session() as session:
        rows = (await session.exec(select(SecurityReview).order_by(col(SecurityReview.version)))).all()
        assert [(r.version, r.outcome, r.conditions) for r in rows] == [
            (1, "blocked", ""), (2, "cleared_with_conditions", "DPA signed before go-live")]
        assert rows[0].checklist == CHECKLIST  # the first version is kept as it was
        gate = await reviews.gate(session, core=app.core, need=need)
        assert gate.outcome == Outcome.CLEARED_WITH_CONDITIONS and not gate.blocks_decision
        events = (await session.exec(select(AuditEvent).where(AuditEvent.action == "security_review")
                                     .order_by(col(AuditEvent.id)))).all()
        assert [e.detail for e in events] == [
            {"version": 1, "outcome": "blocked"},
            {"version": 2, "outcome": "cleared_with_conditions", "conditions": "DPA signed before go-live"}]
    sent = await _sent(app)
    told = sent[keys.review_told(need.key, 1)]
    assert told.target == "alice" and told.payload["title"] == f"Revue de sécurité de {need.key} : bloquée"
    assert "Le comité ne peut pas l'approuver" in told.payload["body"]
    # The IT card shows the review in force.
    async with app.db.session() as session:
        card = await intake.status(session, core=app.core, actor=await _actor(session, app, "bob"), key=need.key)
    fields = {f.label: f.value for f in card[0].fields}  # type: ignore[union-attr]
    # Bob reads English.
    assert fields["Security review"].startswith("cleared with conditions · v2 by Sam Leroy")
    assert fields["Review conditions"] == "DPA signed before go-live"


@pytest.mark.parametrize(("login", "answers", "error", "key"), [
    ("bob", {"outcome": "cleared", "reasons": "fine"}, Forbidden, "review.error.not_security"),
    ("sam", {"outcome": "cleared_with_conditions", "reasons": "fine"}, Invalid, "review.error.no_conditions"),
    ("sam", {"outcome": "cleared", "reasons": "  "}, Invalid, "review.error.no_reasons"),
    ("sam", {"outcome": "maybe", "reasons": "fine"}, Invalid, "review.error.outcome"),
])
async def test_what_is_refused_writes_nothing(app: App, login: str, answers: dict[str, Any],
                                              error: type[Exception], key: str) -> None:
    need = await _estimated_need(app)
    with pytest.raises(error) as refused:
        async with app.db.session() as session:
            await review_record.record(session, core=app.core, actor=await _actor(session, app, login),
                                       key=need.key, answers={**CHECKLIST, **answers})
    assert refused.value.message_key == key  # type: ignore[attr-defined]
    async with app.db.session() as session:
        assert (await session.exec(select(SecurityReview))).all() == []


async def test_a_withdrawn_need_is_not_reviewed(app: App) -> None:
    need = await _estimated_need(app)
    async with app.db.session() as session:
        await intake.withdraw(session, core=app.core, actor=await _actor(session, app, "alice"), key=need.key)
    async with app.db.session() as session:
        with pytest.raises(Invalid, match=r"review\.error\.closed"):
            await review_record.check_can_review(session, actor=await _actor(session, app, "sam"), key=need.key)


async def test_two_reviews_at_the_same_instant_write_one_version(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    need = await _estimated_need(app)
    barrier = asyncio.Barrier(2)
    latest = reviews.latest

    waited: list[int] = []

    async def read_then_wait(session: Any, *, need_id: int) -> SecurityReview | None:
        row = await latest(session, need_id=need_id)
        if len(waited) < 2:  # each racer's first read (the one the version is taken from) meets the other's
            waited.append(need_id)
            await barrier.wait()
        return row

    monkeypatch.setattr(reviews, "latest", read_then_wait)

    async def review(login: str, outcome: str) -> object:
        async with app.db.session() as session:
            return await review_record.record(session, core=app.core, actor=await _actor(session, app, login),
                                              key=need.key, answers={**CHECKLIST, "outcome": outcome, "reasons": "r"})

    async with app.db.session() as session:
        sam = await _actor(session, app, "sam")
        await people.set_role(session, core=app.core, admin=await _actor(session, app, "dan"),
                              target=(await people.find(session, core=app.core, platform="console",
                                                        reference="bob")), role="security", grant=True)
    assert sam.id
    results = await asyncio.gather(review("sam", "cleared"), review("bob", "blocked"), return_exceptions=True)
    lost = [r for r in results if isinstance(r, Overtaken)]
    assert len(lost) == 1, results
    monkeypatch.undo()
    async with app.db.session() as session:
        assert len((await session.exec(select(SecurityReview))).all()) == 1


async def test_reviews_and_the_gate_are_exported(app: App) -> None:
    need = await _estimated_need(app)
    for outcome, extra in (("blocked", {}), ("cleared_with_conditions", {"conditions": "SSO first"})):
        async with app.db.session() as session:
            await review_record.record(session, core=app.core, actor=await _actor(session, app, "sam"), key=need.key,
                                       answers={**CHECKLIST, "outcome": outcome, "reasons": "=cmd", **extra})
    async with app.db.session() as session:
        rows = await export_reviews.reviews(session, core=app.core)
        as_csv = await export.document(session, core=app.core, what="reviews", format="csv")
        needs = await export.needs(session, core=app.core)
        needs_csv = await export.document(session, core=app.core, what="needs", format="csv")
    assert [(r["version"], r["outcome"], r["conditions"], r["reviewer"]) for r in rows] == [
        (1, "blocked", None, "Sam Leroy"), (2, "cleared_with_conditions", "SSO first", "Sam Leroy")]
    assert rows[0]["checklist"] == CHECKLIST
    table = list(csv.reader(io.StringIO(as_csv.text.encode(as_csv.encoding).decode("utf-8-sig"))))
    assert table[0] == export_reviews.review_columns(app.core.specs)
    assert table[0][-6:] == ["checklist_dpa", "checklist_hosting", "checklist_sso", "checklist_integration",
                             "checklist_questionnaire", "checklist_retention"]
    assert table[2][table[0].index("reasons")] == "'=cmd"  # never a formula
    assert table[2][table[0].index("checklist_hosting")] == "eu"
    assert needs[0]["review"] == {
        "required": True, "triggers": ["personal_data", "external_vendor"], "outcome": "cleared_with_conditions",
        "conditions": "SSO first", "version": 2, "reviewer": "Sam Leroy", "blocks_decision": False}
    header, *cells = list(csv.reader(io.StringIO(needs_csv.text.encode(needs_csv.encoding).decode("utf-8-sig"))))
    assert header[-7:] == [f"review_{n}" for n in export_reviews.GATE_FIELDS]
    assert cells[0][-7:] == ["yes", "personal_data; external_vendor", "cleared_with_conditions", "SSO first", "2",
                             "Sam Leroy", "no"]
