"""The roadmap from the database, on SQLite and PostgreSQL: slot_for, impact_of and their words.

Worked out by hand. Today is Thursday 26 November 2026 (Paris); IT's capacity is
20 person-days a month. November has three business days left (26, 27, 30);
December has 22 (Christmas, Friday 25, is a holiday); 1 January 2027 is one too.

- PRJ-1 (from NEED-3, approved) is committed from 1 to 14 December (10 business
  days), 20 person-days: two a day, the whole of December's capacity.
- NEED-2 is ready for decision: 10 person-days over 5 business days, two a day.
  Ranking falls back on decision date then need number: neither has a decision,
  so NEED-2 goes first. Approved, it runs 26, 27, 30 November, 1 and 2 December
  (6 person-days in November, 4 in December).
- December then has 16 left: 8 of PRJ-1's days. PRJ-1 cannot start before its
  committed 1 December, and takes December's last 8 business days (21-24, 28-31)
  then 4 and 5 January: it ends on 5 January 2027 instead of 14 December, and
  misses its desired date, 18 December, by 18 days ("3 weeks").
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from support.roadmap import seed

from pmobot.app import App
from pmobot.domain.roadmap import Impact, Slot
from pmobot.services import roadmap
from pmobot.services.errors import Invalid


async def test_slot_and_impact_of_approving_a_candidate(app: App) -> None:
    needs = await seed(app)
    async with app.db.session() as session:
        slot = await roadmap.slot_for(session, core=app.core, need=needs["NEED-2"])
        impact = await roadmap.impact_of(session, core=app.core, need=needs["NEED-2"])
        # Already committed: its current place, the capacity shared with nothing new.
        committed = await roadmap.slot_for(session, core=app.core, need=needs["NEED-3"])
    assert slot == Slot(date(2026, 11, 26), date(2026, 12, 2))
    assert committed == Slot(date(2026, 12, 1), date(2026, 12, 14))
    assert [(m.key, m.before.end, m.after.end, m.days) for m in impact.moves] == [
        ("PRJ-1", date(2026, 12, 14), date(2027, 1, 5), 22)]
    assert [(m.key, m.desired, m.days) for m in impact.misses] == [("PRJ-1", date(2026, 12, 18), 18)]
    assert roadmap.explain_impact(impact, "en") == (
        "NEED-2 would run from 26 November to 2 December 2026. PRJ-1 would then end in January 2027 instead of "
        "December 2026; PRJ-1's desired date, 18 December, would be missed by 3 weeks.")
    assert roadmap.explain_impact(impact, "fr") == (
        "NEED-2 irait du 26 novembre au 2 décembre 2026. PRJ-1 finirait alors en janvier 2027, et non plus en "
        "décembre 2026\u00a0; la date souhaitée de PRJ-1, le 18 décembre, serait dépassée de 3\u00a0semaines.")


def test_each_sentence_of_an_impact_starts_with_a_capital() -> None:
    impact = Impact("NEED-3", Slot(date(2027, 1, 4), date(2027, 2, 26)))
    assert roadmap.explain_impact(impact, "fr") == (
        "NEED-3 irait du 4 janvier au 26 février 2027. Rien d'engagé ne bougerait.")
    assert roadmap.explain_impact(impact, "en") == (
        "NEED-3 would run from 4 January to 26 February 2027. Nothing committed would move.")


async def test_a_need_without_an_estimate_is_refused_politely(app: App) -> None:
    needs = await seed(app)
    async with app.db.session() as session:
        with pytest.raises(Invalid) as refused:
            await roadmap.slot_for(session, core=app.core, need=needs["NEED-1"])
    assert "Ask IT to estimate it first" in refused.value.message("en")
    assert "estimer" in refused.value.message("fr")


async def test_the_roadmap_places_candidates_after_what_is_committed(app: App) -> None:
    await seed(app)
    async with app.db.session() as session:
        portfolio, plan = await roadmap.plan(session, core=app.core)
    assert [e.work.key for e in portfolio.entries()] == ["PRJ-1", "NEED-2"]
    assert plan.get("PRJ-1").slot == Slot(date(2026, 12, 1), date(2026, 12, 14))  # type: ignore[union-attr]
    # December is full: NEED-2 waits for January (1 January is a holiday): 4 to 8 January.
    assert plan.get("NEED-2").slot == Slot(date(2027, 1, 4), date(2027, 1, 8))  # type: ignore[union-attr]


async def test_the_status_of_a_candidate_says_what_approving_it_would_move(app: App) -> None:
    from pmobot.services import intake, people
    from pmobot.services.people import Identity

    await seed(app)
    async with app.db.session() as session:
        dan = await people.resolve(session, core=app.core, identity=Identity(
            platform="console", external_id="dan", display_name="Dan Dupont", handle="dan"))
        dan = await people.set_locale(session, core=app.core, actor=dan, locale="en")
        (card,) = await intake.status(session, core=app.core, actor=dan, key="NEED-2")
    (field,) = [f for f in card.fields if f.label == "Roadmap"]  # type: ignore[union-attr]
    assert field.value.startswith("If approved: NEED-2 would run from 26 November to 2 December 2026. "
                                  "PRJ-1 would then end in January 2027")


async def test_the_roadmap_and_the_capacity_are_exported(app: App) -> None:
    import csv
    import io

    from pmobot.services import export

    await seed(app)
    async with app.db.session() as session:
        placed = await export.document(session, core=app.core, what="roadmap", format="csv")
        capacity = await export.document(session, core=app.core, what="capacity", format="json")
    rows = list(csv.DictReader(io.StringIO(placed.text.lstrip("\ufeff"))))
    assert [(r["key"], r["need"], r["kind"], r["start"], r["end"], r["late_days"]) for r in rows] == [
        ("PRJ-1", "NEED-3", "committed", "2026-12-01", "2026-12-14", "0"),
        ("NEED-2", "NEED-2", "candidate", "2027-01-04", "2027-01-08", "35")]
    assert '"effective_from": "2026-11-01"' in capacity.text and '"person_days_per_month": 20.0' in capacity.text


async def test_a_scored_candidate_is_served_before_an_unscored_commitment(app: App) -> None:
    """NEED-4 (10 person-days over 5 days, like NEED-2) gets a score: it now outranks PRJ-1, whose
    need has none, though its number is higher. Approving it would then push PRJ-1 back exactly as
    NEED-2 would (the same figures as above)."""
    from decimal import Decimal

    from pmobot.domain.models import Estimate, Need
    from pmobot.services import assessment, people
    from pmobot.services.people import Identity

    needs = await seed(app)
    async with app.db.session() as session:
        two = needs["NEED-2"]
        four = Need(number=4, title="Need 4", status="ready_for_decision", requester_id=two.requester_id,
                    desired_date=date(2026, 12, 4), created_at=app.core.now(), updated_at=app.core.now())
        session.add(four)
        await session.flush()
        session.add(Estimate(need_id=four.id or 0, version=1, effort_low=10, effort_likely=10, effort_high=10,
                             cost=Decimal(1000), currency="EUR", duration_days=5, confidence="medium",
                             technical_risk="low", security_review=False, estimator_id=two.requester_id,
                             created_at=app.core.now()))
    async with app.db.session() as session:
        dan = await people.resolve(session, core=app.core, identity=Identity("console", "dan", "Dan Dupont", "dan"))
        await assessment.record_assessment(session, core=app.core, actor=dan, key="NEED-4", answers={
            "business_value": 8, "business_value_reason": "saves two days a month",
            "risk_reduction": 3, "risk_reduction_reason": "audit finding"})
    async with app.db.session() as session:
        four = (await session.exec(select(Need).where(Need.number == 4))).one()
        impact = await roadmap.impact_of(session, core=app.core, need=four)
    assert impact.slot == Slot(date(2026, 11, 26), date(2026, 12, 2))
    assert [(m.key, m.after.end) for m in impact.moves] == [("PRJ-1", date(2027, 1, 5))]
