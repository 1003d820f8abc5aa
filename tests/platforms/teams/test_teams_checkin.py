"""The weekly check-in on Teams: the owner's time zone read from the activity (localTimezone), the
question as a card in their personal chat at their own hour, its button opening checkin.yaml as an
Adaptive Card form, a bad answer shown on its field, the update recorded; every card and connector
call checked against Microsoft's references."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select
from support.teams import FakeMicrosoft, Person, TeamsHarness, card_errors, card_text
from support.teams_flows import assert_accepted_by_microsoft

from pmobot.domain.models import Person as Someone
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.i18n import t
from pmobot.jobs.base import JobContext
from pmobot.jobs.checkins import check_ins
from pmobot.services.people import Identity
from tests.support.projects import project_on

ALICE = Person("alice", "Alice Martin", "fr-FR")
BOB = Person("bob", "Bob Smith", "en-US")


async def _run(teams: TeamsHarness, at: datetime) -> None:
    teams.clock.set(at)
    await check_ins(JobContext(core=teams.app.core, now=at, slot=at, period=at.isoformat(), late=False))
    await teams.deliver()


def _asked(fake: FakeMicrosoft) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in fake.cards_to(BOB.chat) if "Weekly status" in card_text(c)]


async def test_asked_at_the_owners_hour_answered_in_the_card(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await teams.post(teams.personal(ALICE, "hello"))
    hello = teams.personal(BOB, "hello")
    hello["localTimezone"] = "Asia/Tokyo"
    await teams.post(hello)
    key = await project_on(teams.app, "teams", requester=Identity("teams", ALICE.id, ALICE.name),
                           it=Identity("teams", BOB.id, BOB.name))
    async with teams.app.db.session() as session:
        bob = (await session.exec(select(Someone).where(Someone.display_name == "Bob Smith"))).one()
    assert bob.timezone == "Asia/Tokyo"

    await _run(teams, datetime(2026, 11, 27, 0, 59, tzinfo=UTC))  # 09:59 in Tokyo
    assert _asked(fake) == []
    await _run(teams, datetime(2026, 11, 27, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    [card] = _asked(fake)
    assert key in card_text(card) and card_errors(card) == []

    personal = {"conversationType": "personal", "id": BOB.chat}
    status, body = await teams.post(teams.press(BOB, card, t("en", "checkin.button.open"), conversation=personal))
    assert status == 200
    form = fake.cards_to(BOB.chat)[-1]  # the form, in the chat the button was pressed in
    assert card_errors(form) == []
    ids = [e.get("id") for e in form["body"] if str(e.get("id", "")).startswith("field:")]
    assert ids[:3] == ["field:percent_complete", "field:percent_reason", "field:spend"]
    inputs = {"field:percent_complete": "-3", "field:percent_reason": "", "field:spend": "5 000 €",
              "field:health": "green", "field:schedule_health": "green", "field:cost_health": "green",
              "field:scope_health": "green", "field:forecast_end": "", "field:milestones": "", "field:risks": "",
              "field:blockers": "", "field:decisions_needed": ""}
    send = t("en", "dialog.form_submit")
    status, body = await teams.post(teams.press(BOB, form, send, inputs=inputs, conversation=personal))
    assert status == 200 and "0" in card_text(body["value"]) and card_errors(body["value"]) == []
    async with teams.app.db.session() as session:
        assert (await session.exec(select(StatusUpdate))).all() == []
    status, body = await teams.post(teams.press(BOB, form, send, inputs={**inputs, "field:percent_complete": "15"},
                                                conversation=personal))
    assert status == 200 and f"Status update #1 of {key} recorded" in card_text(body["value"]), body
    async with teams.app.db.session() as session:
        update = (await session.exec(select(StatusUpdate))).one()
    assert (update.percent_complete, str(update.spend)) == (15, "5000.00")
    assert_accepted_by_microsoft(fake)
