"""Microsoft Teams: the botbuilder bot, Adaptive Card rendering and the app package."""
