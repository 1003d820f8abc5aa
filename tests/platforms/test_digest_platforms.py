"""The weekly digest on Slack and Teams with 10,000 needs and 1,000 projects in the portfolio: one
message per channel within Block Kit's 50 blocks (checked, like every call, by the fake Web API
against Slack's references) and an Adaptive Card 1.5 within Teams' 80 KB, the chart uploaded to Slack
with the current file upload API and shown as an image in the Teams card, each with its text
alternative; a channel Slack refuses (archived) is reported to the PMO and the others still get theirs."""

from __future__ import annotations

from datetime import UTC, datetime

from support.portfolio import seed
from support.slack import SlackHarness, check_blocks
from support.slack_flows import texts
from support.teams import card_errors, card_text
from support.teams_flows import DAN, assert_accepted_by_microsoft, set_up_team

from pmobot.adapters.slack.render import render
from pmobot.jobs.base import JobContext
from pmobot.jobs.digest import DIGEST
from pmobot.services import digest

# Monday 30 November 2026, 09:00 in Paris.
SLOT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NEEDS, PROJECTS = 10_000, 1_000
PMO_TEAMS = "19:pmo-channel@thread.tacv2"


async def _run_digest(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return await DIGEST.run(JobContext(app.core, SLOT, SLOT, DIGEST.schedule.period(SLOT, core=app.core), False))


async def test_slack_gets_one_digest_per_channel_within_block_kit_and_the_chart_as_a_file(
        slack: SlackHarness) -> None:
    slack.clock.set(SLOT)
    for text, channel in (("channel here pmo", "C0GONE"), ("canal ici service Finance", "C0FIN"),
                          ("channel here committee", "C0COM")):
        await slack.command("UDAN", text, channel=channel)
        await slack.settle()
        assert "Ce canal est désormais le canal du" in texts(slack.fake.of("response_url")[-1]["blocks"])
    await seed(slack.app, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    # The PMO's channel (the first digest posted) was archived since it was chosen: Slack refuses it,
    # the PMO admin is told, and the other channels still get theirs.
    slack.fake.fail("chat.postMessage", 200, "is_archived")
    slack.fake.calls.clear()
    assert await _run_digest(slack.app) == {"channels": 4, "posted": 4, "failed": 0}
    await slack.settle()
    posts = {c["channel"]: c for c in slack.fake.posted()}
    assert {"C0IT", "C0COM", "C0FIN"} <= set(posts) and "C0GONE" not in posts
    for channel in ("C0IT", "C0COM", "C0FIN"):
        blocks = posts[channel]["blocks"]
        assert check_blocks(blocks, channel, limit=50, surface="message") == [] and len(blocks) <= 50
    committee = texts(posts["C0COM"]["blocks"])
    assert "Synthèse hebdomadaire, semaine 49" in committee and "Santé des projets (1000 projets actifs)" in committee
    assert "Alertes de dérive ouvertes (100)" in committee and "de plus : /pmo projets" in committee
    it = texts(posts["C0IT"]["blocks"])
    assert "de plus : /pmo file" in it and "Santé des projets" not in it
    assert "· Finance" in texts(posts["C0FIN"]["blocks"]) and "· Achats" not in texts(posts["C0FIN"]["blocks"])
    completed = {c["channel_id"] for c in slack.fake.of("files.completeUploadExternal")}
    assert {"C0COM", "C0FIN", "C0GONE"} <= completed and "C0IT" not in completed  # IT's cut has no health
    asked = slack.fake.of("files.getUploadURLExternal")
    assert asked and all(a["alt_txt"].startswith("Diagramme en barres des projets actifs") for a in asked)
    assert all(png.startswith(b"\x89PNG") for png in slack.fake.uploads.values())
    told = [c for c in slack.fake.posted() if "C0GONE" in texts(c["blocks"])]
    assert len(told) == 1 and "is_archived" in texts(told[0]["blocks"])
    # The PMO's digest, every section, as Slack would have been given it.
    async with slack.app.db.session() as session:
        pmo, _ = await digest.preview(session, core=slack.app.core, channel="pmo", slot=SLOT)
    rendered = render(pmo, locale="fr")
    assert check_blocks(rendered.blocks, "pmo", limit=50, surface="message") == []
    assert texts(rendered.blocks).count("de plus : /pmo") == 6


async def test_teams_shows_the_digest_and_its_chart_in_adaptive_cards_within_80_kb(teams, fake) -> None:  # type: ignore[no-untyped-def]
    teams.clock.set(SLOT)
    await set_up_team(teams, fake, None)
    await teams.post(teams.channel(DAN, "channel here pmo", channel=PMO_TEAMS))
    await seed(teams.app, needs=NEEDS, projects=PROJECTS, week_end=SLOT)
    # The IT channel (chosen by set_up_team) gets IT's cut, the PMO's channel every section.
    assert await _run_digest(teams.app) == {"channels": 2, "posted": 2, "failed": 0}
    await teams.deliver()
    cards = [c for c in fake.cards_to(PMO_TEAMS) if "Synthèse" in card_text(c) or "Santé du portefeuille" in
             card_text(c)]
    assert len(cards) == 2
    for card in cards:
        assert card_errors(card) == []
    digest, chart = cards
    assert "Santé des projets (1000 projets actifs)" in card_text(digest)
    [image] = [el for el in chart["body"] if el.get("type") == "Image"]
    assert image["url"].startswith("data:image/png;base64,")
    assert image["altText"].startswith("Diagramme en barres des projets actifs selon la santé")
    assert_accepted_by_microsoft(fake)
