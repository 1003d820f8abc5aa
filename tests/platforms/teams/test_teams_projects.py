"""Projects on Teams: the project's card in a personal chat, a change request through its Adaptive
Card form (change.yaml), the committee's votes typed without /pmo, a milestone; every card and
connector call checked against Microsoft's references."""

from __future__ import annotations

from sqlmodel import col, select
from support.teams import FakeMicrosoft, Person, TeamsHarness, card_errors, card_text
from support.teams_flows import assert_accepted_by_microsoft, texts_to

from pmobot.domain.models_governance import Baseline, ChangeRequest
from pmobot.i18n import t
from pmobot.services.people import Identity
from tests.support.projects import project_on

ALICE = Person("alice", "Alice Martin", "fr-FR")
BOB = Person("bob", "Bob Smith", "en-US")
CARLA = Person("carla", "Carla Rossi", "fr-FR")
ERIN = Person("erin", "Erin Walsh", "en-GB")


def _who(person: Person) -> Identity:
    return Identity("teams", person.id, person.name)


async def _project(teams: TeamsHarness) -> str:
    for person in (ALICE, BOB, CARLA, ERIN):
        await teams.post(teams.personal(person, "hello"))
    return await project_on(teams.app, "teams", requester=_who(ALICE), it=_who(BOB),
                            committee={"carla": (_who(CARLA), "business"), "erin": (_who(ERIN), "it")})


async def test_a_project_its_change_form_and_the_committees_votes(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    key = await _project(teams)
    await teams.post(teams.personal(BOB, f"project {key}"))
    assert f"{key} · Supplier contract tracker" in texts_to(fake, BOB.chat)
    assert "Baseline in force (v1)" in texts_to(fake, BOB.chat)

    await teams.post(teams.personal(BOB, f"change {key}"))
    form = fake.cards_to(BOB.chat)[-1]
    send = t("en", "dialog.form_submit")
    assert send in card_text(form) and card_errors(form) == []
    assert [e.get("id") for e in form["body"] if str(e.get("id", "")).startswith("field:")] == [
        "field:new_end", "field:new_budget", "field:scope_add", "field:scope_remove", "field:scope_note",
        "field:reason"]
    status, body = await teams.post(teams.press(BOB, form, send, inputs={
        "field:new_end": "2027-01-29", "field:new_budget": "", "field:scope_add": "", "field:scope_remove": "",
        "field:scope_note": "",
        "field:reason": "The vendor ships in January"}, conversation={"conversationType": "personal", "id": BOB.chat}))
    assert status == 200 and f"{key}/CR-1 is sent to the committee" in card_text(body["value"]), body

    await teams.post(teams.personal(CARLA, f"decider-changement {key} CR-1 approuver D'accord"))
    assert f"Votre vote sur {key}/CR-1 est enregistré : approbation." in texts_to(fake, CARLA.chat)
    await teams.post(teams.personal(ERIN, f"change-decide {key} CR-1 approve IT can do it"))
    assert f"{key}/CR-1 is approved" in texts_to(fake, ERIN.chat)
    await teams.deliver()
    assert f"The committee approved {key}/CR-1: baseline v2 is now in force." in texts_to(fake, BOB.chat)
    async with teams.app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
        change = (await session.exec(select(ChangeRequest))).one()
    assert [(b.version, b.end.isoformat()) for b in versions] == [(1, "2026-12-23"), (2, "2027-01-29")]
    assert change.status == "approved"

    await teams.post(teams.personal(BOB, f"milestone {key} Pilot live 15/01/2027 50"))
    assert 'Milestone "Pilot live" on 15 January 2027 added' in texts_to(fake, BOB.chat)
    assert_accepted_by_microsoft(fake)
