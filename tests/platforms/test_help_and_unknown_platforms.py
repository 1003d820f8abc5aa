"""Help typed as a word, an unknown command and the language command alone, as Slack and
Teams users meet them (the rules themselves are tested in tests/chat/test_help_and_unknown.py)."""

from __future__ import annotations

import itertools

from support.slack import SlackHarness
from support.teams import FakeMicrosoft, TeamsHarness
from support.teams_flows import ALICE, texts_to

from pmobot.i18n import t

_ids = itertools.count(1)


async def test_slack_dm_help_and_lang(slack: SlackHarness) -> None:
    async def say(text: str) -> str:
        before = len(slack.fake.of("chat.postMessage"))
        await slack.event({"type": "message", "channel_type": "im", "channel": "DALICE", "user": "UALICE",
                           "text": text, "ts": f"1764147700.{next(_ids):06d}"}, event_id=f"EvHelp{next(_ids)}")
        await slack.settle()
        replies = [c for c in slack.fake.of("chat.postMessage")[before:] if c["channel"] == "DALICE"]
        return " ".join(str(b) for c in replies for b in c.get("blocks", [])) + " ".join(
            c.get("text", "") for c in replies)

    assert t("fr", "help.intro")[:40] in await say("aide")
    assert "frobnicate" in await say("/pmo help frobnicate")
    await slack.command("UALICE", "lang")
    await slack.settle()
    assert "Je vous parle en français" in str(slack.fake.of("response_url")[-1])


async def test_teams_unknown_slash_command_and_lang(teams: TeamsHarness, fake: FakeMicrosoft) -> None:
    await teams.post(teams.personal(ALICE, "/foo"))
    assert t("fr", "chat.unknown_command", word="foo") in texts_to(fake, ALICE.chat)
    await teams.post(teams.personal(ALICE, "langue"))
    assert "Je vous parle en français" in texts_to(fake, ALICE.chat)
