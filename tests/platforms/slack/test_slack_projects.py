"""Projects on Slack: the project's status by slash command, a change request through its modal
(change.yaml as Block Kit), the committee's votes, a milestone; every call checked by the fake
against Slack's references."""

from __future__ import annotations

from sqlmodel import col, select
from support.slack import SlackHarness, slack_user
from support.slack_flows import block_ids, texts

from pmobot.domain.models_governance import Baseline, ChangeRequest
from pmobot.services.people import Identity
from tests.support.projects import project_on


def _reply(slack: SlackHarness) -> str:
    last = slack.fake.of("response_url")[-1]
    return str(last.get("text") or "") + texts(last.get("blocks") or [])


async def _project(slack: SlackHarness) -> str:
    slack.fake.users["UERIN"] = slack_user("UERIN", "Erin Walsh", "en-GB")
    return await project_on(
        slack.app, "slack", requester=Identity("slack", "UALICE", "Alice Martin"),
        it=Identity("slack", "UBOB", "Bob Smith", locale="en"),
        committee={"carla": (Identity("slack", "UCARLA", "Carla Rossi", locale="en"), "business"),
                   "erin": (Identity("slack", "UERIN", "Erin Walsh", locale="en"), "it")})


async def test_a_project_its_change_modal_and_the_committees_votes(slack: SlackHarness) -> None:
    key = await _project(slack)
    await slack.command("UBOB", f"project {key}")
    await slack.settle()
    assert f"{key} · Supplier contract tracker" in _reply(slack) and "Baseline in force (v1)" in _reply(slack)

    await slack.command("UBOB", f"change {key}")
    await slack.settle()
    view = slack.opened_view()
    assert block_ids(view) == ["new_end", "new_budget", "scope_add", "scope_remove", "scope_note", "reason"]
    body = await slack.submitted("UBOB", view, {"new_end": "2027-01-29", "reason": "The vendor ships in January"})
    assert body["response_action"] == "update" and f"{key}/CR-1 is sent to the committee" in texts(
        body["view"]["blocks"]), body

    await slack.command("UCARLA", f"change-decide {key} CR-1 approve Fine by the business")
    await slack.settle()
    assert f"Your vote on {key}/CR-1 is recorded: approve." in _reply(slack)
    await slack.command("UERIN", f"change-decide {key} CR-1 approve IT can do it")
    await slack.settle()
    assert f"{key}/CR-1 is approved" in _reply(slack)
    async with slack.app.db.session() as session:
        versions = (await session.exec(select(Baseline).order_by(col(Baseline.version)))).all()
        change = (await session.exec(select(ChangeRequest))).one()
    assert [(b.version, b.end.isoformat()) for b in versions] == [(1, "2026-12-23"), (2, "2027-01-29")]
    assert change.status == "approved"
    # Bob, who asked, is told in a DM; the fake checked the call.
    assert any(f"{key}/CR-1" in str(c.get("text")) for c in slack.fake.of("chat.postMessage"))

    await slack.command("UBOB", f"milestone {key} Pilot live 2027-01-15 50")
    await slack.settle()
    assert 'Milestone "Pilot live" on 15 January 2027 added' in _reply(slack)


async def test_a_change_modal_with_no_change_is_sent_back_with_the_reason(slack: SlackHarness) -> None:
    key = await _project(slack)
    await slack.command("UBOB", f"change {key}")
    await slack.settle()
    body = await slack.submitted("UBOB", slack.opened_view(), {"reason": "Nothing really"})
    assert body["response_action"] == "errors" and "must change something" in body["errors"]["new_end"], body
