"""People in Teams whom pmobot has not met: a PMO admin gives them a role by mentioning them;
the mention gives their id and name, the team roster their Entra id and e-mail."""

from __future__ import annotations

import json

import jsonschema
from sqlmodel import col, select
from support.statements import caller_reads, counted
from support.teams import IT_CHANNEL, REFS, FakeMicrosoft, Person, TeamsHarness
from support.teams_flows import BOB, DAN, assert_accepted_by_microsoft, texts_to

from pmobot.domain.models import Account
from pmobot.domain.models import Person as PersonRow
from pmobot.i18n import t

CARLA = Person("carla", "Carla Rossi", "en-GB")


async def _row(teams: TeamsHarness, who: Person) -> PersonRow | None:
    async with teams.app.db.session() as session:
        return (await session.exec(select(PersonRow).join(Account, col(Account.person_id) == col(PersonRow.id))
            .where(Account.external_id == who.id))).first()


async def _in_team(teams: TeamsHarness) -> None:
    await teams.post(teams.installed_in_team(DAN))
    await teams.post(teams.personal(DAN, "bonjour"))


def _roster_calls(fake: FakeMicrosoft, who: Person) -> list[str]:
    return [c.path for c in fake.sent() if c.method == "GET" and c.path.endswith(f"/members/{who.id}")]


def test_the_fake_roster_answers_as_the_connector_describes_a_member() -> None:
    swagger = json.loads((REFS / "botframework-connector-v3.swagger.json").read_text(encoding="utf-8"))
    answer = swagger["paths"]["/v3/conversations/{conversationId}/members/{memberId}"]["get"]["responses"]["200"]
    jsonschema.Draft4Validator({**answer["schema"], "definitions": swagger["definitions"]}).validate(BOB.member())


async def test_a_role_for_someone_who_never_wrote(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    fake.roster[BOB.id] = BOB.member()
    await _in_team(teams)
    await teams.post(teams.channel(DAN, f"role <at>{BOB.name}</at> it", mentions=(BOB,)))
    granted = texts_to(fake, IT_CHANNEL).split("\n")[-1]
    assert BOB.name in granted and t("fr", "role.it") in granted
    assert len(_roster_calls(fake, BOB)) == 1
    assert_accepted_by_microsoft(fake)
    bob = await _row(teams, BOB)
    assert bob is not None and bob.email == BOB.email
    # Bob writes later: he is that person, already IT.
    await teams.post(teams.personal(BOB, "queue"))
    assert t("en", "estimation.queue_empty") in texts_to(fake, BOB.chat)


async def test_without_the_roster_the_mention_is_enough(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await _in_team(teams)  # Carla is not in the fake roster: it answers 404
    await teams.post(teams.channel(DAN, f"role <at>{CARLA.name}</at> committee", mentions=(CARLA,)))
    granted = texts_to(fake, IT_CHANNEL).split("\n")[-1]
    assert CARLA.name in granted and t("fr", "role.committee") in granted
    carla = await _row(teams, CARLA)
    assert carla is not None and carla.display_name == CARLA.name and carla.email is None


async def test_a_name_that_is_not_a_mention_is_still_refused(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    fake.roster[BOB.id] = BOB.member()
    await _in_team(teams)
    await teams.post(teams.channel(DAN, "role Nobody it"))
    assert t("fr", "people.error.not_found", who="Nobody") in texts_to(fake, IT_CHANNEL)
    assert await _row(teams, BOB) is None and _roster_calls(fake, BOB) == []


async def test_who_writes_is_read_once_for_the_work_and_once_for_the_language_of_its_answer(
        teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    # The adapter reads the sender (whether to ask the roster about them); whether a dialog waits and the
    # command itself use that reading. Their language is read again after the work, which may have changed it
    # (/pmo lang), to render the answer: two statements per message, where there were three.
    await teams.post(teams.personal(BOB, "pmo queue"))
    with counted(teams.app) as statements:
        await teams.post(teams.personal(BOB, "pmo queue"))
    assert texts_to(fake, BOB.chat).count(t("en", "estimation.error.queue_role")) == 2
    callers = caller_reads(statements)
    assert len(callers) == 2 and "role_grant.role" in callers[0], callers
