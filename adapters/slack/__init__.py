"""Slack: the slack-bolt app, Block Kit rendering and the manifest."""

from pmobot.adapters.slack.platform import SlackPlatform

__all__ = ["SlackPlatform"]
