"""One pmobot serving Slack and Teams on one server, and the two fakes it talks to
(the ``both`` fixture of tests/platforms/conftest.py builds it)."""

from __future__ import annotations

from dataclasses import dataclass

from support.slack import SlackHarness, slack_user
from support.teams import FakeMicrosoft, TeamsHarness

SLACK_IT = "C0IT"
# Slack people: Bob (IT) and Carla (a requester) read English, Dan (PMO) French.
SLACK_PEOPLE = {
    "UBOB": slack_user("UBOB", "Bob Smith", "en-US"),
    "UCARLA": slack_user("UCARLA", "Carla Rossi", "en-GB"),
    "UDAN": slack_user("UDAN", "Dan Dupont", "fr-FR"),
}


@dataclass
class Both:
    """One pmobot serving Slack and Teams, and the two fakes it talks to."""

    slack: SlackHarness
    teams: TeamsHarness
    microsoft: FakeMicrosoft

    async def deliver(self) -> None:
        """Finish Slack's post-ack work, then run the outbox worker until nothing is due (both platforms)."""
        await self.slack.settle()

    def slack_channels_written(self) -> set[str]:
        return {str(c["channel"]) for c in self.slack.fake.of("chat.postMessage")}

    def teams_personal_chats_written(self) -> set[str]:
        """The personal chats pmobot wrote to on its own (proactive sends, not answers to a turn)."""
        return {c.path.split("/")[3] for c in self.microsoft.sent()
                if c.method == "POST" and c.path.endswith("/activities") and "a:personal-" in c.path}
