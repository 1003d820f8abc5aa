"""A drift alert on Slack: the owner's DM and the PMO channel get the alert's card with its three buttons,
each button does what it says, and /pmo alerts lists it; every call checked against Slack's references."""

from __future__ import annotations

from support.slack import SlackHarness, slack_user
from support.slack_flows import buttons, texts

from pmobot.services.people import Identity
from tests.support.drift import DRIFT_DAY, drifting
from tests.support.projects import project_on


def _reply(slack: SlackHarness) -> str:
    last = slack.fake.of("response_url")[-1]
    return str(last.get("text") or "") + texts(last.get("blocks") or [])


async def test_an_alert_card_with_its_buttons_in_the_owners_dm_and_the_pmo_channel(slack: SlackHarness) -> None:
    slack.fake.users["UERIN"] = slack_user("UERIN", "Erin Walsh", "en-GB")
    key = await project_on(slack.app, "slack", requester=Identity("slack", "UALICE", "Alice Martin"),
                           it=Identity("slack", "UBOB", "Bob Smith", locale="en"))
    await slack.command("UDAN", "channel here pmo", channel="C0PMO")
    await slack.settle()
    slack.fake.clear()
    slack.clock.set(DRIFT_DAY)
    await drifting(slack.app, key)
    await slack.settle()
    posts = [p for p in slack.fake.of("chat.postMessage") if "ALERT-" in texts(p.get("blocks") or [])]
    # Bob's DM in English, the PMO channel in the organisation's French.
    assert {p["channel"] for p in posts} >= {"C0PMO"} and len(posts) >= 2
    dm = next(p for p in posts if p["channel"] != "C0PMO" and "schedule behind plan" in texts(p["blocks"]))
    assert f"{key} (NEED-1) has done 40% of the work where 55% was planned" in texts(dm["blocks"])
    pressed = buttons(dm["blocks"])
    assert set(pressed) == {"alert.status", "alert.acknowledge", "alert.ask_update"}
    channel = next(p for p in posts if p["channel"] == "C0PMO" and "planning en retard" in texts(p["blocks"]))
    assert "a réalisé 40 % du travail" in texts(channel["blocks"])

    # The project's alerts opened by one scan are one card, each a section, the buttons acting on them all.
    together = pressed["alert.acknowledge"]["value"].split()[0].split(",")
    assert len(together) == texts(dm["blocks"]).count(f"· {key}:") > 1 and len(posts) == 2
    # Bob, the owner, acknowledges them; asking for an update is the PMO's.
    await slack.press("UBOB", "alert.acknowledge", pressed["alert.acknowledge"]["value"])
    await slack.settle()
    alert_key = together[0]
    assert f"{', '.join(together)} are acknowledged. They stay open" in _reply(slack)
    await slack.press("UBOB", "alert.ask_update", pressed["alert.ask_update"]["value"])
    await slack.settle()
    assert "Only the PMO" in _reply(slack)
    await slack.press("UDAN", "alert.ask_update", pressed["alert.ask_update"]["value"])
    await slack.settle()
    assert "Un point d'avancement de PRJ-1 est demandé à Bob Smith" in _reply(slack)
    assert any("The PMO asks for a status update of PRJ-1" in texts(p.get("blocks") or []) + str(p.get("text"))
               for p in slack.fake.of("chat.postMessage"))
    # See the status: the project's card, with its alerts and their history.
    await slack.press("UBOB", "alert.status", pressed["alert.status"]["value"])
    await slack.settle()
    assert "Drift alerts" in _reply(slack) and f"{alert_key} acknowledged" in _reply(slack)

    await slack.command("UBOB", "alerts")
    await slack.settle()
    assert "open drift alert" in _reply(slack) and alert_key in _reply(slack)

    # App Home: the alerts Bob may see, each card with its buttons, checked against views.publish.
    await slack.event({"type": "app_home_opened", "user": "UBOB", "channel": "DBOB", "tab": "home"},
                      event_id="EvHOMEBOB", sample="java-slack-sdk-shapes/AppHomeOpenedPayload.json")
    await slack.settle()
    home = slack.fake.of("views.publish")[-1]["view"]["blocks"]
    assert f"{alert_key} · critical · {key}: schedule behind plan" in texts(home)
    assert {"alert.status", "alert.acknowledge", "alert.ask_update"} <= set(buttons(home))
    assert slack.fake.problems == []
