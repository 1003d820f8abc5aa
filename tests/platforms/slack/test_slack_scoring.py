"""Scoring in Slack: the PMO assesses a need in a modal derived from the policy, sees its score with
the breakdown, and the ranking and the policy answer the slash command; every call checked."""

from __future__ import annotations

from support.slack import SlackHarness
from support.slack_flows import ESTIMATE, block_ids, file_need, make_it, texts

ASSESSMENT = {"business_value": "8", "business_value_reason": "Moins de renouvellements ratés",
              "risk_reduction": "3", "risk_reduction_reason": "Constat d'audit"}


async def test_assess_round_trip_then_ranking_and_policy(slack: SlackHarness) -> None:
    fake = slack.fake
    await make_it(slack)
    await file_need(slack)
    # Bob estimates NEED-1: 15 person-days, medium confidence (size 15 / 20 × 1.1 = 0.825).
    await slack.command("UBOB", "estimate NEED-1")
    await slack.settle()
    body = await slack.submitted("UBOB", slack.opened_view(), ESTIMATE)
    assert body["response_action"] == "update", body
    await slack.settle()

    # Only the PMO and the committee assess: Alice is told so, no modal opens.
    fake.clear()
    await slack.command("UALICE", "evaluer NEED-1")
    await slack.settle()
    assert not fake.of("views.open")
    assert "PMO et au comité" in texts(fake.of("response_url")[-1]["blocks"])

    # Dan (PMO) opens the assessment: one rating and one reason per criterion the policy rates.
    await slack.command("UDAN", "evaluer NEED-1")
    await slack.settle()
    view = slack.opened_view()
    assert view["title"]["text"] == "Évaluation"
    assert block_ids(view) == ["business_value", "business_value_reason", "risk_reduction", "risk_reduction_reason"]
    rating = next(b for b in view["blocks"] if b.get("block_id") == "business_value")
    assert rating["element"]["type"] == "number_input"
    assert rating["label"]["text"] == "Valeur"
    assert rating["hint"]["text"].startswith("Valeur métier : qu'apporte-t-il à l'organisation ? De 1")

    # A rating off the policy's scale is refused on its field.
    body = await slack.submitted("UDAN", view, {**ASSESSMENT, "business_value": "12"})
    assert body["response_action"] == "errors" and set(body["errors"]) == {"business_value"}

    # Sent: the score with its breakdown. Desired date 2027-03-15 is 109 days away: urgency 3;
    # 20 users: 2. (8 + 3 + 3 + 2) / 0.825 = 19.39.
    body = await slack.submitted("UDAN", view, ASSESSMENT)
    assert body["response_action"] == "update", body
    shown = texts(body["view"]["blocks"])
    assert "L'évaluation v1 de NEED-1 est enregistrée." in shown
    assert "score 19,4 = (valeur 8 + urgence 3 + réduction de risque 3 + utilisateurs 2) / taille 0,82" in shown
    await slack.settle()
    # The IT channel's card is updated in place with the score.
    update = fake.of("chat.update")[-1]
    assert "score 19,4" in texts(update["blocks"])

    # The ranking and the policy answer Bob (IT) in English.
    fake.clear()
    await slack.command("UBOB", "ranking")
    await slack.settle()
    ranking = texts(fake.of("response_url")[-1]["blocks"])
    assert "Open needs by score (1)" in ranking and "#1" in ranking
    assert "size 0.82: Bob Smith's estimate v1, 15 person-days, medium confidence (× 1.1)" in ranking
    await slack.command("UBOB", "policy")
    await slack.settle()
    policy = texts(fake.of("response_url")[-1]["blocks"])
    assert "Scoring policy v1 (wsjf)" in policy and "This is the first policy version recorded." in policy


async def test_a_long_ranking_fits_slack_in_a_reply_and_in_the_pmo_app_home(slack: SlackHarness) -> None:
    from sqlmodel import delete

    from pmobot.domain.models import OutboxMessage
    from pmobot.services import assessment, estimation, intake, people
    from pmobot.services.people import Identity

    fake = slack.fake
    await make_it(slack)
    core = slack.app.core
    async with slack.app.db.session() as session:
        alice = await people.resolve(session, core=core, identity=Identity("slack", "UALICE", "Alice Martin"))
        bob = await people.resolve(session, core=core, identity=Identity("slack", "UBOB", "Bob Smith"))
        dan = await people.resolve(session, core=core, identity=Identity("slack", "UDAN", "Dan Dupont"))
        for i in range(1, 26):
            need, _ = await intake.submit_need(
                session, core=core, actor=alice, source_platform="slack", source_conversation="slack:DALICE",
                answers={"title": f"Besoin numéro {i} " + "x" * 150, "problem": "Un problème " * 30,
                         "benefits": "Des bénéfices", "department": "sales", "users_affected": 10 * i,
                         "personal_data": False, "external_vendor": False})
            await estimation.record_estimate(session, core=core, actor=bob, key=need.key, answers={
                "effort_low": 5, "effort_likely": 5 + i, "effort_high": 80,
                "cost": {"amount": "1000", "currency": "EUR"}, "duration_days": 10, "confidence": "medium",
                "technical_risk": "high", "security_review": False})
            await assessment.record_assessment(session, core=core, actor=dan, key=need.key, answers={
                "business_value": 1 + i % 10, "business_value_reason": "raison " * 40,
                "risk_reduction": 1 + (i * 3) % 10, "risk_reduction_reason": "autre raison " * 20})
        # The IT channel's cards and the notices are not this test's subject: not delivered.
        await session.exec(delete(OutboxMessage))
    fake.clear()
    await slack.command("UDAN", "classement")
    await slack.settle()
    reply = fake.of("response_url")[-1]
    assert "Besoins ouverts par score (25)" in texts(reply["blocks"])
    await slack.event({"type": "app_home_opened", "user": "UDAN", "channel": "DDAN", "tab": "home"},
                      event_id="EvHOMEDAN", sample="java-slack-sdk-shapes/AppHomeOpenedPayload.json")
    await slack.settle()
    home = fake.of("views.publish")[-1]
    assert "Besoins ouverts par score (25)" in texts(home["view"]["blocks"])
    assert fake.problems == []
