"""Duplicates on Slack: the intake modal's result says a need like it exists; the choice comes as a DM
with buttons (buttons cannot act from a modal); joining by a button makes a co-requester; sent as it is,
IT's card says "possibly the same as". Every call is checked against Slack's references by the fake."""

from __future__ import annotations

from support.slack import SlackHarness
from support.slack_flows import buttons, file_need, make_it, texts

ENGLISH = {"title": "Supplier contract tracker",
           "problem": "Supplier contracts live in Excel files and we miss renewals."}


def dm_to(slack: SlackHarness, user: str) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in slack.fake.of("chat.postMessage") if c["channel"] == user]


async def test_a_need_like_one_filed_is_joined_from_the_dm(slack: SlackHarness) -> None:
    await make_it(slack)
    await file_need(slack, "UALICE")
    await slack.settle()
    body = await file_need(slack, "UCARLA", **ENGLISH)
    # The modal says which needs are alike, without buttons (they could not act from there)...
    result = texts(body["view"]["blocks"])
    assert "Before NEED-2 is sent: needs like yours" in result and "NEED-1" in result
    assert buttons(body["view"]["blocks"]) == {}
    await slack.settle()
    # ... and the DM carries the same card with its buttons.
    asked = dm_to(slack, "UCARLA")[-1]
    offered = buttons(asked["blocks"])
    assert set(offered) == {"need.join", "need.different", "need.submit"}
    assert offered["need.join"]["value"] == "NEED-2 NEED-1"
    # Nothing reached the IT channel for NEED-2.
    assert not [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT" and "NEED-2" in c["text"]]

    await slack.press("UCARLA", offered["need.join"]["action_id"], "NEED-2 NEED-1", channel="DCARLA",
                      message={"ts": "1764147600.000009", "text": asked["text"], "blocks": asked["blocks"]})
    await slack.settle()
    assert "You now follow NEED-1" in texts(slack.fake.of("response_url")[-1]["blocks"])
    assert "Carla Rossi a le même besoin que NEED-1" in dm_to(slack, "UALICE")[-1]["text"]
    # Carla may now see NEED-1, and its card in the IT channel names her.
    await slack.command("UCARLA", "status NEED-1", hook="status")
    await slack.settle()
    assert "Carla Rossi" in texts(slack.fake.of("response_url")[-1]["blocks"])
    it_card = [c for c in slack.fake.of("chat.update") if c["channel"] == "C0IT"][-1]
    assert "Carla Rossi" in texts(it_card["blocks"])


async def test_sent_as_it_is_the_it_card_says_possibly_the_same(slack: SlackHarness) -> None:
    await make_it(slack)
    await file_need(slack, "UALICE")
    await file_need(slack, "UCARLA", **ENGLISH)
    await slack.settle()
    asked = dm_to(slack, "UCARLA")[-1]
    submit = buttons(asked["blocks"])["need.submit"]
    await slack.press("UCARLA", submit["action_id"], submit["value"], channel="DCARLA",
                      message={"ts": "1764147600.000009", "text": asked["text"], "blocks": asked["blocks"]})
    await slack.settle()
    assert "NEED-2" in texts(slack.fake.of("response_url")[-1]["blocks"])
    card = [c for c in slack.fake.of("chat.postMessage") if c["channel"] == "C0IT" and "NEED-2" in c["text"]][-1]
    shown = texts(card["blocks"])
    assert "Peut-être le même que" in shown and "NEED-1 · Suivi des contrats fournisseurs" in shown
