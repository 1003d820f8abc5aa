"""Every area's commands in one registry, for the composition root."""

from __future__ import annotations

from pmobot.commands import (
    alerts,
    channels,
    committee,
    conversations,
    deliveries,
    duplicates,
    estimation,
    help,
    intake,
    people,
    projects,
    roadmap,
    scope,
    scoring,
    security,
    tracking,
)
from pmobot.commands.registry import Commands


def builtin_commands() -> Commands:
    """A new registry with the commands of every area, in the order the help lists them."""
    commands = Commands()
    for area in (intake, duplicates, estimation, scope, scoring, security, committee, projects, tracking, alerts,
                 roadmap, conversations, people, channels, deliveries, help):
        area.register(commands)
    return commands
