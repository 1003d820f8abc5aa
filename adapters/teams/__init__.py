"""Microsoft Teams: the botbuilder bot, Adaptive Card rendering and the app package.

Every import of the Bot Framework SDK (botbuilder, botframework) stays in this
folder: its successor (the Microsoft 365 Agents SDK) should touch nothing else.
"""

from pmobot.adapters.teams.platform import TeamsPlatform

__all__ = ["TeamsPlatform"]
