"""/pmo roadmap on Slack and Teams: the chart uploaded to Slack with the current file upload API,
and put in the Teams card as an image no wider than 1024 px, each with its text alternative.
Every call is checked against the references (Slack's Web API description and its supplement
for the upload methods; the Bot Connector's description and the Adaptive Card 1.5 schema)."""

from __future__ import annotations

import base64
import json

from support.roadmap import seed
from support.slack import SlackHarness
from support.teams import card_text
from support.teams_flows import DAN, assert_accepted_by_microsoft


async def test_slack_uploads_the_chart_where_it_was_asked_for(slack: SlackHarness) -> None:
    await seed(slack.app)
    await slack.command("UDAN", "roadmap", channel="C0PMO")
    await slack.settle()
    (ask,) = slack.fake.of("files.getUploadURLExternal")
    (complete,) = slack.fake.of("files.completeUploadExternal")
    (uploaded,) = slack.fake.uploads.values()
    assert uploaded.startswith(b"\x89PNG") and int(ask["length"]) == len(uploaded)
    assert ask["filename"].startswith("roadmap-2026-11-26-fr-") and ask["filename"].endswith(".png")
    assert "Chronologie de 2 éléments, de décembre 2026 à janvier 2027." in ask["alt_txt"]
    files = json.loads(complete["files"]) if isinstance(complete["files"], str) else complete["files"]
    assert [f["id"] for f in files] == [ask_id for ask_id in slack.fake.uploads]
    assert complete["channel_id"] == "C0PMO" and complete["initial_comment"] == "Feuille de route au 26 novembre 2026"
    # The text timeline comes to the person who asked, with where the chart went.
    (reply,) = slack.fake.of("response_url")
    assert reply["response_type"] == "ephemeral"
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "PRJ-1 Need 3" in shown and "si approuvé" in shown and "est publié dans cette conversation" in shown
    # Nothing in between: upload URL, then the bytes, then the completion.
    order = [c.method for c in slack.fake.calls if c.method.startswith("files.") or c.method == "upload"]
    assert order == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


async def test_slack_says_when_the_chart_cannot_be_posted_and_gives_its_text(slack: SlackHarness) -> None:
    await seed(slack.app)
    slack.fake.fail("files.completeUploadExternal", 200, "not_in_channel")
    await slack.command("UDAN", "roadmap", channel="C0ELSE")
    await slack.settle()
    (reply,) = slack.fake.of("response_url")
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Je n'ai pas pu publier le graphique" in shown and "Chronologie de 2 éléments" in shown


async def test_teams_puts_the_chart_in_the_card_with_its_alt_text(teams, fake) -> None:  # type: ignore[no-untyped-def]
    await seed(teams.app)
    status, _ = await teams.post(teams.personal(DAN, "pmo roadmap"))
    assert status == 202
    cards = fake.cards_to(DAN.chat)
    images = [el for card in cards for el in card["body"] if el.get("type") == "Image"]
    (image,) = images
    assert image["url"].startswith("data:image/png;base64,")
    png = base64.b64decode(image["url"].split(",", 1)[1])
    width = int.from_bytes(png[16:20], "big")
    assert png.startswith(b"\x89PNG") and width <= 1024 and image["width"] == f"{width}px"
    assert image["altText"].startswith("Chronologie de 2 éléments, de décembre 2026 à janvier 2027.")
    everything = "\n".join(card_text(c) for c in cards)
    assert "PRJ-1 Need 3" in everything and "Feuille de route au 26 novembre 2026" in everything
    assert_accepted_by_microsoft(fake)
