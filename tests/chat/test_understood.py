"""What the intake shows of an opening sentence: what it understood, and what it
understood but did not take, with the reason, in the person's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pmobot.app import App
from pmobot.i18n import format_money, t
from pmobot.messages import Card
from pmobot.services.people import Identity

ALICE = Identity(platform="console", external_id="alice", display_name="Alice Martin", handle="alice")
ZOE = Identity(platform="slack", external_id="U9", display_name="Zoe", locale="en-US")


async def understood(app: App, who: Identity, sentence: str) -> Card:
    messages = await app.chat.on_text(who, "k", f"/pmo new {sentence}")
    cards = [m for m in messages if isinstance(m, Card) and m.title == t(await app.chat.locale_for(who),
                                                                             "dialog.understood")]
    assert len(cards) == 1, messages
    return cards[0]


async def answers(app: App, who: Identity) -> dict[str, Any]:
    from sqlmodel import select

    from pmobot.domain.models import ConversationState

    async with app.db.session() as session:
        return dict((await session.exec(select(ConversationState))).one().state["answers"])


async def test_a_past_deadline_is_said_and_not_taken(app: App) -> None:
    card = await understood(app, ALICE, "Il nous faut un outil de reporting pour 40 commerciaux, pour septembre 2026")
    assert t("fr", "dialog.not_taken_past", field="Date souhaitée", value="30 septembre 2026") in card.body
    assert "desired_date" not in await answers(app, ALICE)
    assert (await answers(app, ALICE))["users_affected"] == 40


async def test_as_soon_as_possible_is_said_in_english(app: App) -> None:
    card = await understood(app, ZOE, "We need an inventory app for our 200 staff ASAP")
    assert t("en", "dialog.not_taken_asap", field="Desired date", value="") in card.body
    assert [f.label for f in card.fields] == ["Title", "Users affected"]


async def test_a_negative_budget_is_said_and_not_taken(app: App) -> None:
    card = await understood(app, ALICE, "Nous voulons un outil de suivi des subventions, budget -3000 €")
    minus = format_money(Decimal(-3000), "EUR", "fr")
    assert t("fr", "dialog.not_taken_negative", field="Budget disponible", value=minus) in card.body
    assert "budget" not in await answers(app, ALICE)


async def test_a_prefilled_title_goes_through_the_checks_of_a_typed_one(app: App) -> None:
    card = await understood(app, ZOE, "We need a xxx for 20 people")
    assert "Title" not in [f.label for f in card.fields]
    assert "“Xxx”" in card.body and t("en", "dialogs.not_meaningful") in card.body
    assert "title" not in await answers(app, ZOE)


@pytest.mark.parametrize("who, sentence", [
    (ALICE, "Besoin d'un tableau de bord des ventes pour nos 40 commerciaux d'ici fin T1, budget cinq cents k€"),
    (ZOE, "Hi team, could IT build us a shift-planning tool for two dozen nurses by Q2 2027?"),
])
async def test_a_clear_sentence_leaves_nothing_unsaid(app: App, who: Identity, sentence: str) -> None:
    card = await understood(app, who, sentence)
    assert card.body == ""
    assert len(card.fields) >= 3
