"""Ending a project on Teams, typed without /pmo in a personal chat: the PMO cancels with a reason, the
owner and the requester are told proactively, each in their language, and a snooze after it is refused
saying since when; every card and connector call checked against Microsoft's references."""

from __future__ import annotations

from datetime import UTC, datetime

from support.teams import FakeMicrosoft, Person, TeamsHarness
from support.teams_flows import assert_accepted_by_microsoft, texts_to

from pmobot.services.people import Identity
from tests.support.projects import project_on

ALICE = Person("alice", "Alice Martin", "fr-FR")
BOB = Person("bob", "Bob Smith", "en-US")
DAN = Person("dan", "Dan Dupont", "fr-FR")


def _who(person: Person) -> Identity:
    return Identity("teams", person.id, person.name)


async def test_the_pmo_cancels_and_owner_and_requester_are_told(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    for person in (ALICE, BOB, DAN):
        await teams.post(teams.personal(person, "hello"))
    key = await project_on(teams.app, "teams", requester=_who(ALICE), it=_who(BOB))
    teams.clock.set(datetime(2026, 12, 11, 10, 0, tzinfo=UTC))
    await teams.post(teams.personal(BOB, f"cancel-project {key} Not needed"))
    assert f"Only the PMO can cancel {key}" in texts_to(fake, BOB.chat)
    await teams.post(teams.personal(DAN, f"annuler-projet {key} Le fournisseur arrête le produit"))
    assert f"{key} · Supplier contract tracker est annulé le 11 décembre 2026." in texts_to(fake, DAN.chat)
    await teams.deliver()
    assert f"{key} · Supplier contract tracker, the project of NEED-1, is cancelled: Dan Dupont cancelled it." \
        in texts_to(fake, BOB.chat)
    assert "Reason: Le fournisseur arrête le produit" in texts_to(fake, BOB.chat)
    assert "est annulé : Dan Dupont l'a annulé." in texts_to(fake, ALICE.chat)
    await teams.post(teams.personal(BOB, f"snooze {key} until 15/01/2027 holidays"))
    assert f"{key} was cancelled on 11 December 2026: there is nothing left to put on hold." in \
        texts_to(fake, BOB.chat)
    assert_accepted_by_microsoft(fake)
