"""The whole loop in Teams, over HTTP: real botbuilder, fake Microsoft services.

pmobot serves /api/messages on an ephemeral port; activities are built from
the reference captures and signed like the Bot Framework signs them; every
reply, update and proactive send lands on the fake Bot Connector, which
checks its token and whose record is validated against the Bot Connector's
Swagger description and the Adaptive Card 1.5 schema.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from support.teams import Person
from support.teams_flows import (
    ALICE,
    BOB,
    EMMA,
    FLO,
    assert_accepted_by_microsoft,
    claim_ask_answer,
    estimate,
    file_need_in_chat,
    lang,
    need_card_post,
    set_up_team,
    texts_to,
)

from pmobot.domain.models import OutboxMessage
from pmobot.i18n import t


@pytest.mark.parametrize(("requester", "it"), [(ALICE, BOB), (EMMA, FLO)], ids=["fr-requester", "en-requester"])
async def test_the_whole_loop_in_teams(teams, fake, requester: Person, it: Person) -> None:  # type: ignore[no-untyped-def]
    await set_up_team(teams, fake, it)
    sentence = ("Il nous faut un outil de suivi des contrats fournisseurs" if lang(requester) == "fr"
                else "We need a supplier contract tracker for the team")
    await file_need_in_chat(teams, fake, requester, sentence)
    submitted = t(lang(requester), "intake.submitted", key="NEED-1")
    assert submitted.split(".")[0] in texts_to(fake, requester.chat)
    await teams.deliver()
    card_id = claim_id = need_card_post(fake).response_id
    assert claim_id
    await claim_ask_answer(teams, fake, requester, it)
    await estimate(teams, fake, requester, it, card_id)
    assert_accepted_by_microsoft(fake)
    # Every outbox message went out.
    async with teams.app.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    assert rows and {r.status for r in rows} == {"sent"}
