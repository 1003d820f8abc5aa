"""The security and GDPR gate: when a review is required, and what it lets the committee do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pmobot.app import App
from pmobot.domain.models import Need
from pmobot.domain.models_governance import SecurityReview
from pmobot.domain.reviews import Outcome, ReviewGate, Trigger, triggers
from pmobot.services import estimation, intake, people, reviews
from pmobot.services.people import Identity

NEED: dict[str, Any] = {
    "title": "Supplier contract tracker", "problem": "Contracts live in spreadsheets.",
    "benefits": "No missed renewals.", "department": "purchasing", "users_affected": 20,
    "budget": {"amount": "30000", "currency": "EUR"}, "personal_data": False, "external_vendor": False}
ESTIMATE: dict[str, Any] = {
    "effort_low": 5, "effort_likely": 8, "effort_high": 13, "cost": {"amount": "9000", "currency": "EUR"},
    "duration_days": 20, "confidence": "high", "technical_risk": "low", "security_review": False}


def test_triggers_are_the_yes_answers_in_a_fixed_order() -> None:
    assert triggers(personal_data=None, external_vendor=False, estimate_asks=None) == ()
    assert triggers(personal_data=True, external_vendor=True, estimate_asks=True) == (
        Trigger.PERSONAL_DATA, Trigger.EXTERNAL_VENDOR, Trigger.ESTIMATE)
    assert triggers(personal_data=False, external_vendor=None, estimate_asks=True) == (Trigger.ESTIMATE,)


def test_what_blocks_a_decision() -> None:
    required = (Trigger.PERSONAL_DATA,)
    assert not ReviewGate("NEED-1").blocks_decision  # nothing required, nothing done
    assert ReviewGate("NEED-1", triggers=required).blocks_decision  # pending
    assert not ReviewGate("NEED-1", triggers=required, outcome=Outcome.CLEARED).blocks_decision
    assert not ReviewGate("NEED-1", triggers=required, outcome=Outcome.CLEARED_WITH_CONDITIONS).blocks_decision
    assert ReviewGate("NEED-1", triggers=required, outcome=Outcome.BLOCKED).blocks_decision
    # A review nobody required still counts when it blocks.
    assert ReviewGate("NEED-1", outcome=Outcome.BLOCKED).blocks_decision


def test_explain_in_both_languages() -> None:
    pending = ReviewGate("NEED-4", triggers=(Trigger.PERSONAL_DATA, Trigger.EXTERNAL_VENDOR),
                         reviewers=("Sam Leroy",))
    assert reviews.explain(pending, "en") == (
        "A security and GDPR review is required (personal data, external vendor or SaaS) and has not been done "
        "yet: no decision can be taken before it. It waits on Sam Leroy.")
    assert reviews.explain(pending, "fr").startswith(
        "Une revue de sécurité et RGPD est obligatoire (données personnelles, prestataire ou SaaS externe)")
    nobody = ReviewGate("NEED-4", triggers=(Trigger.ESTIMATE,))
    assert "/pmo role PERSON security" in reviews.explain(nobody, "en")
    done = ReviewGate("NEED-4", triggers=(Trigger.ESTIMATE,), outcome=Outcome.CLEARED_WITH_CONDITIONS,
                      conditions="DPA signed before go-live", reasons="EU hosting", reviewer="Sam", version=2)
    assert reviews.explain(done, "en") == (
        "Security review v2 by Sam: cleared with conditions. Conditions: DPA signed before go-live. "
        "Reasons: EU hosting.")
    blocked = ReviewGate("NEED-4", outcome=Outcome.BLOCKED, reasons="US hosting only", reviewer="Sam", version=1)
    assert reviews.explain(blocked, "fr") == (
        "Revue de sécurité v1 par Sam : bloquée. Motifs : US hosting only. "
        "Le comité ne peut pas l'approuver tant qu'elle est bloquée.")
    assert reviews.explain(ReviewGate("NEED-4"), "en").startswith("No security review is needed")


async def _need(app: App, **answers: Any) -> Need:
    async with app.db.session() as session:
        alice = await people.resolve(session, core=app.core, identity=Identity("console", "alice", "Alice"))
        need, _ = await intake.submit_need(session, core=app.core, actor=alice, answers={**NEED, **answers},
                                           source_platform="console", source_conversation="console:dm:alice")
        return need


async def test_the_gate_reads_the_intake_the_latest_estimate_and_the_latest_review(app: App) -> None:
    plain = await _need(app)
    personal = await _need(app, personal_data=True, personal_data_details="names", external_vendor=True)
    async with app.db.session() as session:
        gate = await reviews.gate(session, core=app.core, need=plain)
        assert not gate.required and not gate.blocks_decision and not gate.concerns
        gate = await reviews.gate(session, core=app.core, need=personal)
        assert gate.triggers == (Trigger.PERSONAL_DATA, Trigger.EXTERNAL_VENDOR)
        assert gate.pending and gate.blocks_decision
        # The demo organisation's security reviewer is the one it waits on.
        assert gate.reviewers == ("Sam Leroy",)
        bob = await people.resolve(session, core=app.core, identity=Identity("console", "bob", "Bob"))
        await estimation.record_estimate(session, core=app.core, actor=bob, key=plain.key,
                                         answers={**ESTIMATE, "security_review": True})
    async with app.db.session() as session:
        gate = await reviews.gate(session, core=app.core, need=plain)
        assert gate.triggers == (Trigger.ESTIMATE,) and gate.blocks_decision
        # A re-estimate that no longer asks for a review lifts the requirement.
        await estimation.record_estimate(session, core=app.core, actor=bob, key=plain.key, answers=ESTIMATE)
    async with app.db.session() as session:
        assert not (await reviews.gate(session, core=app.core, need=plain)).required
        assert personal.id is not None
        for version, outcome in ((1, Outcome.BLOCKED), (2, Outcome.CLEARED_WITH_CONDITIONS)):
            session.add(SecurityReview(need_id=personal.id, version=version, outcome=outcome, reviewer_id=bob.id,
                                       conditions="SSO first" if version == 2 else "", reasons=f"r{version}",
                                       created_at=datetime(2026, 11, 26, 10, version, tzinfo=UTC)))
    async with app.db.session() as session:
        gate = await reviews.gate(session, core=app.core, need=personal)
        assert (gate.version, gate.outcome, gate.conditions, gate.reasons) == (
            2, Outcome.CLEARED_WITH_CONDITIONS, "SSO first", "r2")
        assert gate.reviewer == "Bob" and not gate.blocks_decision
        assert personal.id is not None
        assert [r.version for r in await reviews.history(session, need_id=personal.id)] == [1, 2]
