"""A modal's submission: checked in the ack (its errors shown at once), otherwise stored in the inbound
queue and acknowledged with a "received" view; an inbound worker does its work after, exactly once, and
puts what was done in the modal's place. Run on SQLite and, in the PostgreSQL leg, on PostgreSQL.
"""

from __future__ import annotations

from sqlmodel import func, select
from support.slack import SlackHarness
from support.slack_flows import INTAKE, texts

from pmobot.domain.models import Need
from pmobot.domain.models_inbound import InboundRequest
from pmobot.i18n import t

ANSWERS = {**INTAKE, "personal_data": "no"}


async def _count(slack: SlackHarness, table: type[Need] | type[InboundRequest]) -> int:
    async with slack.app.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(table))).one())


async def _intake_form(slack: SlackHarness) -> dict:  # type: ignore[type-arg]
    await slack.command("UALICE", "nouveau")
    await slack.settle()
    view = slack.opened_view()
    slack.fake.clear()
    return view


async def test_a_valid_submission_is_acknowledged_before_its_work_then_worked_once(slack: SlackHarness) -> None:
    view = await _intake_form(slack)
    rows = await _count(slack, InboundRequest)
    body = await (await slack.submit("UALICE", view, ANSWERS)).json()
    # The ack says it was received; nothing of its work is done yet, nothing said anywhere.
    assert body["response_action"] == "update"
    assert t("fr", "slack.form_working") in texts(body["view"]["blocks"])
    assert await _count(slack, Need) == 0 and slack.fake.calls == []
    assert await _count(slack, InboundRequest) == rows + 1
    await slack.settle(deliver=False)
    updates = slack.fake.of("views.update")
    assert len(updates) == 1 and updates[0]["view_id"] == view["id"]
    assert "NEED-1" in texts(slack.opened_view()["blocks"]) and await _count(slack, Need) == 1
    await slack.settle(deliver=False)
    assert len(slack.fake.of("views.update")) == 1 and await _count(slack, Need) == 1


async def test_a_submission_sent_twice_is_worked_once(slack: SlackHarness) -> None:
    view = await _intake_form(slack)
    rows = await _count(slack, InboundRequest)
    for _ in range(2):
        response = await slack.submit("UALICE", view, ANSWERS)
        assert response.status == 200 and (await response.json())["response_action"] == "update"
    assert await _count(slack, InboundRequest) == rows + 1
    await slack.settle(deliver=False)
    # Once more after it was worked: recognised, nothing done again.
    assert (await slack.submit("UALICE", view, ANSWERS)).status == 200
    await slack.settle(deliver=False)
    assert await _count(slack, Need) == 1 and len(slack.fake.of("views.update")) == 1


async def test_an_invalid_submission_gets_its_errors_in_the_ack_and_nothing_is_stored(slack: SlackHarness) -> None:
    view = await _intake_form(slack)
    rows = await _count(slack, InboundRequest)
    body = await (await slack.submit("UALICE", view, {**ANSWERS, "users_affected": "0"})).json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"users_affected"}
    assert await _count(slack, InboundRequest) == rows
    await slack.settle(deliver=False)
    assert await _count(slack, Need) == 0 and slack.fake.of("views.update") == []


async def test_a_modal_closed_before_its_work_is_done_gets_its_answer_by_dm(slack: SlackHarness) -> None:
    view = await _intake_form(slack)
    await slack.submit("UALICE", view, ANSWERS)
    slack.fake.fail("views.update", 200, "not_found")  # Alice closed it meanwhile
    await slack.settle(deliver=False)
    to_alice = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "UALICE"]
    assert len(to_alice) == 1 and "NEED-1" in texts(to_alice[0]["blocks"]) and await _count(slack, Need) == 1
