"""A drift alert on Teams: the owner's personal chat gets the alert's Adaptive Card with its three buttons,
pressing them acknowledges it and shows the project's status, and ``alerts`` typed without /pmo lists it;
every card and connector call checked against Microsoft's references."""

from __future__ import annotations

from support.teams import FakeMicrosoft, Person, TeamsHarness, card_errors, card_text, personal_conversation
from support.teams_flows import assert_accepted_by_microsoft, texts_to

from pmobot.services.people import Identity
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import project_on


def _said(body: dict) -> str:  # type: ignore[type-arg]
    """What an invoke's answer shows: a text, or a card."""
    value = body["value"]
    return value if isinstance(value, str) else card_text(value)


ALICE = Person("alice", "Alice Martin", "fr-FR")
BOB = Person("bob", "Bob Smith", "en-US")


async def test_an_alert_card_with_its_buttons_in_the_owners_chat(teams: TeamsHarness, fake: FakeMicrosoft,
                                                                  clock) -> None:  # type: ignore[no-untyped-def]
    for person in (ALICE, BOB):
        await teams.post(teams.personal(person, "hello"))
    key = await project_on(teams.app, "teams", requester=Identity("teams", ALICE.id, ALICE.name),
                           it=Identity("teams", BOB.id, BOB.name))
    clock.set(DRIFT_DAY)
    await drifting(teams.app, key)
    await teams.deliver()
    cards = [c for c in fake.cards_to(BOB.chat) if "schedule behind plan" in card_text(c)]
    assert cards, texts_to(fake, BOB.chat)
    alert = cards[-1]
    assert card_errors(alert) == []
    assert f"{key} (NEED-1) has done 40% of the work where 55% was planned" in card_text(alert)
    assert all(title in card_text(alert) for title in ("See the status", "Acknowledge", "Ask for an update"))
    # The alerts one scan opened on the project are one card (within the Adaptive Card schema, checked above).
    assert card_text(alert).count(f"· {key}:") > 1 and "The buttons act on all" in card_text(alert)

    status, body = await teams.post(teams.press(BOB, alert, "Acknowledge", conversation=personal_conversation(BOB)))
    assert status == 200
    assert "ALERT-1, ALERT-2" in _said(body) and "are acknowledged" in _said(body)
    status, body = await teams.post(teams.press(BOB, alert, "See the status", conversation=personal_conversation(BOB)))
    # The project's card is posted to the chat (the invoke is answered "done").
    shown = texts_to(fake, BOB.chat)
    assert status == 200 and "Drift alerts" in shown and "ALERT-1 acknowledged" in shown

    await teams.post(teams.personal(BOB, "alerts"))
    assert "open drift alert" in texts_to(fake, BOB.chat)
    assert_accepted_by_microsoft(fake)
