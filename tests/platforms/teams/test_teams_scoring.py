"""Scoring in Teams: the PMO assesses a need with the form derived from the policy, in a personal chat;
the card that comes back carries the score and its breakdown; the ranking and the policy answer too.
Every card is checked against the Adaptive Card schema and every call against the Bot Connector's."""

from __future__ import annotations

from support.teams import IT_CHANNEL, card_errors, card_text, personal_conversation
from support.teams_flows import ALICE, BOB, DAN, assert_accepted_by_microsoft, file_need_in_chat, set_up_team, texts_to

from pmobot.i18n import t
from pmobot.services import estimation, people
from pmobot.services.people import Identity

ESTIMATE = {"effort_low": 10, "effort_likely": 15, "effort_high": 25, "cost": {"amount": "12000", "currency": "EUR"},
            "duration_days": 30, "confidence": "medium", "technical_risk": "low", "security_review": False}


async def test_assess_round_trip_in_a_personal_chat(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, BOB)
    await file_need_in_chat(teams, fake, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    async with teams.app.db.session() as session:
        bob = await people.resolve(session, core=teams.app.core, identity=Identity("teams", BOB.id, BOB.name))
        await estimation.record_estimate(session, core=teams.app.core, actor=bob, key="NEED-1", answers=ESTIMATE)
    await teams.deliver()

    # Dan (PMO) types the command in his personal chat: the assessment comes as a form.
    await teams.post(teams.personal(DAN, "evaluer NEED-1"))
    form = fake.cards_to(DAN.chat)[-1]
    assert card_errors(form) == []
    inputs = {e["id"]: e for e in form["body"] if str(e.get("id", "")).startswith("field:")}
    assert list(inputs) == ["field:business_value", "field:business_value_reason", "field:risk_reduction",
                            "field:risk_reduction_reason"]
    assert inputs["field:business_value"]["type"] == "Input.Number"
    assert inputs["field:business_value"]["min"] == 1 and inputs["field:business_value"]["max"] == 10
    typed = {"field:business_value": "8", "field:business_value_reason": "Moins de renouvellements ratés",
             "field:risk_reduction": "3", "field:risk_reduction_reason": "Constat d'audit"}
    status, body = await teams.post(teams.press(DAN, form, t("fr", "dialog.form_submit"), inputs=typed,
                                                conversation=personal_conversation(DAN)))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    done = body["value"]
    assert card_errors(done) == []
    # No desired date: urgency 1 (the policy's 'missing'); 20 users: 2; size 15 / 20 × 1.1 = 0.825.
    # (8 + 1 + 3 + 2) / 0.825 = 16.97.
    text = card_text(done)
    assert "L'évaluation v1 de NEED-1 est enregistrée." in text
    assert "score 17 = (valeur 8 + urgence 1 + réduction de risque 3 + utilisateurs 2) / taille 0,82" in text
    assert "urgence 1 : aucune date souhaitée" in text
    await teams.deliver()
    # The IT channel's card now shows the score.
    assert "score 17" in texts_to(fake, IT_CHANNEL)

    # Bob (IT) asks for the ranking in English.
    await teams.post(teams.personal(BOB, "ranking"))
    ranking = card_text(fake.cards_to(BOB.chat)[-1])
    assert "Open needs by score (1)" in ranking and "Dan Dupont's assessment v1" in ranking
    await teams.post(teams.personal(DAN, "politique"))
    policy = fake.cards_to(DAN.chat)[-1]
    assert card_errors(policy) == [] and "Politique de notation v1 (wsjf)" in card_text(policy)
    assert_accepted_by_microsoft(fake)
