"""Duplicates on Teams: a need filed on the intake card that is like an open one gets, as a new card in
the personal chat, the needs like it with Join / different / send buttons; joining makes a co-requester
told of the need's steps; sent as it is, IT's card says "possibly the same as". Every card is checked
against the Adaptive Card schema and every call against the Bot Connector's shapes."""

from __future__ import annotations

from support.teams import IT_CHANNEL, FakeMicrosoft, Person, TeamsHarness, card_errors, card_text, personal_conversation
from support.teams_flows import ALICE, BOB, EMMA, assert_accepted_by_microsoft, set_up_team, texts_to

from pmobot.i18n import t

FRENCH = {"field:title": "Suivi des contrats fournisseurs",
          "field:problem": "Les contrats fournisseurs sont dans Excel et nous ratons les renouvellements.",
          "field:benefits": "Moins d'oublis", "field:department": "purchasing", "field:users_affected": "20",
          "field:personal_data": "false", "field:external_vendor": "false"}
ENGLISH = {**FRENCH, "field:title": "Supplier contract tracker", "field:benefits": "Fewer misses",
           "field:problem": "Supplier contracts live in Excel files and we miss renewals."}


async def file_on_the_card(teams: TeamsHarness, fake: FakeMicrosoft, who: Person, typed: dict[str, str]) -> str:
    """Open the intake card with "/pmo new", fill it in, send it; what the card then says."""
    await teams.post(teams.personal(who, "/pmo new"))
    form = fake.cards_to(who.chat)[-1]
    status, body = await teams.post(teams.press(who, form, t(who.locale[:2], "dialog.form_submit"), inputs=typed,
                                                conversation=personal_conversation(who)))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert card_errors(body["value"]) == []
    return card_text(body["value"])


async def test_a_need_like_one_filed_is_joined_on_its_card(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, BOB)
    assert "NEED-1" in await file_on_the_card(teams, fake, ALICE, FRENCH)
    await teams.deliver()
    await file_on_the_card(teams, fake, EMMA, ENGLISH)
    asked = fake.cards_to(EMMA.chat)[-1]
    assert card_errors(asked) == []
    shown = card_text(asked)
    assert "Before NEED-2 is sent: needs like yours" in shown and "NEED-1 · Suivi des contrats fournisseurs" in shown
    status, body = await teams.post(teams.press(EMMA, asked, "Join NEED-1", conversation=personal_conversation(EMMA)))
    assert status == 200
    await teams.deliver()
    assert str(body["value"]).startswith("You now follow NEED-1")  # a button press is answered in a line
    assert "Emma Brown a le même besoin que NEED-1" in texts_to(fake, ALICE.chat)
    # Emma hears of the next step taken on NEED-1, in English.
    await teams.post(teams.personal(BOB, "/pmo claim NEED-1"))
    await teams.deliver()
    assert "Bob Smith claimed NEED-1" in texts_to(fake, EMMA.chat)
    assert_accepted_by_microsoft(fake)


async def test_sent_as_it_is_the_it_card_says_possibly_the_same(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, BOB)
    await file_on_the_card(teams, fake, ALICE, FRENCH)
    await file_on_the_card(teams, fake, EMMA, ENGLISH)
    asked = fake.cards_to(EMMA.chat)[-1]
    status, _ = await teams.post(teams.press(EMMA, asked, "Not sure: send it, IT will check",
                                             conversation=personal_conversation(EMMA)))
    assert status == 200
    await teams.deliver()
    it_cards = texts_to(fake, IT_CHANNEL)
    assert "NEED-2 · Supplier contract tracker" in it_cards and "Peut-être le même que" in it_cards
    assert_accepted_by_microsoft(fake)
