"""The weekly check-in on Slack: the owner's time zone read from users.info, the question sent as a DM
at their own hour with a button, the button opening checkin.yaml as a modal with last week's answers,
a bad answer sent back on its field, the update recorded; every call checked against Slack's references."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select
from support.slack import SlackHarness, slack_user
from support.slack_flows import block_ids, buttons, texts

from pmobot.domain.models import Person
from pmobot.domain.models_tracking import StatusUpdate
from pmobot.jobs.base import JobContext
from pmobot.jobs.checkins import check_ins
from pmobot.services.people import Identity
from tests.support.projects import project_on


async def _run(slack: SlackHarness, at: datetime) -> None:
    slack.clock.set(at)
    await check_ins(JobContext(core=slack.app.core, now=at, slot=at, period=at.isoformat(), late=False))
    await slack.settle()


def _asked(slack: SlackHarness) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in slack.fake.of("chat.postMessage") if "project.check_in" in str(c.get("blocks"))]


async def test_asked_at_the_owners_hour_answered_in_the_modal(slack: SlackHarness) -> None:
    slack.fake.users["UBOB"] = {**slack_user("UBOB", "Bob Smith", "en-US"), "tz": "America/New_York"}
    await slack.command("UBOB", "help")  # first contact: users.info says where Bob lives
    await slack.settle()
    key = await project_on(slack.app, "slack", requester=Identity("slack", "UALICE", "Alice Martin"),
                           it=Identity("slack", "UBOB", "Bob Smith", locale="en"))
    async with slack.app.db.session() as session:
        bob = (await session.exec(select(Person).where(Person.display_name == "Bob Smith"))).one()
    assert bob.timezone == "America/New_York"

    await _run(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # 10:00 in Paris, 04:00 in New York
    assert _asked(slack) == []
    await _run(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # 10:00 in New York
    [dm] = _asked(slack)
    assert dm["channel"] == "UBOB" and f"Weekly status of {key}" in texts(dm["blocks"])
    button = buttons(dm["blocks"])["project.check_in"]

    await slack.press("UBOB", button["action_id"], button["value"], message=dm, channel="DBOB")
    await slack.settle()
    view = slack.opened_view()
    assert block_ids(view)[:3] == ["percent_complete", "percent_reason", "spend"]
    answers = {"percent_complete": "120", "spend": "8 000 €", "health": "green", "schedule_health": "green",
               "cost_health": "green", "scope_health": "green"}
    refused = await slack.submitted("UBOB", view, answers)
    assert refused["response_action"] == "errors" and "100" in refused["errors"]["percent_complete"], refused
    body = await slack.submitted("UBOB", view, {**answers, "percent_complete": "25",
                                                    "spend": "8 000 $"})
    assert body["response_action"] == "errors" and "EUR" in body["errors"]["spend"], body
    body = await slack.submitted("UBOB", view, {**answers, "percent_complete": "25"})
    assert body["response_action"] == "update" and f"Status update #1 of {key} recorded" in texts(
        body["view"]["blocks"]), body
    async with slack.app.db.session() as session:
        update = (await session.exec(select(StatusUpdate))).one()
    assert (update.percent_complete, str(update.spend), update.via) == (25, "8000.00", "check-in")
    assert update.check_in_id is not None

    # The next week the modal opens with last week's answers filled in.
    await _run(slack, datetime(2026, 12, 4, 15, 0, tzinfo=UTC))
    dm = _asked(slack)[-1]
    await slack.press("UBOB", buttons(dm["blocks"])["project.check_in"]["action_id"], key, message=dm,
                      channel="DBOB")
    await slack.settle()
    view = slack.opened_view()
    percent = next(b for b in view["blocks"] if b.get("block_id") == "percent_complete")
    assert percent["element"].get("initial_value") == "25"
    assert slack.fake.problems == []


async def test_someone_known_before_time_zones_were_kept_gets_theirs_at_the_next_message(
        slack: SlackHarness) -> None:
    await slack.command("UBOB", "help")  # known, with a language, from before time zones were kept
    await slack.settle()
    async with slack.app.db.session() as session:
        bob = (await session.exec(select(Person).where(Person.handle == "bob"))).one()
        bob.timezone = None
        session.add(bob)
    slack.fake.users["UBOB"] = {**slack_user("UBOB", "Bob Smith", "en-US"), "tz": "America/New_York"}
    await slack.command("UBOB", "help")
    await slack.settle()
    async with slack.app.db.session() as session:
        bob = (await session.exec(select(Person).where(Person.handle == "bob"))).one()
    assert (bob.locale, bob.timezone) == ("en", "America/New_York")
