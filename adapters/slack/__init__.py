"""Slack: the slack-bolt app, Block Kit rendering and the manifest."""
