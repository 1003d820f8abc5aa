"""Platform edges: each translates its platform's input into ``pmobot.chat`` calls
and renders ``pmobot.messages`` objects in its own format."""
