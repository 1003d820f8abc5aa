"""The security gate and the channels in Teams: the committee channel chosen by a command typed in the
channel conversation (the old 'set it-channel' still works); a security reviewer told in a personal chat
reviews a need with the checklist form; the IT channel's card shows the outcome. Every card is checked
against the Adaptive Card schema and every call against the Bot Connector's."""

from __future__ import annotations

from support.teams import IT_CHANNEL, card_errors, card_text, personal_conversation
from support.teams_flows import (
    ALICE,
    BOB,
    DAN,
    EMMA,
    assert_accepted_by_microsoft,
    file_need_in_chat,
    set_up_team,
    texts_to,
)

from pmobot.i18n import t
from pmobot.services import addresses, estimation, people
from pmobot.services.people import Identity

COMMITTEE = "19:committee-channel@thread.tacv2"
ESTIMATE = {"effort_low": 10, "effort_likely": 15, "effort_high": 25, "cost": {"amount": "12000", "currency": "EUR"},
            "duration_days": 30, "confidence": "medium", "technical_risk": "low", "security_review": True}


async def test_channels_and_a_review_in_teams(teams, fake) -> None:  # type: ignore[no-untyped-def]
    # 'set it-channel' (typed by Dan in the IT channel) keeps working: set_up_team checks it.
    await set_up_team(teams, fake, BOB)
    await teams.post(teams.channel(DAN, "canal ici comité", channel=COMMITTEE))
    assert "Ce canal est désormais le canal du comité sur teams." in texts_to(fake, COMMITTEE)
    await teams.post(teams.personal(DAN, "canal ici feuille de route"))
    assert "pas en conversation privée" in texts_to(fake, DAN.chat)
    async with teams.app.db.session() as session:
        assert await addresses.channel(session, core=teams.app.core, platform="teams",
                                       purpose=addresses.COMMITTEE_CHANNEL) == COMMITTEE
        assert await addresses.channel(session, core=teams.app.core, platform="teams",
                                       purpose=addresses.IT_CHANNEL) == IT_CHANNEL

    # Emma says hello, then Dan makes her a security reviewer from the channel.
    await teams.post(teams.personal(EMMA, "hello"))
    await teams.post(teams.channel(DAN, f"role <at>{EMMA.name}</at> security", mentions=(EMMA,)))
    assert t("fr", "role.security") in texts_to(fake, IT_CHANNEL)

    await file_need_in_chat(teams, fake, ALICE, "Il nous faut un outil de suivi des contrats fournisseurs")
    async with teams.app.db.session() as session:
        bob = await people.resolve(session, core=teams.app.core, identity=Identity("teams", BOB.id, BOB.name))
        await estimation.record_estimate(session, core=teams.app.core, actor=bob, key="NEED-1", answers=ESTIMATE)
    await teams.deliver()
    told = fake.cards_to(EMMA.chat)[-1]
    assert card_errors(told) == []
    assert "Security review needed: NEED-1" in card_text(told)

    # Emma opens the review: the checklist comes as a form.
    await teams.post(teams.personal(EMMA, "review NEED-1"))
    form = fake.cards_to(EMMA.chat)[-1]
    assert card_errors(form) == []
    inputs = [e["id"] for e in form["body"] if str(e.get("id", "")).startswith("field:")]
    assert inputs[:7] == ["field:dpa", "field:hosting", "field:sso", "field:integration", "field:questionnaire",
                          "field:retention", "field:outcome"]
    typed = {"field:dpa": "signed", "field:hosting": "eu", "field:sso": "yes", "field:integration": "standard",
             "field:questionnaire": "satisfactory", "field:retention": "Two years", "field:outcome": "cleared",
             "field:reasons": "EU hosting, SSO, DPA signed"}
    status, body = await teams.post(teams.press(EMMA, form, t("en", "dialog.form_submit"), inputs=typed,
                                                conversation=personal_conversation(EMMA)))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert card_errors(body["value"]) == []
    assert "Review v1 of NEED-1 is recorded: cleared." in card_text(body["value"])
    await teams.deliver()
    # The IT channel's card shows the outcome; Alice is told in French.
    assert "validée · v1 par Emma Brown" in texts_to(fake, IT_CHANNEL)
    assert "Revue de sécurité de NEED-1 : validée" in card_text(fake.cards_to(ALICE.chat)[-1])
    assert_accepted_by_microsoft(fake)
